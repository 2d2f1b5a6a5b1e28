"""A repair ended while QA brings its product into GxP scope (its category's
relevance), with two real transactions (cursors of their own, in threads,
committed; Odoo's ``retrying`` as the RPC dispatcher runs a request). Outside GxP
scope a repair ends as in Odoo; in scope, only with its service record (21 CFR
820.35(b)). The decision reads the product's stored release requirement, which QA's
change recomputes: under REPEATABLE READ, an end on an older snapshot would pass
without the record. The data has unique names and stays in the test database."""

import threading

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import tagged

from odoo.addons.med_supplier_qual.tests import test_category_race as category_race

WAIT = category_race.WAIT


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

    def _repair_state(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["repair.order"].browse(self.ids["repair"]).state

    def test_scope_committed_after_the_ends_snapshot_refuses_it(self):
        snapshot, resume = threading.Event(), threading.Event()
        outcome = {"tries": 0}

        def end():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})

                    def attempt():
                        outcome["tries"] += 1
                        if outcome["tries"] == 1:
                            cr.execute("SELECT id FROM product_template LIMIT 1")
                            snapshot.set()
                            self.assertTrue(resume.wait(WAIT))
                        self._end_repair(env)

                    retrying(attempt, env)
            except UserError as error:
                outcome["refused"] = error
            except Exception as error:  # reported by the test
                outcome["error"] = error

        thread = threading.Thread(target=end, daemon=True)
        thread.start()
        self.assertTrue(snapshot.wait(WAIT))
        with self.registry.cursor() as cr:
            self._relevant_again(api.Environment(cr, self.ids["qa_manager"], {}))
        resume.set()
        thread.join(WAIT)
        self.assertFalse(thread.is_alive(), "the repair's transaction hangs")
        self.assertNotIn("error", outcome)
        self.assertIn("before ending the repair", str(outcome.get("refused")))
        self.assertEqual(outcome["tries"], 2, "the first try failed to serialise")
        self.assertEqual(self._repair_state(), "under_repair")

    def test_scope_waits_for_a_repair_ended_first(self):
        pid, done = [], {}

        def relevant_again():
            try:
                with self.registry.cursor() as cr:
                    cr.execute("SELECT pg_backend_pid()")
                    pid.append(cr.fetchone()[0])
                    env = api.Environment(cr, self.ids["qa_manager"], {})
                    retrying(lambda: self._relevant_again(env), env)
                done["relevant"] = True
            except Exception as error:  # reported by the test
                done["error"] = error

        with self.registry.cursor() as cr:
            self._end_repair(api.Environment(cr, SUPERUSER_ID, {}))
            cr.flush()
            thread = threading.Thread(target=relevant_again, daemon=True)
            thread.start()
            self.assertTrue(self._waits_for_a_lock(pid), "QA's change does not wait")
            self.assertNotIn("relevant", done)
        thread.join(WAIT)
        self.assertFalse(thread.is_alive(), "QA's transaction hangs")
        self.assertEqual(done, {"relevant": True})
        self.assertEqual(self._repair_state(), "done")
