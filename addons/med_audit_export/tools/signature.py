"""Electronic signatures of evidence files with a company's PKCS#12 certificate, made
with what Odoo 18 already ships (cryptography 3.4.8, asn1crypto, PyPDF2): no signing
tool to install, no newer ``cryptography`` than Odoo's pin.

- PDF: a PAdES baseline B-B signature (ETSI.CAdES.detached, signing-certificate-v2
  attribute, signing time in the signature dictionary), appended as an incremental
  update that covers the whole file: any PDF reader's signature panel shows it, and
  ``pdfsig`` or pyHanko verify it without our database.
- Any file (xlsx, csv): a detached CAdES signature (``.p7s``, DER) of the file's
  SHA-256, checked with ``openssl cms -verify -binary -content FILE``.
"""

import hashlib
import io
import re

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from odoo.tools.pdf import (
    ArrayObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfFileReader,
)

# Room for the CMS signature beyond its measured size (hex digits are twice this).
SIGNATURE_SLACK = 512
BYTE_RANGE_PLACEHOLDER = b"/ByteRange [0 0000000000 0000000000 0000000000]"
STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


class SigningKey:
    """A private key and its certificate chain, read from a PKCS#12 file."""

    def __init__(self, pkcs12_data, password):
        key, certificate, chain = pkcs12.load_key_and_certificates(
            pkcs12_data, (password or "").encode() or None, default_backend()
        )
        if key is None or certificate is None:
            raise ValueError("no private key or certificate in the PKCS#12 file")
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError("only RSA and EC keys sign evidence")
        self.key = key
        self.certificate = asn1_x509.Certificate.load(
            certificate.public_bytes(serialization.Encoding.DER)
        )
        self.chain = [
            asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
            for cert in chain or ()
        ]

    @property
    def signer_name(self):
        return self.certificate.subject.native.get("common_name") or (
            self.certificate.subject.human_friendly
        )

    def _sign(self, data):
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))

    def cms_signature(self, digest, signing_time=None):
        """A detached CMS SignedData (CAdES-BES) of content whose SHA-256 is
        ``digest``, as DER. ``signing_time`` goes into the signed attributes (PAdES
        keeps it out: the time is in the PDF's signature dictionary)."""
        certificate = self.certificate
        attributes = [
            cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            cms.CMSAttribute({"type": "message_digest", "values": [digest]}),
            cms.CMSAttribute(
                {
                    "type": "signing_certificate_v2",
                    "values": [
                        tsp.SigningCertificateV2(
                            {
                                "certs": [
                                    tsp.ESSCertIDv2(
                                        {
                                            "hash_algorithm": {"algorithm": "sha256"},
                                            "cert_hash": hashlib.sha256(
                                                certificate.dump()
                                            ).digest(),
                                            "issuer_serial": {
                                                "issuer": [
                                                    asn1_x509.GeneralName(
                                                        "directory_name",
                                                        certificate.issuer,
                                                    )
                                                ],
                                                "serial_number": (
                                                    certificate.serial_number
                                                ),
                                            },
                                        }
                                    )
                                ]
                            }
                        )
                    ],
                }
            ),
        ]
        if signing_time:
            attributes.append(
                cms.CMSAttribute(
                    {
                        "type": "signing_time",
                        "values": [cms.Time("utc_time", signing_time)],
                    }
                )
            )
        signed_attributes = cms.CMSAttributes(attributes)
        is_rsa = isinstance(self.key, rsa.RSAPrivateKey)
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    "issuer_and_serial_number",
                    cms.IssuerAndSerialNumber(
                        {
                            "issuer": certificate.issuer,
                            "serial_number": certificate.serial_number,
                        }
                    ),
                ),
                "digest_algorithm": {"algorithm": "sha256"},
                "signed_attrs": signed_attributes,
                "signature_algorithm": {
                    "algorithm": "rsassa_pkcs1v15" if is_rsa else "sha256_ecdsa"
                },
                "signature": self._sign(signed_attributes.dump()),
            }
        )
        signed_data = cms.SignedData(
            {
                "version": "v1",
                "digest_algorithms": [{"algorithm": "sha256"}],
                "encap_content_info": {"content_type": "data"},
                "certificates": [certificate, *self.chain],
                "signer_infos": [signer_info],
            }
        )
        return cms.ContentInfo(
            {"content_type": "signed_data", "content": signed_data}
        ).dump()

    def detached_signature(self, digest, signing_time):
        """The ``.p7s`` of a file whose SHA-256 is ``digest`` (bytes)."""
        return self.cms_signature(digest, signing_time=signing_time)

    def sign_pdf(self, content, signing_time, reason, location=""):
        """``content`` with a PAdES signature appended: an incremental update adding
        an invisible signature field on the first page. The signature covers every
        byte of the file but its own value."""
        update, contents_at = self._pdf_update(content, signing_time, reason, location)
        document = content + update
        contents_at += len(content)
        contents_end = document.index(b">", contents_at) + 1
        byte_range = (
            f"/ByteRange [0 {contents_at} {contents_end} "
            f"{len(document) - contents_end}]"
        ).encode()
        placeholder_at = document.index(BYTE_RANGE_PLACEHOLDER, len(content))
        document = (
            document[:placeholder_at]
            + byte_range.ljust(len(BYTE_RANGE_PLACEHOLDER))
            + document[placeholder_at + len(BYTE_RANGE_PLACEHOLDER) :]
        )
        digest = hashlib.sha256(
            document[:contents_at] + document[contents_end:]
        ).digest()
        signature = self.cms_signature(digest).hex().encode()
        room = contents_end - contents_at - 2
        if len(signature) > room:  # the measured size guarantees room
            raise ValueError("signature larger than its reserved room")
        return (
            document[: contents_at + 1]
            + signature.ljust(room, b"0")
            + document[contents_end - 1 :]
        )

    def _pdf_update(self, content, signing_time, reason, location):
        """The bytes of the incremental update and where its /Contents value starts
        in them."""
        match = STARTXREF.search(content[-1024:])
        if not match:
            raise ValueError("not a PDF with a cross-reference table")
        previous_xref = int(match.group(1))
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        trailer = reader.trailer
        size = int(trailer["/Size"])
        root_ref = trailer.raw_get("/Root")
        root = trailer["/Root"]
        page_ref = root["/Pages"]["/Kids"][0]
        page = page_ref.get_object()
        signature_id, field_id = size, size + 1

        room = len(self.cms_signature(b"\0" * 32).hex()) + 2 * SIGNATURE_SLACK
        when = signing_time.strftime("D:%Y%m%d%H%M%S+00'00'")
        objects = {
            signature_id: b"<< /Type /Sig /Filter /Adobe.PPKLite "
            b"/SubFilter /ETSI.CAdES.detached "
            + BYTE_RANGE_PLACEHOLDER
            + b" /Contents <"
            + b"0" * room
            + b"> /M "
            + pdf_text(when)
            + b" /Name "
            + pdf_text(self.signer_name)
            + b" /Reason "
            + pdf_text(reason)
            + b" /Location "
            + pdf_text(location)
            + b" >>",
            field_id: (
                f"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Evidence) "
                f"/V {signature_id} 0 R /F 132 /Rect [0 0 0 0] "
                f"/P {page_ref.idnum} {page_ref.generation} R >>"
            ).encode(),
        }
        field = IndirectObject(field_id, 0, reader)
        annotations = ArrayObject(list(page.get("/Annots") or []) + [field])
        page[NameObject("/Annots")] = annotations
        objects[page_ref.idnum] = serialize(page)
        acroform = root.get("/AcroForm")
        if acroform:  # our reports have no form; keep any fields one has
            acroform = acroform.get_object()
            fields = ArrayObject(list(acroform.get("/Fields") or []) + [field])
            acroform[NameObject("/Fields")] = fields
            acroform[NameObject("/SigFlags")] = NumberObject(3)
            root[NameObject("/AcroForm")] = acroform
            objects[root_ref.idnum] = serialize(root)
        else:
            body = serialize(root)
            objects[root_ref.idnum] = (
                body[: body.rindex(b">>")]
                + f"/AcroForm << /Fields [{field_id} 0 R] /SigFlags 3 >> >>".encode()
            )

        update = io.BytesIO()
        update.write(b"\n")
        offsets = {}
        contents_at = None
        base = len(content)
        for number in sorted(objects):
            offsets[number] = base + update.tell()
            update.write(f"{number} 0 obj\n".encode())
            if number == signature_id:
                contents_at = update.tell() + objects[number].index(b"/Contents <") + 10
            update.write(objects[number])
            update.write(b"\nendobj\n")
        xref_at = base + update.tell()
        update.write(b"xref\n")
        for first, numbers in contiguous(sorted(offsets)):
            update.write(f"{first} {len(numbers)}\n".encode())
            for number in numbers:
                update.write(f"{offsets[number]:010d} 00000 n\r\n".encode())
        trailer_entries = (
            f"/Size {field_id + 1} /Root {root_ref.idnum} {root_ref.generation} R "
            f"/Prev {previous_xref}"
        )
        info = trailer.raw_get("/Info") if "/Info" in trailer else None
        if isinstance(info, IndirectObject):
            trailer_entries += f" /Info {info.idnum} {info.generation} R"
        if "/ID" in trailer:
            trailer_entries += " /ID " + serialize(trailer["/ID"]).decode("latin-1")
        update.write(
            f"trailer\n<< {trailer_entries} >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
        )
        return update.getvalue(), contents_at


def serialize(pdf_object):
    stream = io.BytesIO()
    pdf_object.write_to_stream(stream, None)
    return stream.getvalue()


def pdf_text(text):
    """A PDF text string: UTF-16BE with its byte-order mark, in hex (any script)."""
    return b"<" + (b"\xfe\xff" + text.encode("utf-16-be")).hex().encode() + b">"


def contiguous(numbers):
    """Runs of consecutive object numbers, each as (first, [numbers])."""
    runs = []
    for number in numbers:
        if runs and runs[-1][1][-1] == number - 1:
            runs[-1][1].append(number)
        else:
            runs.append((number, [number]))
    return runs
