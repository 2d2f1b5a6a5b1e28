import uuid
from datetime import timedelta
from functools import partial

from odoo import Command, fields
from odoo.tests import TransactionCase, tagged

from . import test_gate_races as races
from .common import SCAN


@tagged("post_install", "-at_install")
class TestSaleGateRaces(TransactionCase):
    """The customer gate at sales order confirmation against a concurrent change of
    what it reads (the licence, the device's classification code), with two real
    transactions committed from two threads. Each test builds its own data in a
    company of its own and commits it: the rows stay in the database."""

    # the two-transaction machinery of the purchase and receipt races
    _committed = races.TestGateRaces._committed
    _env = races.TestGateRaces._env
    _transaction = races.TestGateRaces._transaction
    _change_commits_first = races.TestGateRaces._change_commits_first
    _change_waits_for_the_decision = races.TestGateRaces._change_waits_for_the_decision

    def _world(self, env):
        """A company with the customer gate on, a hospital holding a verified
        licence whose scope covers the device, and its quotation."""
        tag = uuid.uuid4().hex[:8]
        company = env["res.company"].create(
            {"name": f"Sale Race {tag}", "med_customer_gate_mode": "block"}
        )
        env = env(context=dict(env.context, allowed_company_ids=company.ids, tz="UTC"))
        today = fields.Date.context_today(env["res.partner"])
        hospital = env["res.partner"].create(
            {"name": f"Race Hospital {tag}", "is_company": True}
        )
        licence = env["med.supplier.certificate"].create(
            {
                "partner_id": hospital.id,
                "type_id": env.ref(
                    "med_supplier_qual.certificate_type_medical_institution_licence"
                ).id,
                "number": f"PDY-{tag}",
                "issue_date": today - timedelta(days=100),
                "expiry_date": today + timedelta(days=500),
                "business_scope": "14",
                "company_id": company.id,
                "attachment_ids": [
                    Command.create({"name": f"{tag}.pdf", "datas": SCAN})
                ],
            }
        )
        licence._med_do_verify()
        device = env["product.product"].create(
            {
                "name": f"Race Syringe {tag}",
                "is_storable": True,
                "tracking": "lot",
                "company_id": company.id,
                "med_classification_code": "14-01-02",
            }
        )
        order = env["sale.order"].create(
            {
                "partner_id": hospital.id,
                "company_id": company.id,
                "order_line": [
                    Command.create({"product_id": device.id, "product_uom_qty": 2})
                ],
            }
        )
        return {
            "company": company.id,
            "licence": licence.id,
            "device": device.id,
            "order": order.id,
        }

    @staticmethod
    def _confirm(ids, env):
        env["sale.order"].browse(ids["order"]).action_confirm()

    @staticmethod
    def _reclassify(ids, env):
        """The device's classification code corrected to one outside the scope."""
        env["product.product"].browse(ids["device"]).with_context(
            med_reason="race test: code corrected"
        ).med_classification_code = "07-01-01"

    @staticmethod
    def _revoke(ids, env):
        """QA withdraws the licence: it ended yesterday."""
        licence = env["med.supplier.certificate"].browse(ids["licence"])
        yesterday = fields.Date.context_today(licence) - timedelta(days=1)
        licence.write({"issue_date": yesterday, "expiry_date": yesterday})

    def _order_state(self, ids):
        with self.registry.cursor() as cr:
            return (
                self._env(cr, ids["company"])["sale.order"].browse(ids["order"]).state
            )

    def test_reclassification_committed_first_refuses_the_confirmation(self):
        ids = self._committed(self._world)
        refused = self._change_commits_first(
            ids["company"],
            lambda env: env["product.product"]
            .browse(ids["device"])
            .med_classification_code,
            partial(self._confirm, ids),
            partial(self._reclassify, ids),
        )
        self.assertEqual(self._order_state(ids), "draft")
        self.assertIn("not cover classification code", str(refused))

    def test_revocation_committed_first_refuses_the_confirmation(self):
        ids = self._committed(self._world)
        refused = self._change_commits_first(
            ids["company"],
            lambda env: env["med.supplier.certificate"].browse(ids["licence"]).state,
            partial(self._confirm, ids),
            partial(self._revoke, ids),
        )
        self.assertEqual(self._order_state(ids), "draft")
        self.assertIn("expired on", str(refused))

    def test_confirmation_first_makes_the_revocation_wait(self):
        ids = self._committed(self._world)
        waited = self._change_waits_for_the_decision(
            ids["company"], partial(self._confirm, ids), partial(self._revoke, ids)
        )
        self.assertTrue(waited, "the change does not wait for the decision")
        self.assertEqual(self._order_state(ids), "sale")
