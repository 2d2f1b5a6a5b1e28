import uuid
from datetime import timedelta
from functools import partial

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.med_audit_export.tests.common import RacingTransaction

from .common import SCAN


@tagged("post_install", "-at_install")
class TestGateRaces(TransactionCase):
    """The supplier and customer gates against a concurrent change of what they
    read, with two real transactions committed from two threads (the test cursor
    cannot show a race). Each test builds its own data in a company of its own, with
    unique names, and commits it: the rows stay in the database."""

    # -- committed data --
    def _committed(self, build):
        """Run ``build(env)`` in a transaction of its own, commit, return its value."""
        with self.registry.cursor() as cr:
            return build(api.Environment(cr, SUPERUSER_ID, {}))

    def _env(self, cr, company_id):
        return api.Environment(
            cr, SUPERUSER_ID, {"allowed_company_ids": [company_id], "tz": "UTC"}
        )

    def _world(self, env, customer_gate=False):
        """A company, an approved supplier with its verified business licence, and
        a storable product on its approved list: everything passes the gates."""
        tag = uuid.uuid4().hex[:8]
        company = env["res.company"].create(
            {
                "name": f"Race {tag}",
                "med_customer_gate_mode": "block" if customer_gate else "off",
            }
        )
        env = env(context=dict(env.context, allowed_company_ids=company.ids, tz="UTC"))
        today = fields.Date.context_today(env["res.partner"])
        supplier = env["res.partner"].create(
            {"name": f"Race Supplier {tag}", "is_company": True, "supplier_rank": 1}
        )
        licence_type = env.ref("med_supplier_qual.certificate_type_business_licence")
        licence = env["med.supplier.certificate"].create(
            {
                "partner_id": supplier.id,
                "type_id": licence_type.id,
                "number": f"RACE-{tag}",
                "issuer": "Race issuer",
                "issue_date": today - timedelta(days=100),
                "expiry_date": today + timedelta(days=500),
                "company_id": company.id,
                "attachment_ids": [
                    Command.create({"name": f"{tag}.pdf", "datas": SCAN})
                ],
            }
        )
        licence._med_do_verify()
        supplier._med_set_supplier_state("approved", "race test setup")
        product = env["product.product"].create(
            {"name": f"Race Part {tag}", "is_storable": True, "company_id": company.id}
        )
        entry = env["med.approved.supplier"].create(
            {
                "partner_id": supplier.id,
                "product_id": product.id,
                "date_start": today - timedelta(days=100),
                "company_id": company.id,
            }
        )
        order = env["purchase.order"].create(
            {
                "partner_id": supplier.id,
                "company_id": company.id,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_qty": 5, "price_unit": 1}
                    )
                ],
            }
        )
        return {
            "company": company.id,
            "supplier": supplier.id,
            "licence": licence.id,
            "product": product.id,
            "entry": entry.id,
            "order": order.id,
        }

    # -- the two orders of two transactions --
    def _transaction(self, company_id, work, look=None):
        return RacingTransaction(
            self.registry,
            SUPERUSER_ID,
            work,
            context={"allowed_company_ids": [company_id], "tz": "UTC"},
            look=look,
        )

    def _change_commits_first(self, company_id, look, decide, change):
        """The deciding transaction takes its snapshot (``look``: the user opened the
        document) before ``change`` commits, then decides, as Odoo serves a request
        (a serialization failure is retried in a new transaction). Returns the
        exception that the decision was refused with, or None."""
        decision = self._transaction(company_id, decide, look).hold_after_snapshot()
        self.assertIsNone(self._transaction(company_id, change).finish().error)
        error = decision.finish().error
        if error is not None and not isinstance(error, UserError):
            raise error
        return error

    def _change_waits_for_the_decision(self, company_id, decide, change):
        """``decide`` runs first; ``change`` starts while the decision is not yet
        committed. Returns whether the change queued behind the decision's locks
        (then it committed after the decision); both must succeed."""
        decision = self._transaction(company_id, decide).hold_before_commit()
        changing = self._transaction(company_id, change)
        waited = changing.waits_for_a_lock()
        self.assertIsNone(decision.finish().error)
        self.assertIsNone(changing.finish().error)
        return waited

    # -- decisions and changes --
    @staticmethod
    def _confirm(ids, env):
        env["purchase.order"].browse(ids["order"]).button_confirm()

    @staticmethod
    def _suspend(ids, env):
        env["res.partner"].browse(ids["supplier"])._med_set_supplier_state(
            "suspended", "race test: audit finding"
        )

    @staticmethod
    def _revoke(ids, env):
        """QA withdraws the licence: it ended yesterday."""
        licence = env["med.supplier.certificate"].browse(ids["licence"])
        yesterday = fields.Date.context_today(licence) - timedelta(days=1)
        licence.write({"issue_date": yesterday, "expiry_date": yesterday})

    @staticmethod
    def _delist(ids, env):
        env["med.approved.supplier"].browse(ids["entry"]).write({"state": "suspended"})

    @staticmethod
    def _validate_receipt(ids, env):
        picking = env["purchase.order"].browse(ids["order"]).picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.button_validate()

    def _read(self, ids, build):
        with self.registry.cursor() as cr:
            return build(self._env(cr, ids["company"]))

    def _order_state(self, ids):
        return self._read(
            ids, lambda env: env["purchase.order"].browse(ids["order"]).state
        )

    def _receipt_state(self, ids):
        return self._read(
            ids,
            lambda env: env["purchase.order"].browse(ids["order"]).picking_ids.state,
        )

    def _confirmed_world(self):
        def build(env):
            ids = self._world(env)
            env["purchase.order"].browse(ids["order"]).button_confirm()
            return ids

        return self._committed(build)

    # -- supplier suspension vs purchase order confirmation --
    def test_suspension_committed_first_refuses_the_confirmation(self):
        ids = self._committed(self._world)
        refused = self._change_commits_first(
            ids["company"],
            lambda env: env["res.partner"].browse(ids["supplier"]).med_supplier_state,
            partial(self._confirm, ids),
            partial(self._suspend, ids),
        )
        self.assertEqual(self._order_state(ids), "draft")
        self.assertIsNotNone(refused, "the retried confirmation sees the suspension")
        self.assertIn("Suspended", str(refused))

    def test_confirmation_first_makes_the_suspension_wait(self):
        ids = self._committed(self._world)
        waited = self._change_waits_for_the_decision(
            ids["company"], partial(self._confirm, ids), partial(self._suspend, ids)
        )
        self.assertTrue(waited, "the change does not wait for the decision")
        self.assertEqual(self._order_state(ids), "purchase")

    # -- approved list change vs purchase order confirmation --
    def test_delisting_committed_first_refuses_the_confirmation(self):
        ids = self._committed(self._world)
        refused = self._change_commits_first(
            ids["company"],
            lambda env: env["med.approved.supplier"].browse(ids["entry"]).state,
            partial(self._confirm, ids),
            partial(self._delist, ids),
        )
        self.assertEqual(self._order_state(ids), "draft")
        self.assertIn("not on the approved supplier list", str(refused))

    # -- certificate revocation vs receipt validation --
    def test_revocation_committed_first_refuses_the_receipt(self):
        ids = self._confirmed_world()
        refused = self._change_commits_first(
            ids["company"],
            lambda env: env["med.supplier.certificate"].browse(ids["licence"]).state,
            partial(self._validate_receipt, ids),
            partial(self._revoke, ids),
        )
        self.assertNotEqual(self._receipt_state(ids), "done")
        self.assertIn("expired on", str(refused))

    def test_receipt_first_makes_the_revocation_wait(self):
        ids = self._confirmed_world()
        waited = self._change_waits_for_the_decision(
            ids["company"],
            partial(self._validate_receipt, ids),
            partial(self._revoke, ids),
        )
        self.assertTrue(waited, "the change does not wait for the decision")
        self.assertEqual(self._receipt_state(ids), "done")

    def test_expiry_job_suspension_committed_first_refuses_the_receipt(self):
        """The daily job's reaction to a lapsed mandatory certificate (suspend the
        supplier) against a receipt from that supplier."""
        ids = self._confirmed_world()

        def expire(env):
            env["res.company"].browse(ids["company"]).med_suspend_on_expiry = True
            env["med.supplier.certificate"].browse(
                ids["licence"]
            )._med_certificates_expired()

        refused = self._change_commits_first(
            ids["company"],
            lambda env: env["res.partner"].browse(ids["supplier"]).med_supplier_state,
            partial(self._validate_receipt, ids),
            expire,
        )
        self.assertNotEqual(self._receipt_state(ids), "done")
        self.assertIn("Suspended", str(refused))

    # -- customer licence revocation vs delivery validation --
    def _customer_world(self, env):
        """A company whose customer licence check blocks, a hospital with a verified
        practising licence, and a picked delivery of a released lot to it."""
        tag = uuid.uuid4().hex[:8]
        company = env["res.company"].create(
            {"name": f"Race {tag}", "med_customer_gate_mode": "block"}
        )
        env = env(context=dict(env.context, allowed_company_ids=company.ids, tz="UTC"))
        today = fields.Date.context_today(env["res.partner"])
        hospital = env["res.partner"].create(
            {"name": f"Race Hospital {tag}", "is_company": True, "customer_rank": 1}
        )
        licence = env["med.supplier.certificate"].create(
            {
                "partner_id": hospital.id,
                "type_id": env.ref(
                    "med_supplier_qual.certificate_type_medical_institution_licence"
                ).id,
                "number": f"PDY-{tag}",
                "issuer": "Race health commission",
                "issue_date": today - timedelta(days=100),
                "expiry_date": today + timedelta(days=500),
                "company_id": company.id,
                "attachment_ids": [
                    Command.create({"name": f"{tag}.pdf", "datas": SCAN})
                ],
            }
        )
        licence._med_do_verify()
        device = env["product.product"].create(
            {
                "name": f"Race Device {tag}",
                "is_storable": True,
                "tracking": "lot",
                "company_id": company.id,
            }
        )
        warehouse = env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )
        stock, customers = (
            warehouse.lot_stock_id,
            env.ref("stock.stock_location_customers"),
        )
        lot = env["stock.lot"].create(
            {"name": f"RACE-{tag}", "product_id": device.id, "company_id": company.id}
        )
        env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": device.id,
                "location_id": stock.id,
                "lot_id": lot.id,
                "inventory_quantity": 10,
            }
        ).action_apply_inventory()
        lot.with_context(med_reason="race test: released")._med_set_state("released")
        picking = env["stock.picking"].create(
            {
                "partner_id": hospital.id,
                "picking_type_id": warehouse.out_type_id.id,
                "location_id": stock.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": device.name,
                            "product_id": device.id,
                            "product_uom_qty": 10,
                            "location_id": stock.id,
                            "location_dest_id": customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.move_ids.picked = True
        return {"company": company.id, "licence": licence.id, "picking": picking.id}

    @staticmethod
    def _deliver(ids, env):
        env["stock.picking"].browse(ids["picking"]).button_validate()

    def _delivery_state(self, ids):
        return self._read(
            ids, lambda env: env["stock.picking"].browse(ids["picking"]).state
        )

    def test_customer_licence_revoked_first_refuses_the_delivery(self):
        ids = self._committed(self._customer_world)
        refused = self._change_commits_first(
            ids["company"],
            lambda env: env["med.supplier.certificate"].browse(ids["licence"]).state,
            partial(self._deliver, ids),
            partial(self._revoke, ids),
        )
        self.assertNotEqual(self._delivery_state(ids), "done")
        self.assertIn("expired on", str(refused))

    def test_delivery_first_makes_the_licence_revocation_wait(self):
        ids = self._committed(self._customer_world)
        waited = self._change_waits_for_the_decision(
            ids["company"], partial(self._deliver, ids), partial(self._revoke, ids)
        )
        self.assertTrue(waited, "the change does not wait for the decision")
        self.assertEqual(self._delivery_state(ids), "done")
