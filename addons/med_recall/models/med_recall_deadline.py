from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

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

    # Dated by the launch; a later new level re-dates it explicitly, with its reason
    # (_med_redate_notification_deadline), never silently.
    @api.depends("date_launched")
    def _compute_notification_deadline(self):
        for recall in self:
            recall.notification_deadline = recall._med_level_notification_deadline()

    def _med_level_notification_deadline(self):
        """The launch plus the notification period of the recall's level."""
        self.ensure_one()
        days = NMPA_NOTIFICATION_DAYS.get(self.nmpa_level)
        if not (self.date_launched and days):
            return False
        return self.date_launched + timedelta(days=days)

    def _med_notification_owed(self):
        """Is a consignee still to notify (or none notified yet)?"""
        self.ensure_one()
        states = self.notification_ids.mapped("state")
        return not states or "to_send" in states

    def _med_redate_notification_deadline(self, reason):
        """After a new level: a notification still owed is due the new level's
        period after the launch, with its reminder; once every consignee is
        notified, the deadline the recall was held to stays. Said in the chatter."""
        # Locked: a letter sent meanwhile makes this transaction retry and see it
        # (REPEATABLE READ).
        self.env.cr.execute(
            SQL(
                "SELECT id FROM med_recall_notification WHERE recall_id = ANY(%s) "
                "FOR SHARE",
                self.ids,
            )
        )
        for recall in self:
            level = recall._med_selection_label("nmpa_level")
            if not recall._med_notification_owed():
                recall.message_post(
                    body=self.env._(
                        "NMPA level changed to %(level)s (%(reason)s): every consignee "
                        "was already notified, the notification deadline %(deadline)s "
                        "stays.",
                        level=level,
                        reason=reason,
                        deadline=recall._med_deadline_label(),
                    )
                )
                continue
            recall._med_protected_write().write(
                {"notification_deadline": recall._med_level_notification_deadline()}
            )
            recall._med_notification_activities().unlink()
            recall._med_schedule_notification_activity()
            recall.message_post(
                body=self.env._(
                    "NMPA level changed to %(level)s (%(reason)s): every consignee "
                    "must now be notified by %(deadline)s, %(days)s day(s) after the "
                    "launch.",
                    level=level,
                    reason=reason,
                    deadline=recall._med_deadline_label(),
                    days=NMPA_NOTIFICATION_DAYS[recall.nmpa_level],
                )
            )

    def _med_deadline_label(self):
        """The notification deadline in the responsible person's time zone, as the
        reminder and the chatter show it."""
        self.ensure_one()
        user = self.user_id or self.launched_by_id
        deadline = fields.Datetime.context_timestamp(
            self.with_context(tz=user.tz or "UTC"), self.notification_deadline
        )
        return "{:%Y-%m-%d %H:%M} ({})".format(deadline, user.tz or "UTC")

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
            recall.activity_schedule(
                "med_recall.mail_activity_type_recall_notify",
                date_deadline=deadline.date(),
                summary=self.env._(
                    "Notify every consignee by %(deadline)s",
                    deadline=recall._med_deadline_label(),
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
