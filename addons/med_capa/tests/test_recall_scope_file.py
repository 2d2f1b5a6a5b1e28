import hashlib
import io

import openpyxl

from odoo.tests import tagged

from odoo.addons.med_audit_export.tests.common import verify_evidence_file

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestRecallScopeFile(MedCapaCommon):
    """The recall scope a CAPA rule files is an evidence file like the others:
    recorded as an export, its verification code found by Verify Evidence File."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.barrel_lot = cls._lot(cls.barrel, "BRL-SCOPE", 100)
        cls.plunger_lot = cls._lot(cls.plunger, "PLG-SCOPE", 100)
        cls.body_lot = cls._produce(
            cls.bom_body, 20, "BODY-SCOPE", {cls.barrel_lot: 20, cls.plunger_lot: 20}
        )

    def _scope_file(self, capa):
        message = capa.message_ids.filtered(
            lambda m: "Recall risk" in (m.body or "") or "No delivery" in (m.body or "")
        )
        self.assertEqual(len(message.attachment_ids), 1)
        return message.attachment_ids

    def test_recall_scope_file_is_verified_by_its_code(self):
        self._deliver(self.hospital, [(self.body_lot, 8)])
        self._fail(self._inspect_lot(self.barrel_lot))
        capa = self._records("med.capa", self.barrel_lot)
        attachment = self._scope_file(capa)
        content = attachment.raw
        export = self.env["med.audit.export"].search(
            [("file_sha256", "=", hashlib.sha256(content).hexdigest())]
        )
        self.assertEqual(len(export), 1)
        self.assertEqual(export.report_name, f"Recall scope {capa.name}")
        self.assertEqual(export.file_format, "xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
        # what it showed before: the delivered lot, its customer, the stock left
        self.assertIn("BODY-SCOPE", cells)
        self.assertTrue(any("Ruijin Hospital" in cell for cell in cells))
        self.assertTrue(any(cell.startswith("In stock: ") for cell in cells))
        # the footer's code, as the reader of the file types it
        code = export.verification_code
        footer = next(cell for cell in reversed(cells) if code in cell)
        self.assertEqual(footer.split()[-1], code)
        wizard = verify_evidence_file(self.env, self.auditor, code=code)
        self.assertEqual(wizard.result, "valid")
        self.assertEqual(wizard.export_id, export)
        wizard = verify_evidence_file(
            self.env, self.auditor, code=code, content=content
        )
        self.assertEqual(wizard.result, "valid")
        self.assertIn(export.file_sha256, wizard.message)

    def test_changed_recall_scope_file_is_refused(self):
        self._fail(self._inspect_lot(self.barrel_lot))
        capa = self._records("med.capa", self.barrel_lot)
        export = self.env["med.audit.export"].search(
            [("report_name", "=", f"Recall scope {capa.name}")]
        )
        self.assertEqual(len(export), 1)
        changed = self._scope_file(capa).raw + b"\0"
        wizard = verify_evidence_file(
            self.env, self.auditor, code=export.verification_code, content=changed
        )
        self.assertEqual(wizard.result, "unknown")
        self.assertFalse(wizard.export_id)
