from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SCAN, SupplierQualCommon


@tagged("post_install", "-at_install")
class TestSupplierQualAccess(SupplierQualCommon):
    def _certificate_vals(self, number):
        return {
            "partner_id": self.vendor.id,
            "type_id": self._type("quality_agreement").id,
            "number": number,
            "expiry_date": self.today + timedelta(days=365),
            "attachment_ids": [(0, 0, {"name": "qa.pdf", "datas": SCAN})],
        }

    def test_purchase_user_records_certificates_but_not_the_list(self):
        Certificate = self.env["med.supplier.certificate"].with_user(self.purchase)
        Certificate.create(self._certificate_vals("QA-2026-01"))
        with self.assertRaises(AccessError):
            self.env["med.approved.supplier"].with_user(self.purchase).create(
                {"partner_id": self.vendor.id, "product_id": self.device.id}
            )
        with self.assertRaises(AccessError):
            self.env["med.certificate.type"].with_user(self.purchase).create(
                {"name": "X", "code": "x"}
            )

    def test_qa_manager_maintains_the_list_and_types(self):
        self.env["med.approved.supplier"].with_user(self.qa_manager).create(
            {"partner_id": self.vendor.id, "categ_id": self.device_category.id}
        )
        self.env["med.certificate.type"].with_user(self.qa_manager).create(
            {"name": "GMP certificate", "code": "gmp"}
        )

    def test_auditor_reads_everything_and_changes_nothing(self):
        for model in (
            "med.supplier.certificate",
            "med.approved.supplier",
            "med.certificate.type",
            "med.supplier.evaluation",
        ):
            records = self.env[model].with_user(self.auditor).search([])
            if model != "med.supplier.evaluation":
                self.assertTrue(records, model)
            for operation in ("write", "create", "unlink"):
                with self.assertRaises(AccessError, msg=f"{model} {operation}"):
                    records.check_access(operation)
        with self.assertRaises(AccessError):
            self.env["med.supplier.certificate"].with_user(self.auditor).create(
                self._certificate_vals("QA-2026-02")
            )

    def test_warehouse_user_reads_but_does_not_write(self):
        self.assertTrue(self.licence.with_user(self.warehouse).number)
        with self.assertRaises(AccessError):
            self.licence.with_user(self.warehouse).write({"note": "x"})

    def test_companies_are_isolated(self):
        other = self.env["res.company"].create({"name": "Suzhou Branch"})
        other_user = new_test_user(
            self.env,
            login="med_purchase_other",
            groups="med_audit_export.group_med_purchase",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        Certificate = self.env["med.supplier.certificate"].with_user(other_user)
        self.assertFalse(Certificate.search([("id", "=", self.licence.id)]))
        with self.assertRaises(AccessError):
            self.licence.with_user(other_user).read(["number"])
        # The main company's evidence does not qualify the vendor for the branch.
        Gate = self.env["med.supplier.gate"]
        pairs = [(self.vendor, self.product_lot)]
        self.assertFalse(Gate._med_violations(self.env.company, pairs, self.today))
        messages = Gate._med_violations(other, pairs, self.today)
        self.assertTrue(any("Business licence" in m for m in messages))
        self.assertTrue(any("approved supplier list" in m for m in messages))
