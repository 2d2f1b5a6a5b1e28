import threading
import uuid

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import MedComplianceCommon


@tagged("post_install", "-at_install")
class TestSigningRules(MedComplianceCommon):
    """Each signed action has one meaning and one group (the model's declaration);
    signatures are read by those who may read the signed record; signers keep their
    printed name."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.verification = cls.env["med.audit.verification"].action_verify()

    def _wizard_vals(self, **values):
        return dict(
            {
                "res_model": self.verification._name,
                "res_ids": str(self.verification.id),
                "meaning": "review",
                "action_name": "_med_post_review",
                "comment": "Monthly review",
            },
            **values,
        )

    def _sign_review(self, user):
        wizard = (
            self.env["med.signature.wizard"]
            .with_user(user)
            .create(self._wizard_vals(login=user.login, password=user.login))
        )
        wizard.action_sign()
        return self.verification.med_signature_ids

    def test_declared_action_meaning_and_group_signed(self):
        signature = self._sign_review(self.qa_manager)
        self.assertEqual(signature.meaning, "review")
        self.assertEqual(signature.signer_id, self.qa_manager)

    def test_other_meaning_refused(self):
        Wizard = self.env["med.signature.wizard"].with_user(self.qa_manager)
        with self.assertRaisesRegex(UserError, "signed with the meaning Review"):
            Wizard.create(self._wizard_vals(meaning="release"))
        wizard = Wizard.create(self._wizard_vals())
        with self.assertRaisesRegex(UserError, "signed with the meaning Review"):
            wizard.write({"meaning": "approval"})
        self.assertFalse(self.verification.med_signature_ids)

    def test_signature_without_declared_action_refused(self):
        Wizard = self.env["med.signature.wizard"].with_user(self.qa_manager)
        for action in (False, "unlink", "_med_sign"):
            with self.assertRaisesRegex(UserError, "cannot be run through"):
                Wizard.create(self._wizard_vals(action_name=action))
        self.assertFalse(self.verification.med_signature_ids)

    def test_user_outside_the_group_refused(self):
        for user in (self.auditor, self.inspector, self.warehouse):
            with self.assertRaisesRegex(UserError, "Only members of"):
                self.env["med.signature.wizard"].with_user(user).create(
                    self._wizard_vals(login=user.login, password=user.login)
                )
            with self.assertRaisesRegex(UserError, "Only members of"):
                self.verification.with_user(user).action_med_review()
        self.assertFalse(self.verification.med_signature_ids)

    # -- signatures are read with the signed record --
    def test_signature_hidden_from_users_who_cannot_read_the_record(self):
        signature = self._sign_review(self.qa_manager)
        Signature = self.env["med.signature"]
        domain = [("id", "=", signature.id)]
        self.assertEqual(Signature.with_user(self.auditor).search(domain), signature)
        self.assertEqual(signature.with_user(self.auditor).comment, "Monthly review")
        self.assertFalse(Signature.with_user(self.warehouse).search(domain))
        self.assertEqual(Signature.with_user(self.warehouse).search_count(domain), 0)
        with self.assertRaises(AccessError):
            signature.with_user(self.warehouse).read(["comment"])

    # -- a signer's printed name and login --
    def test_signer_cannot_be_renamed_by_anybody(self):
        self._sign_review(self.qa_manager)
        name, login = self.qa_manager.name, self.qa_manager.login
        admin = self.env.ref("base.user_admin")
        for vals in ({"name": "Someone Else"}, {"login": "someone"}):
            with self.assertRaisesRegex(UserError, "signed or recorded GxP data"):
                self.qa_manager.with_user(admin).write(vals)
        with self.assertRaisesRegex(UserError, "signed or recorded GxP data"):
            self.qa_manager.partner_id.write({"name": "Someone Else"})
        self.assertEqual((self.qa_manager.name, self.qa_manager.login), (name, login))
        self.qa_manager.with_user(admin).write({"active": False})  # the way out
        self.assertFalse(self.qa_manager.active)

    def test_user_in_the_audit_trail_cannot_be_renamed(self):
        self.verification.with_user(self.inspector)._med_log_event("export")
        with self.assertRaisesRegex(UserError, "signed or recorded GxP data"):
            self.inspector.write({"name": "Someone Else"})

    def test_compliance_role_cannot_rename_itself(self):
        name = self.auditor.name
        with self.assertRaisesRegex(UserError, "hold a compliance role"):
            self.auditor.with_user(self.auditor).write({"name": "Chief Auditor"})
        self.assertEqual(self.auditor.name, name)
        self.auditor.write({"name": "Chief Auditor"})  # an administrator may
        self.assertEqual(self.auditor.name, "Chief Auditor")

    def test_user_without_role_or_records_renames_itself(self):
        user = new_test_user(self.env, login="med_plain_user", groups="base.group_user")
        user.with_user(user).write({"name": "Plain User Renamed"})
        self.assertEqual(user.name, "Plain User Renamed")


@tagged("post_install", "-at_install")
class TestLockoutUnderConcurrency(TransactionCase):
    """Parallel wrong passwords, each in a real transaction of its own: no more are
    evaluated than the limit (21 CFR 11.300(d))."""

    ATTEMPTS = 16

    def _committed(self, function):
        with self.registry.cursor() as cr:
            return function(api.Environment(cr, SUPERUSER_ID, {}))

    def test_parallel_wrong_passwords_evaluated_at_most_the_limit(self):
        login = f"med_lockout_race_{uuid.uuid4().hex[:8]}"

        def setup(env):
            user = new_test_user(
                env, login=login, groups="med_audit_export.group_med_qa_manager"
            )
            verification = env["med.audit.verification"].sudo().action_verify()
            return user.id, verification.id

        uid, verification_id = self._committed(setup)
        limit = self._committed(
            lambda env: env["med.signable.mixin"]._med_signing_settings()[0]
        )
        barrier = threading.Barrier(self.ATTEMPTS)
        messages = []

        def attempt():
            with self.registry.cursor() as cr:
                env = api.Environment(cr, uid, {})
                wizard = env["med.signature.wizard"].create(
                    {
                        "res_model": "med.audit.verification",
                        "res_ids": str(verification_id),
                        "meaning": "review",
                        "action_name": "_med_post_review",
                        "login": login,
                        "password": "wrong",
                    }
                )
                barrier.wait(timeout=60)
                try:
                    wizard.action_sign()
                except UserError as error:
                    messages.append(str(error))
                cr.rollback()

        threads = [threading.Thread(target=attempt) for _ in range(self.ATTEMPTS)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            self.assertEqual(len(messages), self.ATTEMPTS)
            evaluated = [m for m in messages if m.startswith("Wrong password")]
            self.assertEqual(len(evaluated), limit)
            locked = self._committed(
                lambda env: env["res.users"].browse(uid).med_sign_locked_until
            )
            self.assertTrue(locked)
        finally:
            self._committed(
                lambda env: env["res.users"]
                .browse(uid)
                .with_context(med_reason="test user")
                .write({"active": False})
            )
