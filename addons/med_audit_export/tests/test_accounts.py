import json
import os
import threading
import time
import uuid
from datetime import timedelta

from odoo import SUPERUSER_ID, Command, api, fields, http
from odoo.exceptions import AccessDenied, UserError, ValidationError
from odoo.tests import HttpCase, TransactionCase, get_db_name, new_test_user, tagged

from .common import JsonRpcMixin, MedComplianceCommon

STRONG = "Syr1nge!Lot-2026"
OTHER_STRONG = "Barr3l#Release-26"


def _set_policy(env, **values):
    params = env["ir.config_parameter"].sudo()
    policy = {
        "auth_password_policy.minlength": 10,
        "password_security.lower": 1,
        "password_security.upper": 1,
        "password_security.numeric": 1,
        "password_security.special": 1,
        "password_security.history": 5,
        "password_security.expiration_days": 90,
    }
    policy.update(values)
    for key, value in policy.items():
        params.set_param(key, value)


@tagged("post_install", "-at_install")
class TestPasswordPolicy(MedComplianceCommon):
    """21 CFR 11.300(b): the password policy (OCA password_security's settings) holds
    whenever a password is set: the initial password of a new account as well as a
    changed one; existing accounts and their passwords keep working."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # created under the default policy: its password is weak for the one below
        cls.user = new_test_user(cls.env, login="med_pw_user", groups="base.group_user")
        _set_policy(cls.env)

    def _password_ok(self, user, password):
        try:
            user.with_user(user)._check_credentials(
                {"type": "password", "login": user.login, "password": password},
                {"interactive": True},
            )
        except AccessDenied:
            return False
        return True

    def test_existing_weak_password_still_works(self):
        # new_test_user's password is the login: weak for the policy set since
        self.assertTrue(self._password_ok(self.user, "med_pw_user"))

    def test_initial_password_checked_at_creation(self):
        Users = self.env["res.users"].with_context(active_test=False)
        with (
            self.assertRaisesRegex(ValidationError, "password policy"),
            self.env.cr.savepoint(),
        ):
            Users.create({"name": "New", "login": "med_pw_new", "password": "weak"})
        self.assertFalse(Users.search([("login", "=", "med_pw_new")]))
        user = Users.create({"name": "New", "login": "med_pw_new", "password": STRONG})
        self.assertTrue(self._password_ok(user, STRONG))

    def test_initial_password_checked_in_the_change_password_wizard(self):
        # an administrator creates the account without a password, then sets it
        user = self.env["res.users"].create({"name": "New", "login": "med_pw_wizard"})

        def set_with_wizard(password):
            wizard = self.env["change.password.wizard"].create(
                {
                    "user_ids": [
                        Command.create(
                            {
                                "user_id": user.id,
                                "user_login": user.login,
                                "new_passwd": password,
                            }
                        )
                    ]
                }
            )
            wizard.user_ids.change_password_button()

        with self.assertRaisesRegex(ValidationError, "password policy"):
            set_with_wizard("med_pw_wizard")
        self.assertFalse(self._password_ok(user, "med_pw_wizard"))
        set_with_wizard(STRONG)
        self.assertTrue(self._password_ok(user, STRONG))

    def test_weak_password_refused_on_change(self):
        for weak in (
            "short1!A",
            "alllowercase-and-long1",
            "NoDigitsHere!!",
            "N0special12",
        ):
            with self.subTest(password=weak):
                with self.assertRaisesRegex(ValidationError, "password policy"):
                    self.user.with_user(self.user).change_password("med_pw_user", weak)
                with self.assertRaisesRegex(ValidationError, "password policy"):
                    self.user.write({"password": weak})  # an administrator too
        self.assertTrue(self._password_ok(self.user, "med_pw_user"))

    def test_strong_password_accepted(self):
        self.user.with_user(self.user).change_password("med_pw_user", STRONG)
        self.assertTrue(self._password_ok(self.user, STRONG))
        self.assertFalse(self._password_ok(self.user, "med_pw_user"))
        self.assertFalse(self.user._password_has_expired())

    def test_previous_password_not_reused(self):
        self.user.write({"password": STRONG})
        self.user.write({"password": OTHER_STRONG})
        with self.assertRaisesRegex(UserError, "most recent"):
            self.user.write({"password": STRONG})
        self.assertTrue(self._password_ok(self.user, OTHER_STRONG))

    def test_password_expires_after_the_set_days(self):
        self.user.write({"password": STRONG})
        self.assertFalse(self.user._password_has_expired())
        self.user.write(
            {"password_write_date": fields.Datetime.now() - timedelta(days=91)}
        )
        self.assertTrue(self.user._password_has_expired())


@tagged("post_install", "-at_install")
class TestLoginLockout(HttpCase):
    """21 CFR 11.300(d): wrong passwords at login lock the account itself (not only
    its signing), over every login path; the lockout is in the audit trail and the
    compliance administrators are told."""

    def setUp(self):
        super().setUp()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("med_audit_export.login_max_failures", 3)
        params.set_param("med_audit_export.login_lockout_minutes", 30)
        # Odoo's per-address cooldown would answer first: the account's lock is tested
        params.set_param("base.login_cooldown_after", 0)
        self.user = new_test_user(
            self.env, login="med_lock_user", groups="base.group_user"
        )

    def _json_login(self, password):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "db": get_db_name(),
                "login": self.user.login,
                "password": password,
            },
        }
        return self.url_open(
            "/web/session/authenticate",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        ).json()

    def _lock_state(self):
        self.user.invalidate_recordset()
        return self.user.med_login_failures, self.user.med_login_locked_until

    def test_lockout_after_failures_then_right_password_refused(self):
        for attempt in range(1, 3):
            self.assertIn("error", self._json_login("wrong"))
            self.assertEqual(self._lock_state(), (attempt, False))
        self.assertIn("error", self._json_login("wrong"))
        self.assertGreater(self._lock_state()[1], fields.Datetime.now())
        answer = self._json_login(self.user.login)  # the right password
        self.assertNotIn("result", answer)
        self.assertIn("locked", answer["error"]["data"]["message"])
        lockout = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "res.users"),
                ("res_id", "=", self.user.id),
                ("operation", "=", "login_lockout"),
            ]
        )
        self.assertEqual(len(lockout), 1)
        admin = self.env.ref("base.user_admin")
        self.assertTrue(
            self.user.partner_id.activity_ids.filtered(
                lambda activity: activity.user_id == admin
            )
        )

    def test_login_allowed_again_after_the_lockout_period(self):
        for _attempt in range(3):
            self._json_login("wrong")
        self.user.sudo().write(
            {"med_login_locked_until": fields.Datetime.now() - timedelta(minutes=1)}
        )
        answer = self._json_login(self.user.login)
        self.assertEqual(answer["result"]["uid"], self.user.id)

    def test_success_resets_the_count(self):
        self._json_login("wrong")
        self._json_login("wrong")
        self.assertEqual(
            self._json_login(self.user.login)["result"]["uid"], self.user.id
        )
        self.assertEqual(self._lock_state(), (0, False))
        self._json_login("wrong")
        self._json_login("wrong")
        self.assertEqual(self._lock_state(), (2, False))


@tagged("post_install", "-at_install")
class TestLoginLockoutUnderConcurrency(TransactionCase):
    """Parallel wrong passwords at login, each in a real transaction of its own: no
    more are evaluated than the limit, the account is locked once, and the attempts
    after the lock are refused without checking the password."""

    ATTEMPTS = 10

    def _committed(self, function):
        with self.registry.cursor() as cr:
            return function(api.Environment(cr, SUPERUSER_ID, {}))

    def test_parallel_wrong_logins_evaluated_at_most_the_limit(self):
        login = f"med_login_race_{uuid.uuid4().hex[:8]}"
        uid = self._committed(
            lambda env: new_test_user(env, login=login, groups="base.group_user").id
        )
        limit = self._committed(lambda env: env["res.users"]._med_login_settings()[0])
        barrier = threading.Barrier(self.ATTEMPTS)
        messages = []

        def attempt():
            barrier.wait(timeout=60)
            try:
                self.registry["res.users"].authenticate(
                    self.env.cr.dbname,
                    {"type": "password", "login": login, "password": "wrong"},
                    {"interactive": False},
                )
            except AccessDenied as error:
                messages.append(str(error))

        threads = [threading.Thread(target=attempt) for _ in range(self.ATTEMPTS)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=300)
            self.assertEqual(len(messages), self.ATTEMPTS)
            refused_locked = [m for m in messages if "locked" in m]
            self.assertEqual(len(refused_locked), self.ATTEMPTS - limit)
            locked_until, lockouts = self._committed(
                lambda env: (
                    env["res.users"].browse(uid).med_login_locked_until,
                    env["med.audit.entry"].search_count(
                        [
                            ("res_model", "=", "res.users"),
                            ("res_id", "=", uid),
                            ("operation", "=", "login_lockout"),
                        ]
                    ),
                )
            )
            self.assertTrue(locked_until)
            self.assertEqual(lockouts, 1)
        finally:
            self._committed(
                lambda env: env["res.users"]
                .browse(uid)
                .with_context(med_reason="test user")
                .write({"active": False})
            )

    def test_wrong_passwords_with_rpc_calls_lock_the_account(self):
        login = f"med_rpc_lock_{uuid.uuid4().hex[:8]}"
        uid = self._committed(
            lambda env: new_test_user(env, login=login, groups="base.group_user").id
        )
        Users = self.registry["res.users"]
        dbname = self.env.cr.dbname
        limit = self._committed(lambda env: env["res.users"]._med_login_settings()[0])
        try:
            for _attempt in range(limit):  # XML-RPC's check of each call
                with self.assertRaises(AccessDenied):
                    Users.check(dbname, uid, "wrong")
            with self.assertRaisesRegex(AccessDenied, "locked"):
                Users.check(dbname, uid, login)  # the right password
            self.assertTrue(
                self._committed(
                    lambda env: env["res.users"].browse(uid).med_login_locked_until
                )
            )
        finally:
            self._committed(
                lambda env: env["res.users"]
                .browse(uid)
                .with_context(med_reason="test user")
                .write({"active": False})
            )


@tagged("post_install", "-at_install")
class TestSessionTimeout(HttpCase):
    """21 CFR 11.300 / Annex 11 §12: a session left without a request longer than the
    inactivity timeout (OCA auth_session_timeout, set in the suite's settings) is
    logged out."""

    def setUp(self):
        super().setUp()
        settings = self.env["res.config.settings"].create({})
        settings.med_session_timeout_minutes = 15
        settings.set_values()
        self.user = new_test_user(
            self.env, login="med_idle_user", groups="base.group_user"
        )

    def _logged_in(self):
        response = self.url_open(
            "/web/session/get_session_info",
            data="{}",
            headers={"Content-Type": "application/json"},
        )
        return bool((response.json().get("result") or {}).get("uid"))

    def _age_session(self, seconds):
        path = http.root.session_store.get_session_filename(self.session.sid)
        old = time.time() - seconds
        os.utime(path, (old, old))

    def test_setting_sets_the_timeout(self):
        self.assertEqual(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("inactive_session_time_out_delay"),
            "900",
        )

    def test_active_session_kept(self):
        self.authenticate(self.user.login, self.user.login)
        self._age_session(10 * 60)
        self.assertTrue(self._logged_in())

    def test_expired_session_refused(self):
        self.authenticate(self.user.login, self.user.login)
        self.assertTrue(self._logged_in())
        self._age_session(16 * 60)
        self._logged_in()  # the first request after the timeout logs the session out
        self.assertFalse(http.root.session_store.get(self.session.sid).uid)
        self.assertFalse(self._logged_in())


@tagged("post_install", "-at_install")
class TestRenameOverRpc(JsonRpcMixin, HttpCase):
    """21 CFR 11.100(a): over JSON-RPC, an administrator cannot rename the account of
    a user who signed or recorded GxP data, nor change its login or give it another
    person's partner; an account without GxP data can be renamed."""

    def setUp(self):
        super().setUp()
        self.signer = new_test_user(
            self.env, login="med_rpc_signer", groups="base.group_user"
        )
        self.signer.with_user(self.signer)._med_log_event("export")
        self.plain = new_test_user(
            self.env, login="med_rpc_plain", groups="base.group_user"
        )
        self.authenticate("admin", "admin")

    def test_admin_rename_refused_over_rpc(self):
        name, login = self.signer.name, self.signer.login
        other = self.env["res.partner"].create({"name": "Someone Else"})
        for vals in (
            {"name": "Someone Else"},
            {"login": "someone_else"},
            {"partner_id": other.id},
        ):
            with self.subTest(vals=vals):
                answer = self._call("res.users", "write", [[self.signer.id], vals])
                self.assertIn(
                    "signed or recorded GxP data", answer["error"]["data"]["message"]
                )
        answer = self._call(
            "res.partner", "write", [[self.signer.partner_id.id], {"name": "X"}]
        )
        self.assertIn("error", answer)
        self.signer.invalidate_recordset()
        self.assertEqual((self.signer.name, self.signer.login), (name, login))

    def test_admin_renames_account_without_gxp_data(self):
        answer = self._call(
            "res.users", "write", [[self.plain.id], {"name": "Plain Renamed"}]
        )
        self.assertTrue(answer["result"])
        self.plain.invalidate_recordset()
        self.assertEqual(self.plain.name, "Plain Renamed")


@tagged("post_install", "-at_install")
class TestInitialPasswordOverRpc(JsonRpcMixin, HttpCase):
    """21 CFR 11.300(b) over JSON-RPC: an administrator creating an account, or
    setting the password of one created without, meets the password policy."""

    def setUp(self):
        super().setUp()
        _set_policy(self.env)
        self.authenticate("admin", "admin")

    def _users(self, login):
        return (
            self.env["res.users"]
            .with_context(active_test=False)
            .search([("login", "=", login)])
        )

    def test_weak_initial_password_refused_over_rpc(self):
        answer = self._call(
            "res.users",
            "create",
            [{"name": "RPC New", "login": "med_rpc_new", "password": "weak1"}],
        )
        self.assertIn("password policy", answer["error"]["data"]["message"])
        self.assertFalse(self._users("med_rpc_new"))
        answer = self._call(
            "res.users",
            "create",
            [{"name": "RPC New", "login": "med_rpc_new", "password": STRONG}],
        )
        self.assertEqual(self._users("med_rpc_new").id, answer["result"])

    def test_weak_password_of_a_new_account_refused_over_rpc(self):
        user = self.env["res.users"].create({"name": "No Pw", "login": "med_rpc_nopw"})
        answer = self._call("res.users", "write", [[user.id], {"password": "weak1"}])
        self.assertIn("password policy", answer["error"]["data"]["message"])
        answer = self._call("res.users", "write", [[user.id], {"password": STRONG}])
        self.assertTrue(answer["result"])
