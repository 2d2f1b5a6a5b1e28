from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import frozendict

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER
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
    risk as QA configured them. This file: what was received (intake, UDI,
    complainant) and the reporting deadlines; the investigation and closure live
    in med_complaint_investigation.py, the reportability decision in
    med_complaint_reportability.py."""

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
    user_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        default=lambda self: self.env.user,
        readonly=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
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
        given = {f"default_{name}" for name in REPORT_FIELDS}.intersection(
            k for k, v in self.env.context.items() if v
        )
        if given or any(vals.get(name) for vals in vals_list for name in REPORT_FIELDS):
            self._med_ensure_report_recorder()
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
            self._med_ensure_report_recorder()
        result = super().write(vals)
        if vals.get("date_report_submitted"):
            self._med_report_activities().action_feedback(
                feedback=self.env._("Reported to the authority")
            )
        return result

    @api.model
    def _med_ensure_report_recorder(self):
        """The report to the authority is recorded by a QA manager: at creation
        (values or ``default_*`` context keys) as at write."""
        self._med_require_group(
            QA_MANAGER,
            self.env._("Only a QA manager records the report to the authority."),
        )

    def _med_form_action(self, context=None):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Complaint"),
            "res_model": self._name,
            "view_mode": "form",
            "res_id": self.id,
            "context": context or {},
        }
