from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedEquipmentCommon


@tagged("post_install", "-at_install")
class TestAfterSalesAuditCoverage(MedEquipmentCommon):
    """The report deadlines of a complaint and what a delivery recorded in the
    installed base change only through their sources, and in the trail."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pump = cls.env["product.product"].create(
            {"name": "Infusion pump IP-700", "is_storable": True, "tracking": "serial"}
        )
        cls.pump_lot = cls._lot(cls.pump, "IP700-0001", 1)
        cls.site = cls.env["res.partner"].create(
            {"name": "Huashan Hospital, ward 3", "parent_id": cls.hospital.id}
        )
        cls.hospital.is_company = True

    def _entries(self, record, field_name):
        self.env.flush_all()
        return self.env["med.audit.entry"].search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("field_name", "=", field_name),
            ]
        )

    def test_report_deadline_follows_awareness_in_the_trail_never_written(self):
        complaint = (
            self.env["med.complaint"]
            .with_user(self.inspector)
            .create(
                {
                    "partner_id": self.hospital.id,
                    "lot_id": self.pump_lot.id,
                    "description": "Occlusion alarm failed",
                    "adverse_event": True,
                    "event_category": "death",
                    "date_aware": "2025-01-06",
                }
            )
        )
        self.assertEqual(complaint.date_report_deadline, date(2025, 1, 13))
        with self.assertRaisesRegex(UserError, "Report Due"):
            complaint.with_user(self.qa_manager).write(
                {"date_report_deadline": "2099-12-31"}
            )
        self.assertEqual(complaint.date_report_deadline, date(2025, 1, 13))
        # the allowed path: the awareness date moves the deadline, both audited
        complaint.with_user(self.qa_manager).write({"date_aware": "2025-01-08"})
        self.assertEqual(complaint.date_report_deadline, date(2025, 1, 15))
        moved = self._entries(complaint, "date_report_deadline")
        self.assertIn("2025-01-15", moved.mapped("new_value"))
        self.assertTrue(self._entries(complaint, "date_nmpa_deadline"))

    def test_installed_base_delivery_facts_protected_and_audited(self):
        self._deliver(self.site, [(self.pump_lot, 1)])
        record = self.env["med.installed.base"].search(
            [("lot_id", "=", self.pump_lot.id)]
        )
        created = self._entries(record, "partner_id")
        self.assertEqual(created.operation, "create")
        other = self.env["res.partner"].create({"name": "Another hospital"})
        for vals in (
            {"partner_id": other.id},
            {"quantity": 5},
            {"date_delivered": "2020-01-01 00:00:00"},
        ):
            with self.assertRaisesRegex(UserError, "can only be changed"):
                record.with_user(self.qa_manager).write(vals)
        self.assertEqual(record.partner_id, self.hospital)
        self.assertEqual(record.quantity, 1)
        # the allowed path: the install date is corrected, in the trail
        record.with_user(self.warehouse).write({"date_install": "2025-03-01"})
        self.assertIn(
            "2025-03-01", self._entries(record, "date_install").mapped("new_value")
        )
