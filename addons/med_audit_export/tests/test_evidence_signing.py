import base64
import datetime
import hashlib
import os
import subprocess
import tempfile

from cryptography import x509
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import JsonRpcMixin
from .test_export import ExportCommon

PASSWORD = "p12-secret"


def make_certificate(common_name="Evidence QA 质量部", key_type="rsa"):
    """A self-signed certificate and its key, as a PKCS#12 file, and the
    certificate in PEM (the trust anchor a verifier is given)."""
    if key_type == "rsa":
        key = rsa.generate_private_key(65537, 2048, default_backend())
    else:
        key = ec.generate_private_key(ec.SECP256R1(), default_backend())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Med Test Co."),
        ]
    )
    now = datetime.datetime.utcnow()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256(), default_backend())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"evidence",
        key,
        certificate,
        None,
        serialization.BestAvailableEncryption(PASSWORD.encode()),
    )
    return p12, certificate.public_bytes(serialization.Encoding.PEM)


def pdfsig(content):
    """poppler's pdfsig report of a PDF."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        return subprocess.run(
            ["pdfsig", file.name], capture_output=True, check=False, text=True
        ).stdout


def verify_p7s(content, signature, trusted_pem):
    """openssl's verdict on a detached .p7s over ``content``: True when valid."""
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for name, data in (
            ("file", content),
            ("file.p7s", signature),
            ("ca.pem", trusted_pem),
        ):
            paths[name] = os.path.join(folder, name)
            with open(paths[name], "wb") as file:
                file.write(data)
        result = subprocess.run(
            ["openssl", "cms", "-verify", "-binary", "-inform", "DER"]
            + ["-in", paths["file.p7s"], "-content", paths["file"]]
            + ["-CAfile", paths["ca.pem"], "-purpose", "any", "-out", os.devnull],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0


def flip_byte(content, position):
    changed = bytearray(content)
    changed[position] ^= 0x01
    return bytes(changed)


class SigningCommon(ExportCommon):
    def _export_pdf(self, user):
        """The PDF audit trail export of the lot, rendered by wkhtmltopdf."""
        wizard = self._wizard(user, "pdf")
        wizard.with_context(force_report_rendering=True).action_export()
        export = self.env["med.audit.export"].search([], limit=1)
        return export, base64.b64decode(export.attachment_id.datas)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p12, cls.certificate_pem = make_certificate()
        cls.company = cls.env.company
        # company settings are for administrators; the certificate fields for
        # those who are also compliance administrators
        cls.settings_admin = new_test_user(
            cls.env,
            login="med_settings_admin",
            groups="base.group_system,med_audit_export.group_med_compliance_admin",
        )
        cls.system_admin = new_test_user(
            cls.env, login="med_system_admin", groups="base.group_system"
        )

    def _configure(self, user=None, p12=None, password=PASSWORD):
        company = self.company.with_user(user or self.settings_admin)
        company.write(
            {
                "med_signing_certificate": base64.b64encode(p12 or self.p12),
                "med_signing_password": password,
            }
        )


@tagged("post_install", "-at_install")
class TestEvidenceSigningSetup(SigningCommon):
    """The certificate is set and read by compliance administrators only, and a
    file or password that cannot sign is refused when saved."""

    def test_compliance_admin_sets_certificate(self):
        self._configure()
        key = self.company._med_signing_key()
        self.assertEqual(key.signer_name, "Evidence QA 质量部")

    def test_set_in_settings(self):
        settings = (
            self.env["res.config.settings"]
            .with_user(self.settings_admin)
            .create(
                {
                    "med_signing_certificate": base64.b64encode(self.p12),
                    "med_signing_certificate_name": "qa.p12",
                    "med_signing_password": PASSWORD,
                }
            )
        )
        settings.execute()
        self.assertEqual(self.company.sudo().med_signing_certificate_name, "qa.p12")
        self.assertTrue(self.company._med_signing_key())

    def test_wrong_password_refused_nothing_saved(self):
        with self.assertRaises(ValidationError) as caught:
            self._configure(password="wrong")
        self.assertIn("cannot be opened", str(caught.exception))
        self.company.invalidate_recordset()
        self.assertFalse(self.company.sudo().med_signing_certificate)

    def test_not_a_pkcs12_file_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self._configure(p12=b"not a certificate")
        self.assertIn("PKCS#12", str(caught.exception))
        self.assertIsNone(self.company._med_signing_key())

    def test_other_roles_cannot_read_or_set_it(self):
        self._configure()
        for user in (self.auditor, self.qa_manager, self.system_admin):
            with self.subTest(user=user.login):
                company = self.company.with_user(user)
                company.invalidate_recordset()
                with self.assertRaises(AccessError):
                    company.read(["med_signing_password"])
                with self.assertRaises(AccessError):
                    company.read(["med_signing_certificate"])
                with self.assertRaises(AccessError):
                    company.write({"med_signing_password": "changed"})
        self.company.invalidate_recordset()
        self.assertEqual(self.company.sudo().med_signing_password, PASSWORD)

    def test_ec_key_signs_too(self):
        p12, pem = make_certificate(key_type="ec")
        self._configure(p12=p12)
        _export, content = self._export_pdf(self.auditor)
        report = pdfsig(content)
        self.assertIn("Signature is Valid.", report)
        self.assertIn("Total document signed", report)
        self.assertTrue(pem)


@tagged("post_install", "-at_install")
class TestEvidenceSigned(SigningCommon):
    """Signed evidence files verified by real verifiers, without our database."""

    def setUp(self):
        super().setUp()
        self._configure()

    def test_pdf_signed_pades_and_valid(self):
        export, content = self._export_pdf(self.auditor)
        report = pdfsig(content)
        self.assertIn("Signature Type: ETSI.CAdES.detached", report)
        self.assertIn("Signer Certificate Common Name: Evidence QA 质量部", report)
        self.assertIn("Total document signed", report)
        self.assertIn("Signature Validation: Signature is Valid.", report)
        # the code, the page stamp and the recorded SHA-256 are the signed file's
        self.assertIn(export.verification_code, self._pdf_text(content))
        self.assertEqual(export.file_sha256, hashlib.sha256(content).hexdigest())
        self.assertFalse(export.signature_attachment_id)  # signed inside

    def test_pdf_changed_byte_breaks_signature(self):
        _export, content = self._export_pdf(self.auditor)
        # a byte of the first page's content, well inside the signed range
        changed = flip_byte(content, len(content) // 3)
        report = pdfsig(changed)
        self.assertNotIn("Signature is Valid.", report)

    def test_dossier_pdf_of_several_records_signed(self):
        other = self.env["stock.lot"].create(
            {"name": "BRL-2611-002", "product_id": self.product_lot.id}
        )
        wizard = (
            self.env["med.dossier.wizard"]
            .with_user(self.auditor)
            .with_context(
                default_report="lot_dossier", active_ids=(self.lot | other).ids
            )
            .create({"file_format": "pdf", "template_id": False})
        )
        wizard.with_context(force_report_rendering=True).action_export()
        export = self.env["med.audit.export"].search([], limit=1)
        content = base64.b64decode(export.attachment_id.datas)
        self.assertIn("Signature is Valid.", pdfsig(content))
        self.assertIn(export.verification_code, self._pdf_text(content))

    def test_xlsx_detached_signature_verifies(self):
        export, content = self._export(self.auditor, "xlsx")
        signature = base64.b64decode(export.signature_attachment_id.datas)
        self.assertEqual(export.signature_attachment_id.name, f"{export.name}.p7s")
        self.assertTrue(verify_p7s(content, signature, self.certificate_pem))
        self.assertFalse(
            verify_p7s(flip_byte(content, 100), signature, self.certificate_pem)
        )
        other_pem = make_certificate("Someone else")[1]
        self.assertFalse(verify_p7s(content, signature, other_pem))

    def test_queued_csv_export_signed(self):
        Export = self.env["med.audit.export"].with_user(self.auditor)
        export = Export._med_queue_audit_trail(
            "csv", [("res_id", "=", self.lot.id)], "lot", trigger=False
        )
        self.env["med.audit.export"]._cron_run_queued()
        self.assertEqual(export.state, "done")
        content = base64.b64decode(export.attachment_id.datas)
        signature = base64.b64decode(export.signature_attachment_id.datas)
        self.assertTrue(verify_p7s(content, signature, self.certificate_pem))

    def test_without_certificate_nothing_signed(self):
        self.company.sudo().med_signing_certificate = False
        export, content = self._export_pdf(self.auditor)
        self.assertNotIn("Signature #1", pdfsig(content))
        export, _content = self._export(self.auditor, "xlsx")
        self.assertFalse(export.signature_attachment_id)


@tagged("post_install", "-at_install")
class TestSigningCertificateOverRpc(JsonRpcMixin, HttpCase):
    """Over JSON-RPC, an auditor neither reads nor replaces the certificate."""

    def test_auditor_refused_over_rpc(self):
        p12, _pem = make_certificate()
        company = self.env.company
        company.write(
            {
                "med_signing_certificate": base64.b64encode(p12),
                "med_signing_password": PASSWORD,
            }
        )
        self.env["res.users"].create(
            {
                "name": "RPC auditor",
                "login": "rpc_auditor",
                "password": "rpc_auditor",
                "company_id": company.id,
                "company_ids": [(6, 0, company.ids)],
                "groups_id": [
                    (6, 0, [self.env.ref("med_audit_export.group_med_auditor").id])
                ],
            }
        )
        self.authenticate("rpc_auditor", "rpc_auditor")
        answer = self._call(
            "res.company", "read", [company.ids, ["med_signing_password"]]
        )
        self.assertIn("error", answer)
        answer = self._call(
            "res.company",
            "write",
            [company.ids, {"med_signing_password": "forged"}],
        )
        self.assertIn("error", answer)
        company.invalidate_recordset()
        self.assertEqual(company.med_signing_password, PASSWORD)
