import base64
import csv
import io
from datetime import date, datetime

import openpyxl

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import MedGenealogyCommon


@tagged("post_install", "-at_install")
class TestSalesRecord(MedGenealogyCommon):
    """The sales record (销售记录) of a period, as an auditor exports it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.syringe.med_registration_number = "国械注准20233140456"
        cls.manufacturer = cls.env["res.partner"].create(
            {"name": "Weigao Needle Co.", "is_company": True}
        )
        cls.needle.write(
            {
                "med_registration_number": "苏械注准20222140011",
                "med_manufacturer_id": cls.manufacturer.id,
            }
        )
        cls.syringe_lot = cls._lot(cls.syringe, "SYR-SR", 50)
        cls.syringe_lot.with_context(med_reason="dates from the label").write(
            {
                "med_production_date": date(2026, 1, 5),
                "expiration_date": datetime(2029, 1, 4),
            }
        )
        cls.needle_lot = cls._lot(cls.needle, "NDL-SR", 50)
        cls.ward = cls.env["res.partner"].create(
            {
                "name": "Ward 3",
                "parent_id": cls.hospital.id,
                "type": "delivery",
                "street": "197 Ruijin 2nd Road",
                "city": "Shanghai",
                "phone": "+86 21 6437 0045",
            }
        )
        cls.to_ward = cls._deliver(cls.ward, [(cls.syringe_lot, 10)])
        cls.to_distributor = cls._deliver(cls.distributor, [(cls.needle_lot, 5)])
        cls.returned = cls._return(cls.to_ward, 2)
        # 17:30 UTC on 1 March is 2 March in Shanghai, the users' time zone.
        (cls.to_ward | cls.to_distributor | cls.returned).move_line_ids.date = datetime(
            2026, 3, 1, 17, 30
        )

    def _wizard(self, user=None, **values):
        form = Form(self.env["med.sales.record.export"].with_user(user or self.auditor))
        form.date_from = values.pop("date_from", date(2026, 3, 2))
        form.date_to = values.pop("date_to", date(2026, 3, 2))
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def _export(self, wizard, file_format="xlsx"):
        wizard._med_export(file_format)
        export = self.env["med.audit.export"].search(
            [("report_name", "=", "Sales Record")], order="id desc", limit=1
        )
        content = base64.b64decode(export.attachment_id.datas)
        if file_format == "csv":
            return export, list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        return export, [[cell.value for cell in row] for row in sheet.iter_rows()]

    @staticmethod
    def _table(rows):
        """The rows under the column labels, as dicts by label."""
        start = next(i for i, row in enumerate(rows) if row and row[0] == "Type")
        labels = rows[start]
        return [
            dict(zip(labels, row, strict=False))
            for row in rows[start + 1 :]
            if row and row[0] in ("Delivery", "Return")
        ]

    def test_deliveries_and_returns_of_the_period(self):
        export, rows = self._export(self._wizard())
        table = self._table(rows)
        self.assertEqual(export.user_id, self.auditor)
        self.assertEqual(export.record_count, 3)
        by_lot = {(row["Lot/Serial"], row["Type"]): row for row in table}
        delivered = by_lot[("SYR-SR", "Delivery")]
        self.assertEqual(delivered["Registration/Filing No."], "国械注准20233140456")
        self.assertEqual(delivered["Device Manufacturer"], self.env.company.name)
        self.assertEqual(delivered["Quantity"], "10")
        self.assertEqual(delivered["Production Date"], "2026-01-05")
        self.assertTrue(delivered["Expiration Date"].startswith("2029-01-04"))
        self.assertEqual(delivered["Date (Asia/Shanghai)"], "2026-03-02 01:30")
        self.assertIn("Ward 3", delivered["Customer"])
        self.assertIn("197 Ruijin 2nd Road", delivered["Customer Address"])
        self.assertEqual(delivered["Customer Phone"], "+86 21 6437 0045")
        self.assertEqual(delivered["Document"], self.to_ward.name)
        self.assertEqual(by_lot[("SYR-SR", "Return")]["Quantity"], "-2")
        needle = by_lot[("NDL-SR", "Delivery")]
        self.assertEqual(needle["Device Manufacturer"], "Weigao Needle Co.")
        self.assertEqual(needle["Registration/Filing No."], "苏械注准20222140011")

    def test_days_are_the_users_days(self):
        # the lines are dated 1 March in UTC but 2 March in Shanghai
        with self.assertRaisesRegex(
            UserError, "No lot was delivered to or returned by"
        ):
            self._export(
                self._wizard(date_from=date(2026, 3, 1), date_to=date(2026, 3, 1))
            )
        export, _rows = self._export(
            self._wizard(date_from=date(2026, 2, 1), date_to=date(2026, 3, 2))
        )
        self.assertEqual(export.record_count, 3)

    def test_customer_filter_takes_its_addresses(self):
        export, rows = self._export(self._wizard(partner_ids=self.hospital))
        self.assertEqual(
            {(row["Lot/Serial"], row["Quantity"]) for row in self._table(rows)},
            {("SYR-SR", "10"), ("SYR-SR", "-2")},
        )
        self.assertIn(self.hospital.name, export.filter_description)

    def test_product_filter_and_returns_left_out(self):
        _export, rows = self._export(
            self._wizard(product_ids=self.syringe, include_returns=False)
        )
        self.assertEqual(
            [(row["Lot/Serial"], row["Quantity"]) for row in self._table(rows)],
            [("SYR-SR", "10")],
        )

    def test_period_ending_before_it_starts_is_refused(self):
        exports = self.env["med.audit.export"].search_count([])
        with self.assertRaisesRegex(ValidationError, "before it starts"):
            self._wizard(date_from=date(2026, 3, 2), date_to=date(2026, 3, 1))
        self.assertEqual(self.env["med.audit.export"].search_count([]), exports)

    def test_nothing_to_export_records_nothing(self):
        exports = self.env["med.audit.export"].search_count([])
        with self.assertRaisesRegex(UserError, "No lot was delivered"):
            self._export(
                self._wizard(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
            )
        self.assertEqual(self.env["med.audit.export"].search_count([]), exports)

    def test_csv_keeps_formulas_as_text(self):
        self.distributor.name = '=HYPERLINK("http://evil")'
        _export, rows = self._export(self._wizard(), "csv")
        customers = {row["Lot/Serial"]: row["Customer"] for row in self._table(rows)}
        self.assertEqual(customers["NDL-SR"], '\'=HYPERLINK("http://evil")')

    def test_only_auditors_export(self):
        with self.assertRaises(AccessError):
            self._wizard(user=self.warehouse)
        export, _rows = self._export(self._wizard(user=self.qa_manager))
        self.assertEqual(export.user_id, self.qa_manager)
