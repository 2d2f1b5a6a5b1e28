import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, formatLang

from odoo.addons.med_audit_export.models.base import PROTECTED_WRITE

from .med_release_check import PENDING_STATES

_logger = logging.getLogger(__name__)
RECONCILE_LOCK = "med_lot_trace.reconcile"
RESULT_STATES = [("pass", "Pass"), ("fail", "Fail")]
# Findings named in a result's message; the rest are counted.
SHOWN_DETAILS = 5


class MedReleaseResult(models.Model):
    """The result of one reconciliation check on one lot. Written only by the
    reconciliation (set-based SQL on events and every night)."""

    _name = "med.release.result"
    _description = "Release Reconciliation Result"
    _order = "lot_id desc, sequence, id"
    _rec_name = "check_id"

    lot_id = fields.Many2one(
        "stock.lot", string="Lot/Serial", required=True, readonly=True, index=True
    )
    check_id = fields.Many2one(
        "med.release.check",
        required=True,
        readonly=True,
        index=True,
        # the results of a check go with it, when the addon defining its code is
        # uninstalled (its check record is deleted then)
        ondelete="cascade",
    )
    sequence = fields.Integer(related="check_id.sequence")
    severity = fields.Selection(related="check_id.severity")
    product_id = fields.Many2one("product.product", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    lot_state = fields.Selection(related="lot_id.med_state", string="Lot Status")
    state = fields.Selection(RESULT_STATES, string="Result", readonly=True, index=True)
    details = fields.Json(readonly=True)
    message = fields.Text(compute="_compute_message")
    res_model = fields.Char(string="Record Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", readonly=True
    )
    date_checked = fields.Datetime(
        string="Result Since",
        readonly=True,
        help="When the check last found this result (or changed its findings).",
    )

    _sql_constraints = (
        (
            "lot_check_unique",
            "UNIQUE(lot_id, check_id)",
            "A lot has one result per check.",
        ),
    )

    @api.depends("state", "details", "check_id.code")
    def _compute_message(self):
        for result in self:
            result.message = (
                result._med_format_message() if result.state == "fail" else False
            )

    def _med_reason_line(self):
        """The result in one line: check and findings."""
        self.ensure_one()
        return f"{self.check_id.name}: {self.message}"

    def _med_blocking_reason(self):
        """Why this failed result blocks the release of its lot, or None when it
        does not: a failed check blocks, whatever its severity (a warning needs a
        justification, which med_release_review adds)."""
        self.ensure_one()
        values = {"check": self.check_id.name, "message": self.message}
        if self.severity == "block":
            return self.env._("%(check)s: %(message)s", **values)
        return self.env._("warning %(check)s not justified: %(message)s", **values)

    # -- messages, in the reader's language --
    def _med_format_message(self):
        self.ensure_one()
        details = self.details or []
        lines = [
            self.check_id._med_message(self, detail)
            for detail in details[:SHOWN_DETAILS]
        ]
        if len(details) > SHOWN_DETAILS:
            lines.append(
                self.env._("... and %(count)s more", count=len(details) - SHOWN_DETAILS)
            )
        return "\n".join(lines)

    def _med_quantity(self, value):
        # The quantities come from numeric and float columns alike (100.0 next to
        # 10): shown with the precision and separators the UI shows quantities with.
        return formatLang(self.env, value or 0.0, dp="Product Unit of Measure")

    # -- reconciliation --
    @api.model
    def _cron_med_reconcile(self):
        """Nightly: every active check over every lot, one statement per check. Safe
        to run twice at once (the second run skips) or again."""
        cr = self.env.cr
        cr.execute(
            SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s))", RECONCILE_LOCK)
        )
        if not cr.fetchone()[0]:
            _logger.info("release reconciliation already running: skipped")
            return
        self._med_reconcile()

    @api.model
    def _med_reconcile(self, lots=None):
        """Run the active checks on ``lots`` (stock.lot; all lots when None): each
        check is one INSERT ... ON CONFLICT statement that writes the result of every
        lot waiting for release, and of lots in other states that fail the checks
        that look at them too. Results are never deleted: the result a lot had when
        it was released stays as evidence."""
        if lots is not None and not lots:
            return
        self.env.flush_all()
        if lots is None:
            scope = SQL("TRUE")

            def lineage(column):
                return SQL("TRUE")
        else:
            scope = SQL("lot.id = ANY(%s)", list(lots.ids))
            # The lots and every lot they are made of, read once: a finding on a
            # component reaches them only through these (an id list the planner
            # can use the lot index with, unlike a recursive CTE in each check).
            ancestry = list(lots.ids) + lots.sudo()._med_trace_ids("upstream")

            def lineage(column):
                return SQL("%s = ANY(%s)", column, ancestry)

        # sudo: the reconciliation covers every lot and record, whoever triggers it.
        checks = self.env["med.release.check"].sudo().search([("active", "=", True)])
        for check in checks:
            self.env.cr.execute(self._med_reconcile_sql(check, scope, lineage))
        self._med_reconciled(scope)
        self.invalidate_model()

    @api.model
    def _med_reconciled(self, scope):
        """After the checks ran on the lots of ``scope`` (SQL on the alias ``lot``):
        what depends on their results follows (the release review's state)."""

    @api.model
    def _med_reconcile_update_sql(self):
        """More assignments of the ``ON CONFLICT DO UPDATE`` of a result (each
        starting with a comma; ``result`` is the stored row, ``EXCLUDED`` the new)."""
        return SQL()

    @api.model
    def _med_reconcile_sql(self, check, scope, lineage):
        any_state = check.code in check._med_any_state_codes()
        now = fields.Datetime.now()
        return SQL(
            """
            WITH pending AS MATERIALIZED (
                SELECT lot.id FROM stock_lot lot
                 WHERE lot.med_state IN %(pending_states)s AND %(scope)s
            ),
            finding(lot_id, detail, res_model, res_id) AS MATERIALIZED (
                %(failures)s
            ),
            failed AS (
                SELECT lot_id, jsonb_agg(detail ORDER BY res_id) AS details,
                       (array_agg(res_model ORDER BY res_id))[1] AS res_model,
                       min(res_id) AS res_id
                  FROM finding GROUP BY lot_id
            ),
            verdict AS (
                SELECT pending.id AS lot_id, failed.details, failed.res_model,
                       failed.res_id
                  FROM pending LEFT JOIN failed ON failed.lot_id = pending.id
                 UNION ALL
                SELECT failed.lot_id, failed.details, failed.res_model, failed.res_id
                  FROM failed
                 WHERE %(any_state)s
                   AND failed.lot_id NOT IN (SELECT id FROM pending)
                 UNION ALL
                -- a lot no longer waiting whose earlier failure is gone: it passes
                SELECT result.lot_id, NULL, NULL, NULL
                  FROM med_release_result result
                  JOIN stock_lot lot ON lot.id = result.lot_id
                 WHERE %(any_state)s AND result.check_id = %(check_id)s
                   AND result.state = 'fail'
                   AND lot.med_state NOT IN %(pending_states)s AND %(scope)s
                   AND result.lot_id NOT IN (SELECT lot_id FROM failed)
            )
            INSERT INTO med_release_result AS result (
                lot_id, check_id, product_id, company_id, state, details,
                res_model, res_id, date_checked,
                create_uid, create_date, write_uid, write_date
            )
            SELECT verdict.lot_id, %(check_id)s, lot.product_id, lot.company_id,
                   CASE WHEN verdict.details IS NULL THEN 'pass' ELSE 'fail' END,
                   verdict.details, verdict.res_model, verdict.res_id, %(now)s,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM verdict JOIN stock_lot lot ON lot.id = verdict.lot_id
            ON CONFLICT (lot_id, check_id) DO UPDATE
               SET state = EXCLUDED.state, details = EXCLUDED.details,
                   res_model = EXCLUDED.res_model, res_id = EXCLUDED.res_id,
                   date_checked = EXCLUDED.date_checked,
                   write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                   %(more_updates)s
             WHERE result.state IS DISTINCT FROM EXCLUDED.state
                OR result.details IS DISTINCT FROM EXCLUDED.details
                OR result.res_id IS DISTINCT FROM EXCLUDED.res_id
            """,
            pending_states=PENDING_STATES,
            scope=scope,
            failures=check._med_failures_sql(scope, lineage),
            any_state=SQL("TRUE" if any_state else "FALSE"),
            check_id=check.id,
            now=now,
            uid=self.env.uid,
            more_updates=self._med_reconcile_update_sql(),
        )

    def write(self, vals):
        if self.env.context.get("med_protected_write") is not PROTECTED_WRITE:
            raise UserError(
                self.env._(
                    "Reconciliation results are written by the checks only; a warning "
                    "is justified with a signature."
                )
            )
        return super().write(vals)

    def action_open_record(self):
        self.ensure_one()
        if not self.res_model or not self.res_id:
            raise UserError(self.env._("This result names no record."))
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
