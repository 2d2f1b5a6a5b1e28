from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import MedGenealogyCommon


@tagged("post_install", "-at_install")
class TestLotStatusReport(MedGenealogyCommon):
    """The dashboards' lot view: status, age from today and release lead time."""

    def _recorded_days_ago(self, lot, days):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE stock_lot SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=days), lot.id),
        )
        self.env.invalidate_all()

    def _rows(self, lots):
        return self.env["med.lot.status.report"].search([("lot_id", "in", lots.ids)])

    def test_age_buckets(self):
        fresh = self._lot(self.barrel, "RPT-FRESH", released=False)
        week = self._lot(self.barrel, "RPT-WEEK", released=False)
        month = self._lot(self.barrel, "RPT-MONTH", released=False)
        old = self._lot(self.plunger, "RPT-OLD", released=False)
        lots = fresh | week | month | old
        for lot, days in zip(lots, (2, 8, 31, 120), strict=True):
            self._recorded_days_ago(lot, days)
        rows = {row.lot_id: row for row in self._rows(lots)}
        self.assertEqual(
            [rows[lot].age_bucket for lot in lots], ["0_7", "8_30", "31_90", "over_90"]
        )
        self.assertEqual([rows[lot].age_days for lot in lots], [2, 8, 31, 120])
        self.assertEqual({row.med_state for row in rows.values()}, {"quarantine"})
        (group,) = self.env["med.lot.status.report"].read_group(
            [("lot_id", "in", lots.ids), ("product_id", "=", self.barrel.id)],
            ["age_days:avg"],
            ["product_id"],
        )
        self.assertAlmostEqual(group["age_days"], (2 + 8 + 31) / 3)

    def test_holds_counted_by_source(self):
        lots = self._lot(self.barrel, "RPT-H1") | self._lot(self.barrel, "RPT-H2")
        lots[0]._med_put_on_hold("manual", "suspect seal")
        lots[1]._med_put_on_hold("capa", "CAPA containment")
        groups = self.env["med.lot.status.report"].read_group(
            [("lot_id", "in", lots.ids), ("med_state", "=", "hold")],
            ["age_days:avg"],
            ["med_hold_source"],
        )
        self.assertEqual(
            {
                group["med_hold_source"]: group["med_hold_source_count"]
                for group in groups
            },
            {"manual": 1, "capa": 1},
        )

    def test_warehouse_reads_own_company_only(self):
        lot = self._lot(self.barrel, "RPT-WH", released=False)
        other = self.env["res.company"].create({"name": "Other Device Maker"})
        foreign = self.env["stock.lot"].create(
            {
                "name": "RPT-FOREIGN",
                "product_id": self.barrel.id,
                "company_id": other.id,
            }
        )
        rows = (
            self.env["med.lot.status.report"]
            .with_user(self.warehouse)
            .search([("lot_id", "in", (lot | foreign).ids)])
        )
        self.assertEqual(rows.lot_id, lot)
