from odoo import fields, models

from ..models.med_audit_export import ENTRY_COLUMNS

CHUNK = 10000


class AuditTrailXlsx(models.AbstractModel):
    """The audit trail as xlsx, streamed: rows are read in chunks and written with
    xlsxwriter's constant-memory mode, so memory stays flat for millions of rows."""

    _name = "report.med_audit_export.audit_trail_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Audit Trail XLSX"

    def get_workbook_options(self):
        # Evidence is text: a value starting with "=" must never become a formula.
        return {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        }

    def generate_xlsx_report(self, workbook, data, entries):
        Export = self.env["med.audit.export"]
        domain = (data or {}).get("domain")
        if domain is None:
            domain = [("id", "in", entries.ids)]
        sheet = workbook.add_worksheet(self.env._("Audit Trail"))
        bold = workbook.add_format({"bold": True})
        header = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        row = 0
        for label, value in Export._med_header_lines(data or {}):
            sheet.write_string(row, 0, label, bold)
            sheet.write_string(row, 1, value)
            row += 1
        row += 1
        sheet.write_row(
            row, 0, [label for _name, label in Export._med_entry_columns()], header
        )
        sheet.set_column(0, 0, 20)
        sheet.set_column(1, len(ENTRY_COLUMNS) - 1, 18)
        row += 1
        for values in Export._med_iter_entry_rows(domain, CHUNK):
            for col, value in enumerate(values):
                sheet.write_string(row, col, value)
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
