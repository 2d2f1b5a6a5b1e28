from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from .med_recall_report import (
    FDA_806_WORK_DAYS,
    NMPA_PROGRESS_DAYS,
    NMPA_SUMMARY_WORK_DAYS,
)

# NMPA 医疗器械召回管理办法 (2017) art. 16: once the recall is decided, the consignees
# are notified within 1 day (level I), 3 days (level II) or 7 days (level III).
NMPA_NOTIFICATION_DAYS = {"1": 1, "2": 3, "3": 7}


class MedRecall(models.Model):
    """The recall's dated obligations: the NMPA notification deadline with its
    reminder, and the reports owed to the authorities (FDA 806, NMPA progress
    and summary) with their overdue flags."""

    _name = "med.recall"
    _inherit = "med.recall"

    @api.depends("date_launched", "nmpa_level")
    def _compute_notification_deadline(self):
        for recall in self:
            days = NMPA_NOTIFICATION_DAYS.get(recall.nmpa_level)
            recall.notification_deadline = (
                recall.date_launched + timedelta(days=days)
                if recall.date_launched and days
                else False
            )

    @api.depends("nmpa_level")
    def _compute_progress_report_days(self):
        # The level gives the draft's period; from the launch, the recall plan's
        # period moves only by its own write, with a reason (a new level does not
        # re-date the progress reports by itself).
        for recall in self.filtered(lambda r: r.state == "draft"):
            recall.progress_report_days = NMPA_PROGRESS_DAYS.get(recall.nmpa_level, 7)

    @api.constrains("progress_report_days")
    def _check_progress_report_days(self):
        for recall in self:
            if recall.progress_report_days < 1:
                raise ValidationError(
                    self.env._(
                        "%(recall)s: progress is reported at least every day.",
                        recall=recall.name,
                    )
                )

    def _compute_report_overdue(self):
        overdue = self.env["med.recall.report"].search(
            [("recall_id", "in", self.ids), ("is_overdue", "=", True)]
        )
        for recall in self:
            recall.report_overdue = recall in overdue.recall_id

    def _search_report_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._("Unsupported search on Authority Report Overdue.")
            )
        operator = "in" if (operator == "=") == value else "not in"
        overdue = self.env["med.recall.report"]._search([("is_overdue", "=", True)])
        return [("id", operator, overdue.subselect("recall_id"))]

    def _med_plan_report(self, kind, deadline):
        """Owe the authority a report of ``kind`` by ``deadline`` (a date), with
        its reminder."""
        self.ensure_one()
        report = (
            self.env["med.recall.report"]
            ._med_protected_write()
            .create({"recall_id": self.id, "kind": kind, "date_deadline": deadline})
        )
        report._med_schedule_activity()
        return report

    def _med_progress_period_moves(self, vals):
        """The launched recalls whose NMPA progress period ``vals`` changes."""
        if "progress_report_days" not in vals:
            return self.browse()
        return self.filtered(
            lambda r: r.state == "launched"
            and r.progress_report_days != vals["progress_report_days"]
        )

    def _med_ensure_progress_period_change(self, reason):
        """The progress period of a launched recall dates obligations to the
        authority: only a QA manager moves it, and says why (kept in the audit
        trail with the change)."""
        self._med_ensure_qa_manager()
        if not reason:
            raise UserError(
                self.env._(
                    "%(recalls)s: give the reason for changing the progress report "
                    "period of a launched recall; the next progress report is "
                    "re-dated from it.",
                    recalls=", ".join(self.mapped("name")),
                )
            )

    def _med_replan_progress_reports(self, reason):
        """The progress report still to submit, re-dated to the new period: from
        the last submission, else from the launch. The old obligation stays, no
        longer due, with the reason."""
        for recall in self:
            progress = recall.report_ids.filtered(lambda r: r.kind == "nmpa_progress")
            pending = progress.filtered(lambda r: r.state == "to_submit")
            if not pending:
                continue
            submitted = progress.filtered(lambda r: r.state == "submitted")
            start = max(
                submitted.mapped("date_submitted"),
                default=fields.Date.context_today(recall, recall.date_launched),
            )
            pending._med_cancel(
                self.env._(
                    "Progress report period changed to %(days)s days: %(reason)s",
                    days=recall.progress_report_days,
                    reason=reason,
                )
            )
            recall._med_plan_report(
                "nmpa_progress", start + timedelta(days=recall.progress_report_days)
            )

    def _med_plan_launch_reports(self):
        """At launch (which needs the FDA class and the NMPA level): the FDA 806
        report within 10 working days, the first NMPA progress report after the
        progress period."""
        for recall in self:
            launched = fields.Date.context_today(recall, recall.date_launched)
            recall._med_plan_report(
                "fda_806",
                recall.company_id._med_add_working_days(launched, FDA_806_WORK_DAYS),
            )
            recall._med_plan_report(
                "nmpa_progress",
                launched + timedelta(days=recall.progress_report_days),
            )

    def _med_plan_closure_reports(self):
        """At closure: no more progress reports; the NMPA summary assessment
        within 10 working days."""
        for recall in self:
            recall.report_ids.filtered(lambda r: r.kind == "nmpa_progress")._med_cancel(
                self.env._("Recall closed")
            )
            closed = fields.Date.context_today(recall, recall.date_closed)
            recall._med_plan_report(
                "nmpa_summary",
                recall.company_id._med_add_working_days(closed, NMPA_SUMMARY_WORK_DAYS),
            )

    @api.depends("state", "notification_deadline", "notification_ids.state")
    def _compute_notification_overdue(self):
        # not stored: it turns true with time, not with a write
        now = fields.Datetime.now()
        for recall in self:
            recall.notification_overdue = bool(
                recall.state == "launched"
                and recall.notification_deadline
                and recall.notification_deadline < now
                and "to_send" in recall.notification_ids.mapped("state")
            )

    def _search_notification_overdue(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Unsupported search on Notification Overdue."))
        domain = [
            ("state", "=", "launched"),
            ("notification_deadline", "<", fields.Datetime.now()),
            ("notification_ids.state", "=", "to_send"),
        ]
        if (operator == "=") == bool(value):
            return domain
        return ["!", *expression.normalize_domain(domain)]

    def _med_notification_activities(self):
        activity_type = self.env.ref("med_recall.mail_activity_type_recall_notify")
        return self.activity_ids.filtered(
            lambda activity: activity.activity_type_id == activity_type
        )

    def _med_schedule_notification_activity(self):
        """Remind the responsible person (else the launcher) of the NMPA deadline
        while letters remain to send: one open reminder per recall, due on the
        deadline's day in that person's time zone."""
        for recall in self:
            pending = "to_send" in recall.notification_ids.mapped("state")
            if (
                not pending
                or not recall.notification_deadline
                or recall._med_notification_activities()
            ):
                continue
            user = recall.user_id or recall.launched_by_id
            deadline = fields.Datetime.context_timestamp(
                recall.with_context(tz=user.tz or "UTC"), recall.notification_deadline
            )
            when = "{:%Y-%m-%d %H:%M} ({})".format(deadline, user.tz or "UTC")
            recall.activity_schedule(
                "med_recall.mail_activity_type_recall_notify",
                date_deadline=deadline.date(),
                summary=self.env._(
                    "Notify every consignee by %(deadline)s", deadline=when
                ),
                note=self.env._(
                    "NMPA recall rules, art. 16: a %(level)s recall is notified to "
                    "every consignee within %(days)s day(s) of the decision.",
                    level=recall._med_selection_label("nmpa_level"),
                    days=NMPA_NOTIFICATION_DAYS[recall.nmpa_level],
                ),
                user_id=user.id,
            )

    def _med_complete_notification_activity(self):
        """The reminder is done once no letter remains to send."""
        for recall in self:
            if "to_send" not in recall.notification_ids.mapped("state"):
                recall._med_notification_activities().action_feedback(
                    feedback=self.env._("Every consignee notified")
                )
