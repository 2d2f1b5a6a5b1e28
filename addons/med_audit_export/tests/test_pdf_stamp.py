import base64
import subprocess

from odoo.tests import tagged

from .test_export import ExportCommon


@tagged("post_install", "-at_install")
class TestPdfStamp(ExportCommon):
    """Every page of an evidence PDF carries the document, its verification code and
    "Page x of y", read back page by page as an inspector's tools read it."""

    @staticmethod
    def _page_texts(content):
        pages = int(
            next(
                line.split()[-1]
                for line in subprocess.run(
                    ["pdfinfo", "-"], input=content, capture_output=True, check=True
                )
                .stdout.decode()
                .splitlines()
                if line.startswith("Pages:")
            )
        )
        return [
            subprocess.run(
                ["pdftotext", "-f", str(page), "-l", str(page), "-layout", "-", "-"],
                input=content,
                capture_output=True,
                check=True,
            ).stdout.decode()
            for page in range(1, pages + 1)
        ]

    def test_every_page_numbered_and_coded(self):
        for number in range(70):  # a trail long enough for several pages
            self.lot.with_context(med_reason=f"page filler {number}").write(
                {"ref": f"R-{number}"}
            )
        self.env.flush_all()
        wizard = self._wizard(self.auditor, "pdf")
        wizard.with_context(force_report_rendering=True).action_export()
        export = self.env["med.audit.export"].search([], limit=1)
        pages = self._page_texts(base64.b64decode(export.attachment_id.datas))
        self.assertGreater(len(pages), 1, "the trail spans several pages")
        title = (
            self.env.ref("med_audit_export.action_report_audit_trail")
            .with_context(lang=self.auditor.lang)
            .name
        )
        for number, text in enumerate(pages, start=1):
            with self.subTest(page=number):
                footer = text.strip().splitlines()[-1]
                self.assertRegex(footer, rf"\b{number}\D+{len(pages)}\b")
                self.assertIn(export.verification_code, text)
                self.assertIn(title, text)  # in the user's language

    def test_report_printed_outside_the_engine_has_no_code(self):
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        content, kind = report._render_qweb_pdf(
            "med_audit_export.action_report_dossier",
            data={"title": "Stamp check", "header": [], "sections": [], "footer": ""},
        )
        self.assertEqual(kind, "pdf")
        (text,) = self._page_texts(content)
        self.assertIn("Stamp check", text)
        self.assertRegex(text.strip().splitlines()[-1], r"Page 1 of 1")
        self.assertNotIn("Verification code", text)
