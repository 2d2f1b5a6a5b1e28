"""A repair ended while QA brings its product into GxP scope (its category's
relevance), with two real transactions (``RacingTransaction``: cursors of their own,
in threads, committed, retried as Odoo serves a request). Outside GxP scope a repair
ends as in Odoo; in scope, only with its service record (21 CFR 820.35(b)). The
decision reads the product's stored release requirement, which QA's change
recomputes: under REPEATABLE READ, an end on an older snapshot would pass without
the record. The data has unique names and stays in the test database."""

from odoo import SUPERUSER_ID
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.med_audit_export.tests.common import RacingTransaction, read_back
from odoo.addons.med_supplier_qual.tests import test_category_race as category_race


@tagged("post_install", "-at_install")
class TestRepairScopeRace(category_race.TestCategoryRelevanceRace):
    # the lot-creation races of the parent class run once, in med_supplier_qual
    test_relevance_committed_after_the_lots_snapshot_quarantines_it = None
    test_lot_created_while_the_relevance_is_not_committed_waits = None
    test_relevance_waits_for_a_lot_created_first = None

    def _world(self, env):
        """The parent's exempt category and product, a lot of it in stock and its
        repair under way, without a service record."""
        ids = super()._world(env)
        lot = env["stock.lot"].create(
            {"name": f"RRACE-{self.tag}", "product_id": ids["product"]}
        )
        warehouse = env.ref("stock.warehouse0")
        env["stock.quant"]._update_available_quantity(
            env["product.product"].browse(ids["product"]),
            warehouse.lot_stock_id,
            1,
            lot_id=lot,
        )
        repair = env["repair.order"].create(
            {
                "product_id": ids["product"],
                "lot_id": lot.id,
                "picking_type_id": warehouse.repair_type_id.id,
            }
        )
        repair.action_validate()
        repair.action_repair_start()
        self.assertEqual(repair.state, "under_repair")
        return dict(ids, repair=repair.id)

    def _end_repair(self, env):
        env["repair.order"].browse(self.ids["repair"]).action_repair_end()

    def _repair_end(self):
        return RacingTransaction(self.registry, SUPERUSER_ID, self._end_repair)

    def _repair_state(self):
        return read_back(
            self.registry,
            lambda env: env["repair.order"].browse(self.ids["repair"]).state,
        )

    def test_scope_committed_after_the_ends_snapshot_refuses_it(self):
        end = self._repair_end().hold_after_snapshot()
        self.assertIsNone(self._qa_relevance().finish().error)
        end.finish()
        self.assertIsInstance(end.error, UserError)
        self.assertIn("before ending the repair", str(end.error))
        self.assertEqual(end.tries, 2, "the first try failed to serialise")
        self.assertEqual(self._repair_state(), "under_repair")

    def test_scope_waits_for_a_repair_ended_first(self):
        end = self._repair_end().hold_before_commit()
        relevance = self._qa_relevance()
        self.assertTrue(relevance.waits_for_a_lock(), "QA's change does not wait")
        self.assertIsNone(end.finish().error)
        relevance.finish()
        self.assertIsNone(relevance.error)
        self.assertEqual(self._repair_state(), "done")
