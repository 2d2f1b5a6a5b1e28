import io
import re

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.med_audit_export import XLSX_OPTIONS
from ..models.med_dossier_mixin import DOSSIER_MEMO_KEY

SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class MedDossierWizard(models.TransientModel):
    """Exports an evidence report (lot dossier, supplier dossier, CAPA report, recall
    report) of the chosen records as xlsx (one sheet per section) or PDF."""

    _name = "med.dossier.wizard"
    _description = "Export an Evidence Report"

    report = fields.Selection("_selection_report", required=True)
    res_model = fields.Char(required=True)
    res_ids = fields.Char(required=True, help="Comma-separated ids of the records.")
    record_names = fields.Text(compute="_compute_record_names")
    template_id = fields.Many2one(
        "med.export.template",
        domain="[('report', '=', report)]",
        help="Sections, labels and language of the report; empty: every section.",
    )
    file_format = fields.Selection(
        [("xlsx", "Excel (xlsx)"), ("pdf", "PDF")], required=True, default="xlsx"
    )
    pdf_archival = fields.Boolean(
        string="PDF/A-2b (Archival)",
        default=lambda self: self.env.company.med_dossier_pdfa,
        help="The PDF as PDF/A-2b (ISO 19005-2): fonts embedded, colours defined, "
        "for long-term archiving; still stamped and signed.",
    )

    @api.model
    def _selection_report(self):
        # the reports the installed addons add to the templates' catalog
        field = self.env["med.export.template"]._fields["report"]
        return field._description_selection(self.env)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        report = values.get("report") or self.env.context.get("default_report")
        active_ids = self.env.context.get("active_ids")
        if report and active_ids and not values.get("res_ids"):
            values["res_model"] = self._med_report_model(report)
            values["res_ids"] = ",".join(str(i) for i in active_ids)
        if report and "template_id" in fields_list and not values.get("template_id"):
            values["template_id"] = (
                self.env["med.export.template"]._med_default(report).id
            )
        return values

    @api.depends("res_model", "res_ids")
    def _compute_record_names(self):
        for wizard in self:
            wizard.record_names = "\n".join(
                wizard._med_records().mapped("display_name")
            )

    @api.model
    def _med_report_model(self, report):
        return self.env["med.export.template"]._med_report_models()[report]

    def _med_records(self):
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            return self.env["res.partner"].browse()
        ids = [int(i) for i in (self.res_ids or "").split(",") if i.strip().isdigit()]
        return self.env[self.res_model].browse(ids).exists()

    def _med_ensure_allowed(self, records):
        if not self.env.user.has_group("med_audit_export.group_med_auditor"):
            raise UserError(
                self.env._(
                    "Only auditors, QA managers and compliance administrators export "
                    "evidence reports."
                )
            )
        if not records:
            raise UserError(self.env._("Choose the records to report on."))
        model = self._med_report_model(self.report)
        if records._name != model:
            raise UserError(
                self.env._("This report is about %(model)s records.", model=model)
            )
        records.check_access("read")

    def action_export(self):
        self.ensure_one()
        records = self._med_records()
        self._med_ensure_allowed(records)
        export = self._med_export(
            self.report,
            records,
            template=self.template_id,
            file_format=self.file_format,
            pdfa=self.pdf_archival,
        )
        # Downloaded at once, as every export of the suite (audit trail, recall,
        # sales records): the export's record, with the file's verification code,
        # stays in Evidence Exports.
        return export.action_download()

    @api.model
    def _med_export(
        self, report, records, template=None, file_format="xlsx", pdfa=False, title=None
    ):
        """The evidence file of ``report`` on ``records``, recorded as an export
        (stamped, with its verification code, signed): the engine of every evidence
        report, for the wizard and for the flows that file one themselves. The
        caller checks who may export it."""
        template = template or self.env["med.export.template"]
        lang = template.lang or self.env.lang
        records = records.with_context(lang=lang)
        reports = dict(self.with_context(lang=lang)._selection_report())
        title = (
            title
            or template.with_context(lang=lang).title
            or template.with_context(lang=lang).name
            or reports[report]
        )
        sections = records._med_dossier(report, template or None)
        data = {
            "title": title,
            "filter_description": ", ".join(records.mapped("display_name")),
        }
        Export = self.env["med.audit.export"].with_context(lang=lang)
        if file_format == "xlsx":
            content, count = self._med_render_xlsx(Export, data, sections)
        else:
            content, count = self._med_render_pdf(data, sections, pdfa=pdfa)
        # the report's shared findings are no longer needed
        self.env.cr.cache.pop(DOSSIER_MEMO_KEY, None)
        return Export._med_record_export(
            title, file_format, content, data["filter_description"], count
        )

    @api.model
    def _med_render_xlsx(self, Export, data, sections):
        """One sheet per section, written as the rows come (constant memory)."""
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, XLSX_OPTIONS)
        count = 0
        names = set()

        def counted(rows):
            nonlocal count
            for row in rows:
                count += 1
                yield row

        for section in sections:
            name = self._med_sheet_name(section["label"], names)
            Export._med_write_xlsx_table(
                workbook,
                name,
                data,
                [label for _code, label in section["columns"]],
                counted(section["rows"]),
            )
        workbook.close()
        return buffer.getvalue(), count

    @api.model
    def _med_sheet_name(self, label, taken):
        """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique."""
        base = SHEET_NAME_FORBIDDEN.sub(" ", label).strip()[:31] or "Sheet"
        name, number = base, 2
        while name.lower() in taken:
            suffix = f" ({number})"
            name, number = base[: 31 - len(suffix)] + suffix, number + 1
        taken.add(name.lower())
        return name

    @api.model
    def _med_render_pdf(self, data, sections, pdfa=False):
        tables = [
            {
                "label": section["label"],
                "columns": [label for _code, label in section["columns"]],
                "rows": list(section["rows"]),
            }
            for section in sections
        ]
        Export = self.env["med.audit.export"]
        content, _kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "med_audit_export.action_report_dossier",
            data={
                "title": data["title"],
                "filter_description": data["filter_description"],
                "header": Export._med_header_lines(data),
                "sections": tables,
                "footer": Export._med_footer(),
                "pdfa": pdfa,
            },
        )
        return content, sum(len(table["rows"]) for table in tables)
