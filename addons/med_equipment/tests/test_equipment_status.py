from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import MedEquipmentCommon


@tagged("post_install", "-at_install")
class TestEquipmentStatus(MedEquipmentCommon):
    """Calibration certificates (med_supplier_qual's mechanism) decide the
    equipment's status."""

    def test_valid_calibration_is_in_service(self):
        self.assertEqual(self.leak_tester.med_calibration_state, "valid")
        self.assertEqual(self.leak_tester.med_status, "in_service")
        self.assertEqual(
            self.leak_tester.med_calibration_id, self.leak_tester_calibration
        )

    def test_expiring_calibration_is_due(self):
        scale = self._equipment("Scale SC-1")
        self._calibrate(scale, "SC-CAL-1", valid_days=10)  # 30-day reminder
        self.assertEqual(scale.med_calibration_state, "expiring")
        self.assertEqual(scale.med_status, "calibration_due")

    def test_expired_or_missing_or_unverified_calibration_is_due(self):
        expired = self._equipment("Scale SC-2")
        self._calibrate(expired, "SC-CAL-2", days_ago=400, valid_days=-35)
        missing = self._equipment("Scale SC-3")
        unverified = self._equipment("Scale SC-4")
        self._calibrate(unverified, "SC-CAL-4", verified=False)
        self.assertEqual(expired.med_calibration_state, "expired")
        self.assertEqual(missing.med_calibration_state, "missing")
        self.assertEqual(unverified.med_calibration_state, "unverified")
        for equipment in expired | missing | unverified:
            self.assertEqual(equipment.med_status, "calibration_due")

    def test_not_required_is_in_service_without_certificate(self):
        bench = self._equipment("Work bench", required=False)
        self.assertEqual(bench.med_calibration_state, "not_required")
        self.assertEqual(bench.med_status, "in_service")

    def test_failed_calibration_puts_out_of_service(self):
        self._calibrate(self.caliper, "CP-CAL-2", days_ago=1, result="failed")
        self.assertEqual(self.caliper.med_calibration_state, "failed")
        self.assertEqual(self.caliper.med_status, "out_of_service")
        # a new passed calibration brings it back
        self._calibrate(self.caliper, "CP-CAL-3", days_ago=0)
        self.caliper.invalidate_recordset()
        self.assertEqual(self.caliper.med_status, "in_service")

    def test_open_corrective_request_puts_out_of_service(self):
        request = self.env["maintenance.request"].create(
            {
                "name": "Leak tester pressure drifts",
                "equipment_id": self.leak_tester.id,
                "maintenance_type": "corrective",
            }
        )
        self.assertEqual(self.leak_tester.med_status, "out_of_service")
        done_stage = self.env["maintenance.stage"].search(
            [("done", "=", True)], limit=1
        )
        request.stage_id = done_stage
        self.leak_tester.invalidate_recordset()
        self.assertEqual(self.leak_tester.med_status, "in_service")

    # -- the certificate's subject --
    def test_equipment_certificate_needs_equipment_not_supplier(self):
        values = {
            "type_id": self.calibration_type.id,
            "number": "NO-EQUIPMENT",
            "issue_date": self.today,
            "expiry_date": self.today,
            "med_calibration_result": "passed",
        }
        with self.assertRaisesRegex(ValidationError, "name the equipment"):
            self.Certificate.create(dict(values, number="NO-EQUIPMENT-1"))
        with self.assertRaisesRegex(ValidationError, "name the equipment"):
            self.Certificate.create(
                dict(
                    values,
                    number="NO-EQUIPMENT-2",
                    equipment_id=self.caliper.id,
                    partner_id=self.supplier.id,
                )
            )
        certificate = self.Certificate.create(
            dict(values, equipment_id=self.caliper.id)
        )
        self.assertEqual(certificate.equipment_id, self.caliper)

    def test_supplier_certificate_cannot_name_equipment(self):
        licence = self.env.ref("med_supplier_qual.certificate_type_business_licence")
        licence.attachment_required = False
        with self.assertRaisesRegex(ValidationError, "name the supplier"):
            self.Certificate.create(
                {
                    "type_id": licence.id,
                    "partner_id": self.supplier.id,
                    "equipment_id": self.caliper.id,
                    "number": "91320000-X",
                    "expiry_date": self.today,
                }
            )

    def test_calibration_needs_its_result(self):
        with self.assertRaisesRegex(ValidationError, "result of calibration"):
            self._calibrate(self.caliper, "CP-NO-RESULT", result=False)

    # -- the daily certificate job --
    def test_expired_calibration_opens_no_supplier_capa_and_reminds(self):
        due = self._calibrate(self.leak_tester, "LT-CAL-2", days_ago=0, valid_days=5)
        lapsed = self._calibrate(
            self._equipment("Scale SC-5"), "SC-CAL-5", days_ago=400, valid_days=-1
        )
        lapsed.flush_recordset()
        self.env.cr.execute(
            "UPDATE med_supplier_certificate SET state = 'valid' WHERE id = %s",
            [lapsed.id],
        )
        lapsed.invalidate_recordset()
        capas = self.Capa.search_count([])
        self.Certificate._cron_med_certificates()
        self.assertEqual(lapsed.state, "expired")
        self.assertEqual(self.Capa.search_count([]), capas)
        activity = self.env["mail.activity"].search(
            [
                ("res_model", "=", "maintenance.equipment"),
                ("res_id", "=", self.leak_tester.id),
            ]
        )
        self.assertEqual(len(activity), 1)
        self.assertIn("Leak tester LT-1", activity.summary)
        self.assertEqual(activity.date_deadline, due.expiry_date)
