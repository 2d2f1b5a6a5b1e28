from datetime import timedelta

from odoo.tests import tagged

from .common import SupplierQualCommon


@tagged("post_install", "-at_install")
class TestCertificateCron(SupplierQualCommon):
    def _activities(self, certificate):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "med.supplier.certificate"),
                ("res_id", "=", certificate.id),
            ]
        )

    def _age(self, certificate, expiry):
        """Set the expiry without the write recomputing the state: as if the date
        had passed since the last run."""
        self.env.cr.execute(
            "UPDATE med_supplier_certificate SET expiry_date = %s WHERE id = %s",
            (expiry, certificate.id),
        )
        certificate.invalidate_recordset(["expiry_date"])

    def test_expiring_certificate_gets_one_reminder(self):
        self.env.company.med_certificate_responsible_id = self.qa_manager
        self._age(self.licence, self.today + timedelta(days=30))
        Certificate = self.env["med.supplier.certificate"]
        Certificate._cron_med_certificates()
        self.assertEqual(self.licence.state, "expiring")
        activity = self._activities(self.licence)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.qa_manager)
        self.assertIn("Business licence", activity.summary)
        Certificate._cron_med_certificates()
        self.assertEqual(len(self._activities(self.licence)), 1, "idempotent")
        self.assertFalse(self._activities(self.production_licence))

    def test_expired_certificate_is_marked_and_supplier_kept_by_default(self):
        self._age(self.licence, self.today - timedelta(days=1))
        self.env["med.supplier.certificate"]._cron_med_certificates()
        self.assertEqual(self.licence.state, "expired")
        self.assertEqual(self.vendor.med_supplier_state, "approved")

    def test_company_can_suspend_on_expired_mandatory_certificate(self):
        self.env.company.med_suspend_on_expiry = True
        iso = self._certificate(self.vendor, "iso13485", "ISO-1")  # not mandatory
        self._age(iso, self.today - timedelta(days=1))
        Certificate = self.env["med.supplier.certificate"]
        Certificate._cron_med_certificates()
        self.assertEqual(self.vendor.med_supplier_state, "approved")
        self._age(self.licence, self.today - timedelta(days=1))
        Certificate._cron_med_certificates()
        self.assertEqual(self.vendor.med_supplier_state, "suspended")
        self.env.flush_all()
        entry = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.vendor.id),
                ("field_name", "=", "med_supplier_state"),
            ],
            limit=1,
        )
        self.assertIn("91320500-BL", entry.reason)
        # A second run changes nothing more.
        self.vendor._med_set_supplier_state("approved", "renewal in progress")
        Certificate._cron_med_certificates()
        self.assertEqual(self.vendor.med_supplier_state, "approved")
