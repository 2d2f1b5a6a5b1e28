"""The demo lot dossier of SYR-2601 as an inspector receives it: compact (fonts cut
to the glyphs used, so the size grows with pages, not with fonts), its Chinese text
still extracted by pdftotext, every page stamped (issue 24)."""

import base64
import subprocess

from odoo.tests import HttpCase, tagged

MAX_DOSSIER_BYTES = 1_000_000


def render_demo_dossier(env, user):
    """The PDF lot dossier of the demo lot SYR-2601, exported as ``user`` would from
    the lot, and its export record."""
    lot = env.ref("med_capa.demo_lot_syringe_1")
    wizard = (
        env["med.dossier.wizard"]
        .with_user(user)
        .with_context(
            default_report="lot_dossier",
            active_ids=lot.ids,
            lang=user.lang,
            force_report_rendering=True,
        )
        .create({"file_format": "pdf"})
    )
    wizard.action_export()
    export = env["med.audit.export"].search([], limit=1)
    return base64.b64decode(export.attachment_id.datas), export


def pdf_fonts(content):
    return subprocess.run(
        ["pdffonts", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


# HttpCase: wkhtmltopdf reads the reports' styles from the test server, as in use.
@tagged("post_install", "-at_install")
class TestDemoDossierPdf(HttpCase):
    def test_demo_lot_dossier_compact_and_text_extracts(self):
        auditor = self.env.ref("med_audit_export.demo_user_auditor")
        content, export = render_demo_dossier(self.env, auditor)
        self.assertLessEqual(len(content), MAX_DOSSIER_BYTES, f"{len(content)} bytes")
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"],
            input=content,
            capture_output=True,
            check=True,
        ).stdout.decode()
        self.assertIn("SYR-2601", text)
        self.assertIn("审核与批准", text)  # the approval block, in Chinese
        self.assertIn(export.verification_code, text)
        fonts = pdf_fonts(content)
        for line in fonts.splitlines()[2:]:
            columns = line.split()
            with self.subTest(font=columns[0]):
                # embedded: every font; subset: the CJK fonts wkhtmltopdf embeds
                self.assertEqual(columns[-5], "yes", line)
