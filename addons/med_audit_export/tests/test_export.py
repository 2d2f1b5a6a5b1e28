import base64
import io
from datetime import date, datetime

import openpyxl
import xlsxwriter

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from ..models.med_audit_export import XLSX_OPTIONS
from .common import MedAuditCommon


class ExportCommon(MedAuditCommon):
    """A lot with three trail entries (one reason in Chinese, values that look like
    formulas) and helpers that export its trail and read the files back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot.with_context(med_reason='=HYPERLINK("http://x")').write({"ref": "=1+1"})
        cls.lot.with_context(med_reason="中文原因").write({"ref": "@SUM(A1)"})
        cls.env.flush_all()

    def _wizard(self, user, file_format):
        # the web client's context carries the user's language
        wizards = self.env["med.audit.export.wizard"].with_user(user)
        form = Form(wizards.with_context(lang=user.lang))
        form.record_ref = f"stock.lot,{self.lot.id}"  # picked by name, not typed
        form.file_format = file_format
        return form.save()

    def _export(self, user, file_format):
        action = self._wizard(user, file_format).action_export()
        export = self.env["med.audit.export"].search([], limit=1)
        self.assertIn(str(export.attachment_id.id), action["url"])
        return export, base64.b64decode(export.attachment_id.datas)

    def _xlsx_rows(self, content):
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        return [[cell.value for cell in row] for row in sheet.iter_rows()]


@tagged("post_install", "-at_install")
class TestExport(ExportCommon):
    def test_xlsx_export_readable_without_formulas(self):
        export, content = self._export(self.auditor, "xlsx")
        rows = self._xlsx_rows(content)
        header = {row[0]: row[1] for row in rows[:6]}
        self.assertEqual(header["Company"], self.env.company.name)
        self.assertIn(f"{self.lot.name} (Lot/Serial, #{self.lot.id})", header["Filter"])
        self.assertIn(self.auditor.login, header["Exported by"])
        self.assertEqual(
            header["Exported on"],
            self.env["med.audit.export"]
            .with_user(self.auditor)
            ._med_format_time(export.date),
        )
        self.assertIn(
            f"({export.date.strftime('%Y-%m-%d %H:%M:%S')} UTC)", header["Exported on"]
        )
        values = [cell for row in rows for cell in row if cell]
        self.assertIn("=1+1", values)
        self.assertIn("中文原因", values)
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        formula_cells = [
            cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"
        ]
        self.assertFalse(formula_cells)
        self.assertEqual(export.record_count, 3)  # create + 2 changes
        self.assertEqual(export.user_id, self.auditor)

    def test_xlsx_well_formed_with_characters_xml_cannot_hold(self):
        self.lot.with_context(med_reason="why\uffff").write({"ref": "A\ufffeB"})
        self.env.flush_all()
        _export, content = self._export(self.auditor, "xlsx")
        values = [cell for row in self._xlsx_rows(content) for cell in row if cell]
        self.assertIn("A\ufffdB", values)
        self.assertIn("why\ufffd", values)

    def test_xlsxwriter_table_well_formed_with_characters_xml_cannot_hold(self):
        """The dossier and recall workbooks (xlsxwriter) write through the same
        table method."""
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, XLSX_OPTIONS)
        self.env["med.audit.export"]._med_write_xlsx_table(
            workbook, "Lots\uffff", {}, ["Lot\ufffe"], iter([("L\uffffX",)])
        )
        workbook.close()
        values = [cell for row in self._xlsx_rows(buffer.getvalue()) for cell in row]
        self.assertIn("Lot\ufffd", values)
        self.assertIn("L\ufffdX", values)

    def test_xlsxwriter_table_typed_frozen_filtered_and_fitted(self):
        """The dossier sheets (xlsxwriter) type their cells as the audit trail
        export does, freeze the labels, filter the table and fit the columns."""
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, XLSX_OPTIONS)
        when = datetime(2026, 3, 2, 1, 30)
        self.env["med.audit.export"]._med_write_xlsx_table(
            workbook,
            "Lots",
            {},
            ["Lot", "Quantity", "Expiry", "Done", "Reason"],
            iter([("0012", 5.5, date(2029, 1, 4), when, "批记录审核与批准合格")]),
        )
        workbook.close()
        sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
        labels_row = next(
            row[0].row for row in sheet.iter_rows() if row[0].value == "Lot"
        )
        lot, quantity, expiry, done, _reason = sheet[labels_row + 1][:5]
        self.assertEqual((lot.data_type, lot.value), ("s", "0012"))
        self.assertEqual((quantity.data_type, quantity.value), ("n", 5.5))
        self.assertEqual(expiry.value, datetime(2029, 1, 4))
        self.assertTrue(expiry.is_date)
        self.assertEqual(done.value, when)
        self.assertEqual(sheet.freeze_panes, f"A{labels_row + 1}")
        self.assertEqual(sheet.auto_filter.ref, f"A{labels_row}:E{labels_row + 1}")
        self.assertGreaterEqual(sheet.column_dimensions["E"].width, 20)

    def test_xlsx_rows_are_the_entries(self):
        _export, content = self._export(self.auditor, "xlsx")
        rows = self._xlsx_rows(content)
        Export = self.env["med.audit.export"].with_user(self.auditor)
        time_zone = Export._med_time_zone()
        labels = rows.index(
            [f"When ({time_zone})", "When (UTC)", "User", "Operation", "Model"]
            + ["Record ID", "Record", "Field", "Old Value", "New Value", "Reason"]
            + ["Hash"]
        )
        entries = self._entries(self.lot)
        table = rows[labels + 1 : labels + 1 + len(entries)]
        for row, entry in zip(table, entries, strict=True):
            utc = entry.timestamp.replace(microsecond=0)
            self.assertEqual(row[1], utc)
            self.assertEqual(row[0], utc + (row[0] - row[1]))
            self.assertEqual(row[2], entry.user_id.name)
            self.assertEqual(row[5], self.lot.id)
            self.assertEqual(row[7], entry.field_label)
            self.assertEqual(row[9], entry.new_value)
            self.assertEqual(row[11], entry.content_hash)
        self.assertEqual(table[2][10], "中文原因")

    def test_xlsx_footer_names_exporter_time_and_code(self):
        export, content = self._export(self.auditor, "xlsx")
        footer = self._xlsx_rows(content)[-1][0]
        self.assertIn(self.auditor.name, footer)
        self.assertIn(export.date.strftime("%Y-%m-%d %H:%M:%S"), footer)
        self.assertTrue(
            footer.endswith(f"Verification code: {export.verification_code}")
        )

    def test_xlsx_in_chinese_for_a_chinese_user(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.auditor.lang = "zh_CN"
        export, content = self._export(self.auditor, "xlsx")
        rows = self._xlsx_rows(content)
        self.assertEqual(rows[0][0], "公司")
        self.assertEqual(rows[3][0], "导出人")
        self.assertIn("验证码", rows[-1][0])
        self.assertIn(export.verification_code, rows[-1][0])

    def test_csv_export_neutralises_formulas(self):
        export, content = self._export(self.auditor, "csv")
        self.assertTrue(content.startswith(b"\xef\xbb\xbf"))  # BOM for Excel
        text = content.decode("utf-8-sig")
        self.assertIn("'=1+1", text)
        self.assertIn("'@SUM(A1)", text)
        self.assertNotIn(",=1+1", text)
        self.assertIn("中文原因", text)
        last_line = text.strip().splitlines()[-1]
        self.assertIn(self.auditor.name, last_line)
        self.assertIn(export.verification_code, last_line)

    def test_pdf_summary(self):
        wizard = self._wizard(self.auditor, "pdf")
        wizard.with_context(force_report_rendering=True).action_export()
        export = self.env["med.audit.export"].search([], limit=1)
        content = base64.b64decode(export.attachment_id.datas)
        self.assertTrue(content.startswith(b"%PDF"))
        self.assertEqual(export.file_format, "pdf")
        self.assertEqual(export.record_count, 3)
        text = self._pdf_text(content)
        self.assertIn("审计追踪", text)
        self.assertIn("中文原因", text)
        self.assertIn(self.lot.name, text)
        self.assertIn(export.verification_code, text)
        self.assertIn(f"{self.lot.name} (Lot/Serial, #{self.lot.id})", text)
        self.assertIn(export.date.strftime("%Y-%m-%d %H:%M:%S"), text)

    def test_every_export_recorded_in_trail_with_file_hash(self):
        export, content = self._export(self.auditor, "csv")
        entry = self._entries(export, operation="export")
        self.assertEqual(entry.user_id, self.auditor)
        self.assertIn(export.file_sha256, entry.new_value)
        self.assertIn(export.verification_code, entry.new_value)
        self.assertIn(f"{self.lot.name} (Lot/Serial, #{self.lot.id})", entry.reason)
        self.assertEqual(export.filter_description, entry.reason)
        self.assertEqual(
            export.attachment_id.checksum,
            entry.env["ir.attachment"]._compute_checksum(content),
        )

    def test_roles_that_may_not_export(self):
        # the demo data holds the evidence files its CAPA rules filed
        before = self.env["med.audit.export"].search([])
        for user in (self.warehouse, self.purchase, self.inspector):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._export(user, "xlsx")
        self.assertEqual(self.env["med.audit.export"].search([]), before)

    def test_auditor_qa_manager_and_admins_export(self):
        admin = self.env.ref("base.user_admin")
        for user in (self.auditor, self.qa_manager, self.compliance_admin, admin):
            with self.subTest(user=user.login):
                export, content = self._export(user, "csv")
                self.assertEqual(export.user_id, user)
                self.assertIn("中文原因", content.decode("utf-8-sig"))

    def test_internal_user_without_role_may_not_export(self):
        user = new_test_user(self.env, login="med_plain_user")
        with self.assertRaises(AccessError):
            self._export(user, "csv")

    def test_export_records_are_append_only(self):
        export, _content = self._export(self.auditor, "csv")
        with self.assertRaises(UserError) as caught:
            export.sudo().write({"record_count": 0})
        self.assertIn("never be changed", str(caught.exception))
        with self.assertRaises(UserError):
            export.sudo()._med_protected_write().write({"record_count": 0})
