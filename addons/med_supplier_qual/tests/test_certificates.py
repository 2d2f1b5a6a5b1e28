from datetime import timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SCAN, SupplierQualCommon


@tagged("post_install", "-at_install")
class TestCertificates(SupplierQualCommon):
    def _count(self):
        return self.env["med.supplier.certificate"].search_count([])

    def _vals(self, **overrides):
        vals = {
            "partner_id": self.vendor.id,
            "type_id": self._type("iso13485").id,
            "number": "CN-13485-0042",
            "issuer": "TÜV SÜD",
            "issue_date": self.today - timedelta(days=10),
            "expiry_date": self.today + timedelta(days=1000),
            "attachment_ids": [(0, 0, {"name": "iso.pdf", "datas": SCAN})],
        }
        vals.update(overrides)
        return vals

    def test_state_follows_the_dates(self):
        Certificate = self.env["med.supplier.certificate"]
        kind = self._type("iso13485")  # reminds 90 days ahead
        cases = {
            self.today + timedelta(days=91): "valid",
            self.today + timedelta(days=90): "expiring",
            self.today: "expiring",
            self.today - timedelta(days=1): "expired",
        }
        for number, (expiry, state) in enumerate(cases.items()):
            certificate = Certificate.with_user(self.purchase).create(
                self._vals(number=f"N-{number}", expiry_date=expiry, type_id=kind.id)
            )
            self.assertEqual(certificate.state, state, expiry)

    def test_permanent_type_needs_no_expiry(self):
        self._type("iso13485").permanent = True
        certificate = self.env["med.supplier.certificate"].create(
            self._vals(expiry_date=False)
        )
        self.assertEqual(certificate.state, "valid")

    def test_bad_input_is_refused_and_nothing_saved(self):
        Certificate = self.env["med.supplier.certificate"].with_user(self.purchase)
        other_company = self.env["res.company"].create({"name": "Other Co."})
        foreign = self.env["product.product"].create(
            {"name": "Foreign part", "company_id": other_company.id}
        )
        bad = {
            "expiry before issue": self._vals(
                expiry_date=self.today - timedelta(days=20)
            ),
            "no expiry": self._vals(expiry_date=False),
            "no scan": self._vals(attachment_ids=[]),
            "products type without products": self._vals(
                type_id=self._type("registration").id
            ),
            "product of another company": self._vals(
                type_id=self._type("registration").id,
                product_ids=[(6, 0, foreign.ids)],
            ),
        }
        before = self._count()
        for case, vals in bad.items():
            with self.subTest(case), self.assertRaises(UserError):
                with self.env.cr.savepoint():
                    Certificate.create(vals)
        self.assertEqual(self._count(), before)

    def test_numbers_are_unique_per_type_and_issuer(self):
        Certificate = self.env["med.supplier.certificate"]
        Certificate.create(self._vals())
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            Certificate.create(self._vals(number=" cn-13485-0042 ", issuer="tüv süd"))
        # Same number from another issuer, or of another type: different documents.
        Certificate.create(self._vals(issuer="BSI"))
        Certificate.create(self._vals(type_id=self._type("fda_registration").id))

    def test_verification_is_signed_by_a_qa_manager(self):
        certificate = self.env["med.supplier.certificate"].create(self._vals())
        with self.assertRaises(UserError):
            certificate.with_user(self.purchase).action_med_verify()
        action = certificate.with_user(self.qa_manager).action_med_verify()
        with self.assertRaises(UserError):
            self._sign(action, self.qa_manager, password="wrong")
        self.assertFalse(certificate.verified_by_id)
        self._sign(action, self.qa_manager)
        self.assertEqual(certificate.verified_by_id, self.qa_manager)
        self.assertEqual(certificate.med_signature_ids.meaning, "verification")

    def test_verification_cannot_be_written_directly(self):
        certificate = self.env["med.supplier.certificate"].create(self._vals())
        with self.assertRaises(UserError):
            certificate.with_user(self.purchase).write(
                {"verified_by_id": self.purchase.id}
            )
        self.assertFalse(certificate.verified_by_id)

    def test_editing_a_verified_certificate_voids_the_verification(self):
        self.assertTrue(self.licence.verified_by_id)
        self.licence.with_user(self.purchase).write(
            {"expiry_date": self.today + timedelta(days=3000)}
        )
        self.assertFalse(self.licence.verified_by_id)
        self.licence.with_user(self.purchase).write({"note": "copy filed"})
        self.assertFalse(self.licence.verified_by_id)

    def test_changes_are_in_the_audit_trail(self):
        self.licence.with_user(self.purchase).write(
            {"med_change_reason": "renewed", "number": "91320500-BL-2026"}
        )
        self.env.flush_all()
        entry = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "med.supplier.certificate"),
                ("res_id", "=", self.licence.id),
                ("field_name", "=", "number"),
                ("operation", "=", "write"),
            ]
        )
        self.assertEqual(entry.old_value, "91320500-BL")
        self.assertEqual(entry.new_value, "91320500-BL-2026")
        self.assertEqual(entry.reason, "renewed")
        self.assertEqual(entry.user_id, self.purchase)

    def test_certificates_are_retention_protected(self):
        with self.assertRaises(UserError):
            self.licence.unlink()
        self.assertTrue(self.licence.exists())
