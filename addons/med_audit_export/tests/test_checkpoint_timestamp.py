import base64
import hashlib
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

from asn1crypto import algos, cms, core, tsp, x509
from cryptography import x509 as crypto_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from odoo.tests import tagged

from ..models.med_audit_checkpoint import timestamp_problem
from .common import MedAuditCommon


class LocalTimestampAuthority:
    """An RFC 3161 time-stamp authority of the test's own: a key, its self-signed
    certificate, and tokens signed over the imprint a request asks for."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = crypto_x509.Name(
            [crypto_x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")]
        )
        now = datetime.now(UTC)
        self.certificate = (
            crypto_x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(crypto_x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(
                crypto_x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )
        self.serial = 0

    def respond(self, request_der):
        """The TimeStampResp (DER) granting a request."""
        request = tsp.TimeStampReq.load(request_der)
        self.serial += 1
        tst_info = tsp.TSTInfo(
            {
                "version": "v1",
                "policy": "1.2.3.4",
                "message_imprint": request["message_imprint"],
                "serial_number": self.serial,
                "gen_time": datetime.now(UTC),
                "nonce": request["nonce"],
            }
        )
        content = tst_info.dump()
        digest = hashlib.sha256(content).digest()
        signed_attrs = cms.CMSAttributes(
            [
                {"type": "content_type", "values": ["tst_info"]},
                {"type": "message_digest", "values": [digest]},
            ]
        )
        signature = self.key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
        certificate = x509.Certificate.load(
            self.certificate.public_bytes(serialization.Encoding.DER)
        )
        sha256 = algos.DigestAlgorithm({"algorithm": "sha256"})
        signed_data = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [sha256],
                "encap_content_info": {
                    "content_type": "tst_info",
                    "content": core.ParsableOctetString(content),
                },
                "certificates": [certificate],
                "signer_infos": [
                    {
                        "version": "v1",
                        "sid": cms.SignerIdentifier(
                            name="issuer_and_serial_number",
                            value={
                                "issuer": certificate.issuer,
                                "serial_number": certificate.serial_number,
                            },
                        ),
                        "digest_algorithm": sha256,
                        "signed_attrs": signed_attrs,
                        "signature_algorithm": {"algorithm": "sha256_ecdsa"},
                        "signature": signature,
                    }
                ],
            }
        )
        return tsp.TimeStampResp(
            {
                "status": {"status": "granted"},
                "time_stamp_token": {
                    "content_type": "signed_data",
                    "content": signed_data,
                },
            }
        ).dump()


@tagged("post_install", "-at_install")
class TestCheckpointTimestamp(MedAuditCommon):
    """A checkpoint's RFC 3161 token is verified with the checkpoints: its message
    imprint must be the checkpoint file's SHA-256 and its signature must verify with
    the authority's certificate."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.authority = LocalTimestampAuthority()
        authority = cls.authority

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # pylint: disable=invalid-name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                answer = authority.respond(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        cls.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)

    def setUp(self):
        super().setUp()
        # checkpoint files outlive the test's rollback: a folder of this test's own
        config = self.env["ir.config_parameter"]
        config.set_param(
            "med_audit_export.checkpoint_dir",
            tempfile.mkdtemp(prefix="med_checkpoints_"),
        )
        config.set_param(
            "med_audit_export.tsa_url",
            f"http://127.0.0.1:{self.server.server_address[1]}/tsa",
        )

    def test_token_of_the_file_verifies(self):
        Checkpoint = self.env["med.audit.checkpoint"]
        checkpoint = Checkpoint._med_create("manual")
        self.assertIn("Time-stamped", checkpoint.timestamp_message)
        token = base64.b64decode(checkpoint.timestamp_token)
        with open(checkpoint.file_path, "rb") as file:
            digest = hashlib.sha256(file.read()).digest()
        self.assertIsNone(timestamp_problem(token, digest))
        self.assertEqual(Checkpoint._med_check_records(), [])

    def test_token_of_another_file_or_forged_signature_reported(self):
        Checkpoint = self.env["med.audit.checkpoint"]
        checkpoint = Checkpoint._med_create("manual")
        token = base64.b64decode(checkpoint.timestamp_token)
        with open(checkpoint.file_path, "rb") as file:
            digest = hashlib.sha256(file.read()).digest()
        other_digest = hashlib.sha256(b"x").digest()
        self.assertEqual(timestamp_problem(token, other_digest), "imprint")
        # the signature is the token's last field: its last byte changed
        forged = token[:-1] + bytes([token[-1] ^ 0x01])
        self.assertEqual(timestamp_problem(forged, digest), "signature")
        self.assertEqual(timestamp_problem(b"not a token", digest), "signature")
        # What a database owner could do: put the token of another file on the
        # checkpoint (tokens are attachments).
        other = self.authority.respond(
            tsp.TimeStampReq(
                {
                    "version": "v1",
                    "message_imprint": {
                        "hash_algorithm": {"algorithm": "sha256"},
                        "hashed_message": hashlib.sha256(b"another file").digest(),
                    },
                    "nonce": 1,
                    "cert_req": True,
                }
            ).dump()
        )
        # sudo: the token is a system attachment of the checkpoint
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "med.audit.checkpoint"),
                    ("res_field", "=", "timestamp_token"),
                    ("res_id", "=", checkpoint.id),
                ]
            )
        )
        attachment.write({"raw": other})
        checkpoint.invalidate_recordset()
        problems = Checkpoint._med_check_records()
        self.assertEqual(len(problems), 1)
        self.assertIn("time-stamp is for another file", problems[0])
        self.assertIn(checkpoint.name, problems[0])
        attachment.write({"raw": forged})
        checkpoint.invalidate_recordset()
        problems = Checkpoint._med_check_records()
        self.assertEqual(len(problems), 1)
        self.assertIn("signature of its time-stamp does not verify", problems[0])
