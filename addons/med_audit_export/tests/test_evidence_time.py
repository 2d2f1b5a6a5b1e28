import base64
import csv
import io
from datetime import datetime, timedelta

import openpyxl

from odoo.tests import tagged

from .test_export import ExportCommon


@tagged("post_install", "-at_install")
class TestEvidenceTime(ExportCommon):
    """Evidence files show times in the company's time zone with its UTC offset,
    and in UTC, the same way in xlsx, csv and PDF."""

    def setUp(self):
        super().setUp()
        self.env.company.partner_id.tz = "Asia/Shanghai"
        self.Export = self.env["med.audit.export"]

    def test_format_with_offset_and_daylight_saving(self):
        self.env.company.partner_id.tz = "Europe/Berlin"
        winter, summer = datetime(2026, 1, 15, 12), datetime(2026, 7, 15, 12)
        self.assertEqual(
            self.Export._med_format_time(winter),
            "2026-01-15 13:00:00 +01:00 (2026-01-15 12:00:00 UTC)",
        )
        self.assertEqual(
            self.Export._med_format_time(summer),
            "2026-07-15 14:00:00 +02:00 (2026-07-15 12:00:00 UTC)",
        )
        self.assertEqual(
            self.Export._med_time_zone_label(summer), "Europe/Berlin (UTC+02:00)"
        )

    def test_company_zone_wins_over_the_users(self):
        self.env.company.partner_id.tz = "America/New_York"
        self.assertEqual(self.auditor.tz, "Asia/Shanghai")
        export, content = self._export(self.auditor, "xlsx")
        header = {row[0]: row[1] for row in self._xlsx_rows(content)[:6]}
        self.assertEqual(
            header["Time zone"],
            f"America/New_York ({self.Export._med_utc_offset(export.date)})",
        )
        self.assertRegex(header["Exported on"], r" -0[45]:00 \(.* UTC\)$")

    def test_xlsx_local_and_utc_times_typed(self):
        export, content = self._export(self.auditor, "xlsx")
        rows = self._xlsx_rows(content)
        header = {row[0]: row[1] for row in rows[:6]}
        self.assertEqual(header["Time zone"], "Asia/Shanghai (UTC+08:00)")
        self.assertIn("+08:00", header["Exported on"])
        labels = next(i for i, row in enumerate(rows) if row[1] == "When (UTC)")
        self.assertEqual(rows[labels][0], "When (Asia/Shanghai)")
        entries = self._entries(self.lot)
        for row, entry in zip(rows[labels + 1 :], entries, strict=False):
            self.assertIsInstance(row[0], datetime)
            self.assertEqual(row[1], entry.timestamp.replace(microsecond=0))
            self.assertEqual(row[0] - row[1], timedelta(hours=8))
        footer = rows[-1][0]
        self.assertIn(self.Export._med_format_time(export.date), footer)

    def test_csv_local_and_utc_times(self):
        _export, content = self._export(self.auditor, "csv")
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        labels = next(i for i, row in enumerate(rows) if row[1:2] == ["When (UTC)"])
        entry = self._entries(self.lot)[:1]
        utc = entry.timestamp.replace(microsecond=0)
        self.assertEqual(rows[labels + 1][1], f"{utc:%Y-%m-%d %H:%M:%S}")
        self.assertEqual(
            rows[labels + 1][0], f"{utc + timedelta(hours=8):%Y-%m-%d %H:%M:%S}"
        )

    def test_pdf_shows_the_same_times(self):
        wizard = self._wizard(self.auditor, "pdf")
        wizard.with_context(force_report_rendering=True).action_export()
        export = self.env["med.audit.export"].search([], limit=1)
        text = " ".join(
            self._pdf_text(base64.b64decode(export.attachment_id.datas)).split()
        )
        self.assertIn("Asia/Shanghai (UTC+08:00)", text)
        self.assertIn(self.Export._med_format_time(export.date), text)
        entry = self._entries(self.lot)[:1]
        local = self.Export._med_format_time(entry.timestamp)
        self.assertIn(local.split(" (")[0], text)  # the entry's local time + offset

    def test_dossier_signatures_local_and_utc_typed(self):
        signed = datetime(2026, 3, 1, 17, 30, 15)
        # sudo: signatures are system records; a fixed time, as the signing action
        # would have written it then
        self.env["med.signature"].sudo()._med_chain_insert(
            [
                {
                    "timestamp": signed,
                    "signer_id": self.qa_manager.id,
                    "signer_name": self.qa_manager.name,
                    "signer_login": self.qa_manager.login,
                    "meaning": "review",
                    "comment": None,
                    "res_model": "stock.lot",
                    "res_id": self.lot.id,
                    "res_name": self.lot.display_name,
                    "content_digest": "0" * 64,
                    "company_id": self.env.company.id,
                }
            ]
        )
        wizard = (
            self.env["med.dossier.wizard"]
            .with_user(self.auditor)
            .with_context(default_report="lot_dossier", active_ids=self.lot.ids)
            .create({"file_format": "xlsx", "template_id": False})
        )
        wizard.action_export()
        export = self.env["med.audit.export"].search([], limit=1)
        workbook = openpyxl.load_workbook(
            io.BytesIO(base64.b64decode(export.attachment_id.datas))
        )
        rows = list(workbook["Electronic signatures"].iter_rows(values_only=True))
        labels = next(i for i, row in enumerate(rows) if "Signed on (UTC)" in row)
        local = rows[labels].index("Signed on (Asia/Shanghai)")
        utc = rows[labels].index("Signed on (UTC)")
        row = next(r for r in rows[labels + 1 :] if r[utc] == signed)
        self.assertEqual(row[local], datetime(2026, 3, 2, 1, 30, 15))
