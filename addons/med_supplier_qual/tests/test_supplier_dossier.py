import base64
import io

import openpyxl

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SupplierQualCommon


@tagged("post_install", "-at_install")
class TestSupplierDossier(SupplierQualCommon):
    def _export(self, user, file_format="xlsx", template=None, partner=None):
        wizard = (
            self.env["med.dossier.wizard"]
            .with_user(user)
            .with_context(
                default_report="supplier_dossier",
                active_ids=(partner or self.vendor).ids,
                # tests render reports as HTML unless asked for the real PDF
                force_report_rendering=True,
            )
            .create({"file_format": file_format})
        )
        if template is not None:
            wizard.template_id = template
        wizard.action_export()
        export = self.env["med.audit.export"].search([], order="id desc", limit=1)
        return export, base64.b64decode(export.attachment_id.datas)

    def _sheets(self, content):
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        return {
            sheet.title: {
                str(cell) for row in sheet.iter_rows(values_only=True) for cell in row
            }
            for sheet in workbook.worksheets
        }

    def test_xlsx_has_one_sheet_per_section_with_the_evidence(self):
        export, content = self._export(self.auditor)
        sheets = self._sheets(content)
        for title in (
            "Supplier",
            "Qualification history",
            "Certificates",
            "Approved supplier list",
            "Evaluations",
            "Receipts and returns",
            "Electronic signatures",
            "Audit trail",
        ):
            self.assertIn(title, sheets)
        self.assertIn("苏食药监械生产许20150012号", sheets["Certificates"])
        self.assertIn("Sterile syringe 5 ml", sheets["Approved supplier list"])
        self.assertIn("Approved", sheets["Qualification history"])
        self.assertIn("Barrel Supplier Co.", sheets["Supplier"])
        self.assertEqual(export.user_id, self.auditor)
        self.assertTrue(export.file_sha256)

    def test_template_chooses_sections_labels_columns_and_language(self):
        template = self.env["med.export.template"].create(
            {
                "name": "证照档案",
                "report": "supplier_dossier",
                "lang": "zh_CN",
                "section_ids": [
                    (
                        0,
                        0,
                        {
                            "sequence": 1,
                            "code": "certificates",
                            "columns": "number,type",
                        },
                    ),
                    (0, 0, {"sequence": 2, "code": "supplier", "label": "供方信息"}),
                ],
            }
        )
        _export, content = self._export(self.auditor, template=template)
        sheets = self._sheets(content)
        self.assertEqual(list(sheets), ["证书", "供方信息"])
        self.assertIn("营业执照", sheets["证书"])
        self.assertIn("91320500-BL", sheets["证书"])
        self.assertNotIn(
            "江苏省药品监督管理局", sheets["证书"], "issuer column left out"
        )

    def test_template_refuses_unknown_sections_and_columns(self):
        Template = self.env["med.export.template"]
        with self.assertRaises(UserError):
            Template.create(
                {
                    "name": "x",
                    "report": "supplier_dossier",
                    "section_ids": [
                        (0, 0, {"code": "certificates", "columns": "nope"})
                    ],
                }
            )

    def test_pdf_shows_the_evidence_in_chinese(self):
        template = self.env["med.export.template"].create(
            {"name": "供方档案", "report": "supplier_dossier", "lang": "zh_CN"}
        )
        _export, content = self._export(self.auditor, "pdf", template=template)
        self.assertTrue(content.startswith(b"%PDF"))
        text = self._pdf_text(content)
        self.assertIn("Barrel Supplier Co.", text)
        self.assertIn("苏食药监械生产许20150012号", text)
        self.assertIn("证书", text)
        export = self.env["med.audit.export"].search([], order="id desc", limit=1)
        self.assertIn(export.verification_code, text)

    def test_only_auditors_qa_and_admins_export(self):
        for user in (self.purchase, self.warehouse, self.inspector):
            with self.assertRaises(UserError, msg=user.login):
                self._export(user)
        self._export(self.qa_manager)
        self._export(self.compliance_admin)

    def test_lot_dossier_names_the_supplier_and_its_certificates_that_day(self):
        order = self._order(self.product_lot)
        order.button_confirm()
        receipt = order.picking_ids.with_user(self.warehouse)
        receipt.move_ids.move_line_ids.write({"lot_name": "BRL-DOS-1", "quantity": 10})
        receipt.move_ids.picked = True
        receipt.button_validate()
        lot = receipt.move_line_ids.lot_id
        wizard = (
            self.env["med.dossier.wizard"]
            .with_user(self.auditor)
            .with_context(default_report="lot_dossier", active_ids=lot.ids)
            .create({"file_format": "xlsx"})
        )
        wizard.action_export()
        export = self.env["med.audit.export"].search([], order="id desc", limit=1)
        sheets = self._sheets(base64.b64decode(export.attachment_id.datas))
        suppliers = sheets["Suppliers and certificates"]
        self.assertIn("Barrel Supplier Co.", suppliers)
        self.assertIn("BRL-DOS-1", suppliers)
        self.assertTrue(any("91320500-BL" in cell for cell in suppliers))
