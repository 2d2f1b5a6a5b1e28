from odoo.tests import HttpCase, tagged

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestTourInspectionFailure(HttpCase, MedCapaCommon):
    """In the browser: the QA inspector records a defect, the QA manager approves the
    failure, and the inspector finds the nonconformance and CAPA it opened."""

    # MedCapaCommon already puts the registry in test mode (the signature wizard's
    # own cursor); entering it twice fails.
    registry_test_mode = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._lot(cls.barrel, "BRL-QC-001", 500)
        cls.inspection = cls._inspect_lot(cls.lot)

    def test_failed_inspection_opens_a_capa(self):
        self.assertEqual(self.inspection.state, "ready")
        url = "/odoo"  # each tour opens the inspection from the menus
        self.start_tour(
            url, "med_capa_inspection_record_defect", login=self.inspector.login
        )
        self.assertEqual(self.inspection.state, "waiting")
        self.assertEqual(
            self.inspection.inspection_lines.qualitative_value, self.answer_ko
        )
        self.start_tour(
            url, "med_capa_inspection_approve_failure", login=self.qa_manager.login
        )
        self.assertEqual(self.inspection.state, "failed")
        nonconformance = self.Nonconformance.search(
            [("inspection_id", "=", self.inspection.id)]
        )
        self.assertEqual(nonconformance.lot_ids, self.lot)
        self.assertTrue(nonconformance.capa_id)
        self.assertEqual(self.lot.med_state, "hold")
        self.start_tour(
            url, "med_capa_inspection_sees_capa", login=self.inspector.login
        )
