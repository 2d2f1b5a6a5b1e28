"""PDF/A-2b (ISO 19005-2, level B) of an evidence PDF, made by Ghostscript (Debian
package ``ghostscript``): every font embedded, XMP metadata naming the conformance,
an sRGB output intent with its ICC profile (Ghostscript's own ``srgb.icc``).

Ghostscript aborts rather than write a file that is not PDF/A
(``PDFACompatibilityPolicy=2``): a file the suite calls PDF/A-2b is one.

Ghostscript 10.00 (Debian 12) misreads a ToUnicode map whose ranges list their
characters in an array, as Qt (wkhtmltopdf) writes them, and drops one with more than
100 entries in a block, as reportlab (the page stamp) writes them: Chinese text would
come out as other characters, or none, when copied or searched. Those maps are given
to it as single characters in blocks of 100 first.
"""

import glob
import io
import os
import re
import shutil
import subprocess
import tempfile
import zlib

from odoo.tools.pdf import (
    DecodedStreamObject,
    NameObject,
    PdfFileReader,
    PdfFileWriter,
)

# Ghostscript's sRGB profile: Debian's libgs-common installs it in the first folder;
# a Ghostscript built from source keeps it in its own tree.
ICC_PROFILE_PATTERNS = (
    "/usr/share/color/icc/ghostscript/srgb.icc",
    "/usr/share/ghostscript/*/iccprofiles/srgb.icc",
    "/usr/local/share/ghostscript/*/iccprofiles/srgb.icc",
)
# The output intent, given to Ghostscript as PostScript pdfmarks (as its PDFA_def.ps).
OUTPUT_INTENT_PS = """%!
[/_objdef {icc_PDFA} /type /stream /OBJ pdfmark
[{icc_PDFA} << /N 3 >> /PUT pdfmark
[{icc_PDFA} (PROFILE) (r) file /PUT pdfmark
[/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark
[{OutputIntent_PDFA} <<
  /Type /OutputIntent
  /S /GTS_PDFA1
  /DestOutputProfile {icc_PDFA}
  /OutputConditionIdentifier (sRGB IEC61966-2.1)
  /Info (sRGB IEC61966-2.1)
>> /PUT pdfmark
[{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark
"""
TIMEOUT_SECONDS = 300
CMAP_BLOCK = re.compile(rb"(\d+)\s+begin(bfrange|bfchar)(.*?)end\2", re.S)
ARRAY_RANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\[([^\]]*)\]")
PLAIN_RANGE = re.compile(rb"<[0-9A-Fa-f]+>\s*<[0-9A-Fa-f]+>\s*<[0-9A-Fa-f]+>")
CHARACTER = re.compile(rb"<[0-9A-Fa-f]+>\s*<[0-9A-Fa-f]+>")
HEX_STRING = re.compile(rb"<([0-9A-Fa-f]*)>")
# A CMap block holds at most 100 entries (Adobe technical note 5014).
CMAP_BLOCK_SIZE = 100


class PdfaError(Exception):
    """The PDF could not be made PDF/A (no Ghostscript, or it refused)."""


def srgb_profile():
    """The path of an sRGB ICC profile on this machine, or None."""
    for pattern in ICC_PROFILE_PATTERNS:
        found = sorted(glob.glob(pattern))
        if found:
            return found[-1]
    return None


def postscript_string(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def cmap_blocks(kind, entries):
    return b"".join(
        b"%d begin%s\n%s\nend%s\n" % (len(chunk), kind, b"\n".join(chunk), kind)
        for chunk in (
            entries[i : i + CMAP_BLOCK_SIZE]
            for i in range(0, len(entries), CMAP_BLOCK_SIZE)
        )
    )


def plain_to_unicode_map(cmap):
    """``cmap`` (a ToUnicode CMap) with single characters for its array ranges and
    blocks of at most 100 entries, or None if it has neither to change."""
    blocks = list(CMAP_BLOCK.finditer(cmap))
    if not any(
        ARRAY_RANGE.search(block.group(3)) or int(block.group(1)) > CMAP_BLOCK_SIZE
        for block in blocks
    ):
        return None
    ranges, characters = [], []
    for block in blocks:
        body = block.group(3)
        if block.group(2) == b"bfchar":
            characters += CHARACTER.findall(body)
            continue
        ranges += PLAIN_RANGE.findall(ARRAY_RANGE.sub(b"", body))
        for first, _last, targets in ARRAY_RANGE.findall(body):
            start = int(first, 16)
            for offset, target in enumerate(HEX_STRING.findall(targets)):
                code = f"{start + offset:0{len(first)}X}".encode()
                characters.append(b"<%s> <%s>" % (code, target))
    begin, end = blocks[0].start(), blocks[-1].end()
    return (
        cmap[:begin]
        + cmap_blocks(b"bfrange", ranges)
        + cmap_blocks(b"bfchar", characters)
        + cmap[end:]
    )


def _fonts(resources, seen):
    """The font dictionaries of ``resources`` and of the forms it draws."""
    resources = resources.get_object() if resources else {}
    for font in (resources.get("/Font") or {}).values():
        yield font.get_object()
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if id(xobject) not in seen and xobject.get("/Subtype") == "/Form":
            seen.add(id(xobject))
            yield from _fonts(xobject.get("/Resources"), seen)


def set_stream_data(stream, data):
    """Replace the content of ``stream`` (a stream of a read PDF) by ``data``."""
    if isinstance(stream, DecodedStreamObject):
        stream.set_data(data)
        return
    # PyPDF2 2.x cannot set an encoded stream's data: it is set compressed
    stream._data = zlib.compress(data)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream.pop("/DecodeParms", None)
    stream.decoded_self = None


def with_plain_to_unicode_maps(content):
    """``content`` with its ToUnicode maps free of array ranges."""
    reader = PdfFileReader(io.BytesIO(content), strict=False)
    changed, seen = False, set()
    for page in reader.pages:
        for font in _fonts(page.get("/Resources"), seen):
            to_unicode = font.get("/ToUnicode")
            if to_unicode is None:  # a stream without entries is falsy
                continue
            to_unicode = to_unicode.get_object()
            cmap = plain_to_unicode_map(to_unicode.get_data())
            if cmap is not None:
                set_stream_data(to_unicode, cmap)
                changed = True
    if not changed:
        return content
    writer = PdfFileWriter()
    for page in reader.pages:
        writer.add_page(page)
    if "/Info" in reader.trailer:
        writer._info.get_object().update(reader.trailer["/Info"].get_object())
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def convert_to_pdfa(content):
    """``content`` (a PDF) as PDF/A-2b. Raises PdfaError."""
    content = with_plain_to_unicode_maps(content)
    executable = shutil.which("gs")
    profile = srgb_profile()
    if not executable or not profile:
        raise PdfaError("Ghostscript and its sRGB profile (Debian: ghostscript)")
    with tempfile.TemporaryDirectory(prefix="med-pdfa-") as folder:
        source = os.path.join(folder, "source.pdf")
        target = os.path.join(folder, "pdfa.pdf")
        intent = os.path.join(folder, "output_intent.ps")
        with open(source, "wb") as file:
            file.write(content)
        with open(intent, "w", encoding="ascii") as file:
            file.write(OUTPUT_INTENT_PS.replace("PROFILE", postscript_string(profile)))
        command = [
            executable,
            "-q",
            "-dBATCH",
            "-dNOPAUSE",
            "-dSAFER",
            f"--permit-file-read={profile}",
            "-sDEVICE=pdfwrite",
            "-dPDFA=2",
            "-dPDFACompatibilityPolicy=2",
            "-sColorConversionStrategy=RGB",
            "-sProcessColorModel=DeviceRGB",
            f"-sOutputFile={target}",
            intent,
            source,
        ]
        try:
            result = subprocess.run(
                command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PdfaError(str(error)) from error
        if result.returncode or not os.path.exists(target):
            message = (result.stderr or result.stdout).decode(errors="replace")
            raise PdfaError(message.strip()[-500:] or f"exit {result.returncode}")
        with open(target, "rb") as file:
            return file.read()
