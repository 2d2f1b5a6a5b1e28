import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, formatLang, frozendict

from odoo.addons.med_audit_export.models.base import PROTECTED_WRITE
from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

from .med_release_check import ANY_STATE_CODES, PENDING_STATES

_logger = logging.getLogger(__name__)
RECONCILE_LOCK = "med_release_review.reconcile"
RESULT_STATES = [("pass", "Pass"), ("fail", "Fail")]
# Findings named in a result's message; the rest are counted.
SHOWN_DETAILS = 5


class MedReleaseResult(models.Model):
    """The result of one reconciliation check on one lot. Written only by the
    reconciliation (set-based SQL on events and every night); a failed warning is
    justified by a QA manager's signature."""

    _name = "med.release.result"
    _description = "Release Reconciliation Result"
    _inherit = ("med.signable.mixin",)
    _order = "lot_id desc, sequence, id"
    _rec_name = "check_id"
    _med_signature_actions = frozendict({"_med_do_justify": ("approval", QA_MANAGER)})

    lot_id = fields.Many2one(
        "stock.lot", string="Lot/Serial", required=True, readonly=True, index=True
    )
    check_id = fields.Many2one(
        "med.release.check",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
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
    justification = fields.Text(readonly=True)
    justified_by_id = fields.Many2one("res.users", readonly=True)
    justified_date = fields.Datetime(string="Justified On", readonly=True)
    needs_justification = fields.Boolean(compute="_compute_needs_justification")

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

    @api.depends("state", "severity", "justification")
    def _compute_needs_justification(self):
        for result in self:
            result.needs_justification = (
                result.state == "fail"
                and result.severity == "warn"
                and not result.justification
            )

    def _med_reason_line(self):
        """The result in one line of the cockpit: check, findings, and who justified
        it when it is a justified warning."""
        self.ensure_one()
        line = f"{self.check_id.name}: {self.message}"
        if self.justification:
            line += " " + self.env._(
                "(justified by %(user)s)", user=self.justified_by_id.name
            )
        return line

    # -- messages, in the reader's language --
    def _med_format_message(self):
        self.ensure_one()
        details = self.details or []
        formatter = getattr(self, f"_med_message_{self.check_id.code}")
        lines = [formatter(detail) for detail in details[:SHOWN_DETAILS]]
        if len(details) > SHOWN_DETAILS:
            lines.append(
                self.env._("... and %(count)s more", count=len(details) - SHOWN_DETAILS)
            )
        return "\n".join(lines)

    def _med_quantity(self, value):
        # The quantities come from numeric and float columns alike (100.0 next to
        # 10): shown with the precision and separators the UI shows quantities with.
        return formatLang(self.env, value or 0.0, dp="Product Unit of Measure")

    def _med_message_inspected_quantity(self, detail):
        return self.env._(
            "Received %(received)s, inspected %(inspected)s",
            received=self._med_quantity(detail["received"]),
            inspected=self._med_quantity(detail["inspected"]),
        )

    def _med_message_inspection_required(self, detail):
        test = self.env["qc.test"].sudo().browse(detail["test_id"]).exists()
        return self.env._(
            "%(operation)s: no inspection, although %(test)s is required",
            operation=detail["reference"] or "",
            test=test.name or "",
        )

    def _med_message_bom_yield(self, detail):
        # sudo: the names of the order and component behind the finding.
        production = self.env["mrp.production"].sudo().browse(detail["production_id"])
        component = self.env["product.product"].sudo().browse(detail["product_id"])
        return self.env._(
            "%(production)s: %(component)s consumed %(consumed)s, the BoM gives "
            "%(expected)s",
            production=production.exists().name or "",
            component=component.exists().display_name or "",
            consumed=self._med_quantity(detail["consumed"]),
            expected=self._med_quantity(detail["expected"]),
        )

    def _med_message_nc_disposition(self, detail):
        dispositions = dict(
            self.env["med.nonconformance"]
            ._fields["disposition"]
            ._description_selection(self.env)
        )
        return self.env._(
            "%(nonconformance)s: %(disposition)s of %(quantity)s, only %(moved)s "
            "moved so",
            nonconformance=detail["name"],
            disposition=dispositions.get(detail["disposition"], detail["disposition"]),
            quantity=self._med_quantity(detail["quantity"]),
            moved=self._med_quantity(detail["moved"]),
        )

    def _med_message_open_quality_records(self, detail):
        kinds = {
            "qc.inspection": self.env._("inspection"),
            "med.nonconformance": self.env._("nonconformance"),
            "med.capa": self.env._("CAPA"),
        }
        values = {
            "kind": kinds.get(detail["model"], detail["model"]),
            "name": detail["name"],
        }
        if self.lot_state in PENDING_STATES:
            if detail["component"]:
                return self.env._(
                    "%(kind)s %(name)s is open on a component lot",
                    **values,
                )
            return self.env._("%(kind)s %(name)s is open", **values)
        return self.env._("released while %(kind)s %(name)s was open", **values)

    def _med_message_expiry_components(self, detail):
        return self.env._(
            "expires %(expiry)s, after component lot %(component)s "
            "(%(component_expiry)s)",
            expiry=detail["expiry"],
            component=detail["component"],
            component_expiry=detail["component_expiry"],
        )

    def _med_message_supplier_certificate(self, detail):
        if detail["component"]:
            return self.env._(
                "made from lots received while certificate %(certificate)s was not "
                "valid",
                certificate=detail["certificate"],
            )
        return self.env._(
            "received on %(day)s while certificate %(certificate)s was not valid",
            day=detail["day"],
            certificate=detail["certificate"],
        )

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
        self._med_update_review_state(scope)
        self.invalidate_model()
        self.env["stock.lot"].invalidate_model(["med_review_state"])

    @api.model
    def _med_reconcile_sql(self, check, scope, lineage):
        any_state = check.code in ANY_STATE_CODES
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
                   write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date,
                   -- a justification holds while the check keeps failing
                   justification = CASE WHEN EXCLUDED.state = 'fail'
                                        THEN result.justification END,
                   justified_by_id = CASE WHEN EXCLUDED.state = 'fail'
                                          THEN result.justified_by_id END,
                   justified_date = CASE WHEN EXCLUDED.state = 'fail'
                                         THEN result.justified_date END
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
        )

    @api.model
    def _med_update_review_state(self, scope):
        """The review state of the lots waiting for release in ``scope``, from their
        results of the active checks, in one statement."""
        self.env.cr.execute(
            SQL(
                """
            UPDATE stock_lot lot
               SET med_review_state = review.state
              FROM (
                SELECT lot.id,
                       CASE
                         WHEN bool_or(result.state = 'fail'
                                      AND check_.severity = 'block') THEN 'red'
                         WHEN bool_or(result.state = 'fail'
                                      AND result.justification IS NULL) THEN 'warning'
                         WHEN count(result.id) > 0 THEN 'green'
                       END AS state
                  FROM stock_lot lot
                  LEFT JOIN med_release_result result ON result.lot_id = lot.id
                  LEFT JOIN med_release_check check_
                    ON check_.id = result.check_id AND check_.active
                 WHERE lot.med_state IN %(pending)s AND %(scope)s
                   AND (result.id IS NULL OR check_.id IS NOT NULL)
                 GROUP BY lot.id
              ) review
             WHERE lot.id = review.id
               AND lot.med_review_state IS DISTINCT FROM review.state
            """,
                pending=PENDING_STATES,
                scope=scope,
            )
        )

    # -- justification of a warning --
    def action_justify(self):
        self._med_ensure_justifiable()
        return self._med_request_signature(
            "approval",
            "_med_do_justify",
            title=self.env._("Justify the Warning"),
        )

    def _med_ensure_justifiable(self):
        self._med_require_group(
            QA_MANAGER, self.env._("Only a QA manager justifies a warning.")
        )
        for result in self:
            if not result.needs_justification:
                raise UserError(
                    self.env._(
                        "%(check)s on %(lot)s is not an unjustified failed warning: "
                        "there is nothing to justify.",
                        check=result.check_id.name,
                        lot=result.lot_id.display_name,
                    )
                )

    def _med_do_justify(self):
        self._med_ensure_justifiable()
        text = (self.env.context.get("med_signature_comment") or "").strip()
        if not text:
            raise UserError(
                self.env._("Write the justification in the signature's comment.")
            )
        # The result is written only by the reconciliation and by this signed
        # action: SQL keeps RPC writes of these read-only fields out of the way.
        self.env.cr.execute(
            SQL(
                """
            UPDATE med_release_result
               SET justification = %(text)s, justified_by_id = %(uid)s,
                   justified_date = %(now)s, write_uid = %(uid)s, write_date = %(now)s
             WHERE id = ANY(%(ids)s)
            """,
                text=text,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                ids=self.ids,
            )
        )
        self.invalidate_recordset()
        self._med_update_review_state(SQL("lot.id = ANY(%s)", self.lot_id.ids))
        self.lot_id.invalidate_recordset(["med_review_state"])

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
