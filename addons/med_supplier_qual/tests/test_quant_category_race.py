"""Stock written directly on a quant of a lot while QA brings the lot's category into
GxP scope, with two real transactions (cursors of their own, in threads, committed;
Odoo's ``retrying`` as the RPC dispatcher runs a request). Outside GxP scope a
quant may be edited as in Odoo; in scope, only moves change a lot's stock. The
decision reads the product's stored release requirement, which QA's change
recomputes: under REPEATABLE READ, an edit on an older snapshot would pass. The data
has unique names and stays in the test database."""

import threading

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import tagged

from . import test_category_race as category_race

WAIT = category_race.WAIT


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

    def _quantity(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["stock.quant"].browse(self.ids["quant"]).quantity

    def test_relevance_committed_after_the_edits_snapshot_refuses_it(self):
        snapshot, resume = threading.Event(), threading.Event()
        outcome = {"tries": 0}

        def edit():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})

                    def attempt():
                        outcome["tries"] += 1
                        if outcome["tries"] == 1:
                            cr.execute("SELECT id FROM product_template LIMIT 1")
                            snapshot.set()
                            self.assertTrue(resume.wait(WAIT))
                        self._edit_quant(env)

                    retrying(attempt, env)
            except UserError as error:
                outcome["refused"] = error
            except Exception as error:  # reported by the test
                outcome["error"] = error

        thread = threading.Thread(target=edit, daemon=True)
        thread.start()
        self.assertTrue(snapshot.wait(WAIT))
        with self.registry.cursor() as cr:
            self._relevant_again(api.Environment(cr, self.ids["qa_manager"], {}))
        resume.set()
        thread.join(WAIT)
        self.assertFalse(thread.is_alive(), "the edit's transaction hangs")
        self.assertNotIn("error", outcome)
        self.assertIn("cannot be edited on its quant", str(outcome.get("refused")))
        self.assertEqual(outcome["tries"], 2, "the first try failed to serialise")
        self.assertEqual(self._quantity(), 5)
