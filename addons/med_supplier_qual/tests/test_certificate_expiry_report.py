from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import SupplierQualCommon


@tagged("post_install", "-at_install")
class TestCertificateExpiryReport(SupplierQualCommon):
    """The dashboards' certificate view: the 30/60/90-day windows count from today."""

    def test_expiry_windows(self):
        today = fields.Date.today()  # the view's today: UTC, as Odoo stores dates
        certificates = [
            self._certificate(
                self.vendor,
                "iso13485",
                f"ISO-WINDOW-{days}",
                expiry=today + timedelta(days=days),
            )
            for days in (30, 31, 60, 61, 90, 91)
        ]
        Report = self.env["med.certificate.expiry.report"].with_user(self.auditor)
        rows = {
            row.certificate_id: row
            for row in Report.search(
                [("certificate_id", "in", [cert.id for cert in certificates])]
            )
        }
        self.assertEqual(
            [rows[cert].expiry_window for cert in certificates],
            ["d30", "d60", "d60", "d90", "d90", "later"],
        )
        self.assertEqual(
            [rows[cert].days_left for cert in certificates], [30, 31, 60, 61, 90, 91]
        )
        self.assertTrue(all(row.partner_id == self.vendor for row in rows.values()))

    def test_expired_certificate_in_its_own_window(self):
        row = self.env["med.certificate.expiry.report"].search(
            [("certificate_id", "=", self.licence.id)]
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE med_supplier_certificate SET expiry_date = %s WHERE id = %s",
            (fields.Date.today() - timedelta(days=3), self.licence.id),
        )
        self.env.invalidate_all()
        self.assertEqual((row.expiry_window, row.days_left), ("expired", -3))

    def test_roles_that_read_the_view(self):
        Report = self.env["med.certificate.expiry.report"]
        for user in (self.warehouse, self.purchase, self.auditor, self.qa_manager):
            self.assertTrue(Report.with_user(user).has_access("read"), user.login)
