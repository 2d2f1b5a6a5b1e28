import functools
import io
import subprocess

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from odoo import models
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

from .med_audit_export import STAMP_KEY

STAMP_FONT = "MedStampCJK"
STAMP_SIZE = 7
STAMP_MARGIN = 7 * mm
RECORD_NAMES_SHOWN = 3


class IrActionsReport(models.Model):
    """Every page of the suite's evidence PDFs names the document, its record, its
    verification code and "Page x of y" (ISO 13485 4.2.5, Annex 11 §8.1: records
    legible and identifiable page by page). Debian's wkhtmltopdf drops HTML headers
    and footers, so the line is stamped on the rendered PDF instead."""

    _inherit = "ir.actions.report"

    def _render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        content, kind = super()._render_qweb_pdf(report_ref, res_ids=res_ids, data=data)
        report = self._get_report(report_ref)
        if kind != "pdf" or not report.report_name.startswith("med_"):
            return content, kind
        return report._med_stamp_pages(content, res_ids, data or {}), kind

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
        overlay = canvas.Canvas(overlay_buffer)
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
        for page, stamp_page in zip(original.pages, stamps.pages, strict=True):
            page.merge_page(stamp_page)
            writer.add_page(page)
        output = io.BytesIO()
        writer.write(output)
        return output.getvalue()


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
