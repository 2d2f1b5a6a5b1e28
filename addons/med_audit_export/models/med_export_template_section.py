from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MedExportTemplateSection(models.Model):
    """One section of an evidence report template."""

    _name = "med.export.template.section"
    _description = "Evidence Report Template Section"
    _order = "template_id, sequence, id"

    template_id = fields.Many2one(
        "med.export.template", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    code = fields.Selection("_code_selection", string="Section", required=True)
    label = fields.Char(
        translate=True, help="Shown instead of the section's own title; empty: its own."
    )
    columns = fields.Char(
        help="Codes of the columns to show, comma-separated, in this order; empty: all "
        "of them. The section's columns are listed in its help.",
    )
    available_columns = fields.Char(compute="_compute_available_columns")

    @api.model
    def _code_selection(self):
        report = self.env.context.get("med_report")
        Template = self.env["med.export.template"]
        reports = (
            [report] if report else Template._fields["report"].get_values(self.env)
        )
        seen = {}
        for name in reports:
            for code, label in Template._med_section_catalog(name):
                seen.setdefault(code, label)
        return list(seen.items())

    def _med_catalog_section(self):
        """The section this line chooses, as the installed addons provide it."""
        self.ensure_one()
        report = self.template_id.report
        model = self.env["med.export.template"]._med_report_models().get(report)
        if model not in self.env:
            return None
        sections = self.env[model].browse()._med_dossier_sections(report)
        return next((s for s in sections if s["code"] == self.code), None)

    @api.depends("code", "template_id.report")
    def _compute_available_columns(self):
        for line in self:
            section = line._med_catalog_section()
            line.available_columns = (
                ", ".join(code for code, _label in section["columns"])
                if section
                else False
            )

    @api.constrains("columns", "code")
    def _check_columns(self):
        for line in self:
            section = line._med_catalog_section()
            if not section or not line.columns:
                continue
            known = {code for code, _label in section["columns"]}
            unknown = set(line._med_column_codes()) - known
            if unknown:
                raise ValidationError(
                    self.env._(
                        "Section %(section)s has no column %(columns)s; it has "
                        "%(known)s.",
                        section=section["label"],
                        columns=", ".join(sorted(unknown)),
                        known=", ".join(sorted(known)),
                    )
                )

    def _med_column_codes(self):
        return [
            code.strip() for code in (self.columns or "").split(",") if code.strip()
        ]

    def _med_apply(self, section):
        """``section`` with this line's label and columns."""
        self.ensure_one()
        section = dict(section, label=self.label or section["label"])
        codes = self._med_column_codes()
        if codes:
            positions = [
                [code for code, _label in section["columns"]].index(code)
                for code in codes
            ]
            section["columns"] = [section["columns"][i] for i in positions]
            section["rows"] = ([row[i] for i in positions] for row in section["rows"])
        return section
