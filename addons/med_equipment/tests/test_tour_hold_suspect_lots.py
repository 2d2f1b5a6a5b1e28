from odoo.tests import HttpCase, tagged

from odoo.addons.med_audit_export.models.base import PROTECTED_WRITE

from .common import MedEquipmentCommon


@tagged("post_install", "-at_install")
class TestTourHoldSuspectLots(HttpCase, MedEquipmentCommon):
    """In the browser: the QA manager holds, from the equipment whose calibration
    failed, the lots inspected with it, in one signed action."""

    # MedCapaCommon already puts the registry in test mode (the signature wizard's
    # own cursor); entering it twice fails.
    registry_test_mode = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.caliper.name = "Tour caliper"
        cls.lots = cls._lot(cls.barrel, "TOUR-BRL-1", 5) | cls._lot(
            cls.barrel, "TOUR-BRL-2", 5
        )

    def test_hold_suspect_lots_signed(self):
        for lot in self.lots:
            self._pass(self._inspect_lot(lot))
        self._calibrate(self.caliper, "TOUR-CAL-FAIL", days_ago=0, result="failed")
        # the inspections happened before the failed calibration, after the good one
        self.Usage.search([("equipment_id", "=", self.caliper.id)]).sudo().with_context(
            med_protected_write=PROTECTED_WRITE
        ).write({"date": "2000-01-01"})
        self.caliper_calibration.issue_date = "1999-12-31"
        self.assertEqual(self.caliper._med_suspect_lots(), self.lots)
        self.start_tour(
            "/odoo",
            "med_equipment_hold_suspect_lots",
            login=self.qa_manager.login,
        )
        for lot in self.lots:
            self.assertEqual(lot.med_state, "hold")
            self.assertEqual(lot.med_hold_source, "equipment")
            self.assertIn("TOUR-CAL-FAIL", lot.med_hold_reason)
            signature = lot.med_signature_ids
            self.assertEqual(signature.meaning, "hold")
            self.assertEqual(signature.signer_id, self.qa_manager)
