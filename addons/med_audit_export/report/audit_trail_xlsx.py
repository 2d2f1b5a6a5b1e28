from odoo import models

from ..models.med_audit_export import XLSX_OPTIONS


class AuditTrailXlsx(models.AbstractModel):
    """The audit trail as xlsx, streamed: rows are read in chunks and written with
    xlsxwriter's constant-memory mode, so memory stays flat for millions of rows."""

    _name = "report.med_audit_export.audit_trail_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Audit Trail XLSX"

    def get_workbook_options(self):
        # report_xlsx's default mode keeps every cell in memory until the end.
        return dict(XLSX_OPTIONS)

    def generate_xlsx_report(self, workbook, data, entries):
        Export = self.env["med.audit.export"]
        data = data or {}
        domain = data.get("domain")
        if domain is None:
            domain = [("id", "in", entries.ids)]
        Export._med_write_xlsx_table(
            workbook,
            self.env._("Audit Trail"),
            data,
            [label for _name, label in Export._med_entry_columns()],
            Export._med_iter_entry_rows(domain),
        )
