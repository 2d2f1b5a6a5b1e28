import hashlib
import json

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.models import MAGIC_COLUMNS
from odoo.tools import frozendict

from .med_audit_rule import SKIPPED_FIELD_TYPES

QA_MANAGER = "med_audit_export.group_med_qa_manager"


class MedSignableMixin(models.AbstractModel):
    """For records that are signed (released, approved, closed ...).

    A button calls ``_med_request_signature(meaning, "_action_x")``: the signature
    wizard asks for the user's password again (21 CFR 11.200) and, once it is right,
    runs ``_action_x`` and records the signature. The form shows the signatures and a
    "reason for change" field that audited writes take their reason from.

    ``_med_signature_actions`` declares, once per model, every signed action:
    ``{method: (meaning, group xml id)}``. A signature always runs one of them, with
    its meaning, by a member of its group (``_med_check_signing``): nothing else is
    signed, whatever a caller sends to the wizard.
    """

    _name = "med.signable.mixin"
    _description = "Signable Record"
    _med_signature_actions = frozendict()

    med_signature_ids = fields.One2many(
        "med.signature",
        compute="_compute_med_signature_ids",
        string="Electronic Signatures",
    )
    med_signature_count = fields.Integer(
        string="Signature Count", compute="_compute_med_signature_ids"
    )
    med_change_reason = fields.Char(
        string="Reason for Change",
        store=False,
        help="Why you change this record. Audited changes need it; it is kept in the "
        "audit trail with the change.",
    )

    def _compute_med_signature_ids(self):
        # sudo: signatures are shown to whoever can read the signed record.
        signatures = (
            self.env["med.signature"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
        )
        for record in self:
            mine = signatures.filtered(lambda s, r=record: s.res_id == r.id)
            record.med_signature_ids = mine.with_env(self.env)
            record.med_signature_count = len(mine)

    def write(self, vals):
        if "med_change_reason" not in vals:
            return super().write(vals)
        vals = dict(vals)
        reason = vals.pop("med_change_reason")
        records = self.with_context(med_reason=reason) if reason else self
        return super(MedSignableMixin, records).write(vals) if vals else True

    def _med_signed_fields(self):
        """The fields a signature covers: the audited ones, else every stored one."""
        config = self._med_audit_config()
        if config and config.fields:
            return sorted(config.fields)
        return sorted(
            name
            for name, field in self._fields.items()
            if field.store
            and name not in MAGIC_COLUMNS
            and field.type not in SKIPPED_FIELD_TYPES
            and not name.startswith(("message_", "activity_"))
        )

    def _med_content_digest(self):
        self.ensure_one()
        content = {}
        for name in self._med_signed_fields():
            value = self[name]
            content[name] = self._med_format(
                name, value.ids if isinstance(value, models.BaseModel) else value
            )
        payload = json.dumps(
            [self._name, self.id, content], ensure_ascii=False, sort_keys=True
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def _med_sign(self, meaning, comment=None):
        """Record the current user's signature on these records (after the wizard
        checked the password) and log it in the audit trail."""
        user = self.env.user
        now = fields.Datetime.now()
        rows = [
            {
                "timestamp": now,
                "signer_id": user.id,
                "signer_name": user.name,
                "signer_login": user.login,
                "meaning": meaning,
                "comment": comment or None,
                "res_model": self._name,
                "res_id": record.id,
                # sudo: the digest covers the whole record, readable or not.
                "res_name": record.sudo().display_name,
                "content_digest": record.sudo()._med_content_digest(),
                "company_id": (
                    record.company_id.id if "company_id" in record._fields else None
                )
                or self.env.company.id,
            }
            for record in self
        ]
        # sudo: signatures are system records, written only here.
        signatures = self.env["med.signature"].sudo()._med_chain_insert(rows)
        label = self._med_company_lang()._med_signature_meanings()[meaning]
        self._med_log_event("sign", reason=comment, details=f"{label}: {user.name}")
        return signatures.with_env(self.env)

    @api.model
    def _med_check_signing(self, meaning, action):
        """Refuse unless ``action`` is a signed action of this model, signed with its
        own meaning by a member of its group."""
        if not action or action not in self._med_signature_actions:
            raise UserError(
                self.env._(
                    "%(action)s cannot be run through a signature.",
                    action=action or "-",
                )
            )
        expected, group = self._med_signature_actions[action]
        if meaning != expected:
            meanings = self._med_signature_meanings()
            raise UserError(
                self.env._(
                    "This action is signed with the meaning %(expected)s, not "
                    "%(meaning)s.",
                    expected=meanings[expected],
                    meaning=meanings.get(meaning, meaning),
                )
            )
        self._med_require_group(group)

    @api.model
    def _med_require_group(self, group):
        """Refuse unless the current user is a member of ``group`` (an xml id)."""
        if not self.env.user.has_group(group):
            raise UserError(
                self.env._(
                    "Only members of %(group)s may sign this action.",
                    # sudo: the refused user is told the group's name, readable or not.
                    group=self.env.ref(group).sudo().full_name,
                )
            )

    def _med_request_signature(self, meaning, action=None, title=None):
        """The window action of the signature wizard for these records."""
        self._med_check_signing(meaning, action)
        return {
            "type": "ir.actions.act_window",
            "name": title or self.env._("Electronic Signature"),
            "res_model": "med.signature.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_res_model": self._name,
                "default_res_ids": ",".join(str(i) for i in self.ids),
                "default_meaning": meaning,
                "default_action_name": action or False,
            },
        }

    def action_med_open_signatures(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Electronic Signatures"),
            "res_model": "med.signature",
            "view_mode": "list,form",
            "domain": [("res_model", "=", self._name), ("res_id", "in", self.ids)],
        }

    @api.model
    def _med_signature_meanings(self):
        return dict(
            self.env["med.signature"]
            ._fields["meaning"]
            ._description_selection(self.env)
        )
