from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import verify_evidence_file
from .test_export import ExportCommon


@tagged("post_install", "-at_install")
class TestExportVerify(ExportCommon):
    """A file, or the code in its footer, is checked back against the exports."""

    def test_code_of_the_footer_finds_its_export(self):
        export, content = self._export(self.auditor, "csv")
        code = content.decode("utf-8-sig").strip().splitlines()[-1].split()[-1]
        Export = self.env["med.audit.export"]
        self.assertEqual(Export._med_verify_code(code), export)
        self.assertEqual(Export._med_verify_code(f" {code.lower()} "), export)

    def test_made_up_or_altered_code_is_unknown(self):
        export, _content = self._export(self.auditor, "csv")
        Export = self.env["med.audit.export"]
        altered = export.verification_code[:-1] + (
            "0" if export.verification_code[-1] != "0" else "1"
        )
        for code in (altered, "", "1-ABC", False):
            with self.subTest(code=code):
                self.assertFalse(Export._med_verify_code(code))

    def test_unchanged_file_verified(self):
        export, content = self._export(self.auditor, "xlsx")
        wizard = verify_evidence_file(
            self.env, self.auditor, export.verification_code, content
        )
        self.assertEqual(wizard.result, "valid")
        self.assertEqual(wizard.export_id, export)
        self.assertIn(export.file_sha256, wizard.message)

    def test_changed_file_refused(self):
        export, content = self._export(self.auditor, "csv")
        changed = content.replace("中文原因".encode(), "其他原因".encode())
        wizard = verify_evidence_file(
            self.env, self.auditor, export.verification_code, changed
        )
        self.assertEqual(wizard.result, "unknown")
        self.assertFalse(wizard.export_id)

    def test_code_alone_names_the_export(self):
        export, _content = self._export(self.qa_manager, "csv")
        wizard = verify_evidence_file(self.env, self.auditor, export.verification_code)
        self.assertEqual(wizard.result, "valid")
        self.assertEqual(wizard.export_id, export)
        self.assertIn(self.qa_manager.name, wizard.message)

    def test_only_auditors_verify(self):
        with self.assertRaises(AccessError):
            verify_evidence_file(self.env, self.warehouse, "0000-0000-0000-0000")
