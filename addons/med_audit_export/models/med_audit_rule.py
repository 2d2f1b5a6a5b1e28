from collections import namedtuple

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.models import MAGIC_COLUMNS

OPERATIONS = [
    ("create", "Create"),
    ("write", "Write"),
    ("unlink", "Delete"),
    ("sign", "Electronic Signature"),
    ("sign_failed", "Failed Signature"),
    ("lockout", "Signature Lockout"),
    ("export", "Export"),
    ("verify", "Chain Verification"),
    ("recall_simulation", "Recall Simulation"),
    ("gate_override", "Lot Gate Override"),
]
# Models whose rows are the audit trail itself, or Odoo plumbing that changes on every
# request: auditing them would recurse or drown the trail.
NEVER_AUDITED = {
    "med.audit.entry",
    "med.signature",
    "med.audit.verification",
    "med.audit.export",
    "ir.attachment",
    "ir.config_parameter",
    "ir.cron",
    "bus.bus",
    "mail.message",
    "mail.followers",
    "mail.notification",
    "mail.tracking.value",
    "res.users.log",
}
SKIPPED_FIELD_TYPES = {"one2many", "binary", "properties", "properties_definition"}

AuditConfig = namedtuple(
    "AuditConfig",
    "rule_id fields protected reason_required log_create log_write log_unlink",
)


class MedAuditRule(models.Model):
    """Which model and fields are audited, and whether a change needs a reason."""

    _name = "med.audit.rule"
    _inherit = "med.cached.rule.mixin"
    _description = "Audit Rule"
    _order = "model_name"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    model_id = fields.Many2one(
        "ir.model",
        required=True,
        ondelete="cascade",
        domain=[("transient", "=", False)],
    )
    model_name = fields.Char(related="model_id.model", store=True, string="Model Name")
    field_ids = fields.Many2many(
        "ir.model.fields",
        "med_audit_rule_field_rel",
        "rule_id",
        "field_id",
        string="Audited Fields",
        domain="[('model_id', '=', model_id), ('store', '=', True)]",
        help="Leave empty to audit every stored field of the model.",
    )
    protected_field_ids = fields.Many2many(
        "ir.model.fields",
        "med_audit_rule_protected_field_rel",
        "rule_id",
        "field_id",
        string="Protected Fields",
        domain="[('model_id', '=', model_id), ('store', '=', True)]",
        help="Fields that only the application's own actions (e.g. a signed release) "
        "may change: a direct write, from the UI or over RPC, is refused.",
    )
    reason_required = fields.Boolean(
        help="A change of an audited field is refused unless the user gives a reason.",
    )
    log_create = fields.Boolean(string="Log Creation", default=True)
    log_write = fields.Boolean(string="Log Changes", default=True)
    log_unlink = fields.Boolean(string="Log Deletion", default=True)

    _sql_constraints = (
        (
            "model_unique",
            "UNIQUE(model_id)",
            "A model has one audit rule; edit the existing one. "
            "每个模型只能有一条审计规则。",
        ),
    )

    @api.constrains("model_id", "field_ids", "protected_field_ids")
    def _check_model_and_fields(self):
        for rule in self:
            if rule.model_id.model in NEVER_AUDITED or rule.model_id.transient:
                raise ValidationError(
                    self.env._(
                        "%(model)s cannot be audited: it is part of the audit trail or "
                        "a technical model. (该模型不能被审计。)",
                        model=rule.model_id.model,
                    )
                )
            foreign = (rule.field_ids | rule.protected_field_ids).filtered(
                lambda f, rule=rule: f.model_id != rule.model_id
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Fields %(fields)s do not belong to %(model)s. "
                        "(字段不属于该模型。)",
                        fields=", ".join(foreign.mapped("name")),
                        model=rule.model_id.model,
                    )
                )

    @api.model
    def _med_resolve_names(self, vals):
        """Accept technical names from integrators (``model``, ``field_names``,
        ``protected_field_names``), and refuse unknown ones with a clear message."""
        vals = dict(vals)
        if "model" in vals:
            model_name = vals.pop("model")
            model = self.env["ir.model"]._get(model_name)
            if not model:
                raise ValidationError(
                    self.env._(
                        "Unknown model %(model)s. (模型不存在。)", model=model_name
                    )
                )
            vals["model_id"] = model.id
        for key, target in (
            ("field_names", "field_ids"),
            ("protected_field_names", "protected_field_ids"),
        ):
            if key not in vals:
                continue
            names = vals.pop(key)
            model = self.env["ir.model"].browse(vals.get("model_id"))
            found = self.env["ir.model.fields"].search(
                [("model_id", "=", model.id), ("name", "in", names)]
            )
            unknown = sorted(set(names) - set(found.mapped("name")))
            if unknown:
                raise ValidationError(
                    self.env._(
                        "Unknown fields %(fields)s on %(model)s. (字段不存在。)",
                        fields=", ".join(unknown),
                        model=model.model,
                    )
                )
            vals[target] = [fields.Command.set(found.ids)]
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._med_resolve_names(v) for v in vals_list])

    def write(self, vals):
        if "field_names" in vals or "protected_field_names" in vals:
            vals = dict(vals, model_id=vals.get("model_id", self[:1].model_id.id))
        return super().write(self._med_resolve_names(vals))

    @api.model
    @tools.ormcache("model_name")
    def _med_config(self, model_name):
        """The audit settings of a model, cached per registry (None: not audited)."""
        if model_name in NEVER_AUDITED:
            return None
        # sudo: the configuration applies to every user, whatever they may read.
        rule = (
            self.sudo()
            .with_context(active_test=True)
            .search([("model_name", "=", model_name)], limit=1)
        )
        if not rule or model_name not in self.env:
            return None
        model_fields = self.env[model_name]._fields
        if rule.field_ids:
            names = rule.field_ids.mapped("name")
        else:
            names = [
                name
                for name, field in model_fields.items()
                if field.store
                and name not in MAGIC_COLUMNS
                and field.type not in SKIPPED_FIELD_TYPES
                and not name.startswith(("message_", "activity_"))
            ]
        audited = frozenset(
            name
            for name in names
            if name in model_fields
            and model_fields[name].type not in SKIPPED_FIELD_TYPES
        )
        return AuditConfig(
            rule.id,
            audited,
            frozenset(rule.protected_field_ids.mapped("name")),
            rule.reason_required,
            rule.log_create,
            rule.log_write,
            rule.log_unlink,
        )
