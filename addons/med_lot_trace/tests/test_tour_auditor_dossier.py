from odoo.tests import HttpCase, tagged

from .common import MedGenealogyCommon


@tagged("post_install", "-at_install")
class TestTourAuditorDossier(HttpCase, MedGenealogyCommon):
    """In the browser, the auditor finds a lot, cannot change it, and exports its
    lot dossier; the export is recorded as evidence."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._lot(cls.syringe, "TOUR-DHR-001", 50)

    def test_auditor_exports_the_lot_dossier(self):
        Export = self.env["med.audit.export"]
        before = Export.search([])
        self.start_tour(
            "/odoo/discuss", "med_lot_trace_auditor_dossier", login=self.auditor.login
        )
        export = Export.search([]) - before
        self.assertEqual(len(export), 1)
        # The export is evidence: who exported what, and the file itself.
        self.assertEqual(export.user_id, self.auditor)
        self.assertEqual((export.state, export.file_format), ("done", "xlsx"))
        self.assertIn("TOUR-DHR-001", export.filter_description)
        self.assertTrue(export.attachment_id.datas)
