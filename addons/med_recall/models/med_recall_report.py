from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

KINDS = [
    ("fda_806", "FDA 21 CFR 806 correction or removal report"),
    ("nmpa_progress", "NMPA progress report"),
    ("nmpa_summary", "NMPA summary assessment"),
]
STATES = [
    ("to_submit", "To Submit"),
    ("submitted", "Submitted"),
    ("cancelled", "No Longer Due"),
]
# 21 CFR 806.10(b): within 10 working days of initiating the correction or removal.
FDA_806_WORK_DAYS = 10
# 医疗器械召回管理办法 (2017): the summary assessment report is submitted within 10
# working days of the recall's completion.
NMPA_SUMMARY_WORK_DAYS = 10
# 医疗器械召回管理办法 (2017): progress is reported regularly as the recall plan
# says; by default at the period of the level's notification (1, 3 or 7 days).
NMPA_PROGRESS_DAYS = {"1": 1, "2": 3, "3": 7}


class MedRecallReport(models.Model):
    """A report a recall owes an authority by a date (a dated obligation): the FDA
    806 report, the NMPA progress reports at the level's period and the NMPA
    summary assessment. Created by the recall's launch, submissions and closure;
    each reminds its recall's responsible person with an activity and turns
    overdue when its date passes unsubmitted."""

    _name = "med.recall.report"
    _description = "Recall Report to the Authority"
    _inherit = ("mail.thread", "mail.activity.mixin")
    _order = "date_deadline, id"
    _check_company_auto = True
    _med_protected_fields = (
        "recall_id",
        "kind",
        "date_deadline",
        "state",
        "submitted_by_id",
    )

    recall_id = fields.Many2one(
        "med.recall", required=True, readonly=True, index=True, check_company=True
    )
    company_id = fields.Many2one(
        related="recall_id.company_id", store=True, index=True, string="Company"
    )
    kind = fields.Selection(KINDS, required=True, readonly=True)
    date_deadline = fields.Date(string="Due On", required=True, readonly=True)
    state = fields.Selection(
        STATES, default="to_submit", required=True, readonly=True, tracking=True
    )
    reference = fields.Char(
        string="Authority Reference",
        tracking=True,
        help="The number the authority "
        "gave the report, or the reference of the submission.",
    )
    date_submitted = fields.Date(string="Submitted On", tracking=True)
    submitted_by_id = fields.Many2one("res.users", readonly=True)
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="Still to submit and its due date has passed.",
    )

    @api.depends("recall_id", "kind", "date_deadline")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for report in self:
            report.display_name = f"{report.recall_id.name}: {kinds.get(report.kind)}"

    def _compute_is_overdue(self):
        # not stored: it turns true with time, not with a write
        today = fields.Date.context_today(self)
        for report in self:
            report.is_overdue = bool(
                report.state == "to_submit" and report.date_deadline < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Overdue."))
        domain = [
            ("state", "=", "to_submit"),
            ("date_deadline", "<", fields.Date.context_today(self)),
        ]
        if (operator == "=") == value:
            return domain
        return ["!", *expression.normalize_domain(domain)]

    def write(self, vals):
        if {"reference", "date_submitted"}.intersection(vals):
            self._med_ensure_qa_manager()
            submitted = self.filtered(lambda r: r.state != "to_submit")
            if submitted:
                raise UserError(
                    self.env._(
                        "%(reports)s is submitted or no longer due: it no longer "
                        "changes.",
                        reports=", ".join(submitted.mapped("display_name")),
                    )
                )
        return super().write(vals)

    def _med_ensure_qa_manager(self):
        self.env["med.signable.mixin"]._med_require_group(
            QA_MANAGER,
            self.env._("Only a QA manager records the reports to the authority."),
        )

    # -- submission --
    def action_submit(self):
        """Record the report as submitted (reference and date given); a progress
        report due while the recall runs brings the next one."""
        self._med_ensure_qa_manager()
        today = fields.Date.context_today(self)
        for report in self:
            if report.state != "to_submit":
                raise UserError(
                    self.env._(
                        "%(report)s is already submitted or no longer due.",
                        report=report.display_name,
                    )
                )
            if not (report.reference or "").strip() or not report.date_submitted:
                raise UserError(
                    self.env._(
                        "%(report)s: give the authority's reference and the day it "
                        "was submitted.",
                        report=report.display_name,
                    )
                )
            launched = fields.Date.context_today(report, report.recall_id.date_launched)
            if not launched <= report.date_submitted <= today:
                raise ValidationError(
                    self.env._(
                        "%(report)s cannot be submitted on %(date)s, before the "
                        "recall was launched or after today.",
                        report=report.display_name,
                        date=report.date_submitted,
                    )
                )
        self._med_protected_write().write(
            {"state": "submitted", "submitted_by_id": self.env.uid}
        )
        self.activity_ids.action_feedback(
            feedback=self.env._("Submitted to the authority")
        )
        for report in self.filtered(lambda r: r.kind == "nmpa_progress"):
            recall = report.recall_id
            if recall.state == "launched":
                recall._med_plan_report(
                    "nmpa_progress",
                    report.date_submitted + timedelta(days=recall.progress_report_days),
                )
        return True

    def _med_cancel(self, reason):
        """No longer due (the recall closed before the next progress report)."""
        pending = self.filtered(lambda r: r.state == "to_submit")
        pending.activity_ids.action_feedback(feedback=reason)
        pending.with_context(med_reason=reason)._med_protected_write().write(
            {"state": "cancelled"}
        )

    def _med_schedule_activity(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for report in self:
            recall = report.recall_id
            user = recall.user_id or recall.launched_by_id or self.env.user
            report.activity_schedule(
                "med_recall.mail_activity_type_recall_report",
                date_deadline=report.date_deadline,
                summary=self.env._(
                    "%(report)s of %(recall)s due %(date)s",
                    report=kinds[report.kind],
                    recall=recall.name,
                    date=report.date_deadline,
                ),
                user_id=user.id,
            )
