import csv
import hashlib
import io

import xlsxwriter

from odoo import api, fields, models

from .med_hash_chain_mixin import refuse_change

ENTRY_COLUMNS = [
    "timestamp",
    "user",
    "operation",
    "res_model",
    "res_id",
    "res_name",
    "field",
    "old_value",
    "new_value",
    "reason",
    "entry_hash",
]
# Evidence is text: a value starting with "=" must never become a formula.
XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_FORMATS = [("xlsx", "Excel (xlsx)"), ("csv", "CSV"), ("pdf", "PDF")]


class MedAuditExport(models.Model):
    """An evidence export: who exported what, with which filter, and the file's hash."""

    _name = "med.audit.export"
    _description = "Evidence Export"
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user, index=True
    )
    date = fields.Datetime(readonly=True, default=fields.Datetime.now)
    report_name = fields.Char(string="Report", readonly=True)
    file_format = fields.Selection(EXPORT_FORMATS, readonly=True)
    filter_description = fields.Text(string="Filter", readonly=True)
    record_count = fields.Integer(string="Rows", readonly=True)
    file_sha256 = fields.Char(string="File SHA-256", readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="File", readonly=True)
    company_id = fields.Many2one(
        "res.company", readonly=True, default=lambda self: self.env.company
    )

    def write(self, vals):  # pylint: disable=method-required-super
        refuse_change(self)  # append-only: no path may reach the ORM's write

    def unlink(self):  # pylint: disable=method-required-super
        refuse_change(self, deletion=True)

    def action_download(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.attachment_id.id}?download=true",
            "target": "self",
        }

    # -- the export engine, shared by every addon's evidence report --
    @api.model
    def _med_entry_columns(self):
        labels = {
            "timestamp": self.env._("When (UTC)"),
            "user": self.env._("User"),
            "operation": self.env._("Operation"),
            "res_model": self.env._("Model"),
            "res_id": self.env._("Record ID"),
            "res_name": self.env._("Record"),
            "field": self.env._("Field"),
            "old_value": self.env._("Old Value"),
            "new_value": self.env._("New Value"),
            "reason": self.env._("Reason"),
            "entry_hash": self.env._("Hash"),
        }
        return [(name, labels[name]) for name in ENTRY_COLUMNS]

    @api.model
    def _med_header_lines(self, data):
        return [
            (self.env._("Company"), self.env.company.name),
            (self.env._("Report"), data.get("title") or self.env._("Audit Trail")),
            (
                self.env._("Filter"),
                data.get("filter_description") or self.env._("All entries"),
            ),
            (
                self.env._("Exported by"),
                f"{self.env.user.name} ({self.env.user.login})",
            ),
            (
                self.env._("Exported on (UTC)"),
                fields.Datetime.to_string(fields.Datetime.now()),
            ),
        ]

    @api.model
    def _med_iter_entry_rows(self, domain, chunk=10000):
        """Rows of text for the entries matching ``domain``, read in chunks by id."""
        Entry = self.env["med.audit.entry"]
        operations = dict(Entry._fields["operation"]._description_selection(self.env))
        names = ["timestamp", "user_id", "operation", "res_model", "res_id", "res_name"]
        names += ["field_name", "field_label", "old_value", "new_value", "reason"]
        names += ["entry_hash"]
        last_id = 0
        while True:
            entries = Entry.search_fetch(
                domain + [("id", ">", last_id)], names, order="id", limit=chunk
            )
            if not entries:
                return
            entries.user_id.mapped("name")
            for entry in entries:
                yield [
                    fields.Datetime.to_string(entry.timestamp) or "",
                    entry.user_id.name or "",
                    operations.get(entry.operation, entry.operation or ""),
                    entry.res_model or "",
                    str(entry.res_id or ""),
                    entry.res_name or "",
                    entry.field_label or entry.field_name or "",
                    entry.old_value or "",
                    entry.new_value or "",
                    entry.reason or "",
                    entry.entry_hash or "",
                ]
            last_id = entries[-1].id
            entries.invalidate_recordset()

    @api.model
    def _med_write_xlsx_table(self, workbook, sheet_name, data, labels, rows):
        """One sheet: the header lines, then the table, then the exporter line. Rows
        are written as they come (constant memory): ``rows`` may be a generator."""
        sheet = workbook.add_worksheet(sheet_name)
        bold = workbook.add_format({"bold": True})
        header = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        row = 0
        for label, value in self._med_header_lines(data):
            sheet.write_string(row, 0, label, bold)
            sheet.write_string(row, 1, value)
            row += 1
        sheet.set_column(0, len(labels) - 1, 20)
        sheet.write_row(row + 1, 0, labels, header)
        row += 2
        for values in rows:
            for col, value in enumerate(values):
                sheet.write_string(row, col, "" if value is None else str(value))
            row += 1
        sheet.write_string(
            row + 1,
            0,
            self.env._(
                "Exported by %(user)s on %(date)s UTC",
                user=self.env.user.name,
                date=fields.Datetime.to_string(fields.Datetime.now()),
            ),
        )

    @api.model
    def _med_render_table(self, file_format, data, labels, rows):
        """A table of evidence as xlsx or csv bytes, with the header lines."""
        if file_format == "xlsx":
            buffer = io.BytesIO()
            workbook = xlsxwriter.Workbook(buffer, XLSX_OPTIONS)
            self._med_write_xlsx_table(
                workbook, data.get("title") or "Evidence", data, labels, rows
            )
            workbook.close()
            return buffer.getvalue()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for label, value in self._med_header_lines(data):
            writer.writerow([label, self._med_csv_safe(value)])
        writer.writerow([])
        writer.writerow(labels)
        for values in rows:
            writer.writerow(
                [
                    self._med_csv_safe("" if value is None else str(value))
                    for value in values
                ]
            )
        # BOM: Excel opens UTF-8 CSV with Chinese text correctly only with it.
        return ("\ufeff" + buffer.getvalue()).encode()

    @api.model
    def _med_csv_safe(self, value):
        """Neutralise spreadsheet formulas (CSV injection): evidence stays text."""
        return f"'{value}" if value.startswith(CSV_FORMULA_PREFIXES) else value

    @api.model
    def _med_record_export(
        self, title, file_format, content, filter_description, count
    ):
        """Store an export's file, record who exported what, and log it in the trail."""
        digest = hashlib.sha256(content).hexdigest()
        stamp = fields.Datetime.now().strftime("%Y%m%d-%H%M%S")
        filename = f"{title}-{stamp}.{file_format}".replace("/", "-")
        # sudo: the file and its export record are system evidence, not user data.
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create({"name": filename, "raw": content, "res_model": self._name})
        )
        export = self.sudo().create(
            {
                "name": filename,
                "report_name": title,
                "file_format": file_format,
                "filter_description": filter_description,
                "record_count": count,
                "file_sha256": digest,
                "attachment_id": attachment.id,
            }
        )
        attachment.res_id = export.id
        export._med_log_event(
            "export",
            reason=filter_description,
            details=f"{title} · {file_format} · {count} · sha256:{digest}",
        )
        return export.with_env(self.env)
