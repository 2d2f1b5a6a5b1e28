from collections import namedtuple

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.models import MAGIC_COLUMNS
from odoo.tools import SQL

OPERATIONS = [
    ("create", "Create"),
    ("write", "Write"),
    ("unlink", "Delete"),
    ("unlink_refused", "Refused Deletion"),
    ("sign", "Electronic Signature"),
    ("sign_failed", "Failed Signature"),
    ("lockout", "Signature Lockout"),
    ("login_lockout", "Login Lockout"),
    ("export", "Export"),
    ("verify", "Chain Verification"),
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
            "A model has one audit rule; edit the existing one.",
        ),
    )

    @api.constrains("model_id", "field_ids", "protected_field_ids")
    def _check_model_and_fields(self):
        for rule in self:
            if rule.model_id.model in NEVER_AUDITED or rule.model_id.transient:
                raise ValidationError(
                    self.env._(
                        "%(model)s cannot be audited: it is part of the audit trail or "
                        "a technical model.",
                        model=rule.model_id.model,
                    )
                )
            foreign = (rule.field_ids | rule.protected_field_ids).filtered(
                lambda f, rule=rule: f.model_id != rule.model_id
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Fields %(fields)s do not belong to %(model)s.",
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
                    self.env._("Unknown model %(model)s.", model=model_name)
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
                        "Unknown fields %(fields)s on %(model)s.",
                        fields=", ".join(unknown),
                        model=model.model,
                    )
                )
            vals[target] = [fields.Command.set(found.ids)]
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create([self._med_resolve_names(v) for v in vals_list])
        self._med_clear_form_views()
        return rules

    def _med_clear_form_views(self):
        """Forms of audited models carry an Audit Trail button (``base._get_view``):
        the cached views follow the rules."""
        self.env.registry.clear_cache("templates")

    def write(self, vals):
        if "field_names" in vals or "protected_field_names" in vals:
            vals = dict(vals, model_id=vals.get("model_id", self[:1].model_id.id))
        before = {rule.id: rule._med_coverage() for rule in self}
        # Compared once written (field commands, names); a refusal undoes it.
        with self.env.cr.savepoint():
            result = super().write(self._med_resolve_names(vals))
            narrowed = self.filtered(
                lambda rule: not rule._med_coverage_extends(before[rule.id])
            )
            # While modules load (install, -u), a shipped rule's own data file sets
            # its fields, and the addons that extend it link theirs again right
            # after: the registry being loaded is not ready, and no request reaches
            # it (a context key could be sent by any caller; this cannot).
            if narrowed and self.pool.ready:
                narrowed._med_ensure_may_narrow()
        if {"model_id", "active"} & vals.keys():
            self._med_clear_form_views()
        return result

    def unlink(self):
        with self._med_refused_deletion_recorder():
            self.check_access("unlink")  # a refusal of access comes first
            self._med_ensure_may_narrow()
        result = super().unlink()
        self._med_clear_form_views()
        return result

    # -- what may switch auditing off --
    def _med_coverage(self):
        """What this rule records: a change may extend it, narrowing is guarded."""
        self.ensure_one()
        return {
            "active": self.active,
            "model_id": self.model_id.id,
            "fields": frozenset(self.field_ids.ids),
            "protected": frozenset(self.protected_field_ids.ids),
            "flags": {
                name: self[name]
                for name in ("reason_required", "log_create", "log_write", "log_unlink")
            },
        }

    def _med_coverage_extends(self, before):
        after = self._med_coverage()
        if after["model_id"] != before["model_id"]:
            return False
        if before["active"] and not after["active"]:
            return False
        # no field listed means every stored field: listing some narrows it
        if before["fields"] and not after["fields"].issuperset(before["fields"]):
            return False
        if not before["fields"] and after["fields"]:
            return False
        if not after["protected"].issuperset(before["protected"]):
            return False
        return all(after["flags"][name] for name, on in before["flags"].items() if on)

    def _med_shipped(self):
        """The rules of these that the suite's addons ship (by XML id), and those
        of an addon being uninstalled: its models and rules go with it."""
        # sudo: which addon owns a rule decides, whatever the user may read.
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search([("model", "=", self._name), ("res_id", "in", self.ids)])
        )
        data = data.filtered(lambda d: not d.module.startswith("__"))
        leaving = set(
            self.env["ir.module.module"]
            .sudo()
            .search(
                [("name", "in", data.mapped("module")), ("state", "=", "to remove")]
            )
            .mapped("name")
        )
        shipped = self.browse({d.res_id for d in data if d.module not in leaving})
        uninstalled = self.browse({d.res_id for d in data if d.module in leaving})
        return shipped, uninstalled

    def _med_ensure_may_narrow(self):
        """Auditing is never switched off silently (Annex 11 §9, 21 CFR 11.10(e)):
        the GxP rules the suite ships may only be extended; any other rule is
        archived, deleted or narrowed only with a reason, which the trail of the
        rule keeps."""
        shipped, uninstalled = self._med_shipped()
        rules = self - uninstalled
        if not rules:
            return
        if shipped:
            raise UserError(
                self.env._(
                    "%(rules)s are GxP audit rules shipped with the suite: they can "
                    "be extended (more fields, more protection), not archived, "
                    "deleted or narrowed.",
                    rules=", ".join(shipped.mapped("name")),
                )
            )
        if not rules._med_reason():
            raise UserError(
                self.env._(
                    "Give a reason to archive, delete or narrow the audit rules "
                    "%(rules)s: what is no longer audited must be explained in the "
                    "trail.",
                    rules=", ".join(rules.mapped("name")),
                )
            )

    # -- migrations of the addons that ship rules --
    @api.model
    def _med_adopt_rule(self, xmlid, model_name):
        """Before an addon's data adds the rule ``xmlid`` of ``model_name`` to an
        existing database: a rule the administrator made for that model already
        becomes that rule (a model has one rule), extended by ``_med_extend_rule``."""
        module, name = xmlid.split(".")
        self.env.cr.execute(
            SQL(
                """INSERT INTO ir_model_data (module, name, model, res_id, noupdate)
                SELECT %(module)s, %(name)s, 'med.audit.rule', rule.id, TRUE
                  FROM med_audit_rule rule
                  JOIN ir_model model ON model.id = rule.model_id
                 WHERE model.model = %(model)s
                   AND NOT EXISTS (
                       SELECT 1 FROM ir_model_data
                        WHERE module = %(module)s AND name = %(name)s)""",
                module=module,
                name=name,
                model=model_name,
            )
        )

    @api.model
    def _med_extend_rule(self, xmlid, audited=(), protected=(), reason=None):
        """Add fields to a shipped rule of an existing database (its data is
        noupdate), as the data file does on a new one. A rule auditing every field
        (no field listed) stays so."""
        rule = self.env.ref(xmlid, raise_if_not_found=False)
        if not rule:
            return
        model_fields = self.env["ir.model.fields"].search(
            [("model", "=", rule.model_name), ("name", "in", list(audited))]
        )
        vals = {
            "protected_field_ids": [
                fields.Command.link(field.id)
                for field in model_fields
                if field.name in protected
            ]
        }
        if rule.field_ids:
            vals["field_ids"] = [
                fields.Command.link(field.id) for field in model_fields
            ]
        rule.with_context(med_reason=reason or xmlid).write(vals)

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
