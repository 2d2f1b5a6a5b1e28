from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

# Adverse-event category: what decides the reporting deadlines.
EVENT_CATEGORIES = [
    ("death", "Death"),
    ("serious_injury", "Serious injury"),
    ("malfunction", "Malfunction that could cause death or serious injury"),
    ("other", "Other"),
]
REPORTABLE = [("yes", "Yes"), ("no", "No")]


class MedComplaint(models.Model):
    """Whether a complaint is an adverse event to report to the authority: the
    event, the day the company became aware, QA's signed decision, the report
    submitted, and the reminder of its deadline."""

    _name = "med.complaint"
    _inherit = "med.complaint"

    # -- reportability to the authority (不良事件报告) --
    event_category = fields.Selection(
        EVENT_CATEGORIES,
        tracking=True,
        help="Decides the reporting deadlines: NMPA 7 days for a death, 20 days "
        "otherwise; FDA 30 calendar days (5 work days with remedial action).",
    )
    date_aware = fields.Date(
        string="Company Aware On",
        compute="_compute_date_aware",
        store=True,
        readonly=False,
        tracking=True,
        help="The day the company became aware of the event: the "
        "reporting deadlines run from it. By default the day the complaint was "
        "received.",
    )
    remedial_action = fields.Boolean(
        string="Remedial Action Needed",
        tracking=True,
        help="21 CFR 803.53: remedial action is needed to prevent an unreasonable "
        "risk of substantial harm to the public health; the FDA report is then due "
        "within 5 work days.",
    )
    eu_public_health_threat = fields.Boolean(
        string="Serious Public Health Threat (EU)",
        tracking=True,
        help="EU MDR art. 2(66) and 87(4): the event may need prompt remedial action "
        "for many people; the vigilance report is then due within 2 days.",
    )
    reportable = fields.Selection(
        REPORTABLE,
        string="Reportable to the Authority",
        tracking=True,
        copy=False,  # a copy is a new complaint: its reportability is decided again
        help="QA's decision whether the complaint is an adverse event to report."
        " It takes effect when a QA "
        "manager signs it.",
    )
    reportability_justification = fields.Text(
        string="Justification", tracking=True, copy=False
    )
    reportability_decided_by_id = fields.Many2one(
        "res.users", readonly=True, copy=False
    )
    date_reportability_decided = fields.Datetime(
        string="Reportability Decided On", readonly=True, copy=False
    )
    report_reference = fields.Char(
        string="Authority Report Number", tracking=True, copy=False
    )
    date_report_submitted = fields.Date(
        string="Report Submitted On", tracking=True, copy=False
    )

    @api.depends("date_received")
    def _compute_date_aware(self):
        for complaint in self:
            if complaint.date_received:
                complaint.date_aware = fields.Date.context_today(
                    complaint, complaint.date_received
                )

    def _med_delivery_date(self):
        """The day the complaint's device was delivered, when the installed base
        knows it (the complaint's own record, else the lot's first delivery)."""
        self.ensure_one()
        # sudo: the delivery date bounds the awareness date whoever records it.
        records = self.installed_base_id.sudo() or self.env[
            "med.installed.base"
        ].sudo().search(
            [("lot_id", "=", self.lot_id.id)], order="date_delivered", limit=1
        )
        if records.date_delivered:
            return fields.Date.context_today(self, records.date_delivered)
        return records.date_install or False

    @api.constrains("date_aware", "lot_id", "installed_base_id")
    def _check_date_aware(self):
        today = fields.Date.context_today(self)
        for complaint in self.filtered("date_aware"):
            if complaint.date_aware > today:
                raise ValidationError(
                    self.env._(
                        "%(complaint)s: the company cannot become aware on "
                        "%(date)s, a day still to come.",
                        complaint=complaint.name,
                        date=complaint.date_aware,
                    )
                )
            delivered = complaint._med_delivery_date()
            if delivered and complaint.date_aware < delivered:
                raise ValidationError(
                    self.env._(
                        "%(complaint)s: the company cannot become aware on "
                        "%(date)s, before %(lot)s was delivered on %(delivered)s.",
                        complaint=complaint.name,
                        date=complaint.date_aware,
                        lot=complaint.lot_id.name,
                        delivered=delivered,
                    )
                )

    @api.constrains("date_report_submitted", "report_reference")
    def _check_report_submission(self):
        today = fields.Date.context_today(self)
        for complaint in self.filtered("date_report_submitted"):
            if not (
                complaint.reportable == "yes" and complaint.reportability_decided_by_id
            ):
                raise ValidationError(
                    self.env._(
                        "%(complaint)s is not decided reportable: a QA manager "
                        "signs the decision before the report is recorded.",
                        complaint=complaint.name,
                    )
                )
            if not (complaint.report_reference or "").strip():
                raise ValidationError(
                    self.env._(
                        "%(complaint)s: give the authority's report number with the "
                        "submission date.",
                        complaint=complaint.name,
                    )
                )
            submitted = complaint.date_report_submitted
            if submitted > today or submitted < complaint.date_aware:
                raise ValidationError(
                    self.env._(
                        "%(complaint)s: the report cannot be submitted on %(date)s, "
                        "before the company became aware (%(aware)s) or after "
                        "today.",
                        complaint=complaint.name,
                        date=submitted,
                        aware=complaint.date_aware,
                    )
                )

    # -- reportability decision (signed) --
    def _med_ensure_reportability(self):
        self._med_require_group(
            QA_MANAGER,
            self.env._(
                "Only a QA manager decides whether a complaint is reported to the "
                "authority."
            ),
        )
        for complaint in self:
            if complaint.state == "draft":
                raise UserError(
                    self.env._(
                        "Register %(complaint)s before deciding its reportability.",
                        complaint=complaint.name,
                    )
                )
            if complaint.reportability_decided_by_id:
                raise UserError(
                    self.env._(
                        "The reportability of %(complaint)s is already decided.",
                        complaint=complaint.name,
                    )
                )
            if not (
                complaint.reportable
                and complaint.event_category
                and complaint.date_aware
            ):
                raise UserError(
                    self.env._(
                        "%(complaint)s: give the event category, the day the company "
                        "became aware and whether it is reportable to the authority.",
                        complaint=complaint.name,
                    )
                )
            if not (complaint.reportability_justification or "").strip():
                raise UserError(
                    self.env._(
                        "%(complaint)s: justify the decision whether it is reportable.",
                        complaint=complaint.name,
                    )
                )

    def action_decide_reportability(self):
        self._med_ensure_reportability()
        return self._med_request_signature(
            "evaluation",
            "_med_do_decide_reportability",
            title=self.env._("Decide the Reportability"),
        )

    def _med_do_decide_reportability(self):
        self._med_ensure_reportability()
        self._med_protected_write().write(
            {
                "reportability_decided_by_id": self.env.uid,
                "date_reportability_decided": fields.Datetime.now(),
            }
        )
        self.filtered(
            lambda c: c.reportable == "yes" and c.date_report_deadline
        )._med_schedule_report_activity()

    def _med_report_activities(self):
        activity_type = self.env.ref(
            "med_equipment.mail_activity_type_adverse_event_report"
        )
        return self.activity_ids.filtered(
            lambda activity: activity.activity_type_id == activity_type
        )

    def _med_schedule_report_activity(self):
        """Remind the QA manager who decided of the report, due on the earliest
        deadline."""
        for complaint in self:
            complaint.activity_schedule(
                "med_equipment.mail_activity_type_adverse_event_report",
                date_deadline=complaint.date_report_deadline,
                summary=self.env._(
                    "Report %(complaint)s to the authority by %(deadline)s",
                    complaint=complaint.name,
                    deadline=complaint.date_report_deadline,
                ),
                note=self.env._(
                    "NMPA report due %(nmpa)s, FDA report due %(fda)s, EU vigilance "
                    "report due %(eu)s (aware on %(aware)s).",
                    nmpa=complaint.date_nmpa_deadline,
                    fda=complaint.date_fda_deadline,
                    eu=complaint.date_eu_deadline,
                    aware=complaint.date_aware,
                ),
                user_id=self.env.uid,
            )

    def _med_dossier_reportability(self, labels):
        """The signed decision in words for the evidence reports: answer, category,
        awareness, justification, who decided and when; else *Not decided*."""
        self.ensure_one()
        if not self.reportability_decided_by_id:
            return self.env._("Not decided")
        return self.env._(
            "%(answer)s (%(category)s, aware on %(aware)s): %(justification)s "
            "— %(user)s, %(when)s",
            answer=labels["reportable"].get(self.reportable, ""),
            category=labels["event_category"].get(self.event_category, ""),
            aware=fields.Date.to_string(self.date_aware),
            justification=self.reportability_justification,
            user=self.reportability_decided_by_id.name,
            when=fields.Datetime.to_string(self.date_reportability_decided),
        )
