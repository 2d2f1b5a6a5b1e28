import hashlib
import json
import logging
from datetime import timedelta

from psycopg2 import OperationalError

from odoo import api, fields, models
from odoo.exceptions import AccessDenied, AccessError, UserError
from odoo.http import request
from odoo.models import MAGIC_COLUMNS
from odoo.tools import SQL, frozendict

from .med_audit_rule import SKIPPED_FIELD_TYPES
from .med_signature import MEANINGS

_logger = logging.getLogger(__name__)

QA_MANAGER = "med_audit_export.group_med_qa_manager"
# The web session's mark that its user has signed once with login and password.
SIGNED_IN_SESSION = "med_signed_with_login"
# Meanings whose signature must say why (a hold or a rejection needs its reason).
COMMENT_REQUIRED = ("hold", "rejection")
DEFAULT_MAX_FAILURES = 5
DEFAULT_LOCKOUT_MINUTES = 15
# The advisory lock that serializes the signing attempts of one user: (this key, uid).
SIGN_LOCK_KEY = 11300  # 21 CFR 11.300(d)
SIGN_LOCK_TIMEOUT = "60s"


class MedSignableMixin(models.AbstractModel):
    """For records that are signed (released, approved, closed ...).

    A button calls ``_med_request_signature(meaning, "_action_x")``: the signature
    wizard asks for the user's password again (21 CFR 11.200) and passes it to
    ``_med_sign_with_credentials``, which checks it, runs ``_action_x`` and records
    the signature (batch signing calls that method too). The form shows the
    signatures and a "reason for change" field that audited writes take their
    reason from.

    ``_med_signature_actions`` declares, once per model, every signed action:
    ``{method: (meaning, group xml id)}``. A signature always runs one of them, with
    its meaning, by a member of its group (``_med_ensure_signing``): nothing else is
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
    def _med_ensure_signing(self, meaning, action):
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
    def _med_require_group(self, group, message=None):
        """Refuse unless the current user is a member of ``group`` (an xml id), with
        ``message`` (what only that group does) or a generic one."""
        if self.env.user.has_group(group):
            return
        raise UserError(
            message
            or self.env._(
                "Only members of %(group)s may sign this action.",
                # sudo: the refused user is told the group's name, readable or not.
                group=self.env.ref(group).sudo().full_name,
            )
        )

    def _med_require_fields(self, field_names, step):
        """Refuse unless every record has each of ``field_names`` filled in (a text
        of blanks is empty); ``step`` names what needs them ("the launch")."""
        for record in self:
            missing = [
                record._fields[name]._description_string(self.env)
                for name in field_names
                if not (
                    record[name].strip()
                    if isinstance(record[name], str)
                    else record[name]
                )
            ]
            if missing:
                raise UserError(
                    self.env._(
                        "%(record)s: fill in %(fields)s before %(step)s.",
                        record=record.display_name,
                        fields=", ".join(missing),
                        step=step,
                    )
                )

    def _med_sign_with_credentials(
        self, meaning, action, password, login=None, comment=None
    ):
        """Sign these records with ``meaning``: check the signer's credentials, run
        the signed ``action`` and record one signature per record; returns what the
        action returns. Nothing is signed, and the action not run, on any refusal.

        The password is checked on every signing (Odoo's ``check_identity`` would
        accept it for 10 minutes). The first signing of a session asks for the login
        too, both components of the signature (21 CFR 11.200(a)(1)(i)); the later ones
        of that session the password only. Without a web session (RPC, code) every
        signing asks for both. Failed attempts are counted, and the account's signing
        locked after too many, from a separate cursor, so that the count survives the
        rollback of the failed attempt (21 CFR 11.300(d))."""
        if not self:
            raise UserError(self.env._("The records to sign no longer exist."))
        user = self.env.user
        if meaning not in dict(MEANINGS):
            raise UserError(
                self.env._("%(meaning)s is not a signature meaning.", meaning=meaning)
            )
        self._med_ensure_signing(meaning, action)
        if meaning in COMMENT_REQUIRED and not (comment or "").strip():
            raise UserError(
                self.env._("Give the reason in the comment: this signature needs one.")
            )
        try:
            self.check_access("read")
        except AccessError as error:
            raise UserError(
                self.env._("You cannot sign records you are not allowed to read.")
            ) from error
        identified = self._med_identified(user, login)
        evaluated, failed, failures, locked_until = self._med_verify_password(
            password, identified
        )
        if not evaluated:
            raise UserError(
                self.env._(
                    "Signing is locked until %(until)s (UTC) after too many wrong "
                    "passwords.",
                    until=fields.Datetime.to_string(locked_until),
                )
            )
        if locked_until:
            raise UserError(
                self.env._(
                    "Wrong password. Signing is now locked until %(until)s (UTC).",
                    until=fields.Datetime.to_string(locked_until),
                )
            )
        if failed and not identified:
            raise UserError(
                self.env._(
                    "Wrong login: the first signature of a session needs your "
                    "login and password; the signature was not recorded. %(count)s",
                    count=self._med_attempts_text(failures),
                )
            )
        if failed:
            raise UserError(
                self.env._(
                    "Wrong password: the signature was not recorded. %(count)s",
                    count=self._med_attempts_text(failures),
                )
            )
        if request:
            request.session[SIGNED_IN_SESSION] = True
        meaning_label = self._med_company_lang()._med_signature_meanings()[meaning]
        result = getattr(
            self.with_context(
                med_signature_meaning=meaning,
                med_signature_comment=(comment or "").strip(),
                med_reason=comment or meaning_label,
            ),
            action,
        )()
        self._med_sign(meaning, comment)
        return result

    def _med_attempts_text(self, failures):
        """What the failed-attempt count counts: the user's wrong signatures in a
        row, on any record and screen, not this dialog's tries."""
        max_failures, minutes = self._med_signing_settings()
        return self.env._(
            "This is your failed attempt %(count)s of %(max)s in a row, counted over "
            "all your signatures (any record, any screen); at %(max)s, signing is "
            "locked for %(minutes)s minutes.",
            count=failures,
            max=max_failures,
            minutes=minutes,
        )

    def _med_verify_password(self, password, identified):
        """(evaluated?, failed?, failed attempt number, locked until) of this
        signing.

        The attempts of one user are serialized by a lock taken in a transaction of
        its own, which then reads the committed count, counts a failure and is
        committed whatever happens to the request's (21 CFR 11.300(d)): concurrent
        attempts wait for each other, so no more than the allowed number of wrong
        passwords is ever evaluated. The lock is an advisory one, not the user's
        row: the request's own transaction may have written that row."""
        uid = self.env.uid
        with self.env.registry.cursor() as cr:
            if not self.env.registry.in_test_mode():
                # The count committed by the attempt we waited for, not a snapshot
                # taken before the wait.
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cr.execute(SQL("SET LOCAL lock_timeout = %s", SIGN_LOCK_TIMEOUT))
            try:
                cr.execute(
                    SQL("SELECT pg_advisory_xact_lock(%s, %s)", SIGN_LOCK_KEY, uid)
                )
            except OperationalError as error:  # the lock timeout
                raise UserError(
                    self.env._(
                        "Another signature of your account is being checked: try "
                        "again in a moment."
                    )
                ) from error
            cr.execute(
                SQL(
                    "SELECT COALESCE(med_sign_failures, 0), med_sign_locked_until "
                    "FROM res_users WHERE id = %s",
                    uid,
                )
            )
            row = cr.fetchone()
            failures, locked_until = row or (0, None)
            if locked_until and locked_until > fields.Datetime.now():
                return False, True, failures, locked_until
            try:
                if not identified:
                    raise AccessDenied()
                self.env.user._check_credentials(
                    {"type": "password", "password": password or ""},
                    {"interactive": True},
                )
            except AccessDenied:
                if not row:  # a user not committed yet (a test transaction)
                    return True, True, 0, False
                result = self._med_register_failure(cr, failures + 1)
                self.env.user.invalidate_recordset(
                    ["med_sign_failures", "med_sign_locked_until"]
                )
                return (True, True, *result)
            if failures or locked_until:
                cr.execute(
                    SQL(
                        "UPDATE res_users SET med_sign_failures = 0, "
                        "med_sign_locked_until = NULL WHERE id = %s",
                        uid,
                    )
                )
                self.env.user.invalidate_recordset(
                    ["med_sign_failures", "med_sign_locked_until"]
                )
            return True, False, 0, False

    def _med_register_failure(self, cr, failures):
        """Count failed attempt number ``failures`` in ``cr`` (which holds the lock of
        the user's row), and lock signing when it is one too many."""
        max_failures, minutes = self._med_signing_settings()
        uid = self.env.uid
        env = self.env(cr=cr)
        locked_until = False
        if failures >= max_failures:
            locked_until = fields.Datetime.now() + timedelta(minutes=minutes)
        cr.execute(
            SQL(
                "UPDATE res_users SET med_sign_failures = %s, "
                "med_sign_locked_until = %s WHERE id = %s",
                0 if locked_until else failures,
                locked_until or None,
                uid,
            )
        )
        try:
            # The request's transaction may hold the audit trail's lock (it wrote
            # audited records before signing): wait briefly, never forever.
            with cr.savepoint():
                cr.execute("SET LOCAL lock_timeout = '3s'")
                user = env["res.users"].browse(uid)
                target = env[self._name].browse(self.ids)
                target._med_log_event(
                    "sign_failed",
                    details=self.env._(
                        "Wrong password (attempt %(count)s)", count=failures
                    ),
                )
                if locked_until:
                    user._med_log_event(
                        "lockout",
                        details=self.env._(
                            "Signing locked until %(until)s (UTC)",
                            until=fields.Datetime.to_string(locked_until),
                        ),
                    )
                    user._med_alert_lockout(locked_until)
        except Exception:  # the counter must be committed even if this fails
            _logger.warning("failed signature of uid %s not written to the trail", uid)
        return failures, locked_until

    @api.model
    def _med_first_signing(self):
        """Is this the first signing of the user's session (no web session: yes)?"""
        return not (request and request.session.get(SIGNED_IN_SESSION))

    @api.model
    def _med_identified(self, user, login):
        """The login typed when the session asks for it is the signer's."""
        if not self._med_first_signing():
            return True
        return (login or "").strip().lower() == (user.login or "").lower()

    @api.model
    def _med_signing_settings(self):
        params = self.env["ir.config_parameter"].sudo()
        max_failures = int(
            params.get_param("med_audit_export.sign_max_failures", DEFAULT_MAX_FAILURES)
        )
        minutes = int(
            params.get_param(
                "med_audit_export.sign_lockout_minutes", DEFAULT_LOCKOUT_MINUTES
            )
        )
        return max(max_failures, 1), max(minutes, 1)

    def _med_request_signature(self, meaning, action=None, title=None):
        """The window action of the signature wizard for these records."""
        self._med_ensure_signing(meaning, action)
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
