import ast

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import ReleaseReviewCommon


@tagged("post_install", "-at_install")
class TestReleaseCockpit(ReleaseReviewCommon):
    """The QA manager releases the selected lots with one password entry and one
    signature per lot; lots with an exception or refused by segregation of duties
    stay in quarantine and are reported."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.green_1 = cls._received("BRL-GREEN-1")
        cls.green_2 = cls._received("BRL-GREEN-2")
        cls.red = cls._received("BRL-RED")
        # received by the QA manager himself
        cls.own = cls._received("BRL-OWN", user=cls.qa_manager)

    def _batch(self, lots, password=None, user=None):
        user = user or self.qa_manager
        action = lots.with_user(user).action_med_batch_release()
        form = Form(
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
        )
        if form.login_required:  # the first signing of a session (always, in tests)
            form.login = user.login
        form.password = password or user.login
        form.comment = "Batch release after review"
        return form.save()

    def _signatures(self, lots):
        return self.env["med.signature"].search(
            [("res_model", "=", "stock.lot"), ("res_id", "in", lots.ids)]
        )

    def test_cockpit_lists_lots_waiting_with_their_review(self):
        self._pass(self._inspect_lot(self.red, qty=10))
        action = self.env.ref("med_release_review.stock_lot_action_med_release_cockpit")
        domain = ast.literal_eval(action.domain)
        lots = self.env["stock.lot"].with_user(self.qa_manager).search(domain)
        self.assertIn(self.green_1, lots)
        self.assertIn(self.red, lots)
        self.assertEqual(self.green_1.med_review_state, "green")
        self.assertEqual(self.red.med_review_state, "red")
        self.assertIn(
            "Received 100", self.red.with_user(self.qa_manager).med_review_reasons
        )
        self.assertFalse(self.green_1.med_review_reasons)

    def test_batch_release_signs_each_green_lot_and_reports_the_others(self):
        self._pass(self._inspect_lot(self.red, qty=10))
        lots = self.green_1 | self.green_2 | self.red | self.own
        batch = self._batch(lots)
        batch.action_release()
        self.assertEqual(batch.state, "done")
        self.assertEqual(batch.released_lot_ids, self.green_1 | self.green_2)
        self.assertEqual(
            (self.green_1 | self.green_2).mapped("med_state"), ["released", "released"]
        )
        self.assertEqual((self.red | self.own).mapped("med_state"), ["quarantine"] * 2)
        signatures = self._signatures(lots)
        self.assertEqual(
            sorted(signatures.mapped("res_id")), sorted(batch.released_lot_ids.ids)
        )
        self.assertEqual(set(signatures.mapped("meaning")), {"release"})
        self.assertEqual(signatures.signer_id, self.qa_manager)
        self.assertIn("BRL-RED", batch.report)
        self.assertIn("Received vs inspected quantity", batch.report)
        self.assertIn("BRL-OWN", batch.report)
        self.assertIn("segregation of duties", batch.report)

    def test_another_qa_manager_releases_the_own_lot(self):
        batch = self._batch(self.own, user=self.qa_manager_2)
        batch.action_release()
        self.assertEqual(self.own.med_state, "released")

    def test_wrong_password_releases_nothing(self):
        lots = self.green_1 | self.green_2
        batch = self._batch(lots, password="not-my-password")
        with self.assertRaisesRegex(UserError, "Wrong password"):
            batch.action_release()
        self.assertEqual(lots.mapped("med_state"), ["quarantine", "quarantine"])
        self.assertFalse(self._signatures(lots))

    def test_nothing_releasable(self):
        batch = self._batch(self.own)
        with self.assertRaisesRegex(UserError, "No selected lot can be released"):
            batch.action_release()
        self.assertEqual(self.own.med_state, "quarantine")

    def test_only_qa_managers_release(self):
        with self.assertRaises(AccessError):
            self._batch(self.green_1, user=self.inspector)
        with self.assertRaisesRegex(UserError, "Only a QA manager"):
            self.green_1.with_user(self.inspector)._med_ensure_qa_manager()
        self.assertEqual(self.green_1.med_state, "quarantine")
