import base64
import io

import openpyxl

from odoo.tests import tagged

from .common import MedEquipmentCommon


@tagged("post_install", "-at_install")
class TestEquipmentDossier(MedEquipmentCommon):
    """The lot dossier (DHR) gets the equipment, service and complaint sections
    from this addon: read back from the xlsx the auditor exports."""

    def _export(self, lots):
        wizard = (
            self.env["med.dossier.wizard"]
            .with_user(self.auditor)
            .with_context(default_report="lot_dossier", active_ids=lots.ids)
            .create({"file_format": "xlsx"})
        )
        wizard.action_export()
        export = self.env["med.audit.export"].search([], order="id desc", limit=1)
        workbook = openpyxl.load_workbook(
            io.BytesIO(base64.b64decode(export.attachment_id.datas))
        )
        return {
            sheet.title: {
                str(cell) for row in sheet.iter_rows(values_only=True) for cell in row
            }
            for sheet in workbook.worksheets
        }

    def test_sections_are_offered_by_this_addon(self):
        codes = {
            section["code"]
            for section in self.env["stock.lot"]
            .browse()
            ._med_dossier_sections("lot_dossier")
        }
        self.assertTrue({"equipment", "service", "complaints"} <= codes)
        # not in the other reports
        codes = {
            section["code"]
            for section in self.env["stock.lot"]
            .browse()
            ._med_dossier_sections("recall_report")
        }
        self.assertFalse({"equipment", "service", "complaints"} & codes)

    def test_lot_dossier_lists_equipment_of_its_components_and_complaints(self):
        barrel = self._lot(self.barrel, "BRL-DHR", 20)
        plunger = self._lot(self.plunger, "PLG-DHR", 20)
        self._pass(self._inspect_lot(barrel))  # with the caliper
        production = self._production(
            self.bom_body, 10, "BODY-DHR", {barrel: 10, plunger: 10}, self.leak_tester
        )
        production.button_mark_done()
        body = production.lot_producing_id
        complaint = self.env["med.complaint"].create(
            {
                "partner_id": self.hospital.id,
                "lot_id": body.id,
                "description": "Burr inside the body",
            }
        )
        complaint.action_register()
        sheets = self._export(body)
        equipment = sheets["Equipment used"]
        self.assertIn("Leak tester LT-1", equipment)
        self.assertIn("Caliper CP-1", equipment)  # the barrel's inspection
        self.assertIn(production.name, equipment)
        self.assertIn(self.leak_tester_calibration.display_name, equipment)
        self.assertIn("Valid", equipment)
        complaints = sheets["Complaints"]
        self.assertIn(complaint.name, complaints)
        self.assertIn("Burr inside the body", complaints)
        self.assertIn("Service history", sheets)
        # the complaint is in the dossier of the barrel lot too (made into the body)
        self.assertIn(complaint.name, self._export(barrel)["Complaints"])
        # and not in an unrelated lot's
        other = self._lot(self.barrel, "BRL-ELSEWHERE", 5)
        self.assertNotIn(complaint.name, self._export(other)["Complaints"])

    def test_complaints_sheet_has_the_reportability_and_the_reasons(self):
        body = self._lot(self.body, "BODY-AE", 5)
        reportable = self.env["med.complaint"].create(
            {
                "partner_id": self.hospital.id,
                "lot_id": body.id,
                "description": "Leak during injection",
                "adverse_event": True,
                "date_aware": "2025-03-03",
            }
        )
        reportable.action_register()
        reportable.with_user(self.qa_manager).write(
            {
                "event_category": "serious_injury",
                "reportable": "yes",
                "reportability_justification": "Under-dosing of a patient",
            }
        )
        self._sign(
            reportable.with_user(self.qa_manager).action_decide_reportability(),
            self.qa_manager,
        )
        reportable.with_user(self.qa_manager).write(
            {"report_reference": "AE-2025-0042", "date_report_submitted": "2025-03-10"}
        )
        minor = self.env["med.complaint"].create(
            {
                "partner_id": self.hospital.id,
                "lot_id": body.id,
                "description": "Label slightly smudged",
                "severity": "minor",
                "no_investigation_reason": "Cosmetic, legible, no risk",
            }
        )
        minor.action_register()
        cells = self._export(body)["Complaints"]
        decision = next(cell for cell in cells if "Under-dosing" in cell)
        self.assertIn("Yes (Serious injury, aware on 2025-03-03)", decision)
        self.assertIn(self.qa_manager.name, decision)
        self.assertIn("2025-03-23 / 2025-04-02", cells)  # NMPA 20 days, FDA 30
        self.assertIn("AE-2025-0042 2025-03-10", cells)
        self.assertIn("Cosmetic, legible, no risk", cells)
        self.assertIn("Not decided", cells)  # the minor complaint
