import csv
import hashlib
import io
import json
import logging
import os
import secrets
import shutil
import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytz

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.xlsx_table import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    MAX_WIDTH,
    MIN_WIDTH,
    TYPED_WIDTHS,
    display_width,
    write_xlsx_table,
    xml_safe,
)
from .base import PROTECTED_WRITE
from .med_hash_chain_mixin import refuse_change

_logger = logging.getLogger(__name__)

ENTRY_COLUMNS = [
    "local_time",
    "timestamp",
    "user",
    "operation",
    "res_model",
    "res_id",
    "res_name",
    "field",
    "old_value",
    "new_value",
    "reason",
    "entry_hash",
]
# Evidence is text: a value starting with "=" must never become a formula.
XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_FORMATS = [("xlsx", "Excel (xlsx)"), ("csv", "CSV"), ("pdf", "PDF")]
EXPORT_STATES = [("queued", "Queued"), ("done", "Done"), ("failed", "Failed")]
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "pdf": "application/pdf",
}
# Entries read per query: a chunk of rows is all the trail an export holds in memory.
ENTRY_CHUNK = 5000
FILE_BLOCK = 1 << 20
# Exports of more entries than this run in the background (ir.config_parameter).
QUEUE_THRESHOLD_PARAM = "med_audit_export.export_queue_threshold"
DEFAULT_QUEUE_THRESHOLD = 200000
# The date and verification code an export's file carries, drawn before the file is
# written and consumed when the export is recorded (per cursor, per user).
STAMP_KEY = "med_audit_export_stamp"
# Fields the engine fills once when it completes a queued export.
COMPLETION_FIELDS = {"state", "date", "record_count", "file_sha256", "attachment_id"}
COMPLETION_FIELDS |= {"error", "verification_code", "signature_attachment_id"}


class MedAuditExport(models.Model):
    """An evidence export: who exported what, with which filter, and the file's hash."""

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

    # -- time: the company's local time with its offset, and UTC --
    @api.model
    def _med_time_zone(self):
        """The name of the company's time zone (its address's; else the user's):
        evidence shows times as they were where the company works."""
        name = self.env.company.partner_id.tz or self.env.user.tz or "UTC"
        return name if name in pytz.all_timezones_set else "UTC"

    @api.model
    def _med_utc_offset(self, moment=None):
        """``UTC+08:00``: the company's offset from UTC at ``moment`` (naive UTC;
        now when empty), which daylight saving time may change."""
        moment = moment or fields.Datetime.now()
        local = moment.replace(tzinfo=UTC).astimezone(
            pytz.timezone(self._med_time_zone())
        )
        offset = local.strftime("%z")
        return f"UTC{offset[:3]}:{offset[3:]}"

    @api.model
    def _med_time_zone_label(self, moment=None):
        """``Asia/Shanghai (UTC+08:00)``"""
        return f"{self._med_time_zone()} ({self._med_utc_offset(moment)})"

    @api.model
    def _med_local_time(self, moment):
        """``moment`` (naive UTC) as a naive datetime in the company's time zone,
        to the second: the local column next to a UTC one in a table."""
        local = moment.replace(tzinfo=UTC).astimezone(
            pytz.timezone(self._med_time_zone())
        )
        return local.replace(tzinfo=None, microsecond=0)

    @api.model
    def _med_format_time(self, moment):
        """``moment`` (naive UTC) in the company's time zone with its offset, then
        in UTC: ``2026-03-02 01:30:00 +08:00 (2026-03-01 17:30:00 UTC)``."""
        if not moment:
            return ""
        local = moment.replace(tzinfo=UTC).astimezone(
            pytz.timezone(self._med_time_zone())
        )
        offset = local.strftime("%z")
        return (
            f"{local:%Y-%m-%d %H:%M:%S} {offset[:3]}:{offset[3:]} "
            f"({moment:%Y-%m-%d %H:%M:%S} UTC)"
        )

    # -- the export engine, shared by every addon's evidence report --
    @api.model
    def _med_entry_columns(self):
        labels = {
            "local_time": self.env._(
                "When (%(time_zone)s)", time_zone=self._med_time_zone()
            ),
            "timestamp": self.env._("When (UTC)"),
            "user": self.env._("User"),
            "operation": self.env._("Operation"),
            "res_model": self.env._("Model"),
            "res_id": self.env._("Record ID"),
            "res_name": self.env._("Record"),
            "field": self.env._("Field"),
            "old_value": self.env._("Old Value"),
            "new_value": self.env._("New Value"),
            "reason": self.env._("Reason"),
            "entry_hash": self.env._("Hash"),
        }
        return [(name, labels[name]) for name in ENTRY_COLUMNS]

    @api.model
    def _med_header_lines(self, data):
        return [
            (self.env._("Company"), self.env.company.name),
            (self.env._("Report"), data.get("title") or self.env._("Audit Trail")),
            (
                self.env._("Filter"),
                data.get("filter_description") or self.env._("All entries"),
            ),
            (
                self.env._("Exported by"),
                f"{self.env.user.name} ({self.env.user.login})",
            ),
            (
                self.env._("Exported on"),
                self._med_format_time(self._med_export_stamp()["date"]),
            ),
            (self.env._("Time zone"), self._med_time_zone_label()),
        ]

    @api.model
    def _med_iter_entry_rows(self, domain, chunk=ENTRY_CHUNK):
        """Rows for the entries matching ``domain``, read in chunks by id with one
        query each (record rules applied): no records, so no ORM cache grows. Times
        are naive datetimes (the company's local time, then UTC), the record id an
        integer, the rest text: each file writes them as its format types them."""
        Entry = self.env["med.audit.entry"]
        operations = dict(Entry._fields["operation"]._description_selection(self.env))
        translate = Entry._med_display_translator()
        # sudo: the trail names whoever made a change, whatever company they are in.
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        users = {None: ""}
        time_zone = self._med_time_zone()
        cr = self.env.cr
        last_id = 0
        while True:
            query = Entry._search(
                domain + [("id", ">", last_id)], order="id", limit=chunk
            )

            def column(name, query=query):
                return SQL("COALESCE(%s, '')", SQL.identifier(query.table, name))

            timestamp = SQL.identifier(query.table, "timestamp")
            cr.execute(
                query.select(
                    SQL.identifier(query.table, "id"),
                    SQL(
                        "date_trunc('second', %s AT TIME ZONE 'UTC' AT TIME ZONE %s)",
                        timestamp,
                        time_zone,
                    ),
                    SQL("date_trunc('second', %s)", timestamp),
                    SQL.identifier(query.table, "user_id"),
                    column("operation"),
                    column("res_model"),
                    SQL("NULLIF(%s, 0)", SQL.identifier(query.table, "res_id")),
                    column("res_name"),
                    column("field_label"),
                    column("field_name"),
                    column("old_value"),
                    column("new_value"),
                    column("reason"),
                    # the entry's own hash (before 18.0.1.2.0: its chain hash)
                    SQL(
                        "COALESCE(%s, %s, '')",
                        SQL.identifier(query.table, "content_hash"),
                        SQL.identifier(query.table, "entry_hash"),
                    ),
                )
            )
            rows = cr.fetchall()
            if not rows:
                return
            missing = {row[3] for row in rows} - users.keys()
            users.update(
                (user.id, user.name) for user in Users.browse(missing).exists()
            )
            for row in rows:
                res_model, field_label, field_name = row[5], row[8], row[9]
                yield (
                    row[1],
                    row[2],
                    users.get(row[3], ""),
                    operations.get(row[4], row[4]),
                    res_model,
                    row[6],
                    row[7],
                    *translate(res_model, field_name, field_label, row[10], row[11]),
                    *row[12:],
                )
            last_id = rows[-1][0]

    @api.model
    def _med_write_xlsx_table(self, workbook, sheet_name, data, labels, rows):
        """One sheet: the header lines, then the table, then the footer with the
        verification code. Rows are written as they come (constant memory): ``rows``
        may be a generator. Numbers, dates and times are typed cells, text stays
        text (never a formula or a link); the labels row is frozen and filters the
        table, and columns are as wide as their longest value (within limits).
        Returns the number of rows written."""
        sheet = workbook.add_worksheet(xml_safe(sheet_name))
        bold = workbook.add_format({"bold": True})
        header = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        formats = {
            datetime: workbook.add_format({"num_format": DATETIME_FORMAT}),
            date: workbook.add_format({"num_format": DATE_FORMAT}),
        }
        row = 0
        for label, value in self._med_header_lines(data):
            sheet.write_string(row, 0, xml_safe(label), bold)
            sheet.write_string(row, 1, xml_safe(value))
            row += 1
        labels_row = row + 1
        sheet.write_row(labels_row, 0, [xml_safe(label) for label in labels], header)
        widths = [display_width(label) for label in labels]
        row += 2
        first = row
        write_string, write_number = sheet.write_string, sheet.write_number
        write_datetime = sheet.write_datetime
        for values in rows:
            for col, value in enumerate(values):
                kind = type(value)
                if kind is str:
                    if value:
                        # xlsxwriter escapes control characters, not U+FFFE/U+FFFF
                        write_string(row, col, xml_safe(value))
                        if len(value) * 2 > widths[col]:
                            widths[col] = max(widths[col], display_width(value))
                elif value is None or value is False:
                    continue
                elif kind in (int, float, Decimal):
                    write_number(row, col, value)
                    widths[col] = max(widths[col], len(str(value)))
                elif kind is datetime or kind is date:
                    write_datetime(row, col, value, formats[kind])
                    widths[col] = max(widths[col], TYPED_WIDTHS[kind])
                else:
                    text = xml_safe(str(value))
                    write_string(row, col, text)
                    widths[col] = max(widths[col], display_width(text))
            row += 1
        sheet.write_string(row + 1, 0, xml_safe(self._med_footer()), bold)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, min(max(width, MIN_WIDTH), MAX_WIDTH) + 1)
        sheet.freeze_panes(labels_row + 1, 0)
        sheet.autofilter(labels_row, 0, max(row - 1, labels_row), len(labels) - 1)
        return row - first

    @api.model
    def _med_write_table(self, file_format, data, labels, rows, output):
        """Write a table of evidence as xlsx or csv, header lines first and the footer
        last, into ``output`` (a path or a binary file). Returns the rows written."""
        if file_format == "xlsx":
            return write_xlsx_table(
                output,
                data.get("title") or "Evidence",
                self._med_header_lines(data),
                labels,
                rows,
                self._med_footer(),
            )
        # BOM: Excel opens UTF-8 CSV with Chinese text correctly only with it.
        text = io.TextIOWrapper(output, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        safe = self._med_csv_safe
        for label, value in self._med_header_lines(data):
            writer.writerow([label, safe(value)])
        writer.writerow([])
        writer.writerow(labels)
        count = 0
        for values in rows:
            writer.writerow(
                [safe("" if value is None else str(value)) for value in values]
            )
            count += 1
        writer.writerow([])
        writer.writerow([safe(self._med_footer())])
        text.flush()
        text.detach()  # the caller owns ``output``: closing the wrapper would close it
        return count

    @api.model
    def _med_render_table(self, file_format, data, labels, rows):
        """A table of evidence as xlsx or csv bytes, with the header lines and the
        footer; for big tables, write to a file with ``_med_write_table``."""
        output = io.BytesIO()
        self._med_write_table(file_format, data, labels, rows, output)
        return output.getvalue()

    @api.model
    def _med_csv_safe(self, value):
        """Neutralise spreadsheet formulas (CSV injection): evidence stays text."""
        return f"'{value}" if value.startswith(CSV_FORMULA_PREFIXES) else value

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
