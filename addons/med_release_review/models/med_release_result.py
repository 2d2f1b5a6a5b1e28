from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, frozendict

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER
from odoo.addons.med_lot_trace.models.med_release_check import PENDING_STATES


class MedReleaseResult(models.Model):
    """A failed warning is justified by a QA manager's signature; the lots' review
    state (the cockpit's colour) follows the results."""

    _name = "med.release.result"
    _inherit = ("med.release.result", "med.signable.mixin")
    _med_signature_actions = frozendict({"_med_do_justify": ("approval", QA_MANAGER)})

    justification = fields.Text(readonly=True)
    justified_by_id = fields.Many2one("res.users", readonly=True)
    justified_date = fields.Datetime(string="Justified On", readonly=True)
    needs_justification = fields.Boolean(compute="_compute_needs_justification")

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
        line = super()._med_reason_line()
        if self.justification:
            line += " " + self.env._(
                "(justified by %(user)s)", user=self.justified_by_id.name
            )
        return line

    def _med_blocking_reason(self):
        # A warning justified with a signature no longer blocks.
        if self.severity != "block" and self.justification:
            return None
        return super()._med_blocking_reason()

    # -- reconciliation --
    @api.model
    def _med_reconcile_update_sql(self):
        # A justification holds while the check keeps failing.
        return SQL(
            """
            %(more)s,
            justification = CASE WHEN EXCLUDED.state = 'fail'
                                 THEN result.justification END,
            justified_by_id = CASE WHEN EXCLUDED.state = 'fail'
                                   THEN result.justified_by_id END,
            justified_date = CASE WHEN EXCLUDED.state = 'fail'
                                  THEN result.justified_date END
            """,
            more=super()._med_reconcile_update_sql(),
        )

    @api.model
    def _med_reconciled(self, scope):
        result = super()._med_reconciled(scope)
        self._med_update_review_state(scope)
        self.env["stock.lot"].invalidate_model(["med_review_state"])
        return result

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
