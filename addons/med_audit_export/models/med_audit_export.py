import hashlib
import os
import shutil

from odoo import api, fields, models
from odoo.tools import SQL

from .base import PROTECTED_WRITE
from .med_hash_chain_mixin import refuse_change

# Evidence is text: a value starting with "=" must never become a formula.
XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
EXPORT_FORMATS = [("xlsx", "Excel (xlsx)"), ("csv", "CSV"), ("pdf", "PDF")]
EXPORT_STATES = [("queued", "Queued"), ("done", "Done"), ("failed", "Failed")]
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "pdf": "application/pdf",
}
FILE_BLOCK = 1 << 20
# Fields the engine fills once when it completes a queued export.
COMPLETION_FIELDS = {"state", "date", "record_count", "file_sha256", "attachment_id"}
COMPLETION_FIELDS |= {"error", "verification_code", "signature_attachment_id"}


class MedAuditExport(models.Model):
    """An evidence export: who exported what, with which filter, and the file's hash.
    Rendering: med_audit_export_render.py; the date, code and signature a file
    carries, and verification: med_audit_export_stamp.py; audit trail exports,
    immediate or queued: med_audit_export_queue.py."""

    _name = "med.audit.export"
    _description = "Evidence Export"
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user, index=True
    )
    date = fields.Datetime(readonly=True, default=fields.Datetime.now)
    report_name = fields.Char(string="Report", readonly=True)
    file_format = fields.Selection(EXPORT_FORMATS, readonly=True)
    filter_description = fields.Text(string="Filter", readonly=True)
    record_count = fields.Integer(string="Rows", readonly=True)
    file_sha256 = fields.Char(string="File SHA-256", readonly=True, index=True)
    attachment_id = fields.Many2one("ir.attachment", string="File", readonly=True)
    signature_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Signature (.p7s)",
        readonly=True,
        help="Detached CAdES signature of the file with the company's certificate "
        "(xlsx and csv; PDFs carry their signature inside).",
    )
    company_id = fields.Many2one(
        "res.company", readonly=True, default=lambda self: self.env.company
    )
    state = fields.Selection(EXPORT_STATES, default="done", readonly=True)
    domain = fields.Text(
        readonly=True, help="The entries a queued audit trail export selects (JSON)."
    )
    error = fields.Text(readonly=True)
    verification_code = fields.Char(
        readonly=True,
        index=True,
        help="Printed in the file's last line: enter it in Verify Evidence File.",
    )

    _sql_constraints = (
        (
            "verification_code_unique",
            "UNIQUE(verification_code)",
            "Two exports cannot share a verification code.",
        ),
    )

    def write(self, vals):
        # Append-only, except that the engine completes a queued export once.
        if (
            self.env.context.get("med_protected_write") is PROTECTED_WRITE
            and set(vals) <= COMPLETION_FIELDS
            and all(export.state == "queued" for export in self)
        ):
            return super().write(vals)
        refuse_change(self)

    def unlink(self):  # pylint: disable=method-required-super
        refuse_change(self, deletion=True)

    def action_download(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.attachment_id.id}?download=true",
            "target": "self",
            # API callers read the export's verification code and SHA-256 from it;
            # the web client only follows the url
            "res_model": self._name,
            "res_id": self.id,
        }

    def action_download_signature(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.signature_attachment_id.id}?download=true",
            "target": "self",
        }

    # -- recording exports --
    @api.model
    def _med_record_export(
        self, title, file_format, content, filter_description, count
    ):
        """Store an export's file, record who exported what, and log it in the trail.

        The record takes the date and code the file's footer names
        (``_med_export_stamp``).
        """
        stamp = self._med_pop_stamp()
        filename = self._med_filename(title, file_format, stamp["date"])
        digest = hashlib.sha256(content)
        # sudo: the file and its export record are system evidence, not user data.
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create({"name": filename, "raw": content, "res_model": self._name})
        )
        signature = self._med_detached_signature(
            filename, file_format, digest.digest(), stamp["date"]
        )
        export = self.sudo().create(
            {
                "signature_attachment_id": signature.id,
                "date": stamp["date"],
                "verification_code": stamp["code"],
                "user_id": self.env.uid,
                "name": filename,
                "report_name": title,
                "file_format": file_format,
                "filter_description": filter_description,
                "record_count": count,
                "file_sha256": digest.hexdigest(),
                "attachment_id": attachment.id,
            }
        )
        (attachment | signature).res_id = export.id
        export._med_log_export()
        return export.with_env(self.env)

    def _med_log_export(self):
        for export in self:
            export._med_log_event(
                "export",
                reason=export.filter_description,
                details=f"{export.report_name} · {export.file_format} · "
                f"{export.record_count} · sha256:{export.file_sha256} · "
                f"{export.verification_code}",
            )

    @api.model
    def _med_filename(self, title, file_format, date):
        stamp = date.strftime("%Y%m%d-%H%M%S")
        return f"{title}-{stamp}.{file_format}".replace("/", "-")

    def _med_store_file(self, path):
        """Attach the file at ``path`` to this export, copied into the filestore in
        blocks: the file of a million-entry export is never held in memory. Returns
        the attachment and the file's SHA-256."""
        self.ensure_one()
        # sudo: the file of an export is system evidence, not user data.
        Attachment = self.env["ir.attachment"].sudo()
        sha1, sha256 = hashlib.sha1(), hashlib.sha256()
        with open(path, "rb") as file:
            for block in iter(lambda: file.read(FILE_BLOCK), b""):
                sha1.update(block)
                sha256.update(block)
        attachment = Attachment.create(
            {
                "name": self.name,
                "mimetype": MIMETYPES[self.file_format],
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        if Attachment._storage() != "file":
            # database storage: the file goes into a column, whole, whatever we do
            with open(path, "rb") as file:
                attachment.raw = file.read()
            return attachment, sha256.hexdigest()
        # ir.attachment only takes whole contents; this is its file storage done in
        # blocks: same path, checksum and garbage collection mark.
        checksum = sha1.hexdigest()
        fname = f"{checksum[:2]}/{checksum}"
        full_path = Attachment._full_path(fname)
        if not os.path.exists(full_path):
            os.makedirs(os.path.dirname(full_path), exist_ok=True)
            shutil.copyfile(path, full_path)
            Attachment._mark_for_gc(fname)
        self.env.cr.execute(
            SQL(
                "UPDATE ir_attachment SET store_fname = %s, checksum = %s, "
                "file_size = %s WHERE id = %s",
                fname,
                checksum,
                os.path.getsize(path),
                attachment.id,
            )
        )
        attachment.invalidate_recordset(["store_fname", "checksum", "file_size"])
        return attachment, sha256.hexdigest()
