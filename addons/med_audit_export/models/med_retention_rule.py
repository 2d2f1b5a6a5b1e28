from dateutil.relativedelta import relativedelta

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools.safe_eval import safe_eval

MARKETS = [
    ("nmpa", "China (NMPA)"),
    ("fda", "United States (FDA)"),
    ("eu_mdr", "European Union (MDR)"),
    ("all", "All Markets"),
]


class MedRetentionRule(models.Model):
    """How long records of a model must be kept (ISO 13485 4.2.5, NMPA GMP, 21 CFR 820).

    A record is kept until the latest of: its creation + ``min_years``, and its date
    field (e.g. the device expiry) + ``years_after_date``; forever when ``permanent``.
    Until then it cannot be deleted (archive it instead), and the module that holds it
    cannot be uninstalled.
    """

    _name = "med.retention.rule"
    _inherit = "med.cached.rule.mixin"
    _description = "Retention Rule"
    _order = "model_name, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    model_id = fields.Many2one(
        "ir.model",
        required=True,
        ondelete="cascade",
        domain=[("transient", "=", False)],
    )
    model_name = fields.Char(related="model_id.model", store=True, string="Model Name")
    company_id = fields.Many2one(
        "res.company", help="Leave empty for a rule that applies to every company."
    )
    market = fields.Selection(MARKETS, required=True, default="all")
    domain = fields.Char(
        default="[]", help="Only the records matching this domain are kept by the rule."
    )
    permanent = fields.Boolean(
        help="Kept forever, e.g. records of implantable devices."
    )
    min_years = fields.Integer(string="Minimum Years", help="Counted from creation.")
    date_field_id = fields.Many2one(
        "ir.model.fields",
        ondelete="cascade",
        domain="[('model_id', '=', model_id), ('ttype', 'in', ('date', 'datetime'))]",
        help="E.g. the expiry date of the device.",
    )
    years_after_date = fields.Integer(help="Years kept after the date field's value.")

    @api.constrains("min_years", "years_after_date", "date_field_id", "domain")
    def _check_values(self):
        for rule in self:
            if rule.min_years < 0 or rule.years_after_date < 0:
                raise ValidationError(
                    self.env._("Retention periods cannot be negative.")
                )
            if rule.date_field_id and rule.date_field_id.model_id != rule.model_id:
                raise ValidationError(
                    self.env._(
                        "The date field must belong to %(model)s.",
                        model=rule.model_name,
                    )
                )
            try:
                domain = safe_eval(rule.domain or "[]")
                self.env[rule.model_name].search_count(domain, limit=1)
            except Exception as error:
                raise ValidationError(
                    self.env._(
                        "Invalid domain %(domain)s: %(error)s",
                        domain=rule.domain,
                        error=error,
                    )
                ) from error

    @api.model
    @tools.ormcache("model_name")
    def _med_rule_ids(self, model_name):
        # sudo: retention applies whatever the user may read.
        return tuple(self.sudo().search([("model_name", "=", model_name)]).ids)

    def _med_retain_until(self, record):
        """The date until which ``record`` is kept by this rule (None: forever)."""
        self.ensure_one()
        if self.permanent:
            return None
        until = fields.Date.to_date(record.create_date or fields.Datetime.now())
        until += relativedelta(years=self.min_years)
        if self.date_field_id:
            value = record[self.date_field_id.name]
            if value:
                until = max(
                    until,
                    fields.Date.to_date(value)
                    + relativedelta(years=self.years_after_date),
                )
        return until

    @api.model
    def _med_protected(self, records):
        """[(record, rule, retain_until)] for the records kept today
        (retain_until None: kept forever)."""
        rule_ids = self._med_rule_ids(records._name)
        if not rule_ids:
            return []
        today = fields.Date.context_today(self)
        kept = []
        # sudo: the dates and companies decide retention, whatever the user may read.
        records = records.sudo()
        for rule in self.sudo().browse(rule_ids):
            candidates = records
            if rule.company_id and "company_id" in records._fields:
                candidates = candidates.filtered(
                    lambda r, rule=rule: r.company_id
                    in (rule.company_id, r.company_id.browse())
                )
            candidates = candidates.filtered_domain(safe_eval(rule.domain or "[]"))
            for record in candidates:
                until = rule._med_retain_until(record)
                if until is None or until > today:
                    kept.append((record, rule, until))
        return kept

    @api.model
    def _med_ensure_unlink(self, records):
        kept = self._med_protected(records)
        if not kept:
            return
        lines = [
            self.env._(
                "%(record)s: kept until %(until)s (%(rule)s)",
                record=record.display_name,
                until=until or self.env._("permanently"),
                rule=rule.name,
            )
            for record, rule, until in kept[:5]
        ]
        raise UserError(
            self.env._(
                "These records are under a retention rule and cannot be deleted; "
                "archive them instead.\n%(lines)s",
                lines="\n".join(lines),
            )
        )
