from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import SQL

from .common import ReleaseReviewCommon


@tagged("post_install", "-at_install")
class TestPastReleaseTimes(ReleaseReviewCommon):
    """At installation, the lots received, produced and released before get their
    time to release: from their first receipt or production to their release date
    (recorded by med_lot_trace); what was recorded already is kept."""

    def _forget(self, lots, *columns):
        # As if these lots had been received and released before the addon was
        # installed: these values were never recorded.
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE stock_lot SET %s WHERE id = ANY(%s)",
                SQL(", ").join(
                    SQL("%s = NULL", SQL.identifier(column)) for column in columns
                ),
                lots.ids,
            )
        )
        lots.invalidate_recordset()

    def _release(self, lot):
        self._sign(lot.with_user(self.qa_manager).action_med_release(), self.qa_manager)
        self.assertEqual(lot.med_state, "released")
        return lot.med_signature_ids

    def test_history_gives_the_release_times(self):
        released = self._received("BRL-PAST-REL")
        waiting = self._received("BRL-PAST-WAIT")
        signature = self._release(released)
        self.assertTrue(released.med_release_date)
        receipt = self.env["stock.move.line"].search([("lot_id", "=", released.id)])
        receipt.date = released.med_release_date - timedelta(hours=30)
        self._forget(released | waiting, "med_ready_date", "med_release_hours")

        lots = self.env["stock.lot"]._med_record_past_release_times()
        self.assertLessEqual(released | waiting, lots)
        self.assertEqual(released.med_ready_date, receipt.date)
        self.assertAlmostEqual(released.med_release_hours, 30, places=1)
        self.assertEqual(signature.meaning, "release")
        # waiting for release: received, not released
        self.assertTrue(waiting.med_ready_date)
        self.assertFalse(waiting.med_release_date)
        self.assertFalse(waiting.med_release_hours)

    def test_recorded_times_are_kept_and_lots_never_received_have_none(self):
        recorded = self._received("BRL-PAST-KEPT")
        self._release(recorded)
        times = (recorded.med_ready_date, recorded.med_release_hours)
        # a lot created by hand: no receipt, no release
        by_hand = self.env["stock.lot"].create(
            {"name": "BRL-PAST-HAND", "product_id": self.barrel.id}
        )
        lots = self.env["stock.lot"]._med_record_past_release_times()
        self.assertNotIn(recorded, lots)
        self.assertNotIn(by_hand, lots)
        self.assertEqual((recorded.med_ready_date, recorded.med_release_hours), times)
        self.assertFalse(by_hand.med_ready_date)
