from functools import partial

from odoo import SUPERUSER_ID, fields
from odoo.tests import TransactionCase, tagged

from . import test_gate_races as races


@tagged("post_install", "-at_install")
class TestFirstOperationRace(TransactionCase):
    """The first-operation gate (首营审核) at purchase order confirmation against a
    concurrent revocation of an approval it relies on, with two real transactions
    committed from two threads. Each test builds its own data in a company of its
    own and commits it: the rows stay in the database."""

    # the two-transaction machinery of the purchase and receipt races
    _committed = races.TestGateRaces._committed
    _env = races.TestGateRaces._env
    _transaction = races.TestGateRaces._transaction
    _change_commits_first = races.TestGateRaces._change_commits_first
    _change_waits_for_the_decision = races.TestGateRaces._change_waits_for_the_decision
    _order_state = races.TestGateRaces._order_state
    _read = races.TestGateRaces._read
    _confirm = staticmethod(races.TestGateRaces._confirm)

    def _world(self, env):
        """The purchase races' qualified supplier and product and their order, the
        first-operation gate on, the supplier and the product approved."""
        ids = races.TestGateRaces._world(self, env)
        env = self._env(env.cr, ids["company"])
        company = env["res.company"].browse(ids["company"])
        company.med_first_operation_gate_mode = "block"
        approvals = env["med.first.operation"].create(
            [
                {
                    "kind": "supplier",
                    "partner_id": ids["supplier"],
                    "review": "race test",
                    "company_id": company.id,
                },
                {
                    "kind": "product",
                    "product_tmpl_id": env["product.product"]
                    .browse(ids["product"])
                    .product_tmpl_id.id,
                    "review": "race test",
                    "company_id": company.id,
                },
            ]
        )
        approvals._med_protected_write().write(
            {
                "state": "approved",
                "approved_by_id": SUPERUSER_ID,
                "date_approved": fields.Datetime.now(),
            }
        )
        return dict(ids, approval=approvals[0].id)

    @staticmethod
    def _revoke(ids, env):
        env["med.first.operation"].browse(ids["approval"]).with_context(
            med_reason="race test: licence withdrawn"
        )._med_protected_write().write({"state": "revoked"})

    def test_revocation_committed_first_refuses_the_confirmation(self):
        ids = self._committed(self._world)
        refused = self._change_commits_first(
            ids["company"],
            lambda env: env["med.first.operation"].browse(ids["approval"]).state,
            partial(self._confirm, ids),
            partial(self._revoke, ids),
        )
        self.assertEqual(self._order_state(ids), "draft")
        self.assertIsNotNone(refused, "the retried confirmation sees the revocation")
        self.assertIn("no approved first-operation review", str(refused))

    def test_confirmation_first_makes_the_revocation_wait(self):
        ids = self._committed(self._world)
        waited = self._change_waits_for_the_decision(
            ids["company"], partial(self._confirm, ids), partial(self._revoke, ids)
        )
        self.assertTrue(waited, "the change does not wait for the decision")
        self.assertEqual(self._order_state(ids), "purchase")
