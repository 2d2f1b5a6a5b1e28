import csv
import io
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
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Entries read per query: a chunk of rows is all the trail an export holds in memory.
ENTRY_CHUNK = 5000


class MedAuditExport(models.Model):
    """The export engine every addon's evidence report uses: tables of evidence
    as xlsx or csv with the header lines and the footer, the audit trail's rows,
    and times in the company's time zone with their offset."""

    _name = "med.audit.export"
    _inherit = "med.audit.export"

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
