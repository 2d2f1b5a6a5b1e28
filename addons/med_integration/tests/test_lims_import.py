import base64
import io
import re
import time
import zipfile

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MedIntegrationCommon

INLINE_CELL = (
    '<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c></row>'
)


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


@tagged("post_install", "-at_install")
class TestLimsImportBounds(MedIntegrationCommon):
    """A results file costs the server no more than its bounds: the sheet's declared
    size is not trusted, rows and columns past the bounds and too large files are
    refused with nothing imported; numbers and dates are read as values."""

    HEADER = ("lot", "product", "test", "question", "value", "unit", "date", "lab_ref")

    def _inspections(self):
        return self.env["qc.inspection"].search([("lot_id", "=", self.barrel_lot.id)])

    def _xlsx(self, rows, dimension=None, extra_sheet_xml=""):
        """An xlsx of the header and ``rows``; ``dimension`` rewrites the size the
        sheet declares, ``extra_sheet_xml`` is added after its last row."""
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(self.HEADER)
        for row in rows:
            sheet.append([row.get(key, "") for key in self.HEADER])
        buffer = io.BytesIO()
        workbook.save(buffer)
        source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
        crafted = io.BytesIO()
        with zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename == "xl/worksheets/sheet1.xml":
                    text = data.decode()
                    if dimension:
                        text = re.sub(
                            r'<dimension ref="[^"]*"/>',
                            f'<dimension ref="{dimension}"/>',
                            text,
                        )
                    text = text.replace(
                        "</sheetData>", extra_sheet_xml + "</sheetData>"
                    )
                    data = text.encode()
                target.writestr(info.filename, data)
        return crafted.getvalue()

    def _wizard_import(self, filename, content):
        wizard = (
            self.env["med.lims.import.wizard"]
            .with_user(self.qa_manager)
            .create({"file": base64.b64encode(content), "filename": filename})
        )
        return wizard.action_import()

    def test_declared_huge_dimension_not_expanded(self):
        content = self._xlsx(self._results(), dimension="A1:XFD1048576")
        self.assertLess(len(content), 8000)
        started = time.monotonic()
        self._wizard_import("results.xlsx", content)
        self.assertLess(time.monotonic() - started, 20)
        self.assertEqual(len(self._inspections()), 1)

    def test_row_far_below_refused_at_the_row_bound(self):
        self.env["ir.config_parameter"].set_param(
            "med_integration.lims_import_max_rows", "50"
        )
        far = (
            '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        )
        content = self._xlsx(
            self._results(), dimension="A1:XFD1048576", extra_sheet_xml=far
        )
        with self.assertRaisesRegex(UserError, "more than 50 result rows"):
            self._wizard_import("results.xlsx", content)
        self.assertFalse(self._inspections())

    def test_values_past_the_column_bound_refused(self):
        wide = INLINE_CELL.format(row=9, cell="AE9", text="x")
        content = self._xlsx(self._results(), extra_sheet_xml=wide)
        with self.assertRaisesRegex(UserError, "row 9: values past column 30"):
            self._wizard_import("results.xlsx", content)
        self.assertFalse(self._inspections())

    def test_too_large_file_refused(self):
        self.env["ir.config_parameter"].set_param(
            "med_integration.lims_import_max_bytes", "8192"
        )
        lines = [",".join(self.HEADER)] + [",".join(["x"] * 8)] * 1000
        with self.assertRaisesRegex(UserError, "too large .* at most 8 kB"):
            self._wizard_import("results.csv", "\n".join(lines).encode())
        # a small xlsx that unpacks to far more than its size
        padding = INLINE_CELL.format(row=5, cell="A5", text="a" * 200_000)
        content = self._xlsx([], extra_sheet_xml=padding)
        self.assertLess(len(content), 8192)
        with self.assertRaisesRegex(UserError, "too large"):
            self._wizard_import("results.xlsx", content)
        self.assertFalse(self._inspections())

    def test_too_many_results_in_one_call_refused(self):
        self.env["ir.config_parameter"].set_param(
            "med_integration.lims_import_max_rows", "1"
        )
        with self.assertRaisesRegex(UserError, "2 results in one call; at most 1"):
            self.Import.with_user(self.qa_manager).med_api_import_results(
                self._results()
            )
        self.assertFalse(self._inspections())

    def test_numeric_zero_is_a_value(self):
        self.Import.with_user(self.qa_manager).med_api_import_results(
            self._results(length=0)
        )
        inspection = self._inspections()
        length = inspection.inspection_lines.filtered(
            lambda line: line.name == "Barrel length"
        )
        self.assertEqual(length.quantitative_value, 0.0)
        self.assertEqual(inspection.state, "failed")  # 0 mm is outside 60-62 mm

    def test_result_dated_long_before_the_lot_refused(self):
        with self.assertRaisesRegex(
            UserError, "row 1: date 1900-01-01 is before .* lot BRL-LAB-01 was recorded"
        ):
            self.Import.with_user(self.qa_manager).med_api_import_results(
                self._results(date="1900-01-01")
            )
        self.assertFalse(self._inspections())
