from odoo import fields, models
from odoo.exceptions import UserError


class MedRecall(models.Model):
    """The signed closure of a launched recall, and the cancellation of a draft."""

    _name = "med.recall"
    _inherit = "med.recall"

    def _med_ensure_closable(self):
        self._med_ensure_qa_manager()
        for recall in self:
            if recall.state != "launched":
                raise UserError(
                    self.env._(
                        "%(recall)s is not launched: only a launched recall is closed.",
                        recall=recall.name,
                    )
                )
            unsent = recall.notification_ids.filtered(lambda n: n.state == "to_send")
            if unsent:
                raise UserError(
                    self.env._(
                        "%(recall)s: customers %(customers)s have not been notified.",
                        recall=recall.name,
                        customers=", ".join(unsent.mapped("partner_id.display_name")),
                    )
                )
            if (
                recall.outstanding_qty > 0
                and not (recall.closure_justification or "").strip()
            ):
                raise UserError(
                    self.env._(
                        "%(recall)s still has %(quantity)s units outstanding at "
                        "customers: recover them (returns, declarations of "
                        "destruction) or write the closure justification.",
                        recall=recall.name,
                        quantity=recall._med_qty(recall.outstanding_qty),
                    )
                )

    def action_close(self):
        self._med_ensure_closable()
        return self._med_request_signature(
            "closure", "_med_do_close", title=self.env._("Close the Recall")
        )

    def _med_do_close(self):
        self._med_ensure_closable()
        self.activity_ids.action_feedback(feedback=self.env._("Recall closed"))
        self._med_protected_write().write(
            {
                "state": "closed",
                "date_closed": fields.Datetime.now(),
                "closed_by_id": self.env.uid,
            }
        )
        self._med_plan_closure_reports()

    def action_cancel(self):
        """A draft recall that will not be launched (the lots were cleared) is
        cancelled with its reason, never deleted."""
        self._med_ensure_qa_manager()
        for recall in self:
            if recall.state != "draft":
                raise UserError(
                    self.env._(
                        "%(recall)s is launched or finished: only a draft recall is "
                        "cancelled.",
                        recall=recall.name,
                    )
                )
            if not (recall.cancel_reason or "").strip():
                raise UserError(
                    self.env._(
                        "Say why %(recall)s is cancelled.",
                        recall=recall.name,
                    )
                )
        self.with_context(
            med_reason=self.env._("Recall cancelled")
        )._med_protected_write().write({"state": "cancelled"})
