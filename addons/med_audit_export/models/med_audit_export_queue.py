import json
import logging
import os
import tempfile

from odoo import api, fields, models

from .med_audit_export_stamp import STAMP_KEY

_logger = logging.getLogger(__name__)
# Exports of more entries than this run in the background (ir.config_parameter).
QUEUE_THRESHOLD_PARAM = "med_audit_export.export_queue_threshold"
DEFAULT_QUEUE_THRESHOLD = 200000


class MedAuditExport(models.Model):
    """Audit trail exports, now or in the background: a big trail is written by a
    job, to a file on disk in chunks, and its user is told when it is ready."""

    _name = "med.audit.export"
    _inherit = "med.audit.export"

    # -- audit trail exports, immediate or queued --
    @api.model
    def _med_queue_threshold(self):
        # sudo: a system setting, read whoever exports.
        value = self.env["ir.config_parameter"].sudo().get_param(QUEUE_THRESHOLD_PARAM)
        return int(value) if value else DEFAULT_QUEUE_THRESHOLD

    @api.model
    def _med_export_audit_trail(self, file_format, domain, filter_description):
        """Export the entries of ``domain`` now, as the background job would.
        Returns the export."""
        export = self._med_queue_audit_trail(
            file_format, domain, filter_description, trigger=False
        )
        export._med_run()
        return export

    @api.model
    def _med_queue_audit_trail(
        self, file_format, domain, filter_description, trigger=True
    ):
        """Record an export of the entries of ``domain`` (xlsx or csv) for the
        background job, and wake the job up. Returns the queued export."""
        title = self.env._("Audit Trail")
        # sudo: the export record is system evidence, written by the engine only.
        export = self.sudo().create(
            {
                "user_id": self.env.uid,
                "name": self._med_filename(title, file_format, fields.Datetime.now()),
                "report_name": title,
                "file_format": file_format,
                "filter_description": filter_description,
                "domain": json.dumps(domain, default=fields.Datetime.to_string),
                "state": "queued",
            }
        )
        if trigger:
            self.env.ref("med_audit_export.ir_cron_run_queued_exports")._trigger()
        return export.with_env(self.env)

    def _med_run(self):
        """Write the file of this queued audit trail export, as its user, and
        complete the export. The file goes through a temporary file on disk."""
        self.ensure_one()
        # A fresh date and code: one drawn for a file that was never recorded must
        # not stamp this one.
        self.env.cr.cache.get(STAMP_KEY, {}).pop(self.env.uid, None)
        columns = self._med_entry_columns()
        data = {
            "title": self.report_name,
            "filter_description": self.filter_description,
        }
        domain = json.loads(self.domain)
        with tempfile.TemporaryDirectory(prefix="med_export_") as folder:
            path = os.path.join(folder, self.name)
            with open(path, "wb") as output:
                count = self._med_write_table(
                    self.file_format,
                    data,
                    [label for _name, label in columns],
                    self._med_iter_entry_rows(domain),
                    output,
                )
            attachment, digest = self._med_store_file(path)
        stamp = self._med_pop_stamp()
        signature = self._med_detached_signature(
            self.name, self.file_format, bytes.fromhex(digest), stamp["date"]
        )
        signature.res_id = self.id
        self.sudo()._med_protected_write().write(
            {
                "signature_attachment_id": signature.id,
                "state": "done",
                "date": stamp["date"],
                "verification_code": stamp["code"],
                "record_count": count,
                "file_sha256": digest,
                "attachment_id": attachment.id,
            }
        )
        self._med_log_export()

    @api.model
    def _cron_run_queued(self):
        """Run the oldest queued export; Odoo runs the job again while some remain."""
        export = self.search([("state", "=", "queued")], order="id", limit=1)
        if not export:
            return
        user = export.user_id
        as_user = export.with_user(user).with_context(lang=user.lang)
        as_user = as_user.with_company(export.company_id)
        try:
            with self.env.cr.savepoint():
                as_user._med_run()
        except Exception as error:  # pylint: disable=broad-except
            # A failed export must not block the queue: it is marked failed and its
            # user told why; the job goes on with the next one.
            _logger.exception("Evidence export %s failed", export.id)
            self.env.cr.cache.get(STAMP_KEY, {}).pop(user.id, None)
            self.env.invalidate_all()
            export._med_protected_write().write(
                {"state": "failed", "error": str(error)}
            )
        export._med_notify_user()
        remaining = self.search_count([("state", "=", "queued")])
        self.env["ir.cron"]._notify_progress(done=1, remaining=remaining)

    def _med_notify_user(self):
        """Tell the user who asked for this export that it is ready (or failed), in
        their inbox, with a link to the export."""
        self.ensure_one()
        env = self.with_context(lang=self.user_id.lang).env
        if self.state == "done":
            subject = env._("Your export %(name)s is ready", name=self.name)
            body = env._(
                "%(count)s rows; SHA-256 %(digest)s; verification code %(code)s. "
                "Download it from Medical Compliance, Auditor, Evidence Exports.",
                count=self.record_count,
                digest=self.file_sha256,
                code=self.verification_code,
            )
        else:
            subject = env._("Your export %(name)s failed", name=self.name)
            body = self.error
        # sudo: the notice comes from the system, whatever the exporter may post.
        self.env["mail.thread"].sudo().message_notify(
            model=self._name,
            res_id=self.id,
            partner_ids=self.user_id.partner_id.ids,
            subject=subject,
            body=body,
        )
