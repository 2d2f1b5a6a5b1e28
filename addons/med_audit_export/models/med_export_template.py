from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .med_retention_rule import MARKETS

# The evidence reports of the core records an auditor asks for. An upper addon adds
# its own report to ``report`` (selection_add) and its model to
# ``_med_report_models``; the addons that hold the data contribute the sections
# (see med_dossier_mixin.py).
DOSSIER_REPORTS = [
    ("lot_dossier", "Lot dossier (device history record)"),
    ("supplier_dossier", "Supplier dossier"),
]


class MedExportTemplate(models.Model):
    """How one evidence report looks for one market: which sections, in which order,
    under which labels, with which columns, in which language."""

    _name = "med.export.template"
    _description = "Evidence Report Template"
    _order = "report, sequence, id"

    name = fields.Char(required=True, translate=True)
    title = fields.Char(
        translate=True, help="Printed at the top of the report; default: the name."
    )
    report = fields.Selection(DOSSIER_REPORTS, required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    market = fields.Selection(MARKETS, required=True, default="all")
    lang = fields.Selection(
        "_lang_selection",
        string="Language",
        help="The language of the report; empty: the user's.",
    )
    section_ids = fields.One2many(
        "med.export.template.section",
        "template_id",
        string="Sections",
        copy=True,
        help="Empty: every section the installed addons provide, in their order.",
    )
    company_id = fields.Many2one("res.company")

    @api.model
    def _med_report_models(self):
        """{report: model of the records it is about}; each addon that adds a report
        extends it."""
        return {"lot_dossier": "stock.lot", "supplier_dossier": "res.partner"}

    @api.model
    def _lang_selection(self):
        return self.env["res.lang"].get_installed()

    @api.constrains("report", "section_ids")
    def _check_sections(self):
        for template in self:
            known = {
                code for code, _label in template._med_section_catalog(template.report)
            }
            unknown = set(template.section_ids.mapped("code")) - known
            if unknown:
                raise ValidationError(
                    self.env._(
                        "The installed addons provide no section %(codes)s for this "
                        "report.",
                        codes=", ".join(sorted(unknown)),
                    )
                )

    @api.model
    def _med_section_catalog(self, report):
        """[(code, label)] of the sections the installed addons provide for
        ``report``, in their default order."""
        model = self._med_report_models().get(report)
        if model not in self.env:
            return []
        return [
            (section["code"], section["label"])
            for section in self.env[model].browse()._med_dossier_sections(report)
        ]

    @api.model
    def _med_default(self, report, market=None):
        """The template to use for ``report``: the market's, else the general one."""
        domain = [
            ("report", "=", report),
            ("company_id", "in", (False, self.env.company.id)),
        ]
        templates = self.search(domain)
        return (
            templates.filtered(lambda t: t.market == market)[:1]
            or templates.filtered(lambda t: t.market == "all")[:1]
            or templates[:1]
        )

    def _med_apply(self, sections):
        """The sections as this template shows them: chosen, ordered, relabelled and
        with the chosen columns."""
        self.ensure_one()
        if not self.section_ids:
            return sections
        by_code = {section["code"]: section for section in sections}
        shown = []
        for line in self.section_ids.sorted("sequence"):
            section = by_code.get(line.code)
            if not section:
                continue  # provided by an addon that is not installed
            shown.append(line._med_apply(section))
        return shown
