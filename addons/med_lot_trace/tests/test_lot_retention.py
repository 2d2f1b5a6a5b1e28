from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.med_audit_export.tests.common import MedComplianceCommon


@tagged("post_install", "-at_install")
class TestLotRetention(MedComplianceCommon):
    """The retention rules shipped for lots: NMPA to expiry + 2 years and at least
    5 years, the device's expected life (ISO 13485 4.2.5), implantables forever."""

    def _old_lot(self, name, years_ago, product=None, **values):
        """A lot created ``years_ago`` years ago."""
        lot = self.env["stock.lot"].create(
            {"name": name, "product_id": (product or self.product_lot).id, **values}
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE stock_lot SET create_date = %s WHERE id = %s",
            [datetime.now() - relativedelta(years=years_ago), lot.id],
        )
        lot.invalidate_recordset()
        return lot

    def test_kept_two_years_past_expiry(self):
        today = fields.Date.context_today(self.env["stock.lot"])
        expiry = datetime.combine(today - relativedelta(years=1), datetime.min.time())
        lot = self._old_lot("NMPA-EXP", 6, expiration_date=expiry)
        until = (expiry + relativedelta(years=2)).date()
        with self.assertRaisesRegex(UserError, f"NMPA-EXP: kept until {until}"):
            lot.unlink()
        self.assertTrue(lot.exists())

    def test_deleted_after_expiry_plus_two_and_five_years(self):
        today = fields.Date.context_today(self.env["stock.lot"])
        expiry = datetime.combine(today - relativedelta(years=3), datetime.min.time())
        lot = self._old_lot("NMPA-OLD", 6, expiration_date=expiry)
        lot.unlink()
        self.assertFalse(lot.exists())

    def test_kept_for_the_devices_expected_life(self):
        self.product_lot.med_expected_life_years = 10
        lot = self._old_lot(
            "LIFE-1", 8, med_production_date=date.today() - relativedelta(years=8)
        )
        self.assertEqual(
            lot.med_end_of_life,
            date.today() - relativedelta(years=8) + relativedelta(years=10),
        )
        with self.assertRaisesRegex(UserError, "LIFE-1: kept until"):
            lot.unlink()
        self.product_lot.med_expected_life_years = 7
        lot.unlink()
        self.assertFalse(lot.exists())

    def test_implantable_lots_kept_permanently(self):
        implant = self.env["product.product"].create(
            {
                "name": "Bone screw 4.5 mm",
                "is_storable": True,
                "tracking": "serial",
                "med_implantable": True,
            }
        )
        lot = self._old_lot("SCREW-0001", 40, product=implant)
        with self.assertRaisesRegex(UserError, "SCREW-0001: kept until permanently"):
            lot.unlink()
        ordinary = self._old_lot("GLOVE-01", 40)
        ordinary.unlink()
        self.assertFalse(ordinary.exists())

    def test_negative_expected_life_refused(self):
        with self.assertRaisesRegex(
            ValidationError, "expected life of a device cannot be negative"
        ):
            self.product_lot.med_expected_life_years = -1

    def test_fda_rule_counts_from_the_signed_release(self):
        lot = self._old_lot("FDA-REL", 6)
        self.assertEqual(lot.med_state, "quarantine")
        self.assertFalse(lot.med_release_date)
        stock = self.env.ref("stock.warehouse0").lot_stock_id
        self.env["stock.quant"]._update_available_quantity(
            lot.product_id, stock, 10, lot_id=lot
        )  # a lot is released once in stock
        self._sign(lot.with_user(self.qa_manager).action_med_release(), self.qa_manager)
        self.assertAlmostEqual(
            lot.med_release_date,
            lot.med_signature_ids.timestamp,
            delta=timedelta(seconds=5),
        )
        fda = self.env.ref("med_lot_trace.retention_lot_fda_release")
        self.assertFalse(fda.active)  # for companies selling to the US
        fda.active = True
        until = lot.med_release_date.date() + relativedelta(years=2)
        with self.assertRaisesRegex(UserError, f"FDA-REL: kept until {until}"):
            lot.unlink()
        fda.active = False
        # (deleting a released lot is then up to the other addons: the release
        # review keeps its own evidence of the lot)
        self.assertEqual(self.env["med.retention.rule"]._med_protected(lot), [])
