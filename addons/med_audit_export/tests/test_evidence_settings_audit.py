import base64
import hashlib

from cryptography import x509
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import JsonRpcMixin
from .test_evidence_signing import PASSWORD, SigningCommon, make_certificate

SETTINGS = (
    "med_signing_certificate",
    "med_signing_certificate_name",
    "med_signing_password",
    "med_dossier_pdfa",
)


def fingerprint(certificate_pem):
    certificate = x509.load_pem_x509_certificate(certificate_pem, default_backend())
    der = certificate.public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).hexdigest().upper()


def reencrypted(p12, password):
    """The PKCS#12 file ``p12`` protected by another password."""
    key, certificate, chain = pkcs12.load_key_and_certificates(
        p12, PASSWORD.encode(), default_backend()
    )
    return pkcs12.serialize_key_and_certificates(
        b"evidence",
        key,
        certificate,
        chain,
        serialization.BestAvailableEncryption(password.encode()),
    )


def settings_entries(env, company):
    return env["med.audit.entry"].search(
        [
            ("res_model", "=", "res.company"),
            ("res_id", "=", company.id),
            ("field_name", "in", SETTINGS),
        ],
        order="id",
    )


@tagged("post_install", "-at_install")
class TestEvidenceSettingsAudited(SigningCommon):
    """Changes of the signing certificate, its password and the PDF/A switch are in
    the audit trail, by who and when, the certificate by fingerprint, subject and
    validity: never the PKCS#12 file or the password themselves."""

    def _entries(self):
        return settings_entries(self.env, self.company)

    def _assert_no_secret(self, entries, *secrets):
        texts = " ".join(
            f"{entry.old_value or ''} {entry.new_value or ''}" for entry in entries
        )
        for secret in secrets:
            self.assertNotIn(secret, texts)

    def test_certificate_set_logged_by_fingerprint(self):
        self._configure()
        entries = self._entries()
        by_field = {entry.field_name: entry for entry in entries}
        self.assertEqual(
            set(by_field), {"med_signing_certificate", "med_signing_password"}
        )
        certificate = by_field["med_signing_certificate"]
        self.assertEqual(certificate.user_id, self.settings_admin)
        self.assertEqual(certificate.old_value or "", "")
        self.assertIn(fingerprint(self.certificate_pem), certificate.new_value)
        self.assertIn("Evidence QA 质量部", certificate.new_value)
        self.assertIn("valid from", certificate.new_value)
        self.assertEqual(by_field["med_signing_password"].new_value, "(set)")
        self._assert_no_secret(
            entries, PASSWORD, base64.b64encode(self.p12).decode()[:40]
        )

    def test_replaced_certificate_and_password_logged(self):
        self._configure()
        p12, pem = make_certificate("Evidence QA 2027")
        self.company.with_user(self.settings_admin).write(
            {
                "med_signing_certificate": base64.b64encode(p12),
                "med_signing_password": PASSWORD,
                "med_signing_certificate_name": "qa-2027.p12",
            }
        )
        entries = self._entries()
        replaced = entries.filtered(
            lambda e: e.field_name == "med_signing_certificate"
        )[-1]
        self.assertIn(fingerprint(self.certificate_pem), replaced.old_value)
        self.assertIn(fingerprint(pem), replaced.new_value)
        name = entries.filtered(
            lambda e: e.field_name == "med_signing_certificate_name"
        )
        self.assertEqual(name.new_value, "qa-2027.p12")
        # the same password again is no change
        self.assertEqual(
            len(entries.filtered(lambda e: e.field_name == "med_signing_password")), 1
        )

    def test_password_change_logged_without_the_password(self):
        self._configure()
        other_password = "another-p12-secret"
        self.company.with_user(self.settings_admin).write(
            {
                "med_signing_certificate": base64.b64encode(
                    reencrypted(self.p12, other_password)
                ),
                "med_signing_password": other_password,
            }
        )
        password = self._entries().filtered(
            lambda e: e.field_name == "med_signing_password"
        )[-1]
        self.assertEqual(
            (password.old_value, password.new_value), ("(set)", "(changed)")
        )
        self._assert_no_secret(self._entries(), PASSWORD, other_password)

    def test_signing_switched_off_logged(self):
        self._configure()
        self.company.with_user(self.settings_admin).write(
            {"med_signing_certificate": False, "med_signing_password": False}
        )
        removed = self._entries().filtered(
            lambda e: e.field_name == "med_signing_certificate"
        )[-1]
        self.assertIn(fingerprint(self.certificate_pem), removed.old_value)
        self.assertEqual(removed.new_value or "", "")
        password = self._entries().filtered(
            lambda e: e.field_name == "med_signing_password"
        )[-1]
        self.assertEqual((password.old_value, password.new_value or ""), ("(set)", ""))

    def test_pdfa_switch_logged(self):
        self.company.with_user(self.settings_admin).med_dossier_pdfa = True
        entry = self._entries()
        self.assertEqual(entry.field_name, "med_dossier_pdfa")
        self.assertEqual((entry.old_value, entry.new_value), ("False", "True"))

    def test_refused_role_changes_nothing_logs_nothing(self):
        for user in (self.system_admin, self.auditor, self.qa_manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self._configure(user=user)
        self.company.invalidate_recordset()
        self.assertFalse(self.company.sudo().med_signing_certificate)
        self.assertFalse(self._entries())


@tagged("post_install", "-at_install")
class TestEvidenceSettingsAuditedOverRpc(JsonRpcMixin, HttpCase):
    """Over JSON-RPC, the compliance administrator's change is logged; an
    administrator without that role is refused and nothing is logged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p12, cls.certificate_pem = make_certificate()
        cls.company = cls.env.company
        for login, groups in (
            (
                "rpc_signing_admin",
                "base.group_system,med_audit_export.group_med_compliance_admin",
            ),
            ("rpc_system_admin", "base.group_system"),
        ):
            new_test_user(cls.env, login=login, password=login, groups=groups)

    def _write(self, login):
        self.authenticate(login, login)
        return self._call(
            "res.company",
            "write",
            [
                self.company.ids,
                {
                    "med_signing_certificate": base64.b64encode(self.p12).decode(),
                    "med_signing_password": PASSWORD,
                },
            ],
        )

    def test_system_admin_refused(self):
        answer = self._write("rpc_system_admin")
        self.assertIn("error", answer)
        self.company.invalidate_recordset()
        self.assertFalse(self.company.sudo().med_signing_certificate)
        self.assertFalse(settings_entries(self.env, self.company))

    def test_compliance_admin_logged(self):
        answer = self._write("rpc_signing_admin")
        self.assertNotIn("error", answer)
        entries = settings_entries(self.env, self.company)
        certificate = entries.filtered(
            lambda e: e.field_name == "med_signing_certificate"
        )
        self.assertEqual(certificate.user_id.login, "rpc_signing_admin")
        self.assertIn(fingerprint(self.certificate_pem), certificate.new_value)
        self.assertNotIn(PASSWORD, " ".join(entries.mapped("new_value")))
