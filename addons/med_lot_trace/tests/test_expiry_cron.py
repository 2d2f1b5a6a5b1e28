import io
from datetime import timedelta

import openpyxl

from odoo import fields
from odoo.tests import tagged

from .common import MedGenealogyCommon


@tagged("post_install", "-at_install")
class TestExpiryCron(MedGenealogyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.syringe.product_tmpl_id.write(
            {"use_expiration_date": True, "expiration_time": 1000, "alert_time": 90}
        )
        now = fields.Datetime.now()
        cls.expired = cls._dated("EXP-STOCK", now - timedelta(days=1), 20)
        cls.expired_earlier = cls._dated("EXP-EARLY", now - timedelta(days=40), 5)
        cls.expired_gone = cls._dated("EXP-GONE", now - timedelta(days=1), 0)
        cls.near = cls._dated("NEAR-1", now + timedelta(days=30), 10)
        cls.fresh = cls._dated("FRESH-1", now + timedelta(days=500), 10)

    @classmethod
    def _dated(cls, name, expiry, qty):
        # dated at creation, as a receipt does: product_expiry derives the alert date
        lot = cls.env["stock.lot"].create(
            {"name": name, "product_id": cls.syringe.id, "expiration_date": expiry}
        )
        cls._release(lot)
        if qty:
            cls.env["stock.quant"]._update_available_quantity(
                cls.syringe, cls.stock, qty, lot_id=lot
            )
        return lot

    def _activities(self):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "stock.warehouse"),
                ("res_id", "=", self.stock_warehouse.id),
            ]
        )

    def test_expired_lots_in_stock_put_on_hold(self):
        self.env["stock.lot"]._cron_med_expiry()
        self.assertEqual(
            (self.expired.med_state, self.expired.med_hold_source), ("hold", "expiry")
        )
        self.assertEqual(self.expired_gone.med_state, "released")  # no stock left
        self.assertEqual(self.near.med_state, "released")
        hold = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "stock.lot"),
                ("res_id", "=", self.expired.id),
                ("field_name", "=", "med_state"),
                ("new_value", "=", "On Hold"),
            ]
        )
        self.assertEqual(hold.user_id, self.env.user)

    def test_hold_reason_names_each_lots_expiry_date(self):
        self.env["stock.lot"]._cron_med_expiry()
        for lot in self.expired | self.expired_earlier:
            expiry = fields.Date.to_string(lot.expiration_date)
            self.assertEqual(lot.med_hold_reason, f"Expired on {expiry}")
            entry = self.env["med.audit.entry"].search(
                [
                    ("res_model", "=", "stock.lot"),
                    ("res_id", "=", lot.id),
                    ("field_name", "=", "med_state"),
                    ("new_value", "=", "On Hold"),
                ]
            )
            self.assertEqual(entry.reason, lot.med_hold_reason)
            # ... and only there: not a second entry of the reason field
            self.assertFalse(
                self.env["med.audit.entry"].search_count(
                    [
                        ("res_model", "=", "stock.lot"),
                        ("res_id", "=", lot.id),
                        ("field_name", "=", "med_hold_reason"),
                    ]
                )
            )
        self.assertNotEqual(
            self.expired.med_hold_reason, self.expired_earlier.med_hold_reason
        )

    def test_expiry_reasons_only_for_expiry_holds(self):
        lots = self.expired | self.near
        lots.with_context(
            med_expiry_reasons={self.expired.id: "Expired on 2000-01-01"}
        )._med_put_on_hold("manual", "deviation")
        self.assertEqual(lots.mapped("med_hold_reason"), ["deviation", "deviation"])

    def test_one_activity_per_warehouse_with_the_list(self):
        self.env["stock.lot"]._cron_med_expiry()
        activity = self._activities()
        self.assertEqual(len(activity), 1)
        self.assertIn("near expiry", activity.summary)
        export = self.env["med.audit.export"].search([], limit=1)
        self.assertIn("Near-expiry", export.name)
        # NEAR-1 of this test; a demo database adds its own near-expiry lot.
        self.assertGreaterEqual(export.record_count, 1)
        sheet = openpyxl.load_workbook(
            io.BytesIO(export.attachment_id.raw), read_only=True
        ).active
        rows = [row for row in sheet.iter_rows(values_only=True) if "NEAR-1" in row]
        self.assertEqual(len(rows), 1)
        self.assertIn(self.syringe.display_name, rows[0])
        self.assertEqual(float(rows[0][-1]), 10)  # the quantity in stock

    def test_rerun_changes_nothing_more(self):
        self.env["stock.lot"]._cron_med_expiry()
        entries = self.env["med.audit.entry"].search_count([])
        self.env["stock.lot"]._cron_med_expiry()
        self.assertEqual(len(self._activities()), 1)
        self.assertEqual(self.env["med.audit.entry"].search_count([]), entries)

    def test_second_run_at_the_same_time_skips(self):
        """Another worker holds the check's lock: this run leaves everything alone."""
        with self.registry.cursor() as other:
            other.execute(
                "SELECT pg_advisory_xact_lock(hashtext('med_lot_trace.expiry_check'))"
            )
            self.env["stock.lot"]._cron_med_expiry()
            self.assertEqual(self.expired.med_state, "released")
            self.assertFalse(self._activities())
            other.rollback()
        self.env["stock.lot"]._cron_med_expiry()
        self.assertEqual(self.expired.med_state, "hold")
