import base64
import io

import openpyxl

from odoo.tests import tagged

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestCapaDossiers(MedCapaCommon):
    """The CAPA report and the lot dossier's NC/CAPA section, read back from the
    xlsx that the auditor exports."""

    def _file(self, report, records, file_format="xlsx", template=None):
        wizard = (
            self.env["med.dossier.wizard"]
            .with_user(self.auditor)
            .with_context(
                default_report=report,
                active_ids=records.ids,
                # tests render reports as HTML unless asked for the real PDF
                force_report_rendering=True,
            )
            .create({"file_format": file_format})
        )
        if template:
            wizard.template_id = template
        wizard.action_export()
        export = self.env["med.audit.export"].search([], order="id desc", limit=1)
        return base64.b64decode(export.attachment_id.datas)

    def _export(self, report, records):
        workbook = openpyxl.load_workbook(io.BytesIO(self._file(report, records)))
        return {
            sheet.title: {
                str(cell) for row in sheet.iter_rows(values_only=True) for cell in row
            }
            for sheet in workbook.worksheets
        }

    def test_capa_report_has_the_whole_record(self):
        lot = self._lot(self.barrel, "BRL-REPORT", 40)
        self._fail(self._inspect_lot(lot))
        nonconformance = self._records("med.nonconformance", lot)
        capa = self._capa_ready_to_close(owner=self.qa_manager)
        capa.nonconformance_ids = nonconformance
        capa.effectiveness_result = "effective"
        self._sign(capa.with_user(self.qa_manager_2).action_close(), self.qa_manager_2)
        sheets = self._export("capa_report", capa)
        self.assertIn(capa.name, sheets["CAPA"])
        self.assertIn(nonconformance.name, sheets["Nonconformances"])
        self.assertIn("Worn mould cavity 3 at the supplier", sheets["Investigation"])
        self.assertIn("3 × 2 = 6", sheets["Investigation"])
        self.assertIn("Cavity replaced, first-article OK", sheets["Actions"])
        self.assertIn("Effective", sheets["Effectiveness and closure"])
        signatures = sheets["Electronic signatures"]
        self.assertIn("Closure", signatures)
        self.assertTrue(any(capa.name in cell for cell in sheets["Audit trail"]))

    def test_lot_dossier_lists_the_records_of_its_components(self):
        barrel = self._lot(self.barrel, "BRL-DOSSIER", 20)
        plunger = self._lot(self.plunger, "PLG-DOSSIER", 20)
        body = self._produce(
            self.bom_body, 10, "BODY-DOSSIER", {barrel: 10, plunger: 10}
        )
        self._fail(self._inspect_lot(barrel))
        nonconformance = self._records("med.nonconformance", barrel)
        sheets = self._export("lot_dossier", body)
        inspections = sheets["Inspections"]
        self.assertIn("BRL-DOSSIER", inspections)
        self.assertIn("Quality failed", inspections)
        section = sheets["Nonconformances and CAPA"]
        self.assertIn(nonconformance.display_name, section)
        self.assertIn(nonconformance.capa_id.display_name, section)
        other = self._lot(self.barrel, "BRL-ELSEWHERE", 5)
        sheets = self._export("lot_dossier", other)
        self.assertNotIn(
            nonconformance.display_name, sheets["Nonconformances and CAPA"]
        )

    def test_capa_report_pdf_in_chinese(self):
        capa = self.Capa.create(
            {"title": "注射器外套毛刺", "user_id": self.qa_manager.id}
        )
        template = self.env["med.export.template"].create(
            {"name": "CAPA报告", "report": "capa_report", "lang": "zh_CN"}
        )
        content = self._file("capa_report", capa, "pdf", template)
        self.assertTrue(content.startswith(b"%PDF"))
        text = self._pdf_text(content)
        self.assertIn(capa.name, text)
        self.assertIn("注射器外套毛刺", text)
        self.assertIn("根本原因", text)
