import base64
import io

import openpyxl

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import MedAuditCommon


@tagged("post_install", "-at_install")
class TestExport(MedAuditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot.with_context(med_reason='=HYPERLINK("http://x")').write({"ref": "=1+1"})
        cls.lot.with_context(med_reason="中文原因").write({"ref": "@SUM(A1)"})
        cls.env.flush_all()

    def _export(self, user, file_format):
        form = Form(self.env["med.audit.export.wizard"].with_user(user))
        form.res_model = "stock.lot"
        form.res_id = self.lot.id
        form.file_format = file_format
        wizard = form.save()
        action = wizard.action_export()
        export = self.env["med.audit.export"].search([], limit=1)
        self.assertIn(str(export.attachment_id.id), action["url"])
        return export, base64.b64decode(export.attachment_id.datas)

    def test_xlsx_export_readable_without_formulas(self):
        export, content = self._export(self.auditor, "xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        header = {row[0]: row[1] for row in rows[:5]}
        self.assertEqual(header["Company"], self.env.company.name)
        self.assertIn(f"Record ID = {self.lot.id}", header["Filter"])
        self.assertIn(self.auditor.login, header["Exported by"])
        values = [cell for row in rows for cell in row if cell]
        self.assertIn("=1+1", values)
        self.assertIn("中文原因", values)
        formula_cells = [
            cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"
        ]
        self.assertFalse(formula_cells)
        self.assertEqual(export.record_count, 3)  # create + 2 changes
        self.assertEqual(export.user_id, self.auditor)

    def test_csv_export_neutralises_formulas(self):
        _export, content = self._export(self.auditor, "csv")
        text = content.decode("utf-8-sig")
        self.assertIn("'=1+1", text)
        self.assertIn("'@SUM(A1)", text)
        self.assertNotIn(",=1+1", text)
        self.assertIn("中文原因", text)

    def test_pdf_summary(self):
        export, content = self._export(self.auditor, "pdf")
        self.assertTrue(content)
        self.assertEqual(export.file_format, "pdf")

    def test_every_export_recorded_in_trail_with_file_hash(self):
        export, _content = self._export(self.auditor, "csv")
        entry = self._entries(export, operation="export")
        self.assertEqual(entry.user_id, self.auditor)
        self.assertIn(export.file_sha256, entry.new_value)
        self.assertIn(f"Record ID = {self.lot.id}", entry.reason)

    def test_only_auditors_export(self):
        with self.assertRaises(AccessError):
            self._export(self.warehouse, "xlsx")
        self.assertFalse(self.env["med.audit.export"].search([]))

    def test_export_records_are_append_only(self):
        export, _content = self._export(self.auditor, "csv")
        with self.assertRaises(UserError) as caught:
            export.sudo().write({"record_count": 0})
        self.assertIn("never be changed", str(caught.exception))
