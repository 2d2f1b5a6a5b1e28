import base64
import io

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MedIntegrationCommon


@tagged("post_install", "-at_install")
class TestLimsImport(MedIntegrationCommon):
    def _inspections(self):
        return self.env["qc.inspection"].search([("lot_id", "=", self.barrel_lot.id)])

    def test_passing_results_recorded_as_one_inspection(self):
        [answer] = self.Import.with_user(self.qa_manager).med_api_import_results(
            self._results()
        )
        inspection = self._inspections()
        self.assertEqual(answer["id"], inspection.id)
        self.assertEqual((inspection.state, inspection.success), ("success", True))
        self.assertEqual(inspection.med_lab_ref, "LAB-1")
        length = inspection.inspection_lines.filtered(
            lambda line: line.name == "Barrel length"
        )
        self.assertEqual(length.quantitative_value, 61.0)
        self.assertFalse(self._records("med.nonconformance", self.barrel_lot))

    def test_failed_result_opens_nonconformance_and_capa(self):
        """A measure outside 60-62 mm fails the inspection; the QA manager's import
        approves it, and the default rule escalates as for a manual failure."""
        self.Import.with_user(self.qa_manager).med_api_import_results(
            self._results(length="63.4")
        )
        inspection = self._inspections()
        self.assertEqual(inspection.state, "failed")
        nonconformance = self.Nonconformance.search(
            [("inspection_id", "=", inspection.id)]
        )
        self.assertEqual(nonconformance.rule_id, self.rule_inspection)
        self.assertEqual(nonconformance.lot_ids, self.barrel_lot)
        self.assertTrue(nonconformance.capa_id)
        self.assertEqual(self.barrel_lot.med_state, "hold")

    def test_inspector_import_waits_for_approval(self):
        self.Import.with_user(self.inspector).med_api_import_results(
            self._results(burrs="Found")
        )
        inspection = self._inspections()
        self.assertEqual(inspection.state, "waiting")
        self.assertFalse(self._records("med.nonconformance", self.barrel_lot))
        inspection.with_user(self.qa_manager).action_approve()
        self.assertEqual(len(self._records("med.nonconformance", self.barrel_lot)), 1)

    def test_every_problem_listed_and_nothing_imported(self):
        rows = self._results(unit="kg", lab_ref="LAB-2")
        rows[1]["value"] = "Scratched"
        rows.append(dict(rows[1], value="None"))  # the same question twice
        rows.append(dict(rows[0], lot="BRL-NOPE", unit="mm"))
        rows.append(dict(rows[0], value="abc", unit="mm", lab_ref="LAB-5"))
        with self.assertRaises(UserError) as caught:
            self.Import.with_user(self.qa_manager).med_api_import_results(rows)
        message = str(caught.exception)
        self.assertIn("row 1: unit mismatch: kg cannot be converted to mm", message)
        self.assertIn("row 2: out of range: Scratched is not an answer", message)
        self.assertIn("row 3: duplicate of row 2", message)
        self.assertIn("row 4: unknown lot BRL-NOPE", message)
        self.assertIn("row 5: out of range: abc is not a number", message)
        self.assertFalse(self._inspections())

    def test_one_bad_row_blocks_the_good_ones(self):
        good = self._results(lab_ref="LAB-3")
        bad = self._results(lab_ref="LAB-4", date="2999-01-01")
        with self.assertRaisesRegex(UserError, "row 3: date 2999-01-01 is in the"):
            self.Import.with_user(self.qa_manager).med_api_import_results(good + bad)
        self.assertFalse(self._inspections())

    def test_incomplete_and_reimported_results_refused(self):
        with self.assertRaisesRegex(UserError, "lacks the results of Tip burrs"):
            self.Import.with_user(self.qa_manager).med_api_import_results(
                self._results()[:1]
            )
        self.Import.with_user(self.qa_manager).med_api_import_results(self._results())
        with self.assertRaisesRegex(UserError, "LAB-1 .* is already imported"):
            self.Import.with_user(self.qa_manager).med_api_import_results(
                self._results()
            )
        self.assertEqual(len(self._inspections()), 1)

    def test_warehouse_user_cannot_import(self):
        with self.assertRaises(AccessError):
            self.Import.with_user(self.warehouse).med_api_import_results(
                self._results()
            )
        self.assertFalse(self._inspections())

    def _wizard_import(self, filename, content):
        wizard = (
            self.env["med.lims.import.wizard"]
            .with_user(self.qa_manager)
            .create({"file": base64.b64encode(content), "filename": filename})
        )
        return wizard.action_import()

    def test_csv_and_xlsx_files(self):
        header = ["lot", "product", "test", "question", "value", "unit", "date"]
        header.append("lab_ref")
        rows = [[row.get(key, "") for key in header] for row in self._results()]
        text = "\n".join(",".join(line) for line in [header] + rows)
        action = self._wizard_import("results.csv", text.encode())
        self.assertEqual(action["res_model"], "qc.inspection")
        self.assertEqual(len(self._inspections()), 1)
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(header)
        for row in self._results(lab_ref="LAB-X", length="abc"):
            sheet.append([row.get(key, "") for key in header])
        buffer = io.BytesIO()
        workbook.save(buffer)
        with self.assertRaisesRegex(UserError, "row 2: out of range: abc"):
            self._wizard_import("results.xlsx", buffer.getvalue())
        self.assertEqual(len(self._inspections()), 1)

    def test_question_without_unit_and_non_finite_value_refused(self):
        self.env["qc.test"].create(
            {
                "name": "Pouch seal",
                "test_lines": [
                    Command.create({"name": "Peel strength", "type": "quantitative"})
                ],
            }
        )
        row = dict(
            self._results()[0],
            test="Pouch seal",
            question="Peel strength",
            value="nan",
            unit="mm",
        )
        with self.assertRaises(UserError) as caught:
            self.Import.with_user(self.qa_manager).med_api_import_results([row])
        message = str(caught.exception)
        self.assertIn("row 1: out of range: nan is not a number", message)
        self.assertIn("question Peel strength has no unit in its test", message)
        self.assertFalse(self._inspections())
