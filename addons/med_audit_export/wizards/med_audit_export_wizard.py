from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.med_audit_export import EXPORT_FORMATS
from ..models.med_audit_rule import OPERATIONS

PDF_ENTRIES = 500


class MedAuditExportWizard(models.TransientModel):
    """Exports a filtered audit trail as evidence (xlsx, csv or a PDF summary)."""

    _name = "med.audit.export.wizard"
    _description = "Export Audit Trail"

    res_model = fields.Char(string="Model", help="Technical name, e.g. stock.lot")
    res_id = fields.Integer(string="Record ID")
    user_id = fields.Many2one("res.users")
    field_name = fields.Char(string="Field")
    operation = fields.Selection(OPERATIONS)
    date_from = fields.Datetime(string="From")
    date_to = fields.Datetime(string="To")
    file_format = fields.Selection(EXPORT_FORMATS, required=True, default="xlsx")
    export_id = fields.Many2one("med.audit.export", readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if (
                wizard.date_from
                and wizard.date_to
                and wizard.date_from > wizard.date_to
            ):
                raise UserError(
                    self.env._(
                        "The start date is after the end date. (开始日期晚于结束日期。)"
                    )
                )

    def _med_domain(self):
        self.ensure_one()
        domain = []
        if self.res_model:
            domain.append(("res_model", "=", self.res_model.strip()))
        if self.res_id:
            domain.append(("res_id", "=", self.res_id))
        if self.user_id:
            domain.append(("user_id", "=", self.user_id.id))
        if self.field_name:
            domain.append(("field_name", "=", self.field_name.strip()))
        if self.operation:
            domain.append(("operation", "=", self.operation))
        if self.date_from:
            domain.append(("timestamp", ">=", self.date_from))
        if self.date_to:
            domain.append(("timestamp", "<=", self.date_to))
        return domain

    def _med_filter_description(self):
        parts = []
        for name in ("res_model", "res_id", "user_id", "field_name", "operation"):
            value = self[name]
            if value:
                label = self._fields[name].string
                shown = value.display_name if name == "user_id" else value
                parts.append(f"{label} = {shown}")
        if self.date_from:
            parts.append(
                f"{self.env._('From')} {fields.Datetime.to_string(self.date_from)} UTC"
            )
        if self.date_to:
            parts.append(
                f"{self.env._('To')} {fields.Datetime.to_string(self.date_to)} UTC"
            )
        return "; ".join(parts) or self.env._("All entries")

    def action_export(self):
        self.ensure_one()
        self.env["med.audit.entry"].check_access("read")
        Export = self.env["med.audit.export"]
        domain = self._med_domain()
        description = self._med_filter_description()
        if self.file_format == "pdf":  # a summary of PDF_ENTRIES at most: never big
            content, count = self._med_render_pdf(domain, description)
            export = Export._med_record_export(
                self.env._("Audit Trail"), "pdf", content, description, count
            )
            return export.action_download()
        count = self.env["med.audit.entry"].search_count(domain)
        if count <= Export._med_queue_threshold():
            export = Export._med_export_audit_trail(
                self.file_format, domain, description
            )
            return export.action_download()
        export = Export._med_queue_audit_trail(self.file_format, domain, description)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Export queued"),
                "message": self.env._(
                    "%(count)s entries are more than an export made while you wait: "
                    "%(name)s is being prepared in the background. Your inbox will "
                    "tell you when it is ready in Evidence Exports.",
                    count=count,
                    name=export.name,
                ),
                "type": "info",
                "sticky": True,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _med_render_pdf(self, domain, description):
        """A summary of the first entries (the PDF is for reading, not for all), and
        the number of entries it lists."""
        Entry = self.env["med.audit.entry"]
        Export = self.env["med.audit.export"]
        entries = Entry.search(domain, limit=PDF_ENTRIES)
        content, _format = self.env["ir.actions.report"]._render_qweb_pdf(
            "med_audit_export.action_report_audit_trail",
            entries.ids,
            data={
                "filter_description": description,
                "total": Entry.search_count(domain),
                "exported_on": Export._med_format_time(
                    Export._med_export_stamp()["date"]
                ),
                "time_zone": Export._med_time_zone_label(),
                # each entry's time where the company is, with the offset then
                "local_times": {
                    entry.id: Export._med_format_time(entry.timestamp)
                    for entry in entries
                },
                "footer": Export._med_footer(),
            },
        )
        return content, len(entries)
