from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval

from ..models.med_audit_export import EXPORT_FORMATS

PDF_ENTRIES = 500


class MedAuditExportWizard(models.TransientModel):
    """Exports a filtered audit trail as evidence (xlsx, csv or a PDF summary)."""

    _name = "med.audit.export.wizard"
    _description = "Export Audit Trail"

    # Opened from the Audit Trail list: the entries its search shows.
    entry_domain = fields.Char(readonly=True)
    entry_count = fields.Integer(string="Entries", compute="_compute_entry_count")
    record_ref = fields.Reference(
        selection="_selection_record_ref",
        string="Record",
        help="The record whose trail to export: pick the kind, then the record.",
    )
    res_model = fields.Char(string="Model", help="Technical name, e.g. stock.lot")
    res_id = fields.Integer(string="Record ID")
    user_id = fields.Many2one("res.users")
    field_name = fields.Char(string="Field")
    operation = fields.Selection("_selection_operation")
    date_from = fields.Datetime(string="From")
    date_to = fields.Datetime(string="To")
    file_format = fields.Selection(EXPORT_FORMATS, required=True, default="xlsx")
    export_id = fields.Many2one("med.audit.export", readonly=True)

    @api.model
    def _selection_operation(self):
        # the trail's operations, with those the installed addons add
        field = self.env["med.audit.entry"]._fields["operation"]
        return field._description_selection(self.env)

    @api.model
    def _selection_record_ref(self):
        # sudo: the list of audited models is configuration every reader may see.
        # Inactive rules too: their models have a trail from before.
        rules = (
            self.env["med.audit.rule"]
            .sudo()
            .with_context(active_test=False)
            .search([("model_id", "!=", False)])
        )
        return [(rule.model_id.model, rule.model_id.name) for rule in rules]

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        domain = context.get("active_domain")
        if (
            "entry_domain" in fields_list
            and context.get("active_model") == "med.audit.entry"
            and isinstance(domain, list)
        ):
            values["entry_domain"] = repr(domain)
        return values

    @api.depends("entry_domain")
    def _compute_entry_count(self):
        Entry = self.env["med.audit.entry"]
        for wizard in self:
            wizard.entry_count = wizard.entry_domain and Entry.search_count(
                wizard._med_list_domain()
            )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if (
                wizard.date_from
                and wizard.date_to
                and wizard.date_from > wizard.date_to
            ):
                raise UserError(self.env._("The start date is after the end date."))

    def _med_list_domain(self):
        """The Audit Trail list's domain, checked to be one (it reaches the ORM as
        a search on entries, under the reader's access rules)."""
        domain = safe_eval(self.entry_domain or "[]")
        try:
            self.env["med.audit.entry"]._where_calc(domain)
        except (ValueError, KeyError, TypeError) as error:
            raise UserError(
                self.env._(
                    "The list's filter cannot be exported: %(error)s", error=error
                )
            ) from error
        return domain

    def _med_domain(self):
        self.ensure_one()
        domain = self._med_list_domain() if self.entry_domain else []
        if self.record_ref:
            domain.append(("res_model", "=", self.record_ref._name))
            domain.append(("res_id", "=", self.record_ref.id))
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
        if self.entry_domain:
            parts.append(self._med_describe_domain(self._med_list_domain()))
        if self.record_ref:
            parts.append(
                f"{self._fields['record_ref']._description_string(self.env)} = "
                f"{self.record_ref.display_name} "
                f"({self.env['ir.model']._get(self.record_ref._name).name}, "
                f"#{self.record_ref.id})"
            )
        operations = dict(self._fields["operation"]._description_selection(self.env))
        selections = {"operation": operations}
        for name in ("res_model", "res_id", "user_id", "field_name", "operation"):
            value = self[name]
            if value:
                label = self._fields[name]._description_string(self.env)
                if name == "user_id":
                    value = value.display_name
                value = selections.get(name, {}).get(value, value)
                parts.append(f"{label} = {value}")
        if self.date_from:
            parts.append(
                f"{self.env._('From')} {fields.Datetime.to_string(self.date_from)} UTC"
            )
        if self.date_to:
            parts.append(
                f"{self.env._('To')} {fields.Datetime.to_string(self.date_to)} UTC"
            )
        return "; ".join(parts) or self.env._("All entries")

    @api.model
    def _med_describe_domain(self, domain):
        """The list's domain as the reader reads it: field labels and values in their
        language, the users by name (``Operation = 修改; User = Mitchell Admin``)."""
        terms = list(domain)
        parts = []
        while terms:
            parts.append(self._med_describe_term(terms))
        return "; ".join(parts) or self.env._("All entries")

    def _med_describe_term(self, terms):
        """Describe the term at the head of ``terms`` (prefix notation); pop it."""
        token = terms.pop(0)
        if token in ("|", "&"):
            left = self._med_describe_term(terms)
            right = self._med_describe_term(terms) if terms else ""
            word = self.env._("or") if token == "|" else self.env._("and")
            return f"({left} {word} {right})"
        if token == "!":
            return f"{self.env._('not')} ({self._med_describe_term(terms)})"
        if not isinstance(token, list | tuple) or len(token) != 3:
            return str(token)
        path, operator, value = token
        field = self.env["med.audit.entry"]._fields.get(str(path).split(".")[0])
        if field is None:
            return f"{path} {operator} {value}"
        if field.type == "selection":
            labels = dict(field._description_selection(self.env))
            values = value if isinstance(value, list | tuple) else [value]
            value = ", ".join(str(labels.get(v, v)) for v in values)
        elif field.type == "many2one" and value and not isinstance(value, str):
            ids = value if isinstance(value, list | tuple) else [value]
            value = ", ".join(
                self.env[field.comodel_name].browse(ids).exists().mapped("display_name")
            )
        elif field.type == "datetime" and value:
            value = f"{value} UTC"
        return f"{field._description_string(self.env)} {operator} {value}"

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
