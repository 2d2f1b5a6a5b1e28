import base64
import io

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import MedRecallCommon


@tagged("post_install", "-at_install")
class TestRecallAccess(MedRecallCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.recall = cls._open_recall()

    def test_auditor_reads_but_cannot_change(self):
        recall = self.recall.with_user(self.auditor)
        self.assertEqual(recall.title, "Barrel cracks at the tip")
        self.assertEqual(len(recall.line_ids), 2)
        self.assertEqual(recall.outstanding_qty, 35.0)
        with self.assertRaises(AccessError):
            recall.write({"title": "Changed"})
        with self.assertRaises(AccessError):
            self.Recall.with_user(self.auditor).create({"title": "Mine"})
        with self.assertRaises(AccessError):
            recall.line_ids[0].write({"destroyed_note": "x"})
        with self.assertRaisesRegex(UserError, "Only a QA manager"):
            recall.action_launch()

    def test_warehouse_reads_the_recall_lines(self):
        recall = self.recall.with_user(self.warehouse)
        self.assertEqual(recall.line_ids.partner_id, self.hospital | self.distributor)
        self.assertEqual(len(recall.stock_ids), 2)
        with self.assertRaises(AccessError):
            recall.write({"title": "Changed"})

    def test_warehouse_sees_the_block_message(self):
        self._launch(self.recall)
        picking = self._transfer(self.barrel, 5, partner=self.hospital)
        self._set_lot_lines(picking.move_ids, [(self.barrel_lot, 5)])
        with self.assertRaises(UserError) as refused:
            picking.with_user(self.warehouse).button_validate()
        message = str(refused.exception)
        self.assertIn("BRL-R1", message)
        self.assertIn(self.recall.name, message)

    def test_record_rule_per_company(self):
        other = self.env["res.company"].create({"name": "Other Devices Ltd"})
        self.qa_manager.write({"company_ids": [(4, other.id)]})
        foreign = self.Recall.create({"title": "Foreign", "company_id": other.id})
        self.auditor.write({"company_ids": [(6, 0, self.env.company.ids)]})
        visible = self.Recall.with_user(self.auditor).search([("id", "=", foreign.id)])
        self.assertFalse(visible)

    def test_audit_trail_of_the_decision(self):
        self.env.flush_all()
        self.recall.with_user(self.qa_manager).with_context(
            med_reason="Reassessed with the clinical team"
        ).write({"nmpa_level": "1"})
        self.env.flush_all()
        entries = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "med.recall"),
                ("res_id", "=", self.recall.id),
                ("field_name", "=", "nmpa_level"),
            ],
            order="id",
        )
        self.assertEqual(entries[-1:].reason, "Reassessed with the clinical team")
        self.assertEqual(entries[-1:].new_value, "Level I")
        self.assertEqual(entries[-1:].user_id, self.qa_manager)

    def test_state_cannot_be_written_directly(self):
        with self.assertRaisesRegex(UserError, "can only be changed"):
            self.recall.with_user(self.qa_manager).write({"state": "closed"})

    def test_authority_report_xlsx_by_the_auditor(self):
        self._launch(self.recall)
        self._return(self.delivery_hospital, 8)
        export = self._export_report(self.recall, self.auditor)
        self.assertEqual(export.file_format, "xlsx")
        workbook = openpyxl.load_workbook(io.BytesIO(export.attachment_id.raw))
        self.assertEqual(
            workbook.sheetnames,
            [
                "Recall report",
                "Lots",
                "Consignees",
                "Reconciliation",
                "Stock at opening",
            ],
        )
        lots = {
            row[0]: row
            for row in workbook["Lots"].iter_rows(values_only=True)
            if row and row[0] in ("BRL-R1", "SYR-R1")
        }
        # made or received, shipped, in stock at opening (BRL-R1 was put in stock
        # by an inventory adjustment: neither made nor received)
        self.assertEqual(lots["BRL-R1"][6:11], ("Recalled", "Recalled", "0", "0", "40"))
        self.assertEqual(
            lots["SYR-R1"][6:11], ("Made from", "Recalled", "60", "35", "25")
        )
        consignees = [
            row[0]
            for row in workbook["Consignees"].iter_rows(values_only=True)
            if row
            and row[3] in ("devices@ruijin.example.com", "qa@sinopharm.example.com")
        ]
        self.assertEqual(consignees, ["Ruijin Hospital", "Sinopharm East"])
        values = {
            row[0]: row[1]
            for row in workbook["Recall report"].iter_rows(values_only=True)
            if row and row[0]
        }
        self.assertEqual(values["NMPA recall level"], "Level II")
        self.assertEqual(values["Quantity shipped"], "35")
        self.assertEqual(values["Quantity returned"], "8")
        self.assertEqual(values["Quantity outstanding"], "27")
        rows = [
            row
            for row in workbook["Reconciliation"].iter_rows(values_only=True)
            if row and row[0] == self.hospital.display_name
        ]
        self.assertEqual(rows[0][4:8], ("20", "8", "0", "12"))

    def test_authority_report_pdf_and_reconciliation_sheet(self):
        self._launch(self.recall)
        export = self._export_report(
            self.recall, self.qa_manager, "pdf", force_report_rendering=True
        )
        text = self._pdf_text(export.attachment_id.raw)
        self.assertIn("Health hazard assessment", text)
        self.assertIn(self.recall.name, text)
        self.assertIn(export.verification_code, text)
        action = self.recall.with_user(self.auditor).action_export_reconciliation()
        sheet = self.env["med.audit.export"].browse(action["res_id"])
        workbook = openpyxl.load_workbook(io.BytesIO(sheet.attachment_id.raw))
        cells = [c for row in workbook.active.iter_rows(values_only=True) for c in row]
        self.assertIn(self.distributor.display_name, cells)

    def test_authority_report_verified_through_verify_evidence_file(self):
        """The authority report is an evidence file as every other: the dossier
        engine records its export, its PDF names the export's code on every page,
        and Verify Evidence File finds the export from the code and the file; the
        file changed afterwards is not recognised."""
        self._launch(self.recall)
        export = self._export_report(
            self.recall, self.auditor, "pdf", force_report_rendering=True
        )
        content = export.attachment_id.raw
        self.assertEqual(export.report_name, "Recall report")
        self.assertEqual(export.filter_description, self.recall.name)
        self.assertIn(export.verification_code, self._pdf_text(content))
        Verify = self.env["med.audit.export.verify"].with_user(self.auditor)
        verified = Verify.create(
            {
                "code": export.verification_code,
                "file": base64.b64encode(content),
            }
        )
        verified.action_verify()
        self.assertEqual(verified.result, "valid")
        self.assertEqual(verified.export_id, export)
        changed = Verify.create(
            {
                "code": export.verification_code,
                "file": base64.b64encode(content + b"\n% changed"),
            }
        )
        changed.action_verify()
        self.assertEqual(changed.result, "unknown")
        self.assertFalse(changed.export_id)

    def test_authority_report_follows_its_template(self):
        """A template of the authority report chooses its sections and columns."""
        template = self.env["med.export.template"].create(
            {
                "name": "Lots only",
                "report": "recall_authority",
                "section_ids": [
                    Command.create(
                        {"code": "authority_lots", "columns": "lot,made,shipped"}
                    )
                ],
            }
        )
        export = self._export_report(
            self.recall, self.auditor, default_template_id=template.id
        )
        workbook = openpyxl.load_workbook(io.BytesIO(export.attachment_id.raw))
        self.assertEqual(workbook.sheetnames, ["Lots"])
        rows = {
            row[0]: row
            for row in workbook["Lots"].iter_rows(values_only=True)
            if row and row[0] == "SYR-R1"
        }
        self.assertEqual(rows["SYR-R1"], ("SYR-R1", "60", "35"))

    def test_warehouse_cannot_export(self):
        with self.assertRaisesRegex(UserError, "Only auditors"):
            self.recall.with_user(self.warehouse).action_export_report()

    def test_lot_dossier_has_a_recalls_section(self):
        self._launch(self.recall)
        sections = self.syringe_lot._med_dossier("lot_dossier")
        recalls = next(s for s in sections if s["code"] == "recalls")
        rows = list(recalls["rows"])
        self.assertEqual(rows[0][0], self.recall.name)
        self.assertEqual(rows[0][2], "Launched")

    def test_form_opens_for_each_role(self):
        """The recall form loads for the QA manager, the auditor and the warehouse:
        what a role may not read (letters, nonconformances) is not in its view."""
        self._launch(self.recall)
        for user in (self.qa_manager, self.auditor, self.warehouse):
            form = Form(self.recall.with_user(user))
            self.assertEqual(form.name, self.recall.name)
            self.assertEqual(form.outstanding_qty, 35.0)
        self.assertIn(
            "notification_ids",
            Form(self.recall.with_user(self.auditor))._view["fields"],
        )
        self.assertNotIn(
            "notification_ids",
            Form(self.recall.with_user(self.warehouse))._view["fields"],
        )

    def test_lot_shows_its_recalls_to_the_warehouse(self):
        lot = self.syringe_lot.with_user(self.warehouse)
        self.assertEqual(lot.med_recall_count, 1)
        action = lot.action_med_view_recalls()
        self.assertEqual(
            self.Recall.with_user(self.warehouse).search(action["domain"]), self.recall
        )
        self.assertEqual(self.needle_lot.with_user(self.warehouse).med_recall_count, 0)

    def test_launched_recall_is_retained(self):
        self._launch(self.recall)
        # even the administrator cannot delete it (retention rule)
        with self.assertRaises(UserError):
            self.recall.sudo().unlink()
        self.assertTrue(self.recall.exists())
        # nobody deletes it through access rights either
        with self.assertRaises(AccessError):
            self.recall.with_user(self.qa_manager).unlink()
