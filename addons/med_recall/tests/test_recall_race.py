import uuid

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

from odoo.addons.med_audit_export.tests.common import RacingTransaction


@tagged("post_install", "-at_install")
class TestLaunchVersusDelivery(BaseCase):
    """A recall launched while a delivery of one of its lots is being validated,
    each in its own committed transaction (own registry cursors, as two server
    workers): the delivery is refused, never shipped with the lot recalled. The
    data is unique to each run and stays in the database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        tag = uuid.uuid4().hex[:8].upper()
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.qa_manager_id = new_test_user(
                env,
                login=f"race_recall_qa_{tag}",
                groups="med_audit_export.group_med_qa_manager",
            ).id
            cls.warehouse_id = new_test_user(
                env,
                login=f"race_recall_wh_{tag}",
                groups="med_audit_export.group_med_warehouse",
            ).id
            product = env["product.product"].create(
                {
                    "name": f"Race syringe {tag}",
                    "is_storable": True,
                    "tracking": "lot",
                }
            )
            lot = env["stock.lot"].create(
                {"name": f"RACE-SYR-{tag}", "product_id": product.id}
            )
            lot.with_context(med_reason="released for the test")._med_set_state(
                "released"
            )
            warehouse = env.ref("stock.warehouse0")
            stock = warehouse.lot_stock_id
            customers = env.ref("stock.stock_location_customers")
            # The lot lies in two places already: its single location (a stored
            # field Odoo rewrites when stock moves) stays empty, so nothing but the
            # gate's own lock makes the two transactions meet.
            shelf = env["stock.location"].create(
                {"name": f"Race shelf {tag}", "location_id": stock.id}
            )
            for location in (stock, shelf):
                env["stock.quant"]._update_available_quantity(
                    product, location, 10, lot_id=lot
                )
            hospital = env["res.partner"].create({"name": f"Race hospital {tag}"})
            picking = env["stock.picking"].create(
                {
                    "partner_id": hospital.id,
                    "picking_type_id": warehouse.out_type_id.id,
                    "location_id": stock.id,
                    "location_dest_id": customers.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": product.name,
                                "product_id": product.id,
                                "product_uom_qty": 4,
                                "location_id": stock.id,
                                "location_dest_id": customers.id,
                            }
                        )
                    ],
                }
            )
            picking.action_confirm()
            move = picking.move_ids
            move.move_line_ids.unlink()
            env["stock.move.line"].create(
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": product.id,
                    "lot_id": lot.id,
                    "quantity": 4,
                    "location_id": stock.id,
                    "location_dest_id": customers.id,
                }
            )
            move.picked = True
            recall = (
                env["med.recall"]
                .with_user(cls.qa_manager_id)
                .create(
                    {
                        "title": f"Race recall {tag}",
                        "lot_ids": [Command.set(lot.ids)],
                        "user_id": cls.qa_manager_id,
                        "nmpa_level": "2",
                        "fda_class": "II",
                        "depth": "retail",
                        "reason": "Barrels crack at the luer tip.",
                        "health_hazard": "Leak during injection.",
                        "date_discovered": "2026-11-18",
                        "date_decision": "2026-11-20",
                        "date_target": "2026-12-31",
                    }
                )
            )
            cls.lot_id, cls.picking_id, cls.recall_id = lot.id, picking.id, recall.id
            cls.product_id = product.id

    @classmethod
    def tearDownClass(cls):
        # The records stay (GxP records are not deleted); archived, the users and
        # the product are out of the way of the tests that run after.
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            users = env["res.users"].browse([cls.qa_manager_id, cls.warehouse_id])
            users.active = False
            env["product.product"].browse(cls.product_id).active = False
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.assertFalse(self.registry.in_test_mode(), "needs real transactions")

    def test_launch_during_delivery_validation_refuses_the_delivery(self):
        def picking(env):
            return env["stock.picking"].browse(self.picking_id)

        delivery = RacingTransaction(
            self.registry,
            self.warehouse_id,
            lambda env: picking(env).button_validate(),
            look=lambda env: picking(env).fetch(["state"]),
        ).hold_after_snapshot()
        launch = RacingTransaction(
            self.registry,
            self.qa_manager_id,
            lambda env: env["med.recall"].browse(self.recall_id)._med_do_launch(),
        ).finish()
        self.assertIsNone(launch.error)
        delivery.finish()
        self.assertIsInstance(delivery.error, UserError)
        self.assertIn("is recalled", str(delivery.error))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertEqual(env["med.recall"].browse(self.recall_id).state, "launched")
            self.assertEqual(env["stock.lot"].browse(self.lot_id).med_state, "recalled")
            self.assertNotEqual(
                env["stock.picking"].browse(self.picking_id).state, "done"
            )
