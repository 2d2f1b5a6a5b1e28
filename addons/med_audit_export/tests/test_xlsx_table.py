import io
import zipfile
from datetime import date, datetime
from unittest.mock import patch

import openpyxl

from odoo.tests import BaseCase, tagged

from ..tools import xlsx_table
from ..tools.xlsx_table import write_xlsx_table


def read_sheets(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return {
        sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()]
        for sheet in workbook.worksheets
    }, workbook


@tagged("post_install", "-at_install")
class TestXlsxTable(BaseCase):
    """The streamed evidence workbook opens in a spreadsheet reader with the header
    lines, the labels, every row as text and the footer; nothing is lost or run."""

    def _write(self, rows, name="Near-expiry lots", labels=("Lot", "Reason")):
        output = io.BytesIO()
        count = write_xlsx_table(
            output, name, [("Company", "ACME 医疗")], list(labels), rows, "Code X1"
        )
        return count, output.getvalue()

    def test_table_layout_and_styles(self):
        count, content = self._write(iter([("L1", "过期"), ("L2", None)]))
        self.assertEqual(count, 2)
        sheets, workbook = read_sheets(content)
        self.assertEqual(
            sheets["Near-expiry lots"],
            [
                ["Company", "ACME 医疗"],
                [None, None],
                ["Lot", "Reason"],
                ["L1", "过期"],
                ["L2", None],
                [None, None],
                ["Code X1", None],
            ],
        )
        sheet = workbook.active
        self.assertTrue(sheet["A1"].font.b)
        self.assertTrue(sheet["A3"].font.b)
        self.assertEqual(sheet["A3"].fill.fgColor.rgb, "FFD9E1F2")
        self.assertFalse(sheet["A4"].font.b)

    def test_text_stays_text_numbers_numbers_markup_escaped(self):
        rows = [
            ("=1+1", "<b>&amp;</b>"),
            (0, 12.5),
            ("tab\tbell\x07", "line\nbreak"),
        ]
        _count, content = self._write(rows)
        table = read_sheets(content)[0]["Near-expiry lots"][3:6]
        self.assertEqual(
            table,
            [
                ["=1+1", "<b>&amp;</b>"],
                [0, 12.5],
                # a control character is written as Excel writes it: Excel shows
                # it back, openpyxl leaves the escape as it is
                ["tab\tbell_x0007_", "line\nbreak"],
            ],
        )
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
        self.assertNotIn("<f>", sheet_xml)  # no formula anywhere
        self.assertIn("&lt;b&gt;&amp;amp;&lt;/b&gt;", sheet_xml)
        self.assertIn("_x0007_", sheet_xml)

    def test_characters_xml_cannot_hold_are_replaced_text_kept(self):
        rows = [("lot\ufffeA", "end\uffff"), ("half \ud800 surrogate", "ok")]
        _count, content = self._write(rows, name="Lots\uffff")
        sheets = read_sheets(content)[0]
        self.assertEqual(
            sheets["Lots\ufffd"][3:5],
            [["lot\ufffdA", "end\ufffd"], ["half \ufffd surrogate", "ok"]],
        )

    def test_long_table_goes_on_in_a_next_sheet(self):
        rows = [(f"L{number}", "r") for number in range(12)]
        with patch.object(xlsx_table, "MAX_SHEET_ROWS", 10):
            count, content = self._write(rows, name="Lots: A/B [1]")
        self.assertEqual(count, 12)
        sheets = read_sheets(content)[0]
        self.assertEqual(list(sheets), ["Lots  A B  1", "Lots  A B  1 (2)"])
        first, second = sheets.values()
        self.assertEqual(len(first), 10)
        self.assertEqual(second[0], ["Lot", "Reason"])  # labels again
        lots = [row[0] for row in first[3:] + second[1:] if row[0]]
        self.assertEqual(lots[:12], [f"L{number}" for number in range(12)])
        self.assertEqual(second[-1], ["Code X1", None])

    def test_rows_written_in_batches_lose_nothing(self):
        rows = [(f"L{number}", "r") for number in range(12)]
        with (
            patch.object(xlsx_table, "MAX_SHEET_ROWS", 10),
            patch.object(xlsx_table, "ROWS_PER_WRITE", 4),
        ):
            _count, batched = self._write(rows)
        with (
            patch.object(xlsx_table, "MAX_SHEET_ROWS", 10),
            patch.object(xlsx_table, "ROWS_PER_WRITE", 1),
        ):
            _count, one_by_one = self._write(rows)
        self.assertEqual(read_sheets(batched)[0], read_sheets(one_by_one)[0])

    def test_overlong_cell_is_cut_at_the_excel_limit(self):
        _count, content = self._write([("x" * 40000, "y")])
        cell = read_sheets(content)[0]["Near-expiry lots"][3][0]
        self.assertEqual(len(cell), xlsx_table.MAX_CELL_CHARS)

    def test_typed_cells_frozen_labels_filter_and_widths(self):
        when = datetime(2026, 3, 2, 1, 30, 15)
        rows = [
            (when, date(2026, 1, 5), 42, 1.25, "0012", "批记录审核与批准"),
            (None, None, None, None, "", "short"),
        ]
        labels = ["When", "Expiry", "Qty", "Price", "Lot", "Reason"]
        output = io.BytesIO()
        write_xlsx_table(output, "Lots", [("Company", "ACME")], labels, rows, "X")
        workbook = openpyxl.load_workbook(io.BytesIO(output.getvalue()))
        sheet = workbook.active
        cells = sheet[4]
        self.assertEqual(cells[0].value, when)
        self.assertTrue(cells[0].is_date)
        self.assertEqual(cells[0].number_format, xlsx_table.DATETIME_FORMAT)
        self.assertEqual(cells[1].value, datetime(2026, 1, 5))
        self.assertEqual(cells[1].number_format, xlsx_table.DATE_FORMAT)
        self.assertEqual((cells[2].data_type, cells[2].value), ("n", 42))
        self.assertEqual((cells[3].data_type, cells[3].value), ("n", 1.25))
        # text that looks like a number stays text: a lot number keeps its zeros
        self.assertEqual((cells[4].data_type, cells[4].value), ("s", "0012"))
        self.assertEqual(sheet.freeze_panes, "A4")  # header line, blank, labels
        self.assertEqual(sheet.auto_filter.ref, "A3:F5")  # labels and rows only
        widths = {key: dim.width for key, dim in sheet.column_dimensions.items()}
        self.assertGreaterEqual(widths["A"], len("2026-03-02 01:30:15"))
        self.assertGreaterEqual(widths["F"], 16)  # 8 Chinese characters, 2 wide
        self.assertLessEqual(max(widths.values()), xlsx_table.MAX_WIDTH + 1)

    def test_widths_capped_for_long_text(self):
        _count, content = self._write([("x" * 500, "y")])
        sheet = read_sheets(content)[1].active
        self.assertEqual(sheet.column_dimensions["A"].width, xlsx_table.MAX_WIDTH + 1)
