"""Lot status decisions under concurrency, with two real transactions.

Each side is a ``RacingTransaction``: a cursor of its own in a thread, run through
Odoo's ``retrying`` (what the RPC dispatcher does on a serialization failure), and
committed. The first side takes its snapshot, then waits while the other side
commits a status change: without locks, REPEATABLE READ would let it decide on the
old status. These tests commit into the test database: their data has unique names
and is left there.
"""

import uuid
from datetime import timedelta

from odoo import SUPERUSER_ID, Command, fields
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

from odoo.addons.med_audit_export.tests.common import (
    RacingTransaction,
    committed,
    read_back,
)


@tagged("post_install", "-at_install")
class TestLotStatusRaces(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        self.tag = uuid.uuid4().hex[:8]
        self.user_ids = []
        # archived, the test's users are out of the way of the tests after it (the
        # QA managers the daily jobs notify, e.g.)
        self.addCleanup(
            committed,
            self.registry,
            lambda env: env["res.users"]
            .browse(self.user_ids)
            .exists()
            .with_context(med_reason="race test users")
            .write({"active": False}),
        )

    def _user(self, env, role, number=1):
        user_id = new_test_user(
            env,
            login=f"race_{role}{number}_{self.tag}",
            groups=f"med_audit_export.group_med_{role}",
        ).id
        self.user_ids.append(user_id)
        return user_id

    def _stocked_lot(self, env, product, name, qty=10, released=True):
        stock = env.ref("stock.warehouse0").lot_stock_id
        lot = env["stock.lot"].create({"name": name, "product_id": product.id})
        env["stock.quant"]._update_available_quantity(product, stock, qty, lot_id=lot)
        if released:
            lot.with_context(med_reason="race test")._med_set_state("released")
        return lot

    def _product(self, env, name):
        return env["product.product"].create(
            {"name": f"{name} {self.tag}", "is_storable": True, "tracking": "lot"}
        )

    def _sign(self, env, action):
        wizard = (
            env["med.signature.wizard"]
            .with_context(**action["context"])
            .create(
                {
                    "login": env.user.login,
                    "password": env.user.login,
                    "comment": "race test",
                }
            )
        )
        return wizard.action_sign()

    # -- hold vs delivery (issue 21: a held lot left the warehouse) --
    def _delivery(self, env, lot, qty, reserve=True):
        warehouse = env.ref("stock.warehouse0")
        customers = env.ref("stock.stock_location_customers")
        picking = env["stock.picking"].create(
            {
                "partner_id": env["res.partner"]
                .create({"name": f"Race Hospital {self.tag}"})
                .id,
                "picking_type_id": warehouse.out_type_id.id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": lot.product_id.name,
                            "product_id": lot.product_id.id,
                            "product_uom_qty": qty,
                            "location_id": warehouse.lot_stock_id.id,
                            "location_dest_id": customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()  # reserves at confirmation
        if not reserve:
            picking.do_unreserve()
            return picking
        picking.action_assign()
        assert picking.move_line_ids.lot_id == lot, picking.move_line_ids.lot_id
        picking.move_ids.picked = True
        return picking

    def test_hold_committed_during_a_delivery_stops_it(self):
        def setup(env):
            lot = self._stocked_lot(
                env, self._product(env, "Race syringe"), f"RACE-HOLD-{self.tag}"
            )
            # In two places, as a lot in use is: the delivery then leaves the lot's
            # row alone (Odoo rewrites its single location when it changes, and that
            # write alone would conflict with the hold).
            shelf = env["stock.location"].create(
                {
                    "name": f"Shelf {self.tag}",
                    "location_id": env.ref("stock.warehouse0").lot_stock_id.id,
                }
            )
            env["stock.quant"]._update_available_quantity(
                lot.product_id, shelf, 10, lot_id=lot
            )
            picking = self._delivery(env, lot, 5)
            return (
                lot.id,
                picking.id,
                self._user(env, "warehouse"),
                self._user(env, "qa_manager"),
            )

        lot_id, picking_id, warehouse_uid, qa_uid = committed(self.registry, setup)

        def validate(env):
            return env["stock.picking"].browse(picking_id).button_validate()

        def hold(env):
            env["stock.lot"].browse(lot_id).with_context(
                med_reason="race test"
            )._med_put_on_hold("manual", "Particles in the retained sample")

        delivery = RacingTransaction(
            self.registry, warehouse_uid, validate
        ).hold_after_snapshot()
        holder = RacingTransaction(self.registry, qa_uid, hold).finish()
        self.assertIsNone(holder.error)
        delivery.finish()

        state, lot_state = read_back(
            self.registry,
            lambda env: (
                env["stock.picking"].browse(picking_id).state,
                env["stock.lot"].browse(lot_id).med_state,
            ),
        )
        self.assertEqual(lot_state, "hold")
        self.assertNotEqual(state, "done", "a held lot left the warehouse")
        # the delivery failed on the lock, Odoo retried it, the retry refused
        self.assertEqual(delivery.tries, 2)
        self.assertIsInstance(delivery.error, UserError)
        self.assertIn(f"RACE-HOLD-{self.tag}", str(delivery.error))

    def test_hold_committed_during_a_reservation_is_seen(self):
        def setup(env):
            lot = self._stocked_lot(
                env, self._product(env, "Race needle"), f"RACE-RES-{self.tag}"
            )
            picking = self._delivery(env, lot, 5, reserve=False)
            return lot.id, picking.id, self._user(env, "warehouse")

        lot_id, picking_id, warehouse_uid = committed(self.registry, setup)

        def reserve(env):
            env["stock.picking"].browse(picking_id).action_assign()

        def hold(env):
            env["stock.lot"].browse(lot_id).with_context(
                med_reason="race test"
            )._med_put_on_hold("manual", "deviation")

        reservation = RacingTransaction(
            self.registry, warehouse_uid, reserve
        ).hold_after_snapshot()
        RacingTransaction(self.registry, SUPERUSER_ID, hold).finish()
        reservation.finish()
        self.assertIsNone(reservation.error)
        self.assertEqual(reservation.tries, 2)
        reserved = read_back(
            self.registry,
            lambda env: env["stock.picking"]
            .browse(picking_id)
            .move_line_ids.lot_id.ids,
        )
        self.assertNotIn(lot_id, reserved, "a held lot was reserved for a customer")

    # -- two QA managers release the same lot --
    def test_two_releases_of_one_lot_give_one_release_and_one_signature(self):
        def setup(env):
            lot = self._stocked_lot(
                env,
                self._product(env, "Race barrel"),
                f"RACE-REL-{self.tag}",
                released=False,
            )
            return (
                lot.id,
                self._user(env, "qa_manager"),
                self._user(env, "qa_manager", 2),
            )

        lot_id, first_uid, second_uid = committed(self.registry, setup)

        def release(env):
            lot = env["stock.lot"].browse(lot_id)
            return self._sign(env, lot.action_med_release())

        first = RacingTransaction(
            self.registry, first_uid, release
        ).hold_after_snapshot()
        second = RacingTransaction(self.registry, second_uid, release).finish()
        self.assertIsNone(second.error)
        first.finish()

        state, signatures = read_back(
            self.registry,
            lambda env: (
                env["stock.lot"].browse(lot_id).med_state,
                env["med.signature"].search_count(
                    [
                        ("res_model", "=", "stock.lot"),
                        ("res_id", "=", lot_id),
                        ("meaning", "=", "release"),
                    ]
                ),
            ),
        )
        self.assertEqual(state, "released")
        self.assertEqual(signatures, 1)
        self.assertEqual(first.tries, 2)
        self.assertIsInstance(first.error, UserError)
        self.assertIn("its status is Released", str(first.error))

    # -- the daily expiry check holds a component while its product is released --
    def test_expiry_hold_of_a_component_during_a_release_stops_it(self):
        def setup(env):
            component = self._stocked_lot(
                env, self._product(env, "Race piston"), f"RACE-CMP-{self.tag}"
            )
            finished = self._product(env, "Race plunger")
            bom = env["mrp.bom"].create(
                {
                    "product_tmpl_id": finished.product_tmpl_id.id,
                    "product_qty": 1,
                    "bom_line_ids": [
                        Command.create(
                            {"product_id": component.product_id.id, "product_qty": 1}
                        )
                    ],
                }
            )
            production = env["mrp.production"].create(
                {"product_id": finished.id, "product_qty": 5, "bom_id": bom.id}
            )
            production.action_confirm()
            lot = env["stock.lot"].create(
                {"name": f"RACE-FIN-{self.tag}", "product_id": finished.id}
            )
            production.lot_producing_id = lot
            production.qty_producing = 5
            raw = production.move_raw_ids
            raw.move_line_ids.unlink()
            env["stock.move.line"].create(
                {
                    "move_id": raw.id,
                    "product_id": component.product_id.id,
                    "lot_id": component.id,
                    "quantity": 5,
                    "location_id": raw.location_id.id,
                    "location_dest_id": raw.location_dest_id.id,
                }
            )
            raw.picked = True
            production.button_mark_done()
            assert production.state == "done", production.state
            return component.id, lot.id, self._user(env, "qa_manager")

        component_id, lot_id, qa_uid = committed(self.registry, setup)

        def release(env):
            lot = env["stock.lot"].browse(lot_id)
            return self._sign(env, lot.action_med_release())

        def expiry_hold(env):
            # what the daily check does with an expired lot still in stock
            env["stock.lot"].browse(component_id)._med_put_on_hold(
                "expiry", "Expired on 2026-12-01"
            )

        releaser = RacingTransaction(
            self.registry, qa_uid, release
        ).hold_after_snapshot()
        RacingTransaction(self.registry, SUPERUSER_ID, expiry_hold).finish()
        releaser.finish()

        states = read_back(
            self.registry,
            lambda env: env["stock.lot"]
            .browse([lot_id, component_id])
            .mapped("med_state"),
        )
        self.assertEqual(states, ["quarantine", "hold"])
        self.assertEqual(releaser.tries, 2)
        self.assertIsInstance(releaser.error, UserError)
        self.assertIn(f"RACE-CMP-{self.tag}", str(releaser.error))

    # -- the daily expiry check meets a status change made after it read the lots --
    def test_expiry_check_reruns_after_a_concurrent_status_change(self):
        def setup(env):
            product = self._product(env, "Race catheter")
            product.product_tmpl_id.write(
                {"use_expiration_date": True, "expiration_time": 365}
            )
            lot = self._stocked_lot(env, product, f"RACE-EXP-{self.tag}")
            lot.with_context(med_reason="race test").write(
                {"expiration_date": fields.Datetime.now() - timedelta(days=2)}
            )
            return lot.id

        lot_id = committed(self.registry, setup)
        started = fields.Datetime.now()

        def expiry_check(env):
            env["stock.lot"]._cron_med_expiry()

        def hold(env):
            env["stock.lot"].browse(lot_id).with_context(
                med_reason="race test"
            )._med_put_on_hold("manual", "Sterility deviation")

        # a scheduled job is not retried: Odoo runs it again next time
        check = RacingTransaction(
            self.registry, SUPERUSER_ID, expiry_check, retry=False
        ).hold_after_snapshot()
        RacingTransaction(self.registry, SUPERUSER_ID, hold).finish()
        check.finish()
        self.assertIsNone(check.error)

        def outcome(env):
            lot = env["stock.lot"].browse(lot_id)
            cron = env.ref("med_lot_trace.ir_cron_lot_expiry")
            triggers = env["ir.cron.trigger"].search_count(
                [("cron_id", "=", cron.id), ("create_date", ">=", started)]
            )
            return lot.med_hold_source, lot.med_hold_reason, triggers

        source, reason, triggers = read_back(self.registry, outcome)
        # the manual hold stands; the check did nothing on its old snapshot and
        # asked to run again at once
        self.assertEqual((source, reason), ("manual", "Sterility deviation"))
        self.assertGreaterEqual(triggers, 1)
