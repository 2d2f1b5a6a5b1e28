import base64
import io

import openpyxl

from odoo.tests import tagged

from .common import MedGenealogyCommon


@tagged("post_install", "-at_install")
class TestLotDossier(MedGenealogyCommon):
    """The lot dossier (DHR) and recall report read back from the exported xlsx."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hospital.write(
            {"phone": "+86 21 6437 0045", "email": "equipment@ruijin.example"}
        )
        cls.syringe.med_udi_di = "06901234567892"
        barrel = cls._lot(cls.barrel, "BRL-001", 100)
        plunger = cls._lot(cls.plunger, "PLG-001", 100)
        needle = cls._lot(cls.needle, "NDL-001", 100)
        body = cls._produce(cls.bom_body, 20, "BDY-001", {barrel: 20, plunger: 20})
        cls.syringe_lot = cls._produce(
            cls.bom_syringe, 20, "SYR-001", {body: 20, needle: 20}
        )
        cls._deliver(cls.hospital, [(cls.syringe_lot, 12)])

    def _export(self, report, lots):
        wizard = (
            self.env["med.dossier.wizard"]
            .with_user(self.auditor)
            .with_context(default_report=report, active_ids=lots.ids)
            .create({"file_format": "xlsx"})
        )
        wizard.action_export()
        export = self.env["med.audit.export"].search([], order="id desc", limit=1)
        workbook = openpyxl.load_workbook(
            io.BytesIO(base64.b64decode(export.attachment_id.datas))
        )
        return {
            sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets
        }

    @staticmethod
    def _cells(rows):
        return {str(cell) for row in rows for cell in row if cell is not None}

    def test_lot_dossier_has_history_genealogy_and_deliveries(self):
        sheets = self._export("lot_dossier", self.syringe_lot)
        for title in (
            "Lots",
            "Status history",
            "Component lots (upstream)",
            "Production",
            "Deliveries (downstream)",
            "On hand",
            "Electronic signatures",
            "Audit trail",
        ):
            self.assertIn(title, sheets)
        self.assertIn("SYR-001", self._cells(sheets["Lots"]))
        components = self._cells(sheets["Component lots (upstream)"])
        self.assertLessEqual({"BRL-001", "PLG-001", "NDL-001", "BDY-001"}, components)
        self.assertIn("Ruijin Hospital", self._cells(sheets["Deliveries (downstream)"]))
        self.assertIn("12 Units", self._cells(sheets["Deliveries (downstream)"]))
        # the UDI of what was shipped (UDI rules: distribution records carry it)
        self.assertTrue(self.syringe_lot.med_udi.startswith("(01)06901234567892"))
        self.assertIn(
            self.syringe_lot.med_udi, self._cells(sheets["Deliveries (downstream)"])
        )
        self.assertIn("8 Units", self._cells(sheets["On hand"]))
        history = self._cells(sheets["Status history"])
        self.assertIn("released for the test", history)
        production = self._cells(sheets["Production"])
        self.assertIn("SYR-001", production)

    def test_recall_report_lists_customers_with_contacts(self):
        barrel = self.env["stock.lot"].search([("name", "=", "BRL-001")])
        sheets = self._export("recall_report", barrel)
        self.assertEqual(
            list(sheets),
            ["Lots in scope", "Customers to notify", "Deliveries", "Still in stock"],
        )
        self.assertIn("SYR-001", self._cells(sheets["Lots in scope"]))
        customers = self._cells(sheets["Customers to notify"])
        self.assertIn("Ruijin Hospital", customers)
        self.assertIn("+86 21 6437 0045", customers)
        self.assertIn("SYR-001 × 12 Units", customers)

    def test_catalog_of_sections_needs_no_records(self):
        catalog = dict(
            self.env["med.export.template"]._med_section_catalog("lot_dossier")
        )
        self.assertIn("components", catalog)
        self.assertIn("audit_trail", catalog)
