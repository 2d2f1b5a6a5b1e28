from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from odoo.addons.med_audit_export.tests.common import MedComplianceCommon


@tagged("post_install", "-at_install")
class TestLotAudit(MedComplianceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product_lot.product_tmpl_id.write(
            {
                "use_expiration_date": True,
                "expiration_time": 730,
                "use_time": 700,
                "removal_time": 720,
                "alert_time": 90,
            }
        )
        cls.lot = cls.env["stock.lot"].create(
            {
                "name": "SYR-2611-001",
                "product_id": cls.product_lot.id,
                "expiration_date": datetime(2028, 11, 1, 12, 0),
            }
        )

    def test_expiry_change_needs_a_reason(self):
        with self.assertRaisesRegex(UserError, "Expiration Date"):
            self.lot.with_user(self.warehouse).write(
                {"expiration_date": datetime(2029, 11, 1, 12, 0)}
            )
        self.assertEqual(self.lot.expiration_date, datetime(2028, 11, 1, 12, 0))

    def test_dates_computed_by_product_expiry_are_in_the_trail(self):
        """product_expiry computes use, removal and alert dates at flush, not in
        write(): those changes are in the trail, with the user and reason of the write
        that caused them."""
        product = self.env["product.product"].create(
            {"name": "Needle 0.45 mm", "is_storable": True, "tracking": "lot"}
        )
        lot = self.env["stock.lot"].create({"name": "NDL-01", "product_id": product.id})
        self.assertFalse(lot.alert_date)
        product.product_tmpl_id.write(
            {"use_expiration_date": True, "expiration_time": 1095, "alert_time": 90}
        )
        expiry = datetime(2029, 11, 1, 12, 0)
        lot.with_user(self.warehouse).with_context(
            med_reason="Expiry printed on the supplier label"
        ).write({"expiration_date": expiry})
        self.env.flush_all()
        entries = self.env["med.audit.entry"].search(
            [("res_model", "=", "stock.lot"), ("res_id", "=", lot.id)]
        )
        by_field = {e.field_name: e for e in entries if e.operation == "write"}
        self.assertEqual(
            set(by_field), {"expiration_date", "use_date", "removal_date", "alert_date"}
        )
        alert = by_field["alert_date"]
        self.assertEqual(alert.old_value, "")
        self.assertEqual(
            alert.new_value,
            (expiry - timedelta(days=90)).strftime("%Y-%m-%d %H:%M:%S"),
        )
        self.assertEqual(alert.user_id, self.warehouse)
        self.assertEqual(alert.reason, "Expiry printed on the supplier label")

    def test_lot_form_change_with_reason(self):
        form = Form(self.lot.with_user(self.warehouse))
        form.ref = "CoA-2026-201"
        form.med_change_reason = "CoA number received"
        form.save()
        entry = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "stock.lot"),
                ("res_id", "=", self.lot.id),
                ("field_name", "=", "ref"),
            ]
        )
        self.assertEqual(entry.new_value, "CoA-2026-201")
        self.assertEqual(entry.reason, "CoA number received")
        self.assertEqual(entry.user_id, self.warehouse)

    def test_lot_form_change_without_reason_refused(self):
        form = Form(self.lot.with_user(self.warehouse))
        form.ref = "CoA-2026-202"
        with self.assertRaisesRegex(UserError, "reason"):
            form.save()
        self.lot.invalidate_recordset()
        self.assertFalse(self.lot.ref)

    def test_registration_number_change_is_in_the_trail(self):
        template = self.product_lot.product_tmpl_id
        template.med_registration_number = "国械注准20233140456"
        # a product variant writes its template: audited the same way
        self.product_lot.with_user(self.compliance_admin).with_context(
            med_reason="renewed registration"
        ).write({"med_registration_number": "国械注准20283140456"})
        entry = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "product.template"),
                ("res_id", "=", template.id),
                ("field_name", "=", "med_registration_number"),
            ],
            order="id desc",
            limit=1,
        )
        self.assertEqual(entry.old_value, "国械注准20233140456")
        self.assertEqual(entry.new_value, "国械注准20283140456")
        self.assertEqual(entry.user_id, self.compliance_admin)
        self.assertEqual(entry.reason, "renewed registration")

    def test_unaudited_product_fields_leave_no_entry(self):
        template = self.product_lot.product_tmpl_id
        domain = [("res_model", "=", "product.template"), ("res_id", "=", template.id)]
        before = self.env["med.audit.entry"].search_count(domain)
        template.description_sale = "5 ml, Luer lock"
        self.env.flush_all()
        self.assertEqual(self.env["med.audit.entry"].search_count(domain), before)
        template.med_udi_di = "06901234567892"
        self.env.flush_all()
        self.assertEqual(self.env["med.audit.entry"].search_count(domain), before + 1)
