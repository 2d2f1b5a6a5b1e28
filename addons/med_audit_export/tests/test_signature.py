import uuid
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.tests import Form, TransactionCase, new_test_user, tagged

from .common import MedAuditCommon


@tagged("post_install", "-at_install")
class TestSignature(MedAuditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The failure counter is written from a cursor of its own: in test mode that
        # cursor shares this test's transaction, so it sees the test users.
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.verification = cls.env["med.audit.verification"].action_verify()

    def _refused(self, wizard):
        """Sign, expecting a refusal; without assertRaises' savepoint, whose rollback
        would also undo what the separate cursor wrote in test mode."""
        try:
            wizard.action_sign()
        except UserError as error:
            return str(error)
        self.fail("the signature was not refused")

    def _wizard(self, user, password, records=None, meaning="review", login=None):
        records = (records or self.verification).with_user(user)
        action = records.action_med_review()
        context = dict(action["context"], default_meaning=meaning)
        form = Form(
            self.env["med.signature.wizard"].with_user(user).with_context(**context)
        )
        form.login = user.login if login is None else login
        form.password = password
        form.comment = "Monthly audit trail review"
        return form.save()

    def test_sign_with_password_records_signature_and_runs_action(self):
        self._wizard(self.qa_manager, "med_qa_manager").action_sign()
        signature = self.verification.med_signature_ids
        self.assertEqual(len(signature), 1)
        self.assertEqual(signature.signer_id, self.qa_manager)
        self.assertEqual(signature.signer_name, self.qa_manager.name)
        self.assertEqual(signature.meaning, "review")
        self.assertEqual(signature.comment, "Monthly audit trail review")
        self.assertFalse(signature.content_changed)
        self.assertIn("review signed", self.verification.message_ids[0].body)
        logged = self._entries(self.verification, operation="sign")
        self.assertEqual(logged.user_id, self.qa_manager)
        self.assertIn("Review", logged.new_value)

    def test_failed_attempts_counted_over_all_the_users_signatures(self):
        """The message and the next dialog say what the count counts: the user's
        wrong signatures in a row, whatever record or screen."""
        message = self._refused(self._wizard(self.qa_manager, "wrong"))
        self.assertIn("attempt 1 of 5", message)
        self.assertIn("counted over all your signatures", message)
        # another record, another dialog: the count goes on and the dialog shows it
        other = self.env["med.audit.verification"].action_verify()
        wizard = self._wizard(self.qa_manager, "wrong", records=other)
        self.assertEqual(wizard.failed_attempts, 1)
        self.assertIn("attempt 2 of 5", self._refused(wizard))
        self._wizard(self.qa_manager, "med_qa_manager").action_sign()
        self.assertEqual(self._wizard(self.qa_manager, "x").failed_attempts, 0)

    def test_comment_marked_required_where_the_meaning_needs_one(self):
        form = self.env["med.signature.wizard"].get_views([(False, "form")])
        self.assertIn('required="comment_required"', form["views"]["form"]["arch"])
        Wizard = self.env["med.signature.wizard"]
        self.assertFalse(Wizard.new({"meaning": "review"}).comment_required)
        self.assertTrue(Wizard.new({"meaning": "hold"}).comment_required)
        self.assertTrue(Wizard.new({"meaning": "rejection"}).comment_required)

    def test_signature_summary_in_the_company_language(self):
        """The trail's "Review: <signer>" is written in the company's language, not
        in the signer's (who works in English here)."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env.company.partner_id.lang = "zh_CN"
        self._wizard(self.qa_manager, "med_qa_manager").action_sign()
        zh = self.env(context={"lang": "zh_CN"})
        meanings = dict(
            zh["med.signature"]._fields["meaning"]._description_selection(zh)
        )
        self.assertNotEqual(meanings["review"], "Review", "zh_CN is loaded")
        logged = self._entries(self.verification, operation="sign")
        self.assertEqual(
            logged.new_value, f"{meanings['review']}: {self.qa_manager.name}"
        )

    def test_first_signing_needs_the_signers_login(self):
        """Both components at the first signing of a session (11.200(a)(1)(i)):
        without a web session, every signing is a first one."""
        wizard = self._wizard(self.qa_manager, "med_qa_manager")
        self.assertTrue(wizard.login_required)
        for login in ("", "med_auditor"):
            wizard = self._wizard(self.qa_manager, "med_qa_manager", login=login)
            self.assertIn("Wrong login", self._refused(wizard))
        self.assertFalse(self.verification.med_signature_ids)
        self.assertEqual(self.qa_manager.med_sign_failures, 2)
        self._wizard(
            self.qa_manager, "med_qa_manager", login="MED_QA_MANAGER"
        ).action_sign()
        self.assertEqual(len(self.verification.med_signature_ids), 1)

    def test_wrong_password_refused_and_counted(self):
        wizard = self._wizard(self.qa_manager, "wrong")
        self.assertIn("Wrong password", self._refused(wizard))
        self.assertFalse(self.verification.med_signature_ids)
        self.assertEqual(self.qa_manager.med_sign_failures, 1)
        self.assertTrue(self._entries(self.verification, operation="sign_failed"))

    def test_password_asked_at_every_signing(self):
        """No grace period like check_identity's ten minutes (21 CFR 11.200)."""
        self._wizard(self.qa_manager, "med_qa_manager").action_sign()
        self.assertIn(
            "Wrong password", self._refused(self._wizard(self.qa_manager, ""))
        )
        self.assertEqual(len(self.verification.med_signature_ids), 1)

    def _lockout_alerts(self):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.qa_manager.partner_id.id),
                ("summary", "ilike", "Signature lockout"),
            ]
        )

    def test_lockout_after_five_failures_then_unlock_after_period(self):
        for attempt in range(1, 5):
            message = self._refused(self._wizard(self.qa_manager, "wrong"))
            self.assertIn(f"attempt {attempt}", message)
        self.assertFalse(self._lockout_alerts())  # wrong passwords, no lockout yet
        message = self._refused(self._wizard(self.qa_manager, "wrong"))
        self.assertIn("locked until", message)
        self.assertTrue(self.qa_manager.med_sign_locked_until)
        lockouts = self._entries(self.qa_manager, operation="lockout")
        self.assertEqual(len(lockouts), 1)
        # the compliance administrators are alerted (21 CFR 11.300(d))
        alerts = self._lockout_alerts()
        self.assertIn(self.compliance_admin, alerts.user_id)
        self.assertNotIn(self.auditor, alerts.user_id)
        message = self._refused(self._wizard(self.qa_manager, "med_qa_manager"))
        self.assertIn("locked until", message)
        self.assertFalse(self.verification.med_signature_ids)
        # the lockout period ends
        self.qa_manager.sudo().med_sign_locked_until = (
            fields.Datetime.now() - timedelta(minutes=1)
        )
        self._wizard(self.qa_manager, "med_qa_manager").action_sign()
        self.assertEqual(len(self.verification.med_signature_ids), 1)
        self.assertEqual(self.qa_manager.med_sign_failures, 0)

    def test_lockout_threshold_configurable(self):
        self.env["ir.config_parameter"].set_param(
            "med_audit_export.sign_max_failures", 2
        )
        self.assertIn(
            "Wrong password", self._refused(self._wizard(self.qa_manager, "x"))
        )
        self.assertIn("locked until", self._refused(self._wizard(self.qa_manager, "x")))

    def test_meaning_outside_the_list_refused(self):
        with self.assertRaises(ValueError):
            self._wizard(self.qa_manager, "med_qa_manager", meaning="blessing")
        self.assertFalse(self.verification.med_signature_ids)

    def test_action_not_whitelisted_refused(self):
        wizard = self._wizard(self.qa_manager, "med_qa_manager")
        with self.assertRaisesRegex(UserError, "cannot be run"):
            wizard.action_name = "unlink"
        self.assertTrue(self.verification.exists())
        self.assertFalse(self.verification.med_signature_ids)

    def test_signing_unreadable_record_refused(self):
        with self.assertRaisesRegex(UserError, "Only members of"):
            self.env["med.signature.wizard"].with_user(self.warehouse).create(
                {
                    "res_model": "med.audit.verification",
                    "res_ids": str(self.verification.id),
                    "meaning": "review",
                    "action_name": "_med_post_review",
                    "password": "med_warehouse",
                }
            )
        self.assertFalse(self.verification.sudo().med_signature_ids)

    def test_change_after_signature_is_visible(self):
        self._wizard(self.qa_manager, "med_qa_manager").action_sign()
        signature = self.verification.med_signature_ids
        self.assertFalse(signature.content_changed)
        self.env.cr.execute(
            "UPDATE med_audit_verification SET entry_count = entry_count + 1 "
            "WHERE id = %s",
            [self.verification.id],
        )
        self.env.invalidate_all()
        self.assertTrue(signature.content_changed)

    def test_signatures_append_only_and_chained(self):
        self._wizard(self.qa_manager, "med_qa_manager").action_sign()
        signature = self.verification.med_signature_ids
        with self.assertRaises(UserError):
            signature.sudo().write({"signer_name": "Someone else"})
        with self.assertRaises(UserError):
            signature.sudo().unlink()
        self.assertFalse(self.env["med.signature"].verify_chain())


@tagged("post_install", "-at_install")
class TestLockoutSurvivesRollback(TransactionCase):
    """The failed attempt's transaction is rolled back; its count is not (11.300)."""

    def _committed(self, function):
        with self.registry.cursor() as cr:
            return function(api.Environment(cr, SUPERUSER_ID, {}))

    def test_failure_count_survives_rollback(self):
        uid = self._committed(
            lambda env: new_test_user(
                env,
                login=f"med_lockout_probe_{uuid.uuid4().hex[:8]}",
                groups="med_audit_export.group_med_qa_manager",
            ).id
        )
        try:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, uid, {})
                verification = env["med.audit.verification"].action_verify()
                wizard = env["med.signature.wizard"].create(
                    {
                        "res_model": verification._name,
                        "res_ids": str(verification.id),
                        "meaning": "review",
                        "action_name": "_med_post_review",
                        "login": env.user.login,
                        "password": "wrong",
                    }
                )
                with self.assertRaisesRegex(UserError, "Wrong password"):
                    wizard.action_sign()
                cr.rollback()  # what the web request does with a failed call
            failures = self._committed(
                lambda env: env["res.users"].browse(uid).med_sign_failures
            )
            self.assertEqual(failures, 1)
        finally:
            self._committed(
                lambda env: env["res.users"]
                .browse(uid)
                .with_context(med_reason="test user")
                .write({"active": False, "med_sign_failures": 0})
            )
