import base64
import csv
import io
import zipfile

import openpyxl

from odoo import fields, models
from odoo.exceptions import UserError

from ..models.med_lims_import import RESULT_KEYS

# How much larger than the upload bound an xlsx may unpack to (xml compresses ~10x).
UNPACKED_RATIO = 20


class MedLimsImportWizard(models.TransientModel):
    """Upload a laboratory's results file (csv or xlsx, one result per row, the
    columns of ``RESULT_KEYS`` in the first row) and import it: the same checks
    and the same recording as the JSON-RPC method."""

    _name = "med.lims.import.wizard"
    _description = "Import Laboratory Results"

    file = fields.Binary(required=True)
    filename = fields.Char()

    def _med_rows(self):
        """[(line number in the file, {column: value})]; the header is line 1.
        The file is read as it comes, never further than the import's bounds."""
        self.ensure_one()
        bounds = self.env["med.lims.import"]._med_bounds()
        encoded = self.file or b""
        # The size is known from the base64 text, before anything is decoded.
        size = len(encoded) * 3 // 4
        if size > bounds["max_bytes"]:
            self._med_raise_too_big(size, bounds["max_bytes"])
        content = base64.b64decode(encoded)
        name = (self.filename or "").lower()
        if name.endswith(".xlsx"):
            lines = self._med_xlsx_lines(content, bounds)
        elif name.endswith(".csv"):
            lines = self._med_csv_lines(content, bounds)
        else:
            raise UserError(self.env._("Upload a .csv or .xlsx file."))
        if not lines:
            raise UserError(self.env._("The file is empty."))
        header = [str(cell).strip().lower() for cell in lines[0]]
        missing = [key for key in RESULT_KEYS if key not in header]
        if missing:
            raise UserError(
                self.env._(
                    "The first row must name the columns %(columns)s; missing: "
                    "%(missing)s.",
                    columns=", ".join(RESULT_KEYS),
                    missing=", ".join(missing),
                )
            )
        return [
            (number, dict(zip(header, line, strict=False)))
            for number, line in enumerate(lines[1:], start=2)
            if any(str(cell).strip() for cell in line)
        ]

    def _med_raise_too_big(self, size, limit):
        raise UserError(
            self.env._(
                "%(file)s is too large (%(size)s kB unpacked or uploaded; at most "
                "%(limit)s kB, system parameter %(parameter)s). Split the results "
                "into several files. Nothing was imported.",
                file=self.filename,
                size=size // 1024,
                limit=limit // 1024,
                parameter="med_integration.lims_import_max_bytes",
            )
        )

    def _med_ensure_line(self, number, line, bounds):
        """Refuse the file at its first line past the bounds (header included)."""
        if number > bounds["max_rows"] + 1:
            raise UserError(
                self.env._(
                    "%(file)s has more than %(limit)s result rows (system parameter "
                    "%(parameter)s). Split the results into several files. Nothing "
                    "was imported.",
                    file=self.filename,
                    limit=bounds["max_rows"],
                    parameter="med_integration.lims_import_max_rows",
                )
            )
        used = [index for index, cell in enumerate(line) if str(cell).strip()]
        if used and used[-1] >= bounds["max_columns"]:
            raise UserError(
                self.env._(
                    "%(file)s, row %(row)s: values past column %(limit)s (system "
                    "parameter %(parameter)s); a results file has the columns "
                    "%(columns)s. Nothing was imported.",
                    file=self.filename,
                    row=number,
                    limit=bounds["max_columns"],
                    parameter="med_integration.lims_import_max_columns",
                    columns=", ".join(RESULT_KEYS),
                )
            )

    def _med_xlsx_lines(self, content, bounds):
        unreadable = UserError(
            self.env._(
                "%(file)s is not a readable xlsx file.",
                file=self.filename,
            )
        )
        # An xlsx is a zip: what it unpacks to is bounded too (a small file can
        # declare gigabytes of sheet).
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile as error:
            raise unreadable from error
        if unpacked > bounds["max_bytes"] * UNPACKED_RATIO:
            self._med_raise_too_big(unpacked, bounds["max_bytes"] * UNPACKED_RATIO)
        try:
            workbook = openpyxl.load_workbook(
                io.BytesIO(content), read_only=True, data_only=True
            )
        except Exception as error:
            raise unreadable from error
        try:
            sheet = workbook.worksheets[0]
            # The sheet's declared size is the file's word, not its content:
            # trusted, it pads every row and adds empty rows up to it.
            sheet.reset_dimensions()
            lines = []
            # One column past the bound is read, to refuse a file that uses it;
            # cells further right are never expanded.
            rows = sheet.iter_rows(values_only=True, max_col=bounds["max_columns"] + 1)
            for number, row in enumerate(rows, start=1):
                line = ["" if cell is None else cell for cell in row]
                self._med_ensure_line(number, line, bounds)
                lines.append(line)
        except UserError:
            raise
        except Exception as error:
            raise unreadable from error
        finally:
            workbook.close()
        return lines

    def _med_csv_lines(self, content, bounds):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise UserError(
                self.env._(
                    "%(file)s is not UTF-8 text.",
                    file=self.filename,
                )
            ) from error
        lines = []
        for number, line in enumerate(csv.reader(io.StringIO(text)), start=1):
            self._med_ensure_line(number, line, bounds)
            lines.append(line)
        return lines

    def action_import(self):
        results = self.env["med.lims.import"]._med_import(self._med_rows())
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Imported Inspections"),
            "res_model": "qc.inspection",
            "view_mode": "list,form",
            "domain": [("id", "in", [result["id"] for result in results])],
        }
