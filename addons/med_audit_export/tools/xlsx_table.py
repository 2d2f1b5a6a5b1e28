"""One table of evidence as an xlsx workbook, streamed into the zip as rows come.

Evidence tables are long (a year of audit trail, every lot near expiry) and plain:
text cells, a bold header. xlsxwriter spends most of its time per cell (~15 us, its
cell API, type checks and XML escaping in Python), so a table of a million rows
costs minutes there. Here a row is one formatted string, written straight into the
compressed sheet: the same workbook, several times faster. Workbooks of several sheets
and reports built by report_xlsx keep using xlsxwriter.

Cells are inline strings (never formulas, numbers or links: evidence is text, as an
auditor reads it). A table longer than a sheet goes on in a next sheet, instead of
losing rows past Excel's last one.
"""

import re
import zipfile

MAX_SHEET_ROWS = 1_048_576  # Excel's limit
MAX_CELL_CHARS = 32_767  # Excel's limit
MAX_SHEET_NAME = 31
COLUMN_WIDTH = 20
STYLE_BOLD = 1
STYLE_LABEL = 2
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
<sheets>{sheets}</sheets></workbook>"""
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
# Styles 0: normal, 1: bold (header lines, footer), 2: column labels.
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
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
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" \
applyFill="1" applyBorder="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""
SHEET_START = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<cols><col min="1" max="{columns}" width="{width}" customWidth="1"/></cols>\
<sheetData>"""
SHEET_END = "</sheetData></worksheet>"


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
    text = xml_safe(value if isinstance(value, str) else str(value))
    if len(text) > MAX_CELL_CHARS:
        text = text[:MAX_CELL_CHARS]
    if XML_SPECIAL.search(text):
        text = XML_SPECIAL.sub(_escape_match, text)
    return text


def column_letters(count):
    letters = []
    for index in range(count):
        name, number = "", index + 1
        while number:
            number, rest = divmod(number - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def sheet_name(name, number):
    """A valid, unique sheet name: Excel refuses some characters and long names."""
    name = SHEET_NAME_FORBIDDEN.sub(" ", name or "").strip() or "Evidence"
    if number > 1:
        suffix = f" ({number})"
        return name[: MAX_SHEET_NAME - len(suffix)] + suffix
    return name[:MAX_SHEET_NAME]


class _Sheets:
    """The sheets of the workbook being written, one open at a time."""

    def __init__(self, archive, name, columns):
        self.archive, self.name = archive, name
        self.letters = column_letters(columns)
        self.width = max(columns, 1)
        self.names = []
        self.stream = None
        self.row = 0

    def open(self):
        number = len(self.names) + 1
        self.names.append(sheet_name(self.name, number))
        self.stream = self.archive.open(
            f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True
        )
        self.stream.write(
            SHEET_START.format(columns=self.width, width=COLUMN_WIDTH).encode()
        )
        self.row = 0

    def close(self):
        self.stream.write(SHEET_END.encode())
        self.stream.close()

    def append(self, values, style=0):
        """One row; an empty value leaves its cell empty. A full sheet goes on in a
        new one."""
        if self.row == MAX_SHEET_ROWS:
            self.close()
            self.open()
        self.row += 1
        number = self.row
        letters = self.letters
        style_attr = f' s="{style}"' if style else ""
        cells = "".join(
            f'<c r="{letters[col]}{number}"{style_attr} t="inlineStr"><is>'
            f'<t xml:space="preserve">{xml_text(value)}</t></is></c>'
            for col, value in enumerate(values)
            if value is not None and value is not False and value != ""
        )
        self.stream.write(f'<row r="{number}">{cells}</row>'.encode())

    def skip(self):
        self.row += 1


def write_xlsx_table(output, name, header_lines, labels, rows, footer):
    """Write the workbook into ``output`` (a path or a binary file): on sheet
    ``name``, the ``header_lines`` ((label, value) pairs, bold labels), an empty row,
    the column ``labels``, then ``rows`` (an iterable, read once, as it comes), an
    empty row and the bold ``footer``. Returns the number of table rows written."""
    count = 0
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        sheets = _Sheets(archive, name, max(len(labels), 2))
        sheets.open()
        for label, value in header_lines:
            sheets.append((label, value), STYLE_BOLD)
        sheets.skip()
        sheets.append(labels, STYLE_LABEL)
        append = sheets.append
        for values in rows:
            append(values)
            count += 1
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
                )
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
