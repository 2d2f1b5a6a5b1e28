from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from odoo.addons.med_lot_trace.models.med_release_check import PENDING_STATES

REVIEW_STATES = [
    ("green", "All checks pass"),
    ("warning", "Warning to justify"),
    ("red", "Blocking exception"),
]
# Written only by the reconciliation, the receipt/production and the signed release.
REVIEW_FIELDS = {"med_review_state", "med_ready_date", "med_release_date"}


class StockLot(models.Model):
    _inherit = "stock.lot"

    med_release_result_ids = fields.One2many(
        "med.release.result",
        "lot_id",
        string="Reconciliation Results",
        readonly=True,
    )
    med_review_state = fields.Selection(
        REVIEW_STATES,
        string="Review",
        readonly=True,
        copy=False,
        index=True,
        help="What the reconciliation checks found on this lot waiting for release: "
        "all pass, a warning to justify, or a blocking exception.",
    )
    med_review_reasons = fields.Text(
        string="Exceptions", compute="_compute_med_review_reasons"
    )
    med_ready_date = fields.Datetime(
        string="Produced/Received On",
        readonly=True,
        copy=False,
        help="When the lot's production or receipt was done: the release lead time "
        "starts here.",
    )
    med_release_hours = fields.Float(
        string="Hours to Release",
        compute="_compute_med_release_hours",
        store=True,
        aggregator="avg",
        digits=(16, 1),
        help="From production or receipt done to the first release.",
    )
    med_waiting_hours = fields.Float(
        string="Waiting (hours)",
        compute="_compute_med_waiting_hours",
        digits=(16, 1),
    )

    def _auto_init(self):
        # An empty column, rather than the ORM computing zero for every lot of the
        # history: the post-init hook computes the lots released before.
        if not column_exists(self.env.cr, self._table, "med_release_hours"):
            create_column(self.env.cr, self._table, "med_release_hours", "numeric")
        return super()._auto_init()

    def _compute_med_review_reasons(self):
        # sudo: the reasons of the lots the user may read, whatever the records are.
        results = (
            self.env["med.release.result"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", self.ids),
                    ("state", "=", "fail"),
                    ("check_id.active", "=", True),
                ]
            )
        )
        for lot in self:
            lot.med_review_reasons = "\n".join(
                result._med_reason_line() for result in results if result.lot_id == lot
            )

    @api.depends("med_ready_date", "med_release_date", "create_date")
    def _compute_med_release_hours(self):
        for lot in self:
            start = lot.med_ready_date or lot.create_date
            end = lot.med_release_date
            lot.med_release_hours = (
                (end - start).total_seconds() / 3600 if start and end else 0.0
            )

    def _compute_med_waiting_hours(self):
        now = fields.Datetime.now()
        for lot in self:
            start = lot.med_ready_date or lot.create_date
            waiting = lot.med_state in PENDING_STATES and start
            lot.med_waiting_hours = (
                (now - start).total_seconds() / 3600 if waiting else 0.0
            )

    def _med_protected_names(self, config=None):
        # A new lot has no review and no release yet, whoever creates it: no caller
        # sets them, by values, ``default_*`` context keys, copy or import.
        return super()._med_protected_names(config) | REVIEW_FIELDS

    @api.model
    def _med_record_past_release_times(self):
        """Produced/Received On of the lots received or produced before the addon
        was installed, from their first done receipt or production (a date
        recorded already is kept), and Hours to Release of every released lot
        without them (their release date is recorded by med_lot_trace)."""
        # SQL: one statement over the whole history at installation; the lots are
        # not changed by a user, their moves are read (and stay the evidence).
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            WITH ready AS (
                SELECT line.lot_id, min(line.date) AS date
                  FROM stock_move_line line
                  JOIN stock_location src
                    ON src.id = line.location_id
                   AND src.usage IN ('supplier', 'production')
                 WHERE line.state = 'done' AND line.lot_id IS NOT NULL
                 GROUP BY line.lot_id
            )
            UPDATE stock_lot lot
               SET med_ready_date = ready.date
              FROM ready
             WHERE ready.lot_id = lot.id AND lot.med_ready_date IS NULL
            RETURNING lot.id
            """
            )
        )
        ids = {row[0] for row in self.env.cr.fetchall()}
        self.env.cr.execute(
            SQL(
                """
            SELECT id FROM stock_lot
             WHERE med_release_date IS NOT NULL AND med_release_hours IS NULL
            """
            )
        )
        ids.update(row[0] for row in self.env.cr.fetchall())
        lots = self.browse(sorted(ids))
        lots.invalidate_recordset(["med_ready_date"])
        self.env.add_to_compute(self._fields["med_release_hours"], lots)
        lots.flush_recordset(["med_release_hours"])
        return lots

    def action_med_batch_release(self):
        """The cockpit's button: release the selected lots with one signature each."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Release Lots"),
            "res_model": "med.release.batch",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lot_ids": self.ids},
        }

    def action_med_reconcile(self):
        self._med_ensure_qa_manager()
        self.env["med.release.result"]._med_reconcile(self)
        return True
