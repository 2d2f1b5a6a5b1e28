from odoo import fields, models
from odoo.exceptions import UserError

# What a launch needs filled in: the regulator's report asks for each of them.
LAUNCH_FIELDS = (
    "user_id",
    "date_discovered",
    "nmpa_level",
    "fda_class",
    "reason",
    "health_hazard",
    "depth",
    "date_decision",
    "date_target",
)
# What the signed launch decided: once launched, only a QA manager changes it (a
# reclassification), with a reason kept in the audit trail with the change.
DECISION_FIELDS = (*LAUNCH_FIELDS, "progress_report_days")
# What a launched recall never loses: the responsible person may leave (the launcher
# is then reminded), the rest the regulator's report always needs.
KEPT_FIELDS = tuple(name for name in LAUNCH_FIELDS if name != "user_id")


class MedRecall(models.Model):
    """The signed launch: the lots recalled (held, never shipped again) and one
    letter per customer to send."""

    _name = "med.recall"
    _inherit = "med.recall"

    def _med_ensure_launchable(self):
        self._med_ensure_qa_manager()
        for recall in self:
            if recall.state != "draft":
                raise UserError(
                    self.env._(
                        "%(recall)s is already launched, closed or cancelled: only a "
                        "draft is launched.",
                        recall=recall.name,
                    )
                )
            recall._med_require_fields(LAUNCH_FIELDS, self.env._("the launch"))
            if not recall.scope_lot_ids:
                raise UserError(
                    self.env._(
                        "%(recall)s has no lots in its scope.",
                        recall=recall.name,
                    )
                )
            others = recall._med_other_open_recalls()
            if others:
                raise UserError(
                    self.env._(
                        "%(recall)s: lots %(lots)s are already recalled by "
                        "%(others)s, which is still open: add the new findings to "
                        "that recall.",
                        recall=recall.name,
                        lots=", ".join(others.mapped("lot_id.name")),
                        others=", ".join(others.mapped("recall_id.name")),
                    )
                )

    def _med_decision_moves(self, vals, names=DECISION_FIELDS):
        """The launched recalls of which ``vals`` changes one of ``names``."""
        given = [name for name in names if name in vals]
        if not given:
            return self.browse()
        return self.filtered(
            lambda recall: recall.state == "launched"
            and any(
                not recall._med_same_value(name, vals[name], recall[name])
                for name in given
            )
        )

    def _med_ensure_decision_change(self, vals, reason):
        """After the launch, the decision it approved dates obligations to the
        authority and the consignees: only a QA manager changes it, and says why."""
        self._med_ensure_qa_manager()
        if not reason:
            raise UserError(
                self.env._(
                    "%(recalls)s: give the reason for changing %(fields)s of a "
                    "launched recall (a reclassification, kept in the audit trail).",
                    recalls=", ".join(self.mapped("name")),
                    fields=self._med_field_labels(set(DECISION_FIELDS) & set(vals)),
                )
            )
        emptied = [
            name
            for name in KEPT_FIELDS
            if name in vals
            and not (vals[name].strip() if isinstance(vals[name], str) else vals[name])
        ]
        if emptied:
            raise UserError(
                self.env._(
                    "%(recalls)s: a launched recall keeps %(fields)s, which its launch "
                    "required: give the new value instead.",
                    recalls=", ".join(self.mapped("name")),
                    fields=self._med_field_labels(emptied),
                )
            )

    def _med_other_open_recalls(self):
        """The scope lines of other launched recalls on this recall's lots."""
        self.ensure_one()
        # sudo: a recall of another company's lots blocks this one too.
        return (
            self.env["med.recall.lot"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", self.scope_lot_ids.lot_id.ids),
                    ("recall_id", "!=", self.id),
                    ("recall_id.state", "=", "launched"),
                ]
            )
        )

    def action_launch(self):
        self._med_ensure_launchable()
        return self._med_request_signature(
            "approval", "_med_do_launch", title=self.env._("Approve and Launch")
        )

    def _med_do_launch(self):
        self._med_ensure_launchable()
        for recall in self:
            recall._med_protected_write().write(recall._prepare_launch_vals())
            recall._med_apply_launch()
            recall._med_plan_launch_reports()

    def _prepare_launch_vals(self):
        """Values written on the recall by its signed launch (extension hook)."""
        self.ensure_one()
        return {
            "state": "launched",
            "date_launched": fields.Datetime.now(),
            "launched_by_id": self.env.uid,
        }

    def _med_apply_launch(self):
        """Recall every lot of the scope (held, not reservable, not shipped) and
        prepare one notification per customer; again after the scope grew."""
        self.ensure_one()
        lots = self.scope_lot_ids.lot_id.filtered(
            lambda lot: lot.med_state not in ("recalled", "rejected")
        )
        if lots:
            reason = self.env._(
                "Recall %(recall)s: %(reason)s", recall=self.name, reason=self.reason
            )
            # Lots at customers are recalled too: they come back through returns and
            # must never be shipped again.
            lots.with_context(med_reason=reason)._med_set_state(
                "recalled", {"med_hold_source": "recall", "med_hold_reason": reason}
            )
        notified = self.notification_ids.partner_id
        new = self.line_ids.partner_id - notified
        if new:
            self.env["med.recall.notification"].create(
                [{"recall_id": self.id, "partner_id": partner.id} for partner in new]
            )
        self._med_schedule_notification_activity()

    # -- notifications --
    def action_send_notifications(self):
        self.ensure_one()
        to_send = self.notification_ids.filtered(lambda n: n.state == "to_send")
        if not to_send:
            raise UserError(
                self.env._("Every letter of %(recall)s is sent.", recall=self.name)
            )
        to_send.action_send()
