from odoo.tests import Form, tagged

from .common import ReleaseReviewCommon


@tagged("post_install", "-at_install")
class TestReleaseConfigurationAudited(ReleaseReviewCommon):
    """What decides a release, and who may sign it, is in the trail (Annex 11 §10):
    a blocking check turned into a warning with full tolerance, the segregation of
    duties switched off in the settings."""

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

    def test_release_check_weakened_is_audited(self):
        check = self.env.ref("med_capa.release_check_inspected_quantity")
        check.with_context(med_reason="supplier counts are approximate").write(
            {"severity": "warn", "tolerance_percent": 100.0}
        )
        severity = self._entries(check, "severity")
        self.assertEqual(len(severity), 1)
        self.assertEqual(severity.reason, "supplier counts are approximate")
        tolerance = self._entries(check, "tolerance_percent")
        self.assertEqual((tolerance.old_value, tolerance.new_value), ("0.0", "100.0"))

    def test_segregation_switched_in_the_settings_is_audited(self):
        company = self.env.company
        before = company.med_release_segregation
        settings = Form(self.env["res.config.settings"])
        settings.med_release_segregation = not before
        settings.save().execute()
        self.assertEqual(company.med_release_segregation, not before)
        entry = self._entries(company, "med_release_segregation")
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.new_value, str(not before))
