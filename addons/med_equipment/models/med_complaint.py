from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import frozendict

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER
from odoo.addons.med_capa.models.med_capa import CAPA_READERS
from odoo.addons.med_capa.models.med_capa_rule import SEVERITIES

STATES = [("draft", "Draft"), ("open", "Registered"), ("closed", "Closed")]
CHANNELS = [
    ("installed_base", "Customer (installed base)"),
    ("repair", "Repair"),
    ("manual", "Recorded by hand"),
]
# Once registered, what the customer reported is the evidence.
FROZEN_FIELDS = {
    "partner_id",
    "contact_id",
    "lot_id",
    "installed_base_id",
    "repair_id",
    "description",
    "severity",
    "adverse_event",
    "date_received",
}
# Adverse-event category: what decides the reporting deadlines.
EVENT_CATEGORIES = [
    ("death", "Death"),
    ("serious_injury", "Serious injury"),
    ("malfunction", "Malfunction that could cause death or serious injury"),
    ("other", "Other"),
]
REPORTABLE = [("yes", "Yes"), ("no", "No")]
# The reportability decision: frozen once a QA manager signed it.
DECISION_FIELDS = {
    "event_category",
    "date_aware",
    "remedial_action",
    "eu_public_health_threat",
    "reportable",
    "reportability_justification",
}
REPORT_FIELDS = {"report_reference", "date_report_submitted"}
# NMPA 医疗器械不良事件监测和再评价管理办法 (2019) art. 25: a death is reported within
# 7 days of awareness, a serious injury or any other reportable event within 20 days.
NMPA_DEATH_DAYS = 7
NMPA_OTHER_DAYS = 20
# 21 CFR 803.50: 30 calendar days; 803.53: 5 work days when remedial action is needed
# to prevent an unreasonable risk of substantial harm to the public health.
FDA_CALENDAR_DAYS = 30
FDA_REMEDIAL_WORK_DAYS = 5
# EU MDR art. 87(3)-(5) (vigilance): 2 days for a serious public health threat, 10
# days for a death or an unanticipated serious deterioration of health, 15 days for
# any other serious incident, from awareness.
EU_THREAT_DAYS = 2
EU_DEATH_OR_SERIOUS_DAYS = 10
EU_OTHER_DAYS = 15


class MedComplaint(models.Model):
    """A customer complaint (投诉) about a serial or lot. Registering it applies
    the CAPA rules of the complaint trigger: nonconformance, CAPA, hold and recall
    risk as QA configured them."""

    _name = "med.complaint"
    _description = "Complaint"
    _inherit = ("mail.thread", "mail.activity.mixin", "med.signable.mixin")
    _order = "id desc"
    _check_company_auto = True
    _med_signature_actions = frozendict(
        {
            "_med_do_close": ("closure", QA_MANAGER),
            "_med_do_decide_reportability": ("evaluation", QA_MANAGER),
        }
    )
    _med_protected_fields = (
        "state",
        "udi",
        "nonconformance_ids",
        "capa_ids",
        "date_closed",
        "closed_by_id",
        "reportability_decided_by_id",
        "date_reportability_decided",
    )

    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/"
    )
    state = fields.Selection(
        STATES,
        string="Status",
        required=True,
        default="draft",
        readonly=True,
        tracking=True,
    )
    channel = fields.Selection(
        CHANNELS, string="Received Through", required=True, default="manual"
    )
    date_received = fields.Datetime(
        string="Received On", required=True, default=fields.Datetime.now, tracking=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    product_id = fields.Many2one(
        related="lot_id.product_id", store=True, index=True, string="Product"
    )
    # 21 CFR 820.35(a): the record holds the device's UDI or UPC as delivered. Stored
    # when the lot is chosen: the evidence is what the device carried, not what the
    # product's data says later.
    udi = fields.Char(
        string="Device UDI (or UPC)",
        compute="_compute_udi",
        store=True,
        help="The UDI of the delivered lot/serial in GS1 form, or the product's "
        "UPC/EAN when it has no UDI-DI (21 CFR 820.35(a)).",
    )
    contact_id = fields.Many2one(
        "res.partner",
        string="Complainant",
        tracking=True,
        check_company=True,
        help="Who complained and how to reach them (21 CFR 820.35(a)): a contact of "
        "the customer, or the customer itself when empty.",
    )
    contact_phone = fields.Char(
        string="Complainant Phone", compute="_compute_contact_details"
    )
    contact_email = fields.Char(
        string="Complainant Email", compute="_compute_contact_details"
    )
    correction = fields.Text(
        string="Correction or Corrective Action",
        tracking=True,
        help="Any correction or corrective action taken for the complaint (21 CFR "
        "820.35(a)); the answer to the customer is the reply.",
    )
    installed_base_id = fields.Many2one(
        "med.installed.base",
        check_company=True,
        domain="[('lot_id', '=?', lot_id)]",
    )
    repair_id = fields.Many2one(
        "repair.order", check_company=True, index="btree_not_null"
    )
    description = fields.Text(
        string="What the Customer Reports", required=True, tracking=True
    )
    severity = fields.Selection(
        SEVERITIES, required=True, default="major", tracking=True
    )
    adverse_event = fields.Boolean(
        string="Possible Adverse Event",
        tracking=True,
        help="The complaint may be a reportable adverse event: "
        "QA assesses whether to report it to the authority.",
    )
    # Only for the roles that may read nonconformances and CAPAs.
    nonconformance_ids = fields.Many2many(
        "med.nonconformance",
        string="Nonconformances",
        readonly=True,
        copy=False,
        groups=CAPA_READERS,
    )
    capa_ids = fields.Many2many(
        "med.capa", string="CAPAs", readonly=True, copy=False, groups=CAPA_READERS
    )
    user_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        default=lambda self: self.env.user,
        readonly=True,
    )
    closure_note = fields.Text(string="Answer to the Customer", tracking=True)
    date_closed = fields.Datetime(string="Closed On", readonly=True, copy=False)
    closed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    no_investigation_reason = fields.Text(
        string="Reason for Not Investigating",
        tracking=True,
        help="ISO 13485 8.2.2, 21 CFR 820.198(b): a complaint that opened no CAPA is "
        "closed only with the reason why no investigation is made.",
    )
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
        help="QA's decision whether the complaint is an adverse event to report."
        " It takes effect when a QA "
        "manager signs it.",
    )
    reportability_justification = fields.Text(string="Justification", tracking=True)
    reportability_decided_by_id = fields.Many2one(
        "res.users", readonly=True, copy=False
    )
    date_reportability_decided = fields.Datetime(
        string="Reportability Decided On", readonly=True, copy=False
    )
    date_nmpa_deadline = fields.Date(
        string="NMPA Report Due",
        compute="_compute_report_deadlines",
        store=True,
        help="NMPA adverse event monitoring rules (2019), art. 25: 7 days after "
        "awareness for a death, 20 days for a serious injury or another reportable "
        "event.",
    )
    date_fda_deadline = fields.Date(
        string="FDA Report Due",
        compute="_compute_report_deadlines",
        store=True,
        help="21 CFR 803.50: 30 calendar days after awareness; 803.53: 5 work days "
        "when remedial action is needed.",
    )
    date_eu_deadline = fields.Date(
        string="EU Vigilance Report Due",
        compute="_compute_report_deadlines",
        store=True,
        help="EU MDR art. 87: 2 days after awareness for a serious public health "
        "threat, 10 days for a death or a serious deterioration of health, 15 days "
        "for another serious incident.",
    )
    date_report_deadline = fields.Date(
        string="Report Due",
        compute="_compute_report_deadlines",
        store=True,
        help="The earliest of the NMPA, FDA and EU deadlines.",
    )
    report_reference = fields.Char(
        string="Authority Report Number", tracking=True, copy=False
    )
    date_report_submitted = fields.Date(
        string="Report Submitted On", tracking=True, copy=False
    )
    report_overdue = fields.Boolean(
        compute="_compute_report_overdue",
        search="_search_report_overdue",
        help="Reportable, not submitted, and the report deadline has passed.",
    )

    @api.depends("lot_id")
    def _compute_udi(self):
        for complaint in self:
            complaint.udi = complaint.lot_id._med_udi_or_upc()

    @api.depends("contact_id", "partner_id")
    def _compute_contact_details(self):
        for complaint in self:
            contact = complaint.contact_id or complaint.partner_id
            complaint.contact_phone = contact.phone or contact.mobile
            complaint.contact_email = contact.email

    def _med_contact_summary(self):
        """Who complained and how to reach them, in one line for the evidence."""
        self.ensure_one()
        contact = self.contact_id or self.partner_id
        return ", ".join(
            filter(
                None,
                [
                    contact.display_name,
                    contact.phone or contact.mobile,
                    contact.email,
                    " ".join(contact._display_address(without_company=True).split()),
                ],
            )
        )

    @api.depends("date_received")
    def _compute_date_aware(self):
        for complaint in self:
            if complaint.date_received:
                complaint.date_aware = fields.Date.context_today(
                    complaint, complaint.date_received
                )

    @api.depends(
        "date_aware",
        "event_category",
        "remedial_action",
        "eu_public_health_threat",
        "reportable",
        "company_id",
    )
    def _compute_report_deadlines(self):
        for complaint in self:
            aware = complaint.date_aware
            category = complaint.event_category
            if not aware or not category or complaint.reportable == "no":
                complaint.date_nmpa_deadline = False
                complaint.date_fda_deadline = False
                complaint.date_eu_deadline = False
                complaint.date_report_deadline = False
                continue
            nmpa_days = NMPA_DEATH_DAYS if category == "death" else NMPA_OTHER_DAYS
            nmpa = aware + timedelta(days=nmpa_days)
            fda = (
                (complaint.company_id or self.env.company)._med_add_working_days(
                    aware, FDA_REMEDIAL_WORK_DAYS
                )
                if complaint.remedial_action
                else aware + timedelta(days=FDA_CALENDAR_DAYS)
            )
            if complaint.eu_public_health_threat:
                eu_days = EU_THREAT_DAYS
            elif category in ("death", "serious_injury"):
                eu_days = EU_DEATH_OR_SERIOUS_DAYS
            else:
                eu_days = EU_OTHER_DAYS
            eu = (complaint.company_id or self.env.company)._med_next_working_day(
                aware + timedelta(days=eu_days)
            )
            complaint.date_nmpa_deadline = nmpa
            complaint.date_fda_deadline = fda
            complaint.date_eu_deadline = eu
            complaint.date_report_deadline = min(nmpa, fda, eu)

    def _compute_report_overdue(self):
        # not stored: it turns true with time, not with a write
        today = fields.Date.context_today(self)
        for complaint in self:
            complaint.report_overdue = bool(
                complaint.reportable == "yes"
                and complaint.reportability_decided_by_id
                and not complaint.date_report_submitted
                and complaint.date_report_deadline
                and complaint.date_report_deadline < today
            )

    def _search_report_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Report Overdue."))
        domain = [
            ("reportable", "=", "yes"),
            ("reportability_decided_by_id", "!=", False),
            ("date_report_submitted", "=", False),
            ("date_report_deadline", "<", fields.Date.context_today(self)),
        ]
        if (operator == "=") == value:
            return domain
        return ["!", *expression.normalize_domain(domain)]

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

    @api.onchange("installed_base_id")
    def _onchange_installed_base_id(self):
        if self.installed_base_id:
            self.lot_id = self.installed_base_id.lot_id
            self.partner_id = self.installed_base_id.partner_id
            if self.installed_base_id.site_id.type == "contact":
                self.contact_id = self.installed_base_id.site_id

    @api.onchange("repair_id")
    def _onchange_repair_id(self):
        if self.repair_id:
            self.lot_id = self.repair_id.lot_id or self.lot_id
            self.partner_id = self.repair_id.partner_id or self.partner_id

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.update(state="draft", date_closed=False, closed_by_id=False)
            # The UDI is the lot's, whoever records the complaint.
            vals.pop("udi", None)
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("med.complaint")
        return super().create(vals_list)

    def write(self, vals):
        if "udi" in vals:
            raise UserError(
                self.env._(
                    "The UDI of a complaint is the one of its lot/serial: choose the "
                    "lot, the UDI follows."
                )
            )
        registered = self.filtered(lambda c: c.state != "draft")
        if registered and FROZEN_FIELDS.intersection(vals):
            raise UserError(
                self.env._(
                    "%(complaints)s are registered: what the customer reported can "
                    "no longer change.",
                    complaints=", ".join(registered.mapped("name")),
                )
            )
        decided = self.filtered("reportability_decided_by_id")
        if decided and DECISION_FIELDS.intersection(vals):
            raise UserError(
                self.env._(
                    "The reportability of %(complaints)s is decided and signed: it "
                    "can no longer change.",
                    complaints=", ".join(decided.mapped("name")),
                )
            )
        if REPORT_FIELDS.intersection(vals):
            self._med_require_group(
                QA_MANAGER,
                self.env._("Only a QA manager records the report to the authority."),
            )
        result = super().write(vals)
        if vals.get("date_report_submitted"):
            self._med_report_activities().action_feedback(
                feedback=self.env._("Reported to the authority")
            )
        return result

    def _med_form_action(self, context=None):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Complaint"),
            "res_model": self._name,
            "view_mode": "form",
            "res_id": self.id,
            "context": context or {},
        }

    # -- registration: the CAPA rules --
    def action_register(self):
        for complaint in self:
            if complaint.state != "draft":
                raise UserError(
                    self.env._(
                        "%(complaint)s is already registered.",
                        complaint=complaint.name,
                    )
                )
        self._med_protected_write().write({"state": "open"})
        for complaint in self:
            nonconformances, capas = self.env["med.capa.rule"]._med_fire(
                "complaint", [complaint._med_complaint_event()]
            )
            # sudo: the records the rules opened are linked whoever registers.
            complaint.sudo()._med_protected_write().write(
                {
                    "nonconformance_ids": [fields.Command.set(nonconformances.ids)],
                    "capa_ids": [fields.Command.set(capas.ids)],
                }
            )
        return True

    def _med_complaint_event(self):
        self.ensure_one()
        # sudo: the supplier of the lot is named whatever the user may read.
        lot = self.lot_id.sudo()
        return {
            "origin": self,
            "lots": self.lot_id,
            "product": self.product_id,
            "partner": lot._med_suppliers()[:1],
            "severity": self.severity,
            "company": self.company_id,
            "description": self.env._(
                "Complaint %(complaint)s from %(customer)s about %(product)s "
                "%(lot)s%(adverse)s: %(description)s",
                complaint=self.name,
                customer=self.partner_id.display_name,
                product=self.product_id.display_name,
                lot=self.lot_id.name,
                adverse=(
                    self.env._(" (possible adverse event)")
                    if self.adverse_event
                    else ""
                ),
                description=self.description,
            ),
        }

    # -- closure --
    def _med_ensure_close(self):
        self._med_require_group(
            QA_MANAGER, self.env._("Only a QA manager closes complaints.")
        )
        for complaint in self:
            if complaint.state != "open":
                raise UserError(
                    self.env._(
                        "%(complaint)s is not open.",
                        complaint=complaint.name,
                    )
                )
            if not (complaint.closure_note or "").strip():
                raise UserError(
                    self.env._(
                        "Write the answer to the customer of %(complaint)s before "
                        "closing it.",
                        complaint=complaint.name,
                    )
                )
            # sudo: whether a CAPA was opened counts whoever closes.
            if (
                not complaint.sudo().capa_ids
                and not (complaint.no_investigation_reason or "").strip()
            ):
                raise UserError(
                    self.env._(
                        "%(complaint)s opened no CAPA: write the reason for not "
                        "investigating it before closing it.",
                        complaint=complaint.name,
                    )
                )
            if complaint.adverse_event and not complaint.reportability_decided_by_id:
                raise UserError(
                    self.env._(
                        "%(complaint)s is a possible adverse event: sign the "
                        "decision whether it is reportable before closing it.",
                        complaint=complaint.name,
                    )
                )
            if complaint.reportable == "yes" and not complaint.date_report_submitted:
                raise UserError(
                    self.env._(
                        "%(complaint)s is reportable: record the authority's report "
                        "number and submission date before closing it.",
                        complaint=complaint.name,
                    )
                )

    def action_close(self):
        self._med_ensure_close()
        return self._med_request_signature(
            "closure", "_med_do_close", title=self.env._("Close the Complaint")
        )

    def _med_do_close(self):
        self._med_ensure_close()
        self._med_protected_write().write(
            {
                "state": "closed",
                "date_closed": fields.Datetime.now(),
                "closed_by_id": self.env.uid,
            }
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

    def action_open_nonconformances(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Nonconformances and CAPAs"),
            "res_model": "med.nonconformance",
            "view_mode": "list,form",
            "domain": [("id", "in", self.nonconformance_ids.ids)],
        }
