import base64
import io

from odoo.tests import tagged
from odoo.tools.misc import file_open  # noqa: F401

from .common import SupplierQualCommon

try:
    import openpyxl
except ImportError:  # pragma: no cover
    openpyxl = None


@tagged("post_install", "-at_install")
class TestApprovedListExport(SupplierQualCommon):
    def test_xlsx_export_is_recorded_evidence(self):
        entries = self.env["med.approved.supplier"].search(
            [("partner_id", "=", self.vendor.id)]
        )
        action = entries.with_user(self.auditor).action_med_export_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")
        export = self.env["med.audit.export"].search([], order="id desc", limit=1)
        self.assertEqual(export.record_count, len(entries))
        content = base64.b64decode(export.attachment_id.datas)
        self.assertEqual(content[:2], b"PK")
        if openpyxl:
            sheet = openpyxl.load_workbook(io.BytesIO(content)).active
            values = {cell for row in sheet.iter_rows(values_only=True) for cell in row}
            self.assertIn("Barrel Supplier Co.", values)
            self.assertIn("Sterile syringe 5 ml", values)

    def test_pdf_report_renders(self):
        entries = self.env["med.approved.supplier"].search(
            [("partner_id", "=", self.vendor.id)]
        )
        html, _ = self.env["ir.actions.report"]._render_qweb_html(
            "med_supplier_qual.report_approved_supplier", entries.ids
        )
        self.assertIn(b"Barrel Supplier Co.", html)
        self.assertIn("合格供方名录".encode(), html)
