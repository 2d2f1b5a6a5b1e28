"""A lot created while QA marks its product's category GxP-relevant again, with two
real transactions (cursors of their own, in threads, committed; Odoo's ``retrying``
as the RPC dispatcher runs a request). The lot's status follows its product's stored
release requirement, which the category's change recomputes in QA's transaction:
under REPEATABLE READ, a lot created on an older snapshot would be born released.
The data has unique names and stays in the test database."""

import threading
import time
import uuid

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

WAIT = 60


@tagged("post_install", "-at_install")
class TestCategoryRelevanceRace(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        self.tag = uuid.uuid4().hex[:8]
        self.ids = self._committed(self._world)

    def _committed(self, work):
        with self.registry.cursor() as cr:
            return work(api.Environment(cr, SUPERUSER_ID, {}))

    def _world(self, env):
        """An exempt category (QA's decision) holding a lot-tracked product, which
        thus needs no release; a QA manager and a warehouse user."""
        qa_manager = new_test_user(
            env,
            login=f"cat_race_qa_{self.tag}",
            groups="med_audit_export.group_med_qa_manager",
        )
        warehouse = new_test_user(
            env,
            login=f"cat_race_wh_{self.tag}",
            groups="med_audit_export.group_med_warehouse",
        )
        category = env["product.category"].create({"name": f"Race {self.tag}"})
        product = env["product.product"].create(
            {
                "name": f"Race binder {self.tag}",
                "is_storable": True,
                "tracking": "lot",
                "categ_id": category.id,
            }
        )
        category.with_user(qa_manager).action_med_gate_exempt()
        self.assertFalse(product.med_release_required)
        return {
            "qa_manager": qa_manager.id,
            "warehouse": warehouse.id,
            "category": category.id,
            "product": product.id,
        }

    def _relevant_again(self, env):
        env["product.category"].browse(self.ids["category"]).action_med_gate_relevant()

    def _create_lot(self, env):
        return (
            env["stock.lot"]
            .create({"name": f"RACE-{self.tag}", "product_id": self.ids["product"]})
            .id
        )

    def _lot_state(self, lot_id):
        with self.registry.cursor() as cr:
            return (
                api.Environment(cr, SUPERUSER_ID, {})["stock.lot"]
                .browse(lot_id)
                .med_state
            )

    def _lot_creation(self, snapshot=None, resume=None, pid=None):
        """A thread creating the lot as the warehouse user; with ``snapshot``, its
        first try takes its snapshot, says so and waits for ``resume``."""
        outcome = {"tries": 0}

        def run():
            try:
                with self.registry.cursor() as cr:
                    if pid is not None:
                        cr.execute("SELECT pg_backend_pid()")
                        pid.append(cr.fetchone()[0])
                    env = api.Environment(cr, self.ids["warehouse"], {})

                    def attempt():
                        outcome["tries"] += 1
                        if snapshot and outcome["tries"] == 1:
                            cr.execute("SELECT id FROM product_template LIMIT 1")
                            snapshot.set()
                            self.assertTrue(resume.wait(WAIT))
                        return self._create_lot(env)

                    outcome["lot"] = retrying(attempt, env)
            except Exception as error:  # reported by the test
                outcome["error"] = error

        return threading.Thread(target=run, daemon=True), outcome

    def _finish(self, thread, outcome):
        thread.join(WAIT)
        self.assertFalse(thread.is_alive(), "the lot's transaction hangs")
        self.assertNotIn("error", outcome)
        return outcome

    def test_relevance_committed_after_the_lots_snapshot_quarantines_it(self):
        snapshot, resume = threading.Event(), threading.Event()
        thread, outcome = self._lot_creation(snapshot, resume)
        thread.start()
        self.assertTrue(snapshot.wait(WAIT))
        with self.registry.cursor() as cr:
            self._relevant_again(api.Environment(cr, self.ids["qa_manager"], {}))
        resume.set()
        self._finish(thread, outcome)
        self.assertEqual(self._lot_state(outcome["lot"]), "quarantine")
        self.assertEqual(outcome["tries"], 2, "the first try failed to serialise")

    def test_lot_created_while_the_relevance_is_not_committed_waits(self):
        pid = []
        with self.registry.cursor() as cr:
            self._relevant_again(api.Environment(cr, self.ids["qa_manager"], {}))
            cr.flush()
            thread, outcome = self._lot_creation(pid=pid)
            thread.start()
            # committed once the lot's transaction waits for QA's
            self.assertTrue(
                self._waits_for_a_lock(pid), "the lot's creation does not wait"
            )
        self._finish(thread, outcome)
        self.assertEqual(self._lot_state(outcome["lot"]), "quarantine")

    def test_relevance_waits_for_a_lot_created_first(self):
        """The lot, created first on the exempt category, is released; QA's change
        waits for the lot's transaction, then applies to the product."""
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
            lot_id = self._create_lot(api.Environment(cr, self.ids["warehouse"], {}))
            cr.flush()
            thread = threading.Thread(target=relevant_again, daemon=True)
            thread.start()
            self.assertTrue(self._waits_for_a_lock(pid), "QA's change does not wait")
            self.assertNotIn("relevant", done)
        thread.join(WAIT)
        self.assertFalse(thread.is_alive(), "QA's transaction hangs")
        self.assertEqual(done, {"relevant": True})
        self.assertEqual(self._lot_state(lot_id), "released")
        with self.registry.cursor() as cr:
            product = api.Environment(cr, SUPERUSER_ID, {})["product.product"]
            self.assertTrue(product.browse(self.ids["product"]).med_release_required)

    def _waits_for_a_lock(self, pid):
        """Whether the backend whose pid ``pid`` receives comes to wait for a lock."""
        with self.registry.cursor() as watch:
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:
                if pid:
                    watch.execute(
                        "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                        pid,
                    )
                    if watch.fetchone() == ("Lock",):
                        return True
                time.sleep(0.05)
        return False
