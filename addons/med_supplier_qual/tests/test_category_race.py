"""A lot created while QA marks its product's category GxP-relevant again, with two
real transactions (``RacingTransaction``: cursors of their own, in threads,
committed, retried as Odoo serves a request). The lot's status follows its product's
stored release requirement, which the category's change recomputes in QA's
transaction: under REPEATABLE READ, a lot created on an older snapshot would be born
released. The data has unique names and stays in the test database."""

import uuid

from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

from odoo.addons.med_audit_export.tests.common import (
    RacingTransaction,
    committed,
    read_back,
)


@tagged("post_install", "-at_install")
class TestCategoryRelevanceRace(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        self.tag = uuid.uuid4().hex[:8]
        self.ids = committed(self.registry, self._world)
        # archived, the test's users are out of the way of the tests after it (the
        # QA managers the daily jobs notify, e.g.)
        self.addCleanup(
            committed,
            self.registry,
            lambda env: env["res.users"]
            .browse([self.ids["qa_manager"], self.ids["warehouse"]])
            .with_context(med_reason="race test users")
            .write({"active": False}),
        )

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

    def _qa_relevance(self):
        return RacingTransaction(
            self.registry, self.ids["qa_manager"], self._relevant_again
        )

    def _create_lot(self, env):
        return (
            env["stock.lot"]
            .create({"name": f"RACE-{self.tag}", "product_id": self.ids["product"]})
            .id
        )

    def _lot_creation(self):
        return RacingTransaction(self.registry, self.ids["warehouse"], self._create_lot)

    def _lot_state(self, lot_id):
        return read_back(
            self.registry, lambda env: env["stock.lot"].browse(lot_id).med_state
        )

    def test_relevance_committed_after_the_lots_snapshot_quarantines_it(self):
        creation = self._lot_creation().hold_after_snapshot()
        self.assertIsNone(self._qa_relevance().finish().error)
        creation.finish()
        self.assertIsNone(creation.error)
        self.assertEqual(self._lot_state(creation.result), "quarantine")
        self.assertEqual(creation.tries, 2, "the first try failed to serialise")

    def test_lot_created_while_the_relevance_is_not_committed_waits(self):
        relevance = self._qa_relevance().hold_before_commit()
        creation = self._lot_creation()
        self.assertTrue(creation.waits_for_a_lock(), "the lot's creation does not wait")
        self.assertIsNone(relevance.finish().error)
        creation.finish()
        self.assertIsNone(creation.error)
        self.assertEqual(self._lot_state(creation.result), "quarantine")

    def test_relevance_waits_for_a_lot_created_first(self):
        """The lot, created first on the exempt category, is released; QA's change
        waits for the lot's transaction, then applies to the product."""
        creation = self._lot_creation().hold_before_commit()
        relevance = self._qa_relevance()
        self.assertTrue(relevance.waits_for_a_lock(), "QA's change does not wait")
        self.assertIsNone(creation.finish().error)
        relevance.finish()
        self.assertIsNone(relevance.error)
        self.assertEqual(self._lot_state(creation.result), "released")
        self.assertTrue(
            read_back(
                self.registry,
                lambda env: env["product.product"]
                .browse(self.ids["product"])
                .med_release_required,
            )
        )
