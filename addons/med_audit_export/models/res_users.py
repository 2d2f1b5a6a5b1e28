import contextlib
import logging
import re
from datetime import timedelta

from psycopg2 import OperationalError

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessDenied, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.password_security.models.res_users import (
    ResUsers as PasswordSecurityUsers,
)

_logger = logging.getLogger(__name__)

DEFAULT_LOGIN_MAX_FAILURES = 5
DEFAULT_LOGIN_LOCKOUT_MINUTES = 30
# The advisory lock that serializes the login attempts of one account: (key, uid).
LOGIN_LOCK_KEY = 11301  # 21 CFR 11.300(d), beside the signing lock's 11300
LOGIN_LOCK_TIMEOUT = "30s"


class ResUsers(models.Model):
    _inherit = "res.users"

    # Written only by the signing, from its own cursor (med.signable.mixin)
    med_sign_failures = fields.Integer(
        string="Failed Signature Attempts", readonly=True, copy=False
    )
    med_sign_locked_until = fields.Datetime(
        string="Signing Locked Until", readonly=True, copy=False
    )
    # Written only by the login guard, from its own cursor (_med_login_guard)
    med_login_failures = fields.Integer(
        string="Failed Login Attempts", readonly=True, copy=False
    )
    med_login_locked_until = fields.Datetime(
        string="Login Locked Until", readonly=True, copy=False
    )

    def write(self, vals):
        self._med_ensure_rename(vals)
        if "name" not in vals:
            return super().write(vals)
        # The name lives on the user's partner (_inherits), out of reach of the
        # stored-field audit of res.users; a renamed account may be one handed to
        # another person (21 CFR 11.100(a)), so it goes to the trail with the user.
        config = self._med_audit_config()
        old = {user.id: user.name for user in self}
        result = super().write(vals)
        if config and config.log_write:
            reason = self._med_reason()
            self._med_insert_entries(
                [
                    self._med_entry_row(
                        "write",
                        user.id,
                        "name",
                        old[user.id],
                        user.name,
                        self.env.uid,
                        reason,
                    )
                    for user in self
                    if user.name != old[user.id]
                ]
            )
        return result

    # -- 21 CFR 11.300(b): password policy (OCA password_security's settings) --
    def _check_password_policy(self, passwords):
        """password_security skips its rules whenever Odoo's test mode is on (and then
        reads the Odoo runner's current test, which pytest-odoo does not set): the
        suite applies the same settings in every mode, so that its tests prove them.

        The initial password of a new account is checked like a changed one, however
        it is set (21 CFR 11.300(b)); only the passwords of module data files (the
        demo users), loaded while the registry is not ready yet, are not: no request
        reaches a registry in that state.
        """
        if not self.env.registry.ready:
            return True
        for user, password in zip(self, passwords, strict=False):
            if password:
                user._check_password(password)
        # auth_password_policy's own check, without password_security's skip
        return super(PasswordSecurityUsers, self)._check_password_policy(passwords)

    def _check_password_rules(self, password):
        self.ensure_one()
        params = self._get_all_password_params()
        missing = [
            label
            for pattern, count, label in (
                ("[a-z]", params["lower"], self.env._("lowercase letters")),
                ("[A-Z]", params["upper"], self.env._("uppercase letters")),
                (r"\d", params["numeric"], self.env._("digits")),
                (r"[\W_]", params["special"], self.env._("special characters")),
            )
            if len(re.findall(pattern, password)) < count
        ]
        if missing or len(password) < params["minlength"]:
            raise ValidationError(
                self.env._(
                    "This password does not meet the password policy: at least "
                    "%(length)s characters, with %(lower)s lowercase letters, "
                    "%(upper)s uppercase letters, %(digits)s digits and %(special)s "
                    "special characters (missing: %(missing)s).",
                    length=params["minlength"],
                    lower=params["lower"],
                    upper=params["upper"],
                    digits=params["numeric"],
                    special=params["special"],
                    missing=", ".join(missing) or self.env._("length"),
                )
            )
        return True

    # -- 21 CFR 11.300(d): account lockout of the login itself --
    @classmethod
    def _login(cls, db, credential, user_agent_env):
        with cls._med_login_guard(credential.get("login")):
            return super()._login(db, credential, user_agent_env)

    @classmethod
    def check(cls, db, uid, passwd):
        """A wrong password given with an RPC call counts like a wrong login."""
        try:
            return super().check(db, uid, passwd)
        except AccessDenied:
            with cls.pool.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                user = env["res.users"].browse(uid).exists()
                if user:
                    user._med_register_login_failure()
            raise

    def _check_credentials(self, credential, env):
        if (env or {}).get(
            "interactive"
        ) is False and self.env.user._med_login_locked():
            # RPC calls with a password (check, on the model) while the login is locked
            raise AccessDenied(self.env._("This account is locked."))
        return super()._check_credentials(credential, env)

    def _med_login_locked(self):
        self.ensure_one()
        self.env.cr.execute(
            SQL("SELECT med_login_locked_until FROM res_users WHERE id = %s", self.id)
        )
        row = self.env.cr.fetchone()
        return bool(row and row[0] and row[0] > fields.Datetime.now())

    @api.model
    def _med_login_settings(self):
        params = self.env["ir.config_parameter"].sudo()
        max_failures = int(
            params.get_param(
                "med_audit_export.login_max_failures", DEFAULT_LOGIN_MAX_FAILURES
            )
        )
        minutes = int(
            params.get_param(
                "med_audit_export.login_lockout_minutes", DEFAULT_LOGIN_LOCKOUT_MINUTES
            )
        )
        return max_failures, max(minutes, 1)

    @classmethod
    @contextlib.contextmanager
    def _med_login_guard(cls, login):
        """Refuse the login of a locked account without checking its password; count
        a wrong one, and lock the account after too many in a row (21 CFR
        11.300(d)). Odoo's own cooldown is per IP address and in memory: this one
        is per account, in the database, shared by all workers.

        The attempts of one account are serialized by a lock taken in a transaction
        of its own, which reads the committed count and is committed whatever
        happens to the login's transaction (which the failure rolls back)."""
        with cls.pool.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            Users = env["res.users"]
            if not env.registry.in_test_mode():
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            user = Users.search(Users._get_login_domain(login or ""), limit=1)
            max_failures, _minutes = Users._med_login_settings()
            if not user or max_failures <= 0:
                yield
                return
            cr.execute(SQL("SET LOCAL lock_timeout = %s", LOGIN_LOCK_TIMEOUT))
            try:
                cr.execute(
                    SQL("SELECT pg_advisory_xact_lock(%s, %s)", LOGIN_LOCK_KEY, user.id)
                )
            except OperationalError as error:  # the lock timeout
                raise AccessDenied() from error
            if user._med_login_locked():
                _logger.warning("Login refused for locked account %s", user.login)
                raise AccessDenied(
                    env._(
                        "This account is locked after too many wrong passwords: "
                        "try again later or ask an administrator."
                    )
                )
            refused = None
            try:
                yield
            except AccessDenied as error:
                user._med_register_login_failure()
                refused = error  # raised once this cursor has committed the count
            else:
                cr.execute(
                    SQL(
                        "UPDATE res_users SET med_login_failures = 0, "
                        "med_login_locked_until = NULL WHERE id = %s AND "
                        "(med_login_failures > 0 "
                        "OR med_login_locked_until IS NOT NULL)",
                        user.id,
                    )
                )
        if refused:
            raise refused

    def _med_register_login_failure(self):
        """Count a wrong password of this account in the current cursor, and lock the
        account when it is one too many; the trail and the compliance
        administrators hear of the lockout."""
        self.ensure_one()
        max_failures, minutes = self._med_login_settings()
        if max_failures <= 0 or self._med_login_locked():
            return
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT COALESCE(med_login_failures, 0) FROM res_users WHERE id = %s",
                self.id,
            )
        )
        failures = cr.fetchone()[0] + 1
        locked_until = None
        if failures >= max_failures:
            locked_until = fields.Datetime.now() + timedelta(minutes=minutes)
        cr.execute(
            SQL(
                "UPDATE res_users SET med_login_failures = %s, "
                "med_login_locked_until = %s WHERE id = %s",
                0 if locked_until else failures,
                locked_until,
                self.id,
            )
        )
        self.invalidate_recordset(["med_login_failures", "med_login_locked_until"])
        if not locked_until:
            return
        try:
            # Another transaction may hold the audit trail's lock: wait briefly.
            with cr.savepoint():
                cr.execute("SET LOCAL lock_timeout = '3s'")
                until = fields.Datetime.to_string(locked_until)
                self._med_log_event(
                    "login_lockout",
                    details=self.env._(
                        "Login locked until %(until)s (UTC) after %(count)s wrong "
                        "passwords",
                        until=until,
                        count=failures,
                    ),
                )
                self._med_alert_lockout(locked_until, login=True)
        except Exception:  # the lock must be committed even if this fails
            _logger.warning("login lockout of %s not written to the trail", self.login)

    def _med_ensure_rename(self, vals):
        """A signature prints the signer's name and login (21 CFR 11.50): the account
        of a user who signed or recorded GxP data keeps them, whoever asks; the new
        name is a new account. A user with a compliance role does not rename
        themselves."""
        renamed = self.filtered(
            lambda user: ("name" in vals and vals["name"] != user.name)
            or ("login" in vals and vals["login"] != user.login)
            # the name is the partner's: another partner is another name
            or ("partner_id" in vals and vals["partner_id"] != user.partner_id.id)
        )
        if not renamed:
            return
        recorded = renamed._med_with_gxp_records()
        if recorded:
            raise UserError(
                self.env._(
                    "%(users)s signed or recorded GxP data: the name and login of "
                    "that account cannot change. Deactivate it and create a new user "
                    "with the new name.",
                    users=", ".join(recorded.mapped("name")),
                )
            )
        if self.env.user in renamed and self.env.user._med_has_compliance_role():
            raise UserError(
                self.env._(
                    "You hold a compliance role: an administrator changes your name "
                    "or login, not you."
                )
            )

    def _med_with_gxp_records(self):
        """These users, those who signed or are in the audit trail."""
        self.env.cr.execute(
            SQL(
                "SELECT candidate.uid FROM unnest(%s::int[]) AS candidate(uid) "
                "WHERE EXISTS (SELECT 1 FROM med_signature s "
                "WHERE s.signer_id = candidate.uid) "
                "OR EXISTS (SELECT 1 FROM med_audit_entry e "
                "WHERE e.user_id = candidate.uid)",
                list(self.ids),
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _med_has_compliance_role(self):
        self.ensure_one()
        category = self.env.ref("med_audit_export.module_category_med_compliance")
        # sudo: the user's groups decide, whether or not they may read groups.
        return bool(
            self.sudo().groups_id.filtered(lambda group: group.category_id == category)
        )

    def _med_alert_lockout(self, locked_until, login=False):
        """Tell the compliance administrators that this user's signing (or login) is
        locked: repeated wrong passwords may be someone trying to sign or log in as
        the user (21 CFR 11.300(d))."""
        self.ensure_one()
        admins = self.env.ref("med_audit_export.group_med_compliance_admin").users
        admins = admins.filtered(lambda admin: admin.active and not admin.share)
        # sudo: the alert is the system's, whatever the locked user may write on
        # partners or see of the administrators.
        partner = self.partner_id.sudo()
        until = fields.Datetime.to_string(locked_until)
        for admin in admins.sudo():
            if login:
                partner.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=admin.id,
                    summary=self.env._(
                        "Login lockout of %(user)s", user=self.display_name
                    ),
                    note=self.env._(
                        "%(user)s's account got too many wrong passwords at login; "
                        "it is locked until %(until)s (UTC). Check with the user "
                        "that nobody else tried to log in with their account.",
                        user=self.display_name,
                        until=until,
                    ),
                )
                continue
            partner.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=admin.id,
                summary=self.env._(
                    "Signature lockout of %(user)s", user=self.display_name
                ),
                note=self.env._(
                    "%(user)s gave a wrong password too many times when signing; "
                    "signing is locked until %(until)s (UTC). Check with the user "
                    "that nobody else tried to sign in their name.",
                    user=self.display_name,
                    until=until,
                ),
            )
