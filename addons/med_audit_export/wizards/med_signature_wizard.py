import logging
from datetime import timedelta

from psycopg2 import OperationalError

from odoo import api, fields, models
from odoo.exceptions import AccessDenied, AccessError, UserError
from odoo.http import request
from odoo.tools import SQL

from ..models.med_signature import MEANINGS

_logger = logging.getLogger(__name__)

# The web session's mark that its user has signed once with login and password.
SIGNED_IN_SESSION = "med_signed_with_login"
# Meanings whose signature must say why (a hold or a rejection needs its reason).
COMMENT_REQUIRED = ("hold", "rejection")
DEFAULT_MAX_FAILURES = 5
DEFAULT_LOCKOUT_MINUTES = 15
# The advisory lock that serializes the signing attempts of one user: (this key, uid).
SIGN_LOCK_KEY = 11300  # 21 CFR 11.300(d)
SIGN_LOCK_TIMEOUT = "60s"


class MedSignatureWizard(models.TransientModel):
    """Signs records after checking the signer's password again (21 CFR 11.200).

    The password is checked on every signing (Odoo's ``check_identity`` would accept it
    for 10 minutes). The first signing of a session asks for the login too, both
    components of the signature (21 CFR 11.200(a)(1)(i)); the later ones of that
    session the password only. Without a web session (RPC, code) every signing asks
    for both. Failed attempts are counted, and the account's signing locked after
    too many, from a separate cursor, so that the count survives the rollback of the
    failed attempt (21 CFR 11.300(d)).
    """

    _name = "med.signature.wizard"
    _description = "Sign Records"

    res_model = fields.Char(required=True)
    res_ids = fields.Char(required=True, help="Comma-separated ids of the records.")
    meaning = fields.Selection(MEANINGS, required=True)
    comment = fields.Text()
    password = fields.Char()
    login = fields.Char(string="Your Login")
    login_required = fields.Boolean(
        default=lambda self: self._med_first_signing(), readonly=True
    )
    action_name = fields.Char()
    signer_name = fields.Char(default=lambda self: self.env.user.name, readonly=True)
    signer_login = fields.Char(default=lambda self: self.env.user.login, readonly=True)
    record_names = fields.Text(compute="_compute_record_names")
    comment_required = fields.Boolean(compute="_compute_comment_required")
    failed_attempts = fields.Integer(
        default=lambda self: self.env.user.sudo().med_sign_failures,
        readonly=True,
        help="Your wrong signatures in a row, on any record and screen.",
    )

    @api.depends("meaning")
    def _compute_comment_required(self):
        for wizard in self:
            wizard.comment_required = wizard.meaning in COMMENT_REQUIRED

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        wizards._med_check_request()
        return wizards

    def write(self, vals):
        result = super().write(vals)
        if {"res_model", "res_ids", "meaning", "action_name"}.intersection(vals):
            self._med_check_request()
        return result

    def _med_check_request(self):
        """Only a declared signed action, with its meaning, by its group: refused
        when the wizard is made, whatever the values and context sent."""
        for wizard in self:
            wizard._med_records()._med_check_signing(wizard.meaning, wizard.action_name)

    @api.model
    def _med_first_signing(self):
        """Is this the first signing of the user's session (no web session: yes)?"""
        return not (request and request.session.get(SIGNED_IN_SESSION))

    def _med_identified(self, user):
        """The login typed when the session asks for it is the signer's."""
        if not self._med_first_signing():
            return True
        return (self.login or "").strip().lower() == (user.login or "").lower()

    @api.depends("res_model", "res_ids")
    def _compute_record_names(self):
        for wizard in self:
            try:
                records = wizard._med_records()
                wizard.record_names = "\n".join(records.mapped("display_name"))
            except (UserError, AccessError):
                wizard.record_names = False

    def _med_records(self):
        self.ensure_one()
        if self.res_model not in self.env or not hasattr(
            self.env[self.res_model], "_med_signature_actions"
        ):
            raise UserError(
                self.env._("%(model)s records cannot be signed.", model=self.res_model)
            )
        try:
            ids = [int(i) for i in (self.res_ids or "").split(",") if i.strip()]
        except ValueError as error:
            raise UserError(
                self.env._("Invalid record ids: %(ids)s", ids=self.res_ids)
            ) from error
        records = self.env[self.res_model].browse(ids).exists()
        if not records or len(records) != len(ids):
            raise UserError(
                self.env._("The records to sign no longer exist. (记录不存在。)")
            )
        return records

    @api.model
    def _med_settings(self):
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

    def action_sign(self):
        self.ensure_one()
        user = self.env.user
        records = self._med_records()
        if self.meaning not in dict(MEANINGS):
            raise UserError(
                self.env._(
                    "%(meaning)s is not a signature meaning.", meaning=self.meaning
                )
            )
        records._med_check_signing(self.meaning, self.action_name)
        if self.meaning in COMMENT_REQUIRED and not (self.comment or "").strip():
            raise UserError(
                self.env._(
                    "Give the reason in the comment: this signature needs one. "
                    "(请在备注中填写原因。)"
                )
            )
        try:
            records.check_access("read")
        except AccessError as error:
            raise UserError(
                self.env._(
                    "You cannot sign records you are not allowed to read. "
                    "(无权查看的记录不能签名。)"
                )
            ) from error
        identified = self._med_identified(user)
        evaluated, failed, failures, locked_until = self._med_check_password(
            records, identified
        )
        self.password = False
        if not evaluated:
            raise UserError(
                self.env._(
                    "Signing is locked until %(until)s (UTC) after too many wrong "
                    "passwords. (密码错误次数过多，签名已锁定。)",
                    until=fields.Datetime.to_string(locked_until),
                )
            )
        if locked_until:
            raise UserError(
                self.env._(
                    "Wrong password. Signing is now locked until %(until)s (UTC). "
                    "(密码错误，签名已锁定。)",
                    until=fields.Datetime.to_string(locked_until),
                )
            )
        if failed and not identified:
            raise UserError(
                self.env._(
                    "Wrong login: the first signature of a session needs your "
                    "login and password; the signature was not recorded. %(count)s "
                    "(用户名错误，未签名。)",
                    count=self._med_attempts_text(failures),
                )
            )
        if failed:
            raise UserError(
                self.env._(
                    "Wrong password: the signature was not recorded. %(count)s "
                    "(密码错误，未签名。)",
                    count=self._med_attempts_text(failures),
                )
            )
        if request:
            request.session[SIGNED_IN_SESSION] = True
        meaning_label = records._med_company_lang()._med_signature_meanings()[
            self.meaning
        ]
        result = getattr(
            records.with_context(
                med_signature_meaning=self.meaning,
                med_signature_comment=(self.comment or "").strip(),
                med_reason=self.comment or meaning_label,
            ),
            self.action_name,
        )()
        records._med_sign(self.meaning, self.comment)
        return (
            result
            if isinstance(result, dict)
            else {"type": "ir.actions.act_window_close"}
        )

    def _med_attempts_text(self, failures):
        """What the failed-attempt count counts: the user's wrong signatures in a
        row, on any record and screen, not this dialog's tries."""
        max_failures, minutes = self._med_settings()
        return self.env._(
            "This is your failed attempt %(count)s of %(max)s in a row, counted over "
            "all your signatures (any record, any screen); at %(max)s, signing is "
            "locked for %(minutes)s minutes.",
            count=failures,
            max=max_failures,
            minutes=minutes,
        )

    def _med_check_password(self, records, identified):
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
                    {"type": "password", "password": self.password or ""},
                    {"interactive": True},
                )
            except AccessDenied:
                if not row:  # a user not committed yet (a test transaction)
                    return True, True, 0, False
                result = self._med_register_failure(cr, records, failures + 1)
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

    def _med_register_failure(self, cr, records, failures):
        """Count failed attempt number ``failures`` in ``cr`` (which holds the lock of
        the user's row), and lock signing when it is one too many."""
        max_failures, minutes = self._med_settings()
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
                target = env[records._name].browse(records.ids)
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
