import base64

from odoo.tests import Form, tagged

from .common import SupplierQualCommon

OTHER_SCAN = base64.b64encode(b"%PDF-1.4 another scan")


@tagged("post_install", "-at_install")
class TestCertificateScan(SupplierQualCommon):
    """The scan QA verified cannot change behind QA's back: any change of a
    verified certificate's files voids the verification, in the trail."""

    def _voiding_entry(self, certificate):
        self.env.flush_all()
        return self.env["med.audit.entry"].search(
            [
                ("res_model", "=", certificate._name),
                ("res_id", "=", certificate.id),
                ("field_name", "=", "verified_by_id"),
                ("new_value", "=", ""),
            ]
        )

    def test_replaced_scan_voids_the_verification(self):
        scan = self.licence.attachment_ids
        scan.with_user(self.purchase).write({"datas": OTHER_SCAN})
        self.assertFalse(self.licence.verified_by_id)
        entry = self._voiding_entry(self.licence)
        self.assertEqual(entry.user_id, self.purchase)
        self.assertIn("file replaced", entry.reason)
        self.assertIn(scan.name, entry.reason)

    def test_deleted_scan_voids_the_verification(self):
        name = self.registration.attachment_ids.name
        self.registration.attachment_ids.with_user(self.purchase).unlink()
        self.assertFalse(self.registration.verified_by_id)
        self.assertIn(name, self._voiding_entry(self.registration).reason)

    def test_file_added_to_a_verified_certificate_voids_it(self):
        self.env["ir.attachment"].with_user(self.purchase).create(
            {
                "name": "new-scan.pdf",
                "datas": OTHER_SCAN,
                "res_model": self.licence._name,
                "res_id": self.licence.id,
            }
        )
        self.assertFalse(self.licence.verified_by_id)
        self.assertIn("new-scan.pdf", self._voiding_entry(self.licence).reason)

    def test_files_of_unverified_certificates_change_freely(self):
        draft = self._certificate(
            self.vendor, "business_licence", "91320500-DRAFT", verified=False
        )
        draft.attachment_ids.with_user(self.purchase).write({"datas": OTHER_SCAN})
        self.assertFalse(self._voiding_entry(draft))
        # an unrelated file leaves the verified certificates alone
        self.env["ir.attachment"].create({"name": "memo.txt", "raw": b"memo"})
        self.assertTrue(self.licence.verified_by_id)
        # and QA verifies the new scan
        draft.with_user(self.qa_manager)._med_do_verify()
        self.assertEqual(draft.verified_by_id, self.qa_manager)


@tagged("post_install", "-at_install")
class TestGateConfigurationAudited(SupplierQualCommon):
    """The configuration that drives the gates is in the trail (Annex 11 §10)."""

    def _entries(self, record, field_name):
        self.env.flush_all()
        return self.env["med.audit.entry"].search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("field_name", "=", field_name),
                ("operation", "=", "write"),
            ]
        )

    def test_certificate_type_made_permanent_is_audited(self):
        kind = self._type("business_licence")
        kind.with_context(med_reason="licences no longer expire").write(
            {"permanent": not kind.permanent}
        )
        entry = self._entries(kind, "permanent")
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.reason, "licences no longer expire")

    def test_company_gate_mode_set_in_settings_is_audited(self):
        company = self.env.company
        # the installation's own switch (warn, then block for the demo company) is
        # in the trail already
        before = self._entries(company, "med_supplier_gate_mode")
        settings = Form(self.env["res.config.settings"])
        settings.med_supplier_gate_mode = (
            "warn" if company.med_supplier_gate_mode != "warn" else "block"
        )
        settings.save().execute()
        entry = self._entries(company, "med_supplier_gate_mode") - before
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.user_id, self.env.user)
