import re
from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.models import MAGIC_COLUMNS
from odoo.tools import SQL

from .med_audit_rule import SKIPPED_FIELD_TYPES

# Odoo's discussion plumbing on every mail.thread model: not GxP data of its own.
PLUMBING_PREFIXES = ("message_", "activity_", "website_message", "has_message")
PLUMBING_FIELDS = {"display_name", "my_activity_date_deadline", "rating_ids"}
NORMALIZE = re.compile(r"[^a-z0-9]+")


class MedDataDictionary(models.Model):
    """The data dictionary (元数据字典): every field the suite's addons define on
    stored models, and every field an audit rule audits, with its labels (English
    and Chinese), type, meaning, audit settings, retention rules and the evidence
    report sections that show it.

    A database view over ir.model.fields, ir.model.data (which addon defines the
    field), med.audit.rule and med.retention.rule: generated from the code and the
    configuration, never typed in, so it cannot drift."""

    _name = "med.data.dictionary"
    _description = "Data Dictionary"
    _auto = False
    _order = "model, name"
    _rec_name = "name"
    # What the view reads: pending changes of these are flushed before it is read.
    _depends = {  # noqa: RUF012
        "ir.model": ["name", "transient"],
        "ir.model.data": ["model", "module", "res_id"],
        "ir.model.fields": [
            "model_id",
            "model",
            "name",
            "ttype",
            "relation",
            "field_description",
            "help",
            "store",
        ],
        "med.audit.rule": [
            "active",
            "model_id",
            "reason_required",
            "field_ids",
            "protected_field_ids",
        ],
    }

    field_id = fields.Many2one("ir.model.fields", readonly=True)
    model_id = fields.Many2one("ir.model", readonly=True)
    model = fields.Char(string="Model Name", readonly=True)
    model_label_en = fields.Char(string="Model (English)", readonly=True)
    model_label_zh = fields.Char(string="Model (Chinese)", readonly=True)
    name = fields.Char(string="Technical Name", readonly=True)
    ttype = fields.Char(string="Type", readonly=True)
    relation = fields.Char(string="Related Model", readonly=True)
    label_en = fields.Char(string="Label (English)", readonly=True)
    label_zh = fields.Char(string="Label (Chinese)", readonly=True)
    meaning_en = fields.Text(string="Meaning (English)", readonly=True)
    meaning_zh = fields.Text(string="Meaning (Chinese)", readonly=True)
    modules = fields.Char(string="Defined By", readonly=True)
    stored = fields.Boolean(readonly=True)
    audited = fields.Boolean(readonly=True)
    reason_required = fields.Boolean(readonly=True)
    protected = fields.Boolean(
        readonly=True, help="Only the application's own signed actions change it."
    )
    audit_rule_id = fields.Many2one("med.audit.rule", readonly=True)
    retention = fields.Char(
        compute="_compute_retention",
        help="The retention rules that keep the records of this model.",
    )
    reports = fields.Char(
        string="Shown In",
        compute="_compute_reports",
        help="The evidence report sections that show this field: a column of the "
        "section, or the audit trail section for audited fields.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW %(view)s AS (
            WITH suite AS (
                SELECT data.res_id AS field_id,
                       string_agg(DISTINCT data.module, ', ') AS modules
                  FROM ir_model_data data
                 WHERE data.model = 'ir.model.fields' AND data.module LIKE %(suite)s
                 GROUP BY data.res_id
            ),
            audited AS (
                SELECT rel.field_id, rule.id AS rule_id, rule.reason_required
                  FROM med_audit_rule rule
                  JOIN med_audit_rule_field_rel rel ON rel.rule_id = rule.id
                 WHERE rule.active
                 UNION ALL
                -- a rule without fields audits every stored field of its model
                SELECT field.id, rule.id, rule.reason_required
                  FROM med_audit_rule rule
                  JOIN ir_model_fields field
                    ON field.model_id = rule.model_id AND field.store
                 WHERE rule.active
                   AND field.ttype <> ALL(%(skipped)s)
                   AND field.name <> ALL(%(magic)s)
                   AND NOT EXISTS (
                       SELECT 1 FROM med_audit_rule_field_rel rel
                        WHERE rel.rule_id = rule.id)
            ),
            protected AS (
                SELECT DISTINCT rel.field_id
                  FROM med_audit_rule rule
                  JOIN med_audit_rule_protected_field_rel rel
                    ON rel.rule_id = rule.id
                 WHERE rule.active
            )
            SELECT field.id AS id,
                   field.id AS field_id,
                   field.model_id,
                   field.model,
                   model.name->>'en_US' AS model_label_en,
                   COALESCE(model.name->>'zh_CN', model.name->>'en_US')
                       AS model_label_zh,
                   field.name,
                   field.ttype,
                   field.relation,
                   field.field_description->>'en_US' AS label_en,
                   COALESCE(field.field_description->>'zh_CN',
                            field.field_description->>'en_US') AS label_zh,
                   field.help->>'en_US' AS meaning_en,
                   COALESCE(field.help->>'zh_CN', field.help->>'en_US') AS meaning_zh,
                   suite.modules,
                   COALESCE(field.store, FALSE) AS stored,
                   audited.rule_id IS NOT NULL AS audited,
                   COALESCE(audited.reason_required, FALSE) AS reason_required,
                   protected.field_id IS NOT NULL AS protected,
                   audited.rule_id AS audit_rule_id
              FROM ir_model_fields field
              JOIN ir_model model ON model.id = field.model_id
              LEFT JOIN suite ON suite.field_id = field.id
              LEFT JOIN audited ON audited.field_id = field.id
              LEFT JOIN protected ON protected.field_id = field.id
             WHERE (suite.field_id IS NOT NULL OR audited.field_id IS NOT NULL)
               AND NOT COALESCE(model.transient, FALSE)
               AND field.name <> ALL(%(plumbing)s)
               AND NOT field.name LIKE ANY(%(prefixes)s)
            )
            """,
                view=SQL.identifier(self._table),
                suite="med\\_%",
                skipped=sorted(SKIPPED_FIELD_TYPES),
                magic=sorted(MAGIC_COLUMNS),
                plumbing=sorted(PLUMBING_FIELDS),
                prefixes=[f"{prefix}%" for prefix in PLUMBING_PREFIXES],
            )
        )

    # -- retention --
    def _compute_retention(self):
        # sudo: the dictionary describes the retention configuration to whoever may
        # read it (auditors), who do not read the rules' own menu.
        rules = (
            self.env["med.retention.rule"]
            .sudo()
            .search([("model_name", "in", list(set(self.mapped("model"))))])
        )
        by_model = defaultdict(list)
        for rule in rules:
            by_model[rule.model_name].append(self._med_retention_text(rule))
        for row in self:
            row.retention = "; ".join(by_model.get(row.model, []))

    @api.model
    def _med_retention_text(self, rule):
        """One retention rule in words: its name, market and terms."""
        markets = dict(rule._fields["market"]._description_selection(self.env))
        if rule.permanent:
            terms = self.env._("permanent")
        else:
            parts = []
            if rule.min_years:
                parts.append(
                    self.env._("%(years)s years from creation", years=rule.min_years)
                )
            if rule.date_field_id:
                parts.append(
                    self.env._(
                        "%(years)s years after %(field)s",
                        years=rule.years_after_date,
                        field=rule.date_field_id.field_description,
                    )
                )
            terms = ", ".join(parts)
        return f"{rule.name} ({markets[rule.market]}): {terms}"

    # -- reports --
    @api.model
    def _med_report_columns(self):
        """{model: [(section label, column code, column label)]} of the evidence
        reports the installed addons provide, read from their section catalogs;
        plus {model: [audit trail section labels]}."""
        columns, trails = defaultdict(list), defaultdict(list)
        Template = self.env["med.export.template"]
        reports = dict(Template._fields["report"]._description_selection(self.env))
        for report, model in Template._med_report_models().items():
            if model not in self.env:
                continue
            for section in self.env[model].browse()._med_dossier_sections(report):
                title = f"{reports[report]} / {section['label']}"
                if section["code"] == "audit_trail":
                    trails[model].append(title)
                    continue
                for code, label in section["columns"]:
                    columns[model].append((title, code, str(label)))
        return columns, trails

    @api.model
    def _med_column_shows(self, code, label, field_name, field_label):
        """Does the report column (``code``, ``label``) show the field? Its code is
        the field's name (without the suite's ``med_`` prefix or an ``_id``
        suffix), or its label is the field's."""

        def bare(name):
            name = name.removeprefix("med_")
            return name.removesuffix("_ids").removesuffix("_id")

        same_label = NORMALIZE.sub("", (label or "").lower()) == NORMALIZE.sub(
            "", (field_label or "").lower()
        )
        return bare(code) == bare(field_name) or same_label

    def _compute_reports(self):
        columns, trails = self._med_report_columns()
        for row in self:
            shown = [
                title
                for title, code, label in columns.get(row.model, [])
                if self._med_column_shows(code, label, row.name, row.label_en)
            ]
            if row.audited:
                shown += trails.get(row.model, [])
            row.reports = ", ".join(dict.fromkeys(shown))

    # -- export --
    def _med_export_labels(self):
        return [
            self.env._("Model"),
            self.env._("Model (English)"),
            self.env._("Model (Chinese)"),
            self.env._("Technical Name"),
            self.env._("Type"),
            self.env._("Label (English)"),
            self.env._("Label (Chinese)"),
            self.env._("Meaning (English)"),
            self.env._("Meaning (Chinese)"),
            self.env._("Defined By"),
            self.env._("Audited"),
            self.env._("Reason Required"),
            self.env._("Protected"),
            self.env._("Retention"),
            self.env._("Shown In"),
        ]

    def _med_export_rows(self):
        yes, no = self.env._("Yes"), self.env._("No")
        for row in self:
            yield [
                row.model,
                row.model_label_en or "",
                row.model_label_zh or "",
                row.name,
                row.ttype,
                row.label_en or "",
                row.label_zh or "",
                row.meaning_en or "",
                row.meaning_zh or "",
                row.modules or "",
                yes if row.audited else no,
                yes if row.reason_required else no,
                yes if row.protected else no,
                row.retention or "",
                row.reports or "",
            ]

    def _med_export(self, file_format):
        """Export these rows, or the whole dictionary when none is selected, with
        the export engine (recorded, audited, verification code)."""
        if not self.env.user.has_group("med_audit_export.group_med_auditor"):
            raise UserError(
                self.env._(
                    "Only auditors, QA managers and compliance administrators export "
                    "the data dictionary."
                )
            )
        rows = self or self.search([("id", "!=", False)], order=self._order)
        Export = self.env["med.audit.export"]
        data = {
            "title": self.env._("Data Dictionary"),
            "filter_description": self.env._("%(count)s fields", count=len(rows)),
        }
        content = Export._med_render_table(
            file_format, data, rows._med_export_labels(), rows._med_export_rows()
        )
        return Export._med_record_export(
            data["title"], file_format, content, data["filter_description"], len(rows)
        )

    def action_export_xlsx(self):
        return self._med_export("xlsx").action_download()

    def action_export_csv(self):
        return self._med_export("csv").action_download()
