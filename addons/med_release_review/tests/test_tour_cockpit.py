from odoo.tests import HttpCase, tagged

from .common import ReleaseReviewCommon


@tagged("post_install", "-at_install")
class TestTourReleaseCockpit(HttpCase, ReleaseReviewCommon):
    """In the browser: the QA manager opens the release cockpit from the menu, looks
    into the lot with an exception down to the inspection behind it, and releases
    the clean lots with one password entry and one signature each."""

    # MedCapaCommon already puts the registry in test mode (the signature wizard's
    # own cursor); entering it twice fails.
    registry_test_mode = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.green = cls._received("TOUR-BRL-GREEN-1") | cls._received(
            "TOUR-BRL-GREEN-2"
        )
        cls.red = cls._received("TOUR-BRL-RED")

    def _signatures(self, lots):
        return self.env["med.signature"].search(
            [("res_model", "=", "stock.lot"), ("res_id", "in", lots.ids)]
        )

    def test_release_the_clean_lots_from_the_cockpit(self):
        # 100 received, 10 inspected: a blocking exception
        inspection = self._pass(self._inspect_lot(self.red, qty=10))
        self.assertEqual(self.green.mapped("med_review_state"), ["green", "green"])
        self.assertEqual(self.red.med_review_state, "red")
        self.start_tour(
            "/odoo/discuss", "med_release_review_cockpit", login=self.qa_manager.login
        )
        self.assertEqual(self.green.mapped("med_state"), ["released", "released"])
        self.assertTrue(all(self.green.mapped("med_release_date")))
        signatures = self._signatures(self.green)
        self.assertEqual(sorted(signatures.mapped("res_id")), sorted(self.green.ids))
        self.assertEqual(set(signatures.mapped("meaning")), {"release"})
        self.assertEqual(signatures.signer_id, self.qa_manager)
        self.assertEqual(
            set(signatures.mapped("comment")), {"Batch records reviewed in the cockpit"}
        )
        # the exception was looked at, not released
        self.assertEqual(self.red.med_state, "quarantine")
        self.assertFalse(self._signatures(self.red))
        self.assertEqual(inspection.state, "success")
