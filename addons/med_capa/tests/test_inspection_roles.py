from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.med_audit_export.tests.common import MedComplianceCommon


@tagged("post_install", "-at_install")
class TestInspectionRoles(MedComplianceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.qc_test = cls.env["qc.test"].create({"name": "Barrel visual check"})

    def _inspection_vals(self):
        return {
            "object_id": f"product.product,{self.product_lot.id}",
            "test": self.qc_test.id,
        }

    def test_inspector_records_inspections(self):
        inspection = (
            self.env["qc.inspection"]
            .with_user(self.inspector)
            .create(self._inspection_vals())
        )
        inspection.write({"internal_notes": "Burr on 2 of 50 barrels"})
        self.assertEqual(inspection.internal_notes, "Burr on 2 of 50 barrels")

    def test_warehouse_user_cannot_record_inspections(self):
        with self.assertRaises(AccessError):
            self.env["qc.inspection"].with_user(self.warehouse).create(
                self._inspection_vals()
            )

    def test_auditor_reads_inspections_and_changes_nothing(self):
        inspection = self.env["qc.inspection"].create(self._inspection_vals())
        as_auditor = inspection.with_user(self.auditor)
        self.assertEqual(as_auditor.read(["name"])[0]["name"], inspection.name)
        with self.assertRaises(AccessError):
            as_auditor.write({"internal_notes": "tampered"})
        with self.assertRaises(AccessError):
            self.env["qc.test"].with_user(self.auditor).create({"name": "New test"})

    def test_qa_manager_defines_tests(self):
        qc_test = (
            self.env["qc.test"]
            .with_user(self.qa_manager)
            .create({"name": "Needle sharpness"})
        )
        self.assertEqual(qc_test.name, "Needle sharpness")
        with self.assertRaises(AccessError):
            self.env["qc.test"].with_user(self.inspector).create({"name": "Other"})
