"""One table of evidence as an xlsx workbook, streamed into the zip as rows come.

Evidence tables are long (a year of audit trail, every lot near expiry) and plain:
text cells, a bold header. xlsxwriter spends most of its time per cell (~15 us, its
cell API, type checks and XML escaping in Python), so a table of a million rows
costs minutes there. Here a row is one formatted string, written straight into the
compressed sheet: the same workbook, several times faster. Workbooks of several sheets
and reports built by report_xlsx keep using xlsxwriter.

Text is written as inline strings, never as formulas or links (evidence is text as
an auditor reads it, even "=1+1" or "0012"); values the rows give as numbers, dates
and datetimes are typed cells, so that a spreadsheet sorts and filters them as such.
The labels row is frozen and carries an autofilter over the table; column widths fit
the labels and the first rows (the rest is not known before the columns are written).
A table longer than a sheet goes on in a next sheet, labels repeated, instead of
losing rows past Excel's last one.
"""

import itertools
import re
import unicodedata
import zipfile
from datetime import date, datetime
from decimal import Decimal

MAX_SHEET_ROWS = 1_048_576  # Excel's limit
MAX_CELL_CHARS = 32_767  # Excel's limit
MAX_SHEET_NAME = 31
# Column widths in characters (a CJK character counts two): from the labels and the
# first WIDTH_SAMPLE rows, within limits.
WIDTH_SAMPLE = 200
MIN_WIDTH = 6
MAX_WIDTH = 60
STYLE_BOLD = 1
STYLE_LABEL = 2
STYLE_DATETIME = 3
STYLE_DATE = 4
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
TYPED_WIDTHS = {datetime: len("2026-01-31 23:59:59"), date: len("2026-01-31")}
EXCEL_EPOCH = datetime(1899, 12, 30)
SECONDS_PER_DAY = 86400
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# What XML text cannot hold as is: markup characters, and control characters that
# XML 1.0 forbids (written as Excel does, _xHHHH_).
XML_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]")
XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# What XML cannot hold at all, not even escaped (the non-characters U+FFFE and U+FFFF,
# and lone surrogates that UTF-8 cannot encode): a reader refuses the whole sheet, so
# each becomes the replacement character and the rest of the text is kept.
XML_ILLEGAL = re.compile("[\ud800-\udfff\ufffe\uffff]")
REPLACEMENT_CHARACTER = "\ufffd"
# Either of the above: most cells hold neither, and one search tells.
XML_UNSAFE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Rows are compressed into the sheet this many at a time: one call per row to the
# zip stream cost a fifth of a long table's time.
ROWS_PER_WRITE = 1000

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.\
relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-\
officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-\
officedocument.spreadsheetml.styles+xml"/>{sheets}</Types>"""
SHEET_CONTENT_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{number}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/>'
)
PACKAGE_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/\
relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<sheets>{sheets}</sheets><definedNames>{filters}</definedNames></workbook>"""
# The autofilter's range, as Excel itself records it.
WORKBOOK_FILTER = (
    '<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
    "{range}</definedName>"
)
WORKBOOK_SHEET = '<sheet name="{name}" sheetId="{number}" r:id="rId{number}"/>'
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
{sheets}<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/\
officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"""
WORKBOOK_SHEET_REL = (
    '<Relationship Id="rId{number}" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet{number}.xml"/>'
)
# Styles 0: normal, 1: bold (header lines, footer), 2: column labels, 3: datetime,
# 4: date.
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="2"><numFmt numFmtId="164" formatCode="{DATETIME_FORMAT}"/>\
<numFmt numFmtId="165" formatCode="{DATE_FORMAT}"/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="3"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill>\
<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/>\
<bgColor indexed="64"/></patternFill></fill></fills>\
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>\
<border><left style="thin"><color auto="1"/></left><right style="thin">\
<color auto="1"/></right><top style="thin"><color auto="1"/></top>\
<bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>\
</cellStyleXfs>\
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" \
applyFill="1" applyBorder="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
</cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""
# The rows above ``{top}`` (the labels and what precedes them) stay in view.
SHEET_START = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<sheetViews><sheetView workbookViewId="0"{selected}><pane ySplit="{frozen}" \
topLeftCell="A{top}" activePane="bottomLeft" state="frozen"/>\
<selection pane="bottomLeft" activeCell="A{top}" sqref="A{top}"/></sheetView>\
</sheetViews><cols>{cols}</cols><sheetData>"""
SHEET_COL = '<col min="{number}" max="{number}" width="{width}" customWidth="1"/>'
SHEET_END = '</sheetData><autoFilter ref="{range}"/></worksheet>'


def _escape_match(match):
    char = match.group()
    return XML_ESCAPES.get(char) or f"_x{ord(char):04X}_"


def xml_safe(text):
    """``text`` without the characters XML cannot hold (for every xlsx writer)."""
    if XML_ILLEGAL.search(text):
        return XML_ILLEGAL.sub(REPLACEMENT_CHARACTER, text)
    return text


def xml_text(value):
    """``value`` as the text of a cell: str, cut at Excel's cell limit, escaped."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= MAX_CELL_CHARS and not XML_UNSAFE.search(text):
        return text
    text = xml_safe(text)
    if len(text) > MAX_CELL_CHARS:
        text = text[:MAX_CELL_CHARS]
    if XML_SPECIAL.search(text):
        text = XML_SPECIAL.sub(_escape_match, text)
    return text


def display_width(text):
    """How many characters wide ``text`` shows: East Asian wide characters count
    two; a multi-line text is as wide as its longest line."""
    if not isinstance(text, str):
        text = str(text)
    if text.isascii():
        return max(map(len, text.split("\n"))) if "\n" in text else len(text)
    return max(
        sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)
        for line in text.split("\n")
    )


def column_widths(labels, rows):
    """Widths that fit ``labels`` and ``rows`` (a few), within the limits."""
    widths = [display_width(label) for label in labels]
    for values in rows:
        for col, value in enumerate(values[: len(widths)]):
            kind = type(value)
            if kind in TYPED_WIDTHS:
                width = TYPED_WIDTHS[kind]
            elif value is None or value is False or value == "":
                continue
            else:
                width = display_width(value)
            if width > widths[col]:
                widths[col] = width
    return [min(max(width, MIN_WIDTH), MAX_WIDTH) + 1 for width in widths]


def _cell_string(reference, style_attr, value):
    return (
        f'<c r="{reference}"{style_attr} t="inlineStr"><is>'
        f'<t xml:space="preserve">{xml_text(value)}</t></is></c>'
    )


def _cell_number(reference, style_attr, value):
    return f'<c r="{reference}"{style_attr}><v>{value!r}</v></c>'


def _cell_decimal(reference, style_attr, value):
    return f'<c r="{reference}"{style_attr}><v>{value}</v></c>'


def _cell_datetime(reference, _style_attr, value):
    serial = (value - EXCEL_EPOCH).total_seconds() / SECONDS_PER_DAY
    return f'<c r="{reference}" s="{STYLE_DATETIME}"><v>{serial!r}</v></c>'


def _cell_date(reference, _style_attr, value):
    serial = (value - EXCEL_EPOCH.date()).days
    return f'<c r="{reference}" s="{STYLE_DATE}"><v>{serial}</v></c>'


# How each type of value becomes a cell; any other type is written as its text.
CELL_WRITERS = {
    str: _cell_string,
    int: _cell_number,
    float: _cell_number,
    Decimal: _cell_decimal,
    datetime: _cell_datetime,
    date: _cell_date,
}


def _cell_text(reference, style_attr, value):
    return _cell_string(reference, style_attr, str(value))


def column_letters(count):
    letters = []
    for index in range(count):
        name, number = "", index + 1
        while number:
            number, rest = divmod(number - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def absolute_range(sheet, cells):
    """``'Sheet'!$A$1:$B$9`` for ``cells`` A1:B9 of ``sheet``, escaped for XML."""
    start, end = cells.split(":")
    absolute = ":".join(
        re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", reference) for reference in (start, end)
    )
    quoted = sheet.replace("'", "''")
    return xml_text(f"'{quoted}'!{absolute}")


def sheet_name(name, number):
    """A valid, unique sheet name: Excel refuses some characters and long names."""
    name = SHEET_NAME_FORBIDDEN.sub(" ", name or "").strip() or "Evidence"
    if number > 1:
        suffix = f" ({number})"
        return name[: MAX_SHEET_NAME - len(suffix)] + suffix
    return name[:MAX_SHEET_NAME]


class _Sheets:
    """The sheets of the workbook being written, one open at a time."""

    def __init__(self, archive, name, labels, widths):
        self.archive, self.name = archive, name
        self.labels = labels
        self.letters = column_letters(len(widths))
        self.cols = "".join(
            SHEET_COL.format(number=number, width=width)
            for number, width in enumerate(widths, start=1)
        )
        self.names = []
        self.filters = []
        self.stream = None
        self.pending = []
        self.row = 0
        self.labels_row = 0
        self.table = None

    def open(self, frozen_rows=1):
        """A new sheet whose first ``frozen_rows`` rows stay in view."""
        number = len(self.names) + 1
        self.names.append(sheet_name(self.name, number))
        self.stream = self.archive.open(
            f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True
        )
        self.stream.write(
            SHEET_START.format(
                selected=' tabSelected="1"' if number == 1 else "",
                frozen=frozen_rows,
                top=frozen_rows + 1,
                cols=self.cols,
            ).encode()
        )
        self.row = 0

    def end_table(self):
        """The table of this sheet ends here (the footer is not in its filter)."""
        last = self.letters[max(len(self.labels), 1) - 1]
        self.table = f"A{self.labels_row}:{last}{max(self.row, self.labels_row)}"

    def close(self):
        """End the sheet; its autofilter spans the labels and the rows below."""
        if self.table is None:
            self.end_table()
        self.filters.append(self.table)
        self.flush()
        self.stream.write(SHEET_END.format(range=self.table).encode())
        self.stream.close()
        self.table = None

    def append_labels(self):
        self.append(self.labels, STYLE_LABEL)
        self.labels_row = self.row

    def append(self, values, style=0):
        """One row; an empty value leaves its cell empty. A full sheet goes on in a
        new one, under the labels again."""
        if self.row == MAX_SHEET_ROWS:
            self.close()
            self.open()
            self.append_labels()
        self.row += 1
        number = self.row
        letters = self.letters
        style_attr = f' s="{style}"' if style else ""
        writers = CELL_WRITERS
        cells = []
        for col, value in enumerate(values):
            if value is None or value is False or value == "":
                continue
            if type(value) is str:  # most cells: inline, without a call
                cells.append(
                    f'<c r="{letters[col]}{number}"{style_attr} t="inlineStr"><is>'
                    f'<t xml:space="preserve">{xml_text(value)}</t></is></c>'
                )
            else:
                writer = writers.get(type(value), _cell_text)
                cells.append(writer(f"{letters[col]}{number}", style_attr, value))
        self.pending.append(f'<row r="{number}">{"".join(cells)}</row>')
        if len(self.pending) == ROWS_PER_WRITE:
            self.flush()

    def flush(self):
        """Write the rows appended since the last flush into the sheet."""
        self.stream.write("".join(self.pending).encode())
        self.pending.clear()

    def skip(self):
        self.row += 1


def write_xlsx_table(output, name, header_lines, labels, rows, footer):
    """Write the workbook into ``output`` (a path or a binary file): on sheet
    ``name``, the ``header_lines`` ((label, value) pairs, bold labels), an empty row,
    the column ``labels``, then ``rows`` (an iterable, read once, as it comes), an
    empty row and the bold ``footer``. Returns the number of table rows written."""
    count = 0
    rows = iter(rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE))
    widths = column_widths(labels, sample)
    if len(widths) < 2:  # the header lines take two columns
        widths += [MIN_WIDTH] * (2 - len(widths))
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        sheets = _Sheets(archive, name, labels, widths)
        sheets.open(frozen_rows=len(header_lines) + 2)
        for label, value in header_lines:
            sheets.append((label, value), STYLE_BOLD)
        sheets.skip()
        sheets.append_labels()
        append = sheets.append
        for values in itertools.chain(sample, rows):
            append(values)
            count += 1
        sheets.end_table()
        sheets.skip()
        sheets.append((footer,), STYLE_BOLD)
        sheets.close()
        numbers = range(1, len(sheets.names) + 1)
        archive.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(
                sheets="".join(SHEET_CONTENT_TYPE.format(number=n) for n in numbers)
            ),
        )
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr(
            "xl/workbook.xml",
            WORKBOOK.format(
                sheets="".join(
                    WORKBOOK_SHEET.format(
                        name=xml_text(sheet).replace('"', "&quot;"), number=n
                    )
                    for n, sheet in zip(numbers, sheets.names, strict=True)
                ),
                filters="".join(
                    WORKBOOK_FILTER.format(
                        index=index, range=absolute_range(sheet, table)
                    )
                    for index, (sheet, table) in enumerate(
                        zip(sheets.names, sheets.filters, strict=True)
                    )
                ),
            ),
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            WORKBOOK_RELS.format(
                sheets="".join(WORKBOOK_SHEET_REL.format(number=n) for n in numbers)
            ),
        )
        archive.writestr("xl/styles.xml", STYLES)
    return count
