from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.med_audit_export.models.base import PROTECTED_WRITE

from .common import MedEquipmentCommon


@tagged("post_install", "-at_install")
class TestFailedCalibration(MedEquipmentCommon):
    """A failed calibration makes the lots inspected with the equipment since its
    last passed calibration suspect; QA holds them in one signed action."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # inspected before the last passed calibration (30 days ago): not suspect
        cls.old_lot = cls._lot(cls.barrel, "BRL-OLD", 10)
        cls.recent_lot = cls._lot(cls.barrel, "BRL-RECENT", 10)
        cls.quarantined_lot = cls._lot(cls.barrel, "BRL-QUAR", 10, released=False)
        cls.rejected_lot = cls._lot(cls.barrel, "BRL-REJ", 10)
        cls.other_lot = cls._lot(cls.barrel, "BRL-OTHER", 10)

    def _inspected(self, lot, days_ago, equipment=None):
        inspection = self._inspect_lot(lot)
        if equipment is not None:
            inspection.med_equipment_ids = equipment
        self._pass(inspection)
        # sudo: the test backdates the record, which nobody may do in the UI
        inspection.med_equipment_usage_ids.sudo().with_context(
            med_protected_write=PROTECTED_WRITE
        ).write({"date": datetime.now() - timedelta(days=days_ago)})
        return inspection

    def _fail_calibration(self):
        self._inspected(self.old_lot, 60)
        self._inspected(self.recent_lot, 10)
        self._inspected(self.quarantined_lot, 5)
        self._inspected(self.rejected_lot, 5)
        self._inspected(self.other_lot, 5, equipment=self.leak_tester)
        self.rejected_lot.with_context(med_reason="test")._med_set_state("rejected")
        self._calibrate(self.caliper, "CP-CAL-FAIL", days_ago=0, result="failed")

    def test_suspect_lots_are_those_since_the_last_passed_calibration(self):
        self._fail_calibration()
        suspect = self.caliper._med_suspect_lots()
        self.assertEqual(
            suspect, self.recent_lot | self.quarantined_lot | self.rejected_lot
        )
        self.assertEqual(self.caliper.med_suspect_lot_count, 3)
        action = self.caliper.action_med_suspect_lots()
        self.assertEqual(self.env["stock.lot"].search(action["domain"]), suspect)

    def test_suspect_lots_in_a_constant_number_of_queries(self):
        for index in range(5):
            self._inspected(self._lot(self.barrel, f"BRL-MORE-{index}", 1), 3)
        self._fail_calibration()  # the caliper: 8 suspect lots
        self._calibrate(self.leak_tester, "LT-CAL-FAIL", days_ago=0, result="failed")
        for equipment, count in ((self.leak_tester, 1), (self.caliper, 8)):
            self.env.flush_all()
            self.env.invalidate_all()
            with self.assertQueryCount(4):
                self.assertEqual(len(equipment._med_suspect_lot_ids()), count)

    def test_no_suspect_lot_while_calibration_did_not_fail(self):
        self._inspected(self.recent_lot, 10)
        self.assertEqual(self.caliper.med_suspect_lot_count, 0)
        with self.assertRaisesRegex(UserError, "did not fail"):
            self.caliper.with_user(self.qa_manager).action_med_hold_suspect_lots()

    def test_qa_manager_holds_suspect_lots_with_one_signature(self):
        self._fail_calibration()
        action = self.caliper.with_user(self.qa_manager).action_med_hold_suspect_lots()
        self.assertIn("Caliper CP-1", action["context"]["default_comment"])
        self._sign(
            action, self.qa_manager, comment=action["context"]["default_comment"]
        )
        held = self.recent_lot | self.quarantined_lot
        for lot in held:
            self.assertEqual(lot.med_state, "hold")
            self.assertEqual(lot.med_hold_source, "equipment")
            self.assertIn("Calibration of Caliper CP-1 failed", lot.med_hold_reason)
            self.assertEqual(lot.med_signature_ids.meaning, "hold")
        self.assertEqual(self.rejected_lot.med_state, "rejected")
        self.assertEqual(self.old_lot.med_state, "released")
        self.assertEqual(self.other_lot.med_state, "released")

    def test_hold_refused_to_an_inspector(self):
        self._fail_calibration()
        with self.assertRaisesRegex(UserError, "Only a QA manager"):
            self.caliper.with_user(self.inspector).action_med_hold_suspect_lots()
        self.assertEqual(self.recent_lot.med_state, "released")

    def test_wrong_password_holds_nothing(self):
        self._fail_calibration()
        action = self.caliper.with_user(self.qa_manager).action_med_hold_suspect_lots()
        with self.assertRaisesRegex(UserError, "Wrong password"):
            self._sign(action, self.qa_manager, password="not-the-password")
        self.assertEqual(self.recent_lot.med_state, "released")
        self.assertEqual(self.quarantined_lot.med_state, "quarantine")
        self.assertFalse(self.recent_lot.med_signature_ids)
