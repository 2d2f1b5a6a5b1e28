import base64
import io
from datetime import date

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_sale_gates import SaleGateCommon

# The year's data of these tests: a year no other record of the database falls in
# (the demo data is of this year and the last), within the licences' validity.
YEAR = 2027
MOMENT = f"{YEAR}-03-15 04:00:00"


class GspRecordsCommon(SaleGateCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._licence(scope="14")
        cls.startClassPatcher(freeze_time(MOMENT))
        cls.order = SaleGateCommon._quotation(cls)
        # sold in the company's currency, so that the year's amounts need no rate
        cls.order.pricelist_id = cls.env["product.pricelist"].create(
            {"name": "Company currency", "currency_id": cls.env.company.currency_id.id}
        )
        cls.order.order_line.discount = 20.0  # 12.50 less 20 %: 10.00 a unit
        cls.order.action_confirm()
        picking = cls.order.picking_ids.with_user(cls.warehouse)
        cls.lot = cls.env["stock.lot"].create(
            {"name": "HS-2026-01", "product_id": cls.device.id}
        )
        cls.lot.with_context(med_reason="released for the test")._med_set_state(
            "released"
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.device, cls.order.warehouse_id.lot_stock_id, 10, lot_id=cls.lot
        )
        picking.action_assign()
        picking.move_ids.picked = True
        picking.button_validate()
        cls.picking = picking


@tagged("post_install", "-at_install")
class TestSalesRecordPrices(GspRecordsCommon):
    """The sales record (销售记录) shows the unit price and the amount of each line
    delivered, from its sales order line."""

    def test_unit_price_and_amount_in_the_sales_record(self):
        self.assertEqual(self.picking.state, "done")
        wizard = (
            self.env["med.sales.record.export"]
            .with_user(self.auditor)
            .create({"date_from": date(YEAR, 3, 15), "date_to": date(YEAR, 3, 15)})
        )
        wizard._med_export("xlsx")
        export = self.env["med.audit.export"].search(
            [("report_name", "=", "Sales Record")], order="id desc", limit=1
        )
        sheet = openpyxl.load_workbook(
            io.BytesIO(base64.b64decode(export.attachment_id.datas))
        ).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        start = next(i for i, row in enumerate(rows) if row and row[0] == "Type")
        table = [dict(zip(rows[start], row, strict=False)) for row in rows[start + 1 :]]
        line = next(row for row in table if row.get("Lot/Serial") == "HS-2026-01")
        currency = self.env.company.currency_id
        self.assertEqual(line["Unit Price (untaxed)"], "10.00")
        self.assertEqual(line["Amount (untaxed)"], "100.00")
        self.assertEqual(line["Currency"], currency.name)
        self.assertEqual(line["Customer Licence No."], "PDY-HUASHAN")


@tagged("post_install", "-at_install")
class TestSelfInspection(GspRecordsCommon):
    """The annual self-inspection report (年度自查报告) is drafted from the year's
    data, concluded and signed by a QA manager, printed as PDF."""

    def _report(self, user=None):
        return (
            self.env["med.gsp.self.inspection"]
            .with_user(user or self.qa_manager)
            .create({"year": YEAR})
        )

    def _export(self, report, file_format):
        action = report.with_user(self.auditor).action_print()
        wizard = (
            self.env["med.dossier.wizard"]
            .with_user(self.auditor)
            .with_context(**action["context"], force_report_rendering=True)
            .create({"file_format": file_format})
        )
        wizard.action_export()
        export = self.env["med.audit.export"].search([], order="id desc", limit=1)
        return base64.b64decode(export.attachment_id.datas)

    def test_sections_drafted_from_the_year(self):
        approval = self.env["med.first.operation"].create(
            {
                "kind": "customer",
                "partner_id": self.hospital.id,
                "review": "Practising licence checked",
            }
        )
        self._sign(
            approval.with_user(self.qa_manager).action_approve(), self.qa_manager
        )
        report = self._report()
        workbook = openpyxl.load_workbook(io.BytesIO(self._export(report, "xlsx")))
        sheets = {
            sheet.title: [
                [str(cell) for cell in row if cell is not None]
                for row in sheet.iter_rows(values_only=True)
            ]
            for sheet in workbook.worksheets
        }
        summary = {
            row[0]: row[1] for row in sheets["Summary of the year"] if len(row) == 2
        }
        currency = self.env.company.currency_id.name
        self.assertEqual(summary["Sales orders confirmed"], "1")
        self.assertEqual(summary["Sales amount (untaxed)"], f"100.00 {currency}")
        self.assertEqual(summary["Lot deliveries to customers"], "1")
        self.assertEqual(summary["Customers supplied"], "1")
        self.assertEqual(summary["First-operation approvals signed"], "1")
        approvals = sheets["First-operation approvals"]
        self.assertTrue(any("Huashan Hospital" in " ".join(row) for row in approvals))

    def test_signed_by_a_qa_manager_and_printed_as_pdf(self):
        report = self._report()
        with self.assertRaisesRegex(UserError, "fill in Conclusion"):
            report.action_med_sign()
        report.conclusion = "No deviation; two licences renewed late."
        with self.assertRaisesRegex(UserError, "Only a QA manager signs"):
            report.with_user(self.auditor).action_med_sign()
        self._sign(report.action_med_sign(), self.qa_manager)
        self.assertEqual(report.state, "signed")
        self.assertEqual(report.signed_by_id, self.qa_manager)
        with self.assertRaisesRegex(UserError, "no longer changes"):
            report.conclusion = "Rewritten"
        content = self._export(report, "pdf")
        self.assertTrue(content.startswith(b"%PDF"))
        text = self._pdf_text(content)
        self.assertIn("Summary of the year", text)
        self.assertIn("two licences renewed late", text)

    def test_only_qa_manager_creates_and_auditor_only_reads(self):
        report = self._report()
        with self.assertRaises(UserError):
            report.with_user(self.auditor).conclusion = "Changed by the auditor"
        with self.assertRaises(UserError):
            self._report(user=self.sales)
        self.assertFalse(report.conclusion)
