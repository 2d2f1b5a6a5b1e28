import uuid
from datetime import date

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.med_audit_export.tests.common import RacingTransaction, committed


@tagged("post_install", "-at_install")
class TestCertificateScanRace(TransactionCase):
    """Two real transactions (``RacingTransaction``; committed, unique data left in
    the database): a scan is replaced while QA verifies the certificate in another
    transaction. The replacing transaction saw the certificate unverified: it is
    refused (and retried by Odoo, which then voids the verification), never leaving
    a verified certificate with a scan QA never saw."""

    def _committed_certificate(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            number = f"RACE-{uuid.uuid4().hex[:8]}"
            partner = env["res.partner"].create({"name": f"Supplier {number}"})
            certificate = env["med.supplier.certificate"].create(
                {
                    "partner_id": partner.id,
                    "type_id": env.ref(
                        "med_supplier_qual.certificate_type_business_licence"
                    ).id,
                    "number": number,
                    "issuer": "Race issuer",
                    "issue_date": date(2025, 1, 1),
                    "expiry_date": date(2099, 1, 1),
                    "attachment_ids": [
                        (0, 0, {"name": f"{number}.pdf", "raw": b"%PDF-1.4 original"})
                    ],
                }
            )
            return certificate.id, certificate.attachment_ids.id

    def test_scan_replaced_racing_the_verification_is_refused(self):
        certificate_id, scan_id = self._committed_certificate()

        def scan(env):
            return env["ir.attachment"].browse(scan_id)

        # its first try only: that is where the verification must be refused
        replacement = RacingTransaction(
            self.registry,
            SUPERUSER_ID,
            lambda env: scan(env).write({"raw": b"%PDF-1.4 another scan"}),
            look=lambda env: scan(env).read(["name"]),  # not verified yet
            retry=False,
        ).hold_after_snapshot()
        committed(
            self.registry,
            lambda env: env["med.supplier.certificate"]
            .browse(certificate_id)
            ._med_do_verify(),
        )
        with mute_logger("odoo.sql_db"):
            replacement.finish()
        self.assertIsInstance(
            replacement.error,
            SerializationFailure,
            "the scan changed under a verification",
        )
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            certificate = env["med.supplier.certificate"].browse(certificate_id)
            self.assertTrue(certificate.verified_by_id)
            self.assertEqual(
                env["ir.attachment"].browse(scan_id).raw, b"%PDF-1.4 original"
            )
