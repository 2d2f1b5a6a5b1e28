from odoo.tests import HttpCase, tagged

from .common import MedAuditCommon


@tagged("post_install", "-at_install")
class TestTourAuditor(HttpCase, MedAuditCommon):
    """In the browser, the auditor reads the audit trail and the records it is about,
    and is offered no way to change either."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lot = cls.env["stock.lot"]
        cls.traced = Lot.create(
            {"name": "BRL-TOUR-001", "product_id": cls.product_lot.id}
        )
        Lot.create({"name": "BRL-TOUR-OTHER", "product_id": cls.product_lot.id})
        cls.traced.with_user(cls.warehouse).with_context(
            med_reason="Label corrected after deviation DV-7"
        ).write({"ref": "DV-7"})

    def test_auditor_reads_the_trail_and_cannot_edit(self):
        entries = self._entries(self.traced)
        self.start_tour(
            "/odoo/discuss", "med_audit_export_auditor_trail", login=self.auditor.login
        )
        self.start_tour(
            "/odoo/discuss", "med_audit_export_auditor_lot", login=self.auditor.login
        )
        # Reading changed nothing: neither the lot nor its trail.
        self.assertEqual(self.traced.ref, "DV-7")
        self.assertEqual(self._entries(self.traced), entries)
        self.assertEqual(
            entries.mapped("operation"), ["create", "write"], "oldest first"
        )
