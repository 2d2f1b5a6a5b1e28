"""Stock written directly on a quant of a lot while QA brings the lot's category into
GxP scope, with two real transactions (``RacingTransaction``: cursors of their own,
in threads, committed, retried as Odoo serves a request). Outside GxP scope a quant
may be edited as in Odoo; in scope, only moves change a lot's stock. The decision
reads the product's stored release requirement, which QA's change recomputes: under
REPEATABLE READ, an edit on an older snapshot would pass. The data has unique names
and stays in the test database."""

from odoo import SUPERUSER_ID
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.med_audit_export.tests.common import RacingTransaction, read_back

from . import test_category_race as category_race


@tagged("post_install", "-at_install")
class TestQuantCategoryRace(category_race.TestCategoryRelevanceRace):
    # the lot-creation races of the parent class run once, there
    test_relevance_committed_after_the_lots_snapshot_quarantines_it = None
    test_lot_created_while_the_relevance_is_not_committed_waits = None
    test_relevance_waits_for_a_lot_created_first = None

    def _world(self, env):
        """The parent's exempt category and product, with a lot in stock."""
        ids = super()._world(env)
        lot = env["stock.lot"].create(
            {"name": f"QRACE-{self.tag}", "product_id": ids["product"]}
        )
        stock = env.ref("stock.warehouse0").lot_stock_id
        env["stock.quant"].create(
            {
                "product_id": ids["product"],
                "location_id": stock.id,
                "lot_id": lot.id,
                "quantity": 5,
            }
        )
        quant = env["stock.quant"].search([("lot_id", "=", lot.id)])
        return dict(ids, lot=lot.id, quant=quant.id)

    def _edit_quant(self, env):
        env["stock.quant"].browse(self.ids["quant"]).write({"quantity": 50})

    def _quant_edit(self):
        return RacingTransaction(self.registry, SUPERUSER_ID, self._edit_quant)

    def _quantity(self):
        return read_back(
            self.registry,
            lambda env: env["stock.quant"].browse(self.ids["quant"]).quantity,
        )

    def test_relevance_committed_after_the_edits_snapshot_refuses_it(self):
        edit = self._quant_edit().hold_after_snapshot()
        self.assertIsNone(self._qa_relevance().finish().error)
        edit.finish()
        self.assertIsInstance(edit.error, UserError)
        self.assertIn("cannot be edited on its quant", str(edit.error))
        self.assertEqual(edit.tries, 2, "the first try failed to serialise")
        self.assertEqual(self._quantity(), 5)

    def test_relevance_waits_for_an_edit_made_first(self):
        """The edit, made first on the exempt category, stands; QA's change waits
        for the edit's transaction, then applies to the product."""
        edit = self._quant_edit().hold_before_commit()
        relevance = self._qa_relevance()
        self.assertTrue(relevance.waits_for_a_lock(), "QA's change does not wait")
        self.assertIsNone(edit.finish().error)
        relevance.finish()
        self.assertIsNone(relevance.error)
        self.assertEqual(self._quantity(), 50)
