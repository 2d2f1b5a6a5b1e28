import hashlib
import secrets
from datetime import UTC

from odoo import api, fields, models

# The date and verification code an export's file carries, drawn before the file is
# written and consumed when the export is recorded (per cursor, per user).
STAMP_KEY = "med_audit_export_stamp"


class MedAuditExport(models.Model):
    """What each evidence file carries so that it can be checked later: the date
    and verification code in its footer, the detached signature with the
    company's certificate; and the export a code or a file belongs to."""

    _name = "med.audit.export"
    _inherit = "med.audit.export"

    # -- verification codes --
    @api.model
    def _med_verify_code(self, code):
        """The completed export whose file's footer carries ``code``, or an empty
        recordset when no export of this database has that code."""
        code = (code or "").strip().upper()
        if not code:
            return self.browse()
        return self.search(
            [("verification_code", "=", code), ("state", "=", "done")], limit=1
        )

    @api.model
    def _med_verify_file(self, content):
        """The export whose recorded SHA-256 is this file's, or an empty recordset."""
        digest = hashlib.sha256(content).hexdigest()
        return self.search([("file_sha256", "=", digest)], limit=1)

    @api.model
    def _med_export_stamp(self):
        """The date and verification code of the export this user is writing: drawn
        on first use, so that the file names them before its export record exists;
        ``_med_record_export`` consumes them. The code is random (64 bits): it says
        nothing of the content; the export record and its hash-chained trail entry
        tie it to the file's SHA-256."""
        stamps = self.env.cr.cache.setdefault(STAMP_KEY, {})
        if self.env.uid not in stamps:
            token = secrets.token_hex(8).upper()
            stamps[self.env.uid] = {
                "date": fields.Datetime.now(),
                "code": "-".join(token[i : i + 4] for i in range(0, 16, 4)),
            }
        return stamps[self.env.uid]

    @api.model
    def _med_pop_stamp(self):
        stamp = self._med_export_stamp()
        del self.env.cr.cache[STAMP_KEY][self.env.uid]
        return stamp

    @api.model
    def _med_footer(self):
        """The last line of every exported file: exporter, time and the file's code."""
        stamp = self._med_export_stamp()
        return self.env._(
            "Exported by %(user)s (%(login)s) on %(date)s. Verification code: %(code)s",
            user=self.env.user.name,
            login=self.env.user.login,
            date=self._med_format_time(stamp["date"]),
            code=stamp["code"],
        )

    @api.model
    def _med_detached_signature(self, filename, file_format, digest, moment):
        """The ``.p7s`` attachment that signs a file of ``file_format`` whose
        SHA-256 is ``digest`` (bytes) with the company's certificate, for a check
        without our database (``openssl cms -verify -binary -content FILE``). None
        (an empty attachment) for PDFs, signed inside, or without a certificate."""
        Attachment = self.env["ir.attachment"]
        if file_format == "pdf":
            return Attachment
        key = self.env.company._med_signing_key()
        if not key:
            return Attachment
        # sudo: the signature of an export is system evidence, not user data.
        return Attachment.sudo().create(
            {
                "name": f"{filename}.p7s",
                "raw": key.detached_signature(digest, moment.replace(tzinfo=UTC)),
                "mimetype": "application/pkcs7-signature",
                "res_model": self._name,
            }
        )
