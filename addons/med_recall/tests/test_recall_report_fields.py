import io

import openpyxl

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import MedRecallCommon


@tagged("post_install", "-at_install")
class TestRecallReportFields(MedRecallCommon):
    """What NMPA's 召回事件报告表 and FDA 806.10 ask for beyond the classification: the
    registration certificate, the date the problem was found, who to contact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.syringe.med_registration_number = "国械注准20233140456"
        cls.barrel.med_registration_number = "苏械注准20222140011"
        # the body (an intermediate assembly) has none; the plunger shares one
        cls.plunger.med_registration_number = "苏械注准20222140011"
        cls.qa_manager.write({"phone": "+86 21 5555 0101", "email": "qa@devices.cn"})
        cls.recall = cls._open_recall()

    def _report_values(self, workbook):
        return {
            row[0]: row[1]
            for row in workbook["Recall report"].iter_rows(values_only=True)
            if row and row[0]
        }

    def _xlsx(self):
        export = self._export_report(self.recall, self.auditor)
        return openpyxl.load_workbook(io.BytesIO(export.attachment_id.raw))

    def test_authority_report_carries_the_new_fields(self):
        self._launch(self.recall)
        workbook = self._xlsx()
        values = self._report_values(workbook)
        labels = list(values)
        # after the UDI-DI, the distinct numbers of the scope's products
        self.assertEqual(
            labels.index("Registration/Filing No."), labels.index("UDI-DI") + 1
        )
        numbers = values["Registration/Filing No."].split(", ")
        self.assertEqual(
            sorted(numbers), sorted(["国械注准20233140456", "苏械注准20222140011"])
        )
        self.assertEqual(values["Problem found on"], "2026-11-18")
        # the syringes and their bodies were made in production; the barrels were
        # put in stock by an inventory adjustment (neither made nor received)
        made = values["Quantity made or received (per product)"].split("; ")
        self.assertEqual(
            sorted(made),
            sorted(
                [
                    f"{self.syringe.display_name}: 60 Units",
                    f"{self.body.display_name}: 60 Units",
                ]
            ),
        )
        self.assertEqual(values["Responsible person"], self.qa_manager.name)
        self.assertEqual(values["Responsible person's phone"], "+86 21 5555 0101")
        self.assertEqual(values["Responsible person's email"], "qa@devices.cn")
        self.assertEqual(
            values["Consignees to be notified by (UTC)"],
            fields.Datetime.to_string(self.recall.notification_deadline),
        )
        # a level II recall: three days after the launch
        self.assertEqual(
            (self.recall.notification_deadline - self.recall.date_launched).days, 3
        )
        # each lot row has its product's number, next to the UDI-DI
        header = next(
            row
            for row in workbook["Lots"].iter_rows(values_only=True)
            if row and row[0] == "Lot/Serial"
        )
        self.assertEqual(header[2:4], ("UDI-DI", "Registration/Filing No."))
        lots = {
            row[0]: row
            for row in workbook["Lots"].iter_rows(values_only=True)
            if row and row[0] in ("BRL-R1", "SYR-R1", "BODY-R1")
        }
        self.assertEqual(lots["SYR-R1"][3], "国械注准20233140456")
        self.assertEqual(lots["BRL-R1"][3], "苏械注准20222140011")
        self.assertIn(lots["BODY-R1"][3], (None, ""))

    def test_letter_shows_the_registration_number(self):
        self._launch(self.recall)
        notification = self.recall.notification_ids.filtered(
            lambda n: n.partner_id == self.hospital
        )
        content, _kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True, lang="en_US")
            ._render_qweb_pdf(
                "med_recall.action_report_recall_letter", notification.ids
            )
        )
        text = self._pdf_text(content)
        self.assertIn("Registration/Filing No.", text)
        self.assertIn("国械注准20233140456", text)
        # only the consignee's own products: the barrel's number is not in it
        self.assertNotIn("苏械注准20222140011", text)

    def test_problem_found_in_the_future_refused(self):
        # assertRaises (not ...Regex) rolls the refused write back to a savepoint
        with self.assertRaises(ValidationError) as refused:
            self.recall.with_user(self.qa_manager).write(
                {"date_discovered": "2999-01-01"}
            )
        self.assertIn("in the future", str(refused.exception))
        self.recall.invalidate_recordset()
        self.assertEqual(str(self.recall.date_discovered), "2026-11-18")
        with self.assertRaises(ValidationError):
            self._open_recall(lots=self.needle_lot, date_discovered="2999-01-01")
        self.assertFalse(self.Recall.search([("lot_ids", "in", self.needle_lot.ids)]))

    def test_problem_found_today_allowed(self):
        today = fields.Date.context_today(self.recall)
        self.recall.with_user(self.qa_manager).write({"date_discovered": today})
        self.assertEqual(self.recall.date_discovered, today)

    def test_launch_refused_without_the_date_the_problem_was_found(self):
        self.recall.date_discovered = False
        with self.assertRaisesRegex(UserError, "Problem Found On"):
            self.recall.with_user(self.qa_manager).action_launch()
        self.assertEqual(self.recall.state, "draft")
        self.recall.date_discovered = "2026-11-18"
        self._launch(self.recall)
        self.assertEqual(self.recall.state, "launched")

    def test_audit_trail_of_the_date_and_the_responsible(self):
        self.env.flush_all()
        self.recall.with_user(self.qa_manager).with_context(
            med_reason="Complaint log checked"
        ).write({"date_discovered": "2026-11-17", "user_id": self.inspector.id})
        self.env.flush_all()
        entries = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "med.recall"),
                ("res_id", "=", self.recall.id),
                ("field_name", "in", ("date_discovered", "user_id")),
                ("reason", "=", "Complaint log checked"),
            ]
        )
        self.assertEqual(
            set(entries.mapped("field_name")), {"date_discovered", "user_id"}
        )

    def test_quantity_received_from_a_supplier(self):
        self._receive(self.needle, "NDL-RX", 30)
        lot = self.env["stock.lot"].search([("name", "=", "NDL-RX")])
        recall = self._open_recall(lots=lot)
        self.assertEqual(recall._med_made_qty(), {lot.id: 30.0})
        rows = list(recall._med_lot_rows())
        labels = recall._med_lot_labels()
        self.assertEqual(rows[0][labels.index("Made or received")], "30")
        self.assertEqual(
            dict(recall._med_report_fields())[
                "Quantity made or received (per product)"
            ],
            f"{self.needle.display_name}: 30 Units",
        )
