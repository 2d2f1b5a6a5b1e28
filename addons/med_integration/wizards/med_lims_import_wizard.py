import base64
import csv
import io

import openpyxl

from odoo import fields, models
from odoo.exceptions import UserError

from ..models.med_lims_import import RESULT_KEYS


class MedLimsImportWizard(models.TransientModel):
    """Upload a laboratory's results file (csv or xlsx, one result per row, the
    columns of ``RESULT_KEYS`` in the first row) and import it: the same checks
    and the same recording as the JSON-RPC method."""

    _name = "med.lims.import.wizard"
    _description = "Import Laboratory Results"

    file = fields.Binary(required=True)
    filename = fields.Char()

    def _med_rows(self):
        """[(line number in the file, {column: value})]; the header is line 1."""
        self.ensure_one()
        content = base64.b64decode(self.file or b"")
        name = (self.filename or "").lower()
        if name.endswith(".xlsx"):
            try:
                workbook = openpyxl.load_workbook(
                    io.BytesIO(content), read_only=True, data_only=True
                )
            except Exception as error:
                raise UserError(
                    self.env._(
                        "%(file)s is not a readable xlsx file. (无法读取该文件。)",
                        file=self.filename,
                    )
                ) from error
            lines = [
                ["" if cell is None else cell for cell in row]
                for row in workbook.worksheets[0].iter_rows(values_only=True)
            ]
        elif name.endswith(".csv"):
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise UserError(
                    self.env._(
                        "%(file)s is not UTF-8 text. (请使用UTF-8编码。)",
                        file=self.filename,
                    )
                ) from error
            lines = list(csv.reader(io.StringIO(text)))
        else:
            raise UserError(
                self.env._("Upload a .csv or .xlsx file. (请上传csv或xlsx文件。)")
            )
        if not lines:
            raise UserError(self.env._("The file is empty. (文件为空。)"))
        header = [str(cell).strip().lower() for cell in lines[0]]
        missing = [key for key in RESULT_KEYS if key not in header]
        if missing:
            raise UserError(
                self.env._(
                    "The first row must name the columns %(columns)s; missing: "
                    "%(missing)s. (缺少列。)",
                    columns=", ".join(RESULT_KEYS),
                    missing=", ".join(missing),
                )
            )
        return [
            (number, dict(zip(header, line, strict=False)))
            for number, line in enumerate(lines[1:], start=2)
            if any(str(cell).strip() for cell in line)
        ]

    def action_import(self):
        results = self.env["med.lims.import"]._med_import(self._med_rows())
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Imported Inspections"),
            "res_model": "qc.inspection",
            "view_mode": "list,form",
            "domain": [("id", "in", [result["id"] for result in results])],
        }
