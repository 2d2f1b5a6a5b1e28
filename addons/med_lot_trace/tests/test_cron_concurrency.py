"""The daily expiry check run by two Odoo nodes at once: two real transactions
(own registry cursors, committed), never the test cursor, which cannot show a race."""

import uuid
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.med_audit_export.tests.common import run_cron_twice


@tagged("post_install", "-at_install")
class TestExpiryCronConcurrency(TransactionCase):
    def _committed(self, function):
        with self.registry.cursor() as cr:
            return function(api.Environment(cr, SUPERUSER_ID, {}))

    def _setup(self, env, with_expired=True):
        """A near-expiry lot in the main warehouse's stock, and an expired one
        ``with_expired``. (No warehouse of its own: a second warehouse would turn
        on multi-warehouse views for every user of the database.)"""
        tag = uuid.uuid4().hex[:6].upper()
        warehouse = env.ref("stock.warehouse0")
        # QA's user already follows the warehouse (as after an earlier day's list):
        # no follower row is added, which would make the runs collide on
        # mail_followers' unique key by chance and hide what the check itself does.
        qa = env.ref("med_audit_export.group_med_qa_manager").users.filtered(
            lambda user: warehouse.company_id in user.company_ids and not user.share
        )
        warehouse.message_subscribe(
            partner_ids=(qa[:1] or env.ref("base.user_admin")).partner_id.ids
        )
        product = env["product.product"].create(
            {
                "name": f"Cron race syringe {tag}",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "expiration_time": 1000,
                "alert_time": 90,
            }
        )
        now = fields.Datetime.now()
        lots = env["stock.lot"]
        dated = [("EXP", -1)] if with_expired else []
        for suffix, expiry in [*dated, ("NEAR", 30)]:
            lot = env["stock.lot"].create(
                {
                    "name": f"RACE-{tag}-{suffix}",
                    "product_id": product.id,
                    "expiration_date": now + timedelta(days=expiry),
                }
            )
            lot.with_context(med_reason="cron race test")._med_set_state("released")
            env["stock.quant"]._update_available_quantity(
                product, warehouse.lot_stock_id, 10, lot_id=lot
            )
            lots |= lot
        env.cr.execute("SELECT max(id) FROM med_audit_export")
        return warehouse.id, lots.ids, env.cr.fetchone()[0] or 0

    def _cleanup(self, env, warehouse_id, lot_ids, since):
        """Removes the activities the runs scheduled and the stock of the lots;
        the lots, their audit trail and the export records stay (append-only)."""
        env["mail.activity"].search(
            [
                ("res_model", "=", "stock.warehouse"),
                ("res_id", "=", warehouse_id),
                ("create_date", ">=", since),
            ]
        ).unlink()
        env["stock.quant"].search([("lot_id", "in", lot_ids)]).sudo().unlink()
        env["stock.lot"].browse(lot_ids).product_id.with_context(
            med_reason="cron race test"
        ).action_archive()

    def _effects(self, env, warehouse_id, lot_ids, last_export):
        env.cr.execute(
            "SELECT res_id, count(*) FROM med_audit_entry"
            " WHERE res_model = 'stock.lot' AND res_id = ANY(%s)"
            " AND field_name = 'med_state' AND new_value = 'On Hold'"
            " GROUP BY res_id",
            [lot_ids],
        )
        holds = dict(env.cr.fetchall())
        activities = env["mail.activity"].search_count(
            [
                ("res_model", "=", "stock.warehouse"),
                ("res_id", "=", warehouse_id),
                ("summary", "ilike", "near expiry"),
            ]
        )
        code = env["stock.warehouse"].browse(warehouse_id).code
        exports = env["med.audit.export"].search_count(
            [("id", ">", last_export), ("name", "ilike", f"Near-expiry lots {code}")]
        )
        states = env["stock.lot"].browse(lot_ids).mapped("med_state")
        return holds, activities, exports, states

    def _rerun_asked(self, env):
        cron = env.ref("med_lot_trace.ir_cron_lot_expiry")
        return env["ir.cron.trigger"].search_count(
            [("cron_id", "=", cron.id), ("create_date", ">=", self._started)]
        )

    def _assert_one_effect(self, stale_snapshot, with_expired=True):
        since = self._started = fields.Datetime.now()
        warehouse_id, lot_ids, last_export = self._committed(
            lambda env: self._setup(env, with_expired)
        )
        try:
            outcomes = run_cron_twice(
                self, "stock.lot", "_cron_med_expiry", stale_snapshot
            )
            self.assertIn("committed", outcomes)
            if stale_snapshot:
                self.assertTrue(self._committed(self._rerun_asked), outcomes)
            # the rerun asked for (or tomorrow's run) finds it all done
            self._committed(lambda env: env["stock.lot"]._cron_med_expiry())
            holds, activities, exports, states = self._committed(
                lambda env: self._effects(env, warehouse_id, lot_ids, last_export)
            )
            if with_expired:
                self.assertEqual(states, ["hold", "released"])
                self.assertEqual(holds, {lot_ids[0]: 1}, f"runs: {outcomes}")
            else:
                self.assertEqual((states, holds), (["released"], {}))
            self.assertEqual(activities, 1, f"runs: {outcomes}")
            self.assertEqual(exports, 1, f"runs: {outcomes}")
        finally:
            self._committed(
                lambda env: self._cleanup(env, warehouse_id, lot_ids, since)
            )

    def test_two_nodes_start_together(self):
        """The advisory lock: one run does the work, the other skips it."""
        self._assert_one_effect(stale_snapshot=False)

    def test_two_nodes_with_snapshots_taken_before(self):
        """The second run's snapshot predates the first one's commit: its hold of
        the same lot conflicts (serialization failure), so its whole transaction,
        activity included, is undone."""
        self._assert_one_effect(stale_snapshot=True)

    def test_snapshot_before_commit_without_expired_lot(self):
        """With only near-expiry lots no hold conflicts: the warehouse's row, which
        each run writes before deciding on its notice, does. The second run's write
        fails (serialization), it keeps none of its notices and asks for a rerun,
        which sees the first one's activity. (Odoo's cron runner never lets two
        nodes run the job this way: the method must not rely on it.)"""
        self._assert_one_effect(stale_snapshot=True, with_expired=False)
