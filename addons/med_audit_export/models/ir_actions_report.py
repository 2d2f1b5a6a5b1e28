import functools
import io
import subprocess
from datetime import UTC

from markupsafe import Markup
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.pdf import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfFileReader,
    PdfFileWriter,
)

from ..tools.pdfa import PdfaError, convert_to_pdfa
from .med_audit_export_stamp import STAMP_KEY

STAMP_FONT = "MedStampCJK"
STAMP_SIZE = 7
STAMP_MARGIN = 7 * mm
RECORD_NAMES_SHOWN = 3
# Page margins (mm) of the suite's PDFs: room for the stamp's line and no more. The
# company's paper formats reserve bands for HTML headers and footers, which Debian's
# wkhtmltopdf leaves blank.
EVIDENCE_MARGINS = {"margin_top": 14, "margin_bottom": 14, "header_spacing": 0}
# The reports' web font (Lato, from the server) is drawn by Debian's wkhtmltopdf as
# vector outlines: its text neither extracts nor searches, and every glyph costs
# curves (a 6-page lot dossier: 22 MB). System fonts are embedded as subset text
# fonts; fontconfig falls back to the CJK font for Chinese glyphs.
SYSTEM_FONTS_STYLE = (
    "<style>body, body *:not(.fa) { font-family: 'DejaVu Sans', "
    "'WenQuanYi Zen Hei', 'Noto Sans CJK SC', sans-serif !important; }</style>"
)
PAPERFORMAT_FIELDS = (
    "name",
    "format",
    "page_height",
    "page_width",
    "orientation",
    "margin_left",
    "margin_right",
    "header_line",
    "dpi",
    "disable_shrinking",
    "css_margins",
)


class IrActionsReport(models.Model):
    """Every page of the suite's evidence PDFs names the document, its record, its
    verification code and "Page x of y" (ISO 13485 4.2.5, Annex 11 §8.1: records
    legible and identifiable page by page). Debian's wkhtmltopdf drops HTML headers
    and footers, so the line is stamped on the rendered PDF instead."""

    _inherit = "ir.actions.report"

    def get_paperformat(self):
        """The company's paper format (size, orientation), with the evidence
        margins for the suite's reports."""
        paperformat = super().get_paperformat()
        if len(self) != 1 or not paperformat or not self._med_is_evidence():
            return paperformat
        values = {name: paperformat[name] for name in PAPERFORMAT_FIELDS}
        return paperformat.new(dict(values, **EVIDENCE_MARGINS))

    def _run_wkhtmltopdf(self, bodies, report_ref=False, **kwargs):
        if report_ref and self._get_report(report_ref)._med_is_evidence():
            # str: Markup.replace would escape the markup it looks for
            bodies = [
                Markup(str(body).replace("</head>", SYSTEM_FONTS_STYLE + "</head>", 1))
                for body in bodies
            ]
        return super()._run_wkhtmltopdf(bodies, report_ref=report_ref, **kwargs)

    def _med_is_evidence(self):
        return (self.report_name or "").startswith("med_")

    def _render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        content, kind = super()._render_qweb_pdf(report_ref, res_ids=res_ids, data=data)
        report = self._get_report(report_ref)
        if kind != "pdf" or not report._med_is_evidence():
            return content, kind
        content = report._med_stamp_pages(content, res_ids, data or {})
        if (data or {}).get("pdfa"):
            # Stamped first, so that Ghostscript embeds the stamp's font and the
            # stamp is part of the archived document; signed last, as an
            # incremental update that leaves the PDF/A bytes as they are (PDF/A-2
            # allows signatures added so).
            content = report._med_convert_to_pdfa(content)
        return report._med_sign_pdf(content, res_ids, data or {}), kind

    def _med_convert_to_pdfa(self, content):
        """``content`` as PDF/A-2b (ISO 19005-2, for long-term archiving)."""
        try:
            return convert_to_pdfa(content)
        except PdfaError as error:
            raise UserError(
                self.env._(
                    "The PDF could not be made PDF/A-2b (archival); export it without "
                    "that option or ask the administrator to install Ghostscript "
                    "(Debian package ghostscript). Details: %(error)s",
                    error=error,
                )
            ) from error

    def _med_sign_pdf(self, content, res_ids, data):
        """``content`` signed with the company's certificate (PAdES), so that an
        auditor checks the file's integrity and origin in any PDF reader, without
        our database; unchanged when the company has none."""
        company = self.env.company
        key = company._med_signing_key()
        if not key:
            return content
        stamp = self.env.cr.cache.get(STAMP_KEY, {}).get(self.env.uid)
        moment = stamp["date"] if stamp else fields.Datetime.now()
        return key.sign_pdf(
            content,
            moment.replace(tzinfo=UTC),
            reason=self.env._(
                "Evidence: %(title)s", title=self._med_stamp_title(res_ids, data)
            ),
            location=company.name,
        )

    def _med_stamp_title(self, res_ids, data):
        """The document's title and the records it is about, for the page stamp."""
        title = data.get("title") or self.name
        if data.get("filter_description"):  # a selection of entries: named by filter
            return f"{title} · {data['filter_description']}"
        if not res_ids:
            return title
        records = self.env[self.model].browse(res_ids).exists()
        names = records[:RECORD_NAMES_SHOWN].mapped("display_name")
        if len(records) > RECORD_NAMES_SHOWN:
            names.append(
                self.env._("and %(count)s more", count=len(records) - len(names))
            )
        return f"{title} · {', '.join(names)}"

    def _med_stamp_pages(self, content, res_ids, data):
        """``content`` with a header (title, record, verification code) and a footer
        ("Page x of y") drawn on every page."""
        # The code of the export being written, if the export engine drew one: a
        # report printed outside the engine carries no code (nothing records it).
        stamp = self.env.cr.cache.get(STAMP_KEY, {}).get(self.env.uid)
        code_line = (
            self.env._("Verification code: %(code)s", code=stamp["code"])
            if stamp
            else ""
        )
        title = self._med_stamp_title(res_ids, data)
        original = PdfFileReader(io.BytesIO(content), strict=False)
        count = len(original.pages)
        font = stamp_font()
        overlay_buffer = io.BytesIO()
        # the stamp's font from the start: no unused, unembedded Helvetica
        overlay = canvas.Canvas(overlay_buffer, initialFontName=font)
        for number, page in enumerate(original.pages, start=1):
            width = float(abs(page.mediabox.width))
            height = float(abs(page.mediabox.height))
            overlay.setPageSize((width, height))
            overlay.setFont(font, STAMP_SIZE)
            top = height - STAMP_MARGIN
            overlay.drawString(STAMP_MARGIN, top, title)
            overlay.drawRightString(width - STAMP_MARGIN, top, code_line)
            overlay.line(STAMP_MARGIN, top - 2, width - STAMP_MARGIN, top - 2)
            overlay.drawCentredString(
                width / 2,
                STAMP_MARGIN,
                self.env._("Page %(page)s of %(pages)s", page=number, pages=count),
            )
            overlay.showPage()
        overlay.save()
        stamps = PdfFileReader(overlay_buffer, strict=False)
        writer = PdfFileWriter()
        for number, (page, stamp_page) in enumerate(
            zip(original.pages, stamps.pages, strict=True), start=1
        ):
            add_stamp(writer, page, stamp_page, f"/MedStamp{number}")
            writer.add_page(page)
        output = io.BytesIO()
        writer.write(output)
        return output.getvalue()


def add_stamp(writer, page, stamp_page, name):
    """Draw ``stamp_page`` over ``page`` as a form XObject called ``name``: the
    page's own content streams stay as they are (compressed, unparsed), where
    merging pages would rewrite them uncompressed (a 6-page dossier: 0.9 MB of
    which 0.8 MB is page content written out again)."""
    form = DecodedStreamObject()
    form.set_data(stamp_page.get_contents().get_data())
    form = form.flate_encode()  # a new stream: its dictionary is filled after
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(stamp_page.mediabox),
            NameObject("/Resources"): stamp_page["/Resources"],
        }
    )
    form_ref = writer._add_object(form)
    resources = page["/Resources"].get_object()
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects else DictionaryObject()
    xobjects[NameObject(name)] = form_ref
    resources[NameObject("/XObject")] = xobjects
    contents = page.raw_get("/Contents")
    contents = (
        contents.get_object() if isinstance(contents, IndirectObject) else contents
    )
    if not isinstance(contents, ArrayObject):
        contents = [page.raw_get("/Contents")]

    def stream(data):
        content_stream = DecodedStreamObject()
        content_stream.set_data(data)
        return writer._add_object(content_stream)

    # the page's drawing state is restored before the stamp is drawn
    page[NameObject("/Contents")] = ArrayObject(
        [stream(b"q\n"), *contents, stream(f"Q\nq {name} Do Q\n".encode())]
    )


@functools.cache
def stamp_font():
    """The font of the page stamps: the system's Chinese font (the one the reports'
    bodies use), embedded as a subset of the glyphs drawn, so that any reader shows
    and extracts the text; Helvetica when the machine has no Chinese font."""
    try:
        path = subprocess.run(
            ["fc-match", "--format=%{file}", "sans-serif:lang=zh-cn"],
            capture_output=True,
            check=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        pdfmetrics.registerFont(TTFont(STAMP_FONT, path, subfontIndex=0))
    except (OSError, subprocess.SubprocessError, ValueError):
        return "Helvetica"
    return STAMP_FONT
