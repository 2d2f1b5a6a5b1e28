import base64
import io
import re
import subprocess
import tempfile

from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from .test_evidence_signing import SigningCommon, pdfsig

# An ICC profile starts with its size, and has the signature "acsp" at byte 36.
ICC_SIGNATURE_OFFSET = 36


def pdffonts(content):
    """poppler's pdffonts rows (name, type, encoding, emb, sub, uni, ...)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        lines = subprocess.run(
            ["pdffonts", file.name], capture_output=True, check=True, text=True
        ).stdout.splitlines()
    return [line.split() for line in lines[2:] if line.strip()]


def pdfa_markers(content):
    """What a PDF/A-2b file must show, read back with PyPDF2 and poppler: the
    XMP identification, the output intent and its ICC profile, the fonts' embedding
    and the absence of encryption."""
    reader = PdfFileReader(io.BytesIO(content), strict=False)
    root = reader.trailer["/Root"]
    metadata = root.get("/Metadata")
    xmp = metadata.get_object().get_data().decode() if metadata is not None else ""
    part = re.search(r"pdfaid:part\s*=\s*['\"](\d)['\"]|<pdfaid:part>(\d)<", xmp)
    conformance = re.search(
        r"pdfaid:conformance\s*=\s*['\"](\w)['\"]|<pdfaid:conformance>(\w)<", xmp
    )
    intents = [intent.get_object() for intent in root.get("/OutputIntents") or []]
    profiles = [intent["/DestOutputProfile"].get_object() for intent in intents]
    return {
        "part": part and (part.group(1) or part.group(2)),
        "conformance": conformance and (conformance.group(1) or conformance.group(2)),
        "intents": [intent["/S"] for intent in intents],
        "profile_components": [profile["/N"] for profile in profiles],
        "profile_is_icc": [
            profile.get_data()[ICC_SIGNATURE_OFFSET : ICC_SIGNATURE_OFFSET + 4]
            == b"acsp"
            for profile in profiles
        ],
        "fonts_not_embedded": [
            row[0] for row in pdffonts(content) if "no" in row[-5:-4]
        ],
        # text that copies and searches: a Unicode map for every font
        "fonts_without_unicode": [
            row[0] for row in pdffonts(content) if "no" in row[-3:-2]
        ],
        "fonts": len(pdffonts(content)),
        "encrypted": "/Encrypt" in reader.trailer,
    }


@tagged("post_install", "-at_install")
class TestDossierPdfa(SigningCommon):
    """The lot dossier as PDF/A-2b (Ghostscript), then stamped and signed: the
    archival markers, the page stamp and a valid PAdES signature, all in one file."""

    def _export_dossier(self, lot=None, **values):
        wizard = (
            self.env["med.dossier.wizard"]
            .with_user(self.auditor)
            .with_context(
                default_report="lot_dossier", active_ids=(lot or self.lot).ids
            )
            .create(dict({"file_format": "pdf", "template_id": False}, **values))
        )
        wizard.with_context(force_report_rendering=True).action_export()
        export = self.env["med.audit.export"].search([], limit=1)
        return wizard, export, base64.b64decode(export.attachment_id.datas)

    def test_pdfa_dossier_archival_stamped_and_signed(self):
        self._configure()
        _wizard, export, content = self._export_dossier(pdf_archival=True)
        markers = pdfa_markers(content)
        self.assertEqual(markers["part"], "2")
        self.assertEqual(markers["conformance"], "B")
        self.assertEqual(markers["intents"], ["/GTS_PDFA1"])
        self.assertEqual(markers["profile_components"], [3])  # RGB
        self.assertEqual(markers["profile_is_icc"], [True])
        self.assertTrue(markers["fonts"])
        self.assertEqual(markers["fonts_not_embedded"], [])
        self.assertEqual(markers["fonts_without_unicode"], [])
        self.assertFalse(markers["encrypted"])
        text = self._pdf_text(content)
        self.assertIn(export.verification_code, text)
        self.assertIn("Page 1 of", text)
        self.assertIn(self.lot.name, text)
        report = pdfsig(content)
        self.assertIn("Signature Validation: Signature is Valid.", report)
        self.assertIn("Total document signed", report)

    def test_pdfa_keeps_chinese_text_searchable(self):
        """Ghostscript 10.00 misreads Qt's ToUnicode maps and drops reportlab's
        unless they are plain: the Chinese of a dossier, in its body and in its
        page stamp, still copies and searches as Chinese."""
        lot = self.env["stock.lot"].create(
            {"name": "批号-PDFA-01", "product_id": self.product_lot.id}
        )
        _wizard, _export, content = self._export_dossier(lot, pdf_archival=True)
        first_page = self._pdf_text(content).split("\f")[0]
        stamp, body = first_page.split("\n", 1)
        # The stamp's Chinese may come out spaced: reportlab 3.6.12 writes the
        # widths of the last glyphs of its font subset one entry short, and
        # Ghostscript takes the font's widths (the readme says more).
        self.assertIn("批号-PDFA-01", "".join(stamp.split()))
        self.assertIn("批号-PDFA-01", body)
        markers = pdfa_markers(content)
        self.assertEqual(markers["part"], "2")
        self.assertEqual(markers["fonts_without_unicode"], [])

    def test_off_by_default(self):
        wizard, _export, content = self._export_dossier()
        self.assertFalse(wizard.pdf_archival)
        self.assertIsNone(pdfa_markers(content)["part"])

    def test_company_setting_is_the_default(self):
        self.company.sudo().med_dossier_pdfa = True
        wizard, _export, content = self._export_dossier()
        self.assertTrue(wizard.pdf_archival)
        self.assertEqual(pdfa_markers(content)["conformance"], "B")
        # the exporter may still untick it for one export
        wizard, _export, content = self._export_dossier(pdf_archival=False)
        self.assertIsNone(pdfa_markers(content)["part"])
