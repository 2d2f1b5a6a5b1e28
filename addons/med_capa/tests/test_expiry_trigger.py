from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestExpiryTrigger(MedCapaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.syringe.product_tmpl_id.write(
            {"use_expiration_date": True, "expiration_time": 1000, "alert_time": 90}
        )
        cls.rule = cls.env.ref("med_capa.capa_rule_lot_expired")

    def _expired(self, name, qty=20):
        lot = self.env["stock.lot"].create(
            {
                "name": name,
                "product_id": self.syringe.id,
                "expiration_date": fields.Datetime.now() - timedelta(days=1),
            }
        )
        self._release(lot)
        self.env["stock.quant"]._update_available_quantity(
            self.syringe, self.stock, qty, lot_id=lot
        )
        return lot

    def test_expired_lot_in_stock_opens_nonconformance_once(self):
        lot = self._expired("EXP-NC")
        self.env["stock.lot"]._cron_med_expiry()
        self.assertEqual((lot.med_state, lot.med_hold_source), ("hold", "expiry"))
        record = self._records("med.nonconformance", lot)
        self.assertEqual(len(record), 1)
        self.assertEqual((record.source, record.quantity), ("expiry", 20))
        self.assertIn("EXP-NC", record.description)
        self.assertTrue(
            record.activity_ids.filtered(lambda a: a.user_id == self.qa_manager)
        )
        # the hold is lifted, the cron finds the lot again: nothing new is opened
        lot.with_context(med_reason="re-check")._med_set_state("released")
        self.env["stock.lot"]._cron_med_expiry()
        self.assertEqual(len(self._records("med.nonconformance", lot)), 1)

    def test_expired_lot_outside_rule_categories_opens_nothing(self):
        self.rule.categ_ids = self.env["product.category"].create({"name": "Implants"})
        lot = self._expired("EXP-CAT")
        self.env["stock.lot"]._cron_med_expiry()
        self.assertEqual(lot.med_state, "hold")
        self.assertFalse(self._records("med.nonconformance", lot))

    def test_other_hold_sources_do_not_fire(self):
        lot = self._lot(self.syringe, "HOLD-MAN", 5)
        lot._med_put_on_hold("manual", "deviation")
        self.assertFalse(self._records("med.nonconformance", lot))

    def test_many_expired_lots_tell_qa_once(self):
        lots = self._expired("EXP-MANY-1") | self._expired("EXP-MANY-2")
        self.env["stock.lot"]._cron_med_expiry()
        records = self._records("med.nonconformance", lots)
        self.assertEqual(len(records), 2)
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", "med.nonconformance"),
                ("res_id", "in", records.ids),
                ("user_id", "=", self.qa_manager.id),
            ]
        )
        self.assertEqual(len(activities), 1)
        for record in records:
            self.assertIn(record.name, activities.note)
