from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import frozendict

from odoo.addons.med_audit_export.models.base import PROTECTED_WRITE
from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER
from odoo.addons.med_lot_trace.wizards.med_lot_recall_simulate import (
    default_selected_lots,
)

STATES = [
    ("draft", "Draft"),
    ("launched", "Launched"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
# NMPA 医疗器械召回管理办法 art. 14: level by the seriousness of the health hazard.
NMPA_LEVELS = [
    ("1", "Level I"),
    ("2", "Level II"),
    ("3", "Level III"),
]
# FDA 21 CFR 7.3(m): class by the probability of serious adverse health consequences.
FDA_CLASSES = [("I", "Class I"), ("II", "Class II"), ("III", "Class III")]
INITIATIONS = [
    ("voluntary", "Voluntary"),
    ("ordered", "Ordered by the authority"),
]
# FDA 21 CFR 7.42(b)(1): the level in the distribution chain the recall reaches.
DEPTHS = [
    ("wholesale", "Wholesale (distributors)"),
    ("retail", "Retail (hospitals, pharmacies)"),
    ("user", "User (patients, consumers)"),
]
OPEN_STATES = ("draft", "launched")


class MedRecall(models.Model):
    """A recall case (召回, 21 CFR 806/7, EU MDR FSCA): the lots recalled, their scope
    frozen at opening (customers, quantities shipped, stock), the signed launch that
    blocks the lots and notifies each customer, the returns and declarations that
    account for every unit, and the signed closure.

    This file holds the fields and the create/write guards; each job has its file:
    med_recall_scope, _launch, _deadline, _return, _closure and _report_file."""

    _name = "med.recall"
    _description = "Recall"
    _inherit = ("mail.thread", "mail.activity.mixin", "med.signable.mixin")
    _order = "id desc"
    _check_company_auto = True
    _med_signature_actions = frozendict(
        {
            "_med_do_launch": ("approval", QA_MANAGER),
            "_med_do_close": ("closure", QA_MANAGER),
        }
    )
    _med_protected_fields = (
        "state",
        "date_scope",
        "date_launched",
        "launched_by_id",
        "date_closed",
        "closed_by_id",
        # dated by the launch, re-dated only by a reclassification
        "notification_deadline",
    )

    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/"
    )
    title = fields.Char(required=True, tracking=True)
    state = fields.Selection(
        STATES,
        string="Status",
        required=True,
        default="draft",
        readonly=True,
        index=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    capa_id = fields.Many2one("med.capa", string="CAPA", check_company=True, index=True)
    nonconformance_id = fields.Many2one(
        "med.nonconformance", check_company=True, index=True
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        "med_recall_stock_lot_rel",
        "recall_id",
        "lot_id",
        string="Recalled Lots",
        check_company=True,
        help="The lots found defective. The scope adds every lot made from them.",
    )
    # -- classification and decision --
    initiation = fields.Selection(
        INITIATIONS, required=True, default="voluntary", tracking=True
    )
    nmpa_level = fields.Selection(NMPA_LEVELS, string="NMPA Level", tracking=True)
    fda_class = fields.Selection(FDA_CLASSES, string="FDA Class", tracking=True)
    reason = fields.Text(string="Reason for Recall", tracking=True)
    health_hazard = fields.Text(string="Health Hazard Assessment", tracking=True)
    depth = fields.Selection(DEPTHS, string="Recall Depth", tracking=True)
    customer_instructions = fields.Text(
        help="What customers must do (stop use, quarantine, return, destroy): "
        "printed in each letter."
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda s: s.env.user,
        domain=[("share", "=", False)],
        tracking=True,
        index=True,
        check_company=True,
        help="The person the authority and the customers contact about this recall:"
        " named with phone and email in the authority report; reminded of "
        "the notification deadline.",
    )
    date_discovered = fields.Date(
        string="Problem Found On",
        tracking=True,
        help="When the defect was first found, e.g. the complaint or "
        "the out-of-specification result. Required to launch.",
    )
    date_decision = fields.Date(string="Decided On", tracking=True)
    date_target = fields.Date(string="Target Completion", tracking=True)
    target_recovery_percent = fields.Float(
        string="Recovery Target (%)", default=100.0, tracking=True
    )
    # -- frozen scope --
    date_scope = fields.Datetime(string="Scope Frozen On", readonly=True)
    scope_lot_ids = fields.One2many("med.recall.lot", "recall_id", string="Scope Lots")
    line_ids = fields.One2many("med.recall.line", "recall_id", string="Reconciliation")
    stock_ids = fields.One2many("med.recall.stock", "recall_id")
    notification_ids = fields.One2many(
        "med.recall.notification", "recall_id", string="Notifications"
    )
    check_ids = fields.One2many(
        "med.recall.check", "recall_id", string="Effectiveness Checks"
    )
    nonconformance_ids = fields.One2many(
        "med.nonconformance", "recall_id", string="Return Nonconformances"
    )
    return_picking_ids = fields.Many2many(
        "stock.picking",
        string="Returns",
        compute="_compute_reconciliation",
        help="Done receipts from customers of lots in the scope.",
    )
    return_picking_count = fields.Integer(
        string="Return Count", compute="_compute_reconciliation"
    )
    # -- effectiveness --
    customer_count = fields.Integer(string="Customers", compute="_compute_reached")
    notified_count = fields.Integer(string="Notified", compute="_compute_reached")
    acknowledged_count = fields.Integer(
        string="Acknowledged", compute="_compute_reached"
    )
    reached_percent = fields.Float(
        string="Customers Reached (%)",
        compute="_compute_reached",
        help="Customers who acknowledged the recall letter.",
    )
    shipped_qty = fields.Float(
        string="Shipped",
        compute="_compute_reconciliation",
        digits="Product Unit of Measure",
    )
    returned_qty = fields.Float(
        string="Returned",
        compute="_compute_reconciliation",
        digits="Product Unit of Measure",
    )
    destroyed_qty = fields.Float(
        string="Destroyed on Site",
        compute="_compute_reconciliation",
        digits="Product Unit of Measure",
    )
    outstanding_qty = fields.Float(
        string="Outstanding",
        compute="_compute_reconciliation",
        digits="Product Unit of Measure",
    )
    recovered_percent = fields.Float(
        string="Recovered (%)",
        compute="_compute_reconciliation",
        help="Returned and destroyed on site, against shipped.",
    )
    target_met = fields.Boolean(
        string="Recovery Target Met", compute="_compute_reconciliation"
    )
    # -- launch and closure --
    date_launched = fields.Datetime(string="Launched On", readonly=True)
    launched_by_id = fields.Many2one("res.users", readonly=True)
    notification_deadline = fields.Datetime(
        string="Notify Consignees By",
        compute="_compute_notification_deadline",
        store=True,
        help="NMPA recall rules, art. 16: every consignee is notified within 1 day "
        "(level I), 3 days (level II) or 7 days (level III) of the launch.",
    )
    notification_overdue = fields.Boolean(
        compute="_compute_notification_overdue",
        search="_search_notification_overdue",
        help="The notification deadline has passed and some consignee's letter is "
        "not sent yet.",
    )
    date_closed = fields.Datetime(string="Closed On", readonly=True)
    closed_by_id = fields.Many2one("res.users", readonly=True)
    # -- follow-up reports to the authorities --
    report_ids = fields.One2many(
        "med.recall.report", "recall_id", string="Authority Reports"
    )
    progress_report_days = fields.Integer(
        string="Progress Report Every (Days)",
        compute="_compute_progress_report_days",
        store=True,
        readonly=False,
        tracking=True,
        help="How often the NMPA progress report (recall plan implementation "
        "report) is due while the recall runs, as the recall plan says; by default "
        "the level's notification period (1, 3 or 7 days). Once launched, only a QA "
        "manager changes it, with a reason: the next progress report is re-dated.",
    )
    report_overdue = fields.Boolean(
        string="Authority Report Overdue",
        compute="_compute_report_overdue",
        search="_search_report_overdue",
    )
    cancel_reason = fields.Text(
        tracking=True,
        help="Why a draft recall is not launched (e.g. the investigation cleared the "
        "lots). Required to cancel.",
    )
    closure_justification = fields.Text(
        tracking=True,
        help="Required to close with quantities still outstanding: why they cannot "
        "be recovered (used on patients, lost) and why the risk is acceptable.",
    )

    @api.constrains("date_discovered")
    def _check_date_discovered(self):
        today = fields.Date.context_today(self)
        for recall in self:
            if recall.date_discovered and recall.date_discovered > today:
                raise ValidationError(
                    self.env._(
                        "%(recall)s: the problem cannot be found on %(date)s, a date "
                        "in the future.",
                        recall=recall.name,
                        date=recall.date_discovered,
                    )
                )

    # -- create and write --
    @api.model
    def default_get(self, fields_list):
        # "Open a Recall" on selected lots
        return default_selected_lots(
            self, super().default_get(fields_list), fields_list
        )

    @api.model_create_multi
    def create(self, vals_list):
        trusted = self.env.context.get("med_protected_write") is PROTECTED_WRITE
        for vals in vals_list:
            if not trusted:
                # A new recall is a draft, whoever opens it.
                vals.update(
                    state="draft",
                    date_launched=False,
                    launched_by_id=False,
                    date_closed=False,
                    closed_by_id=False,
                )
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("med.recall")
        recalls = super().create(vals_list)
        recalls.filtered("lot_ids")._med_freeze_scope()
        return recalls

    def write(self, vals):
        if "lot_ids" in vals:
            started = self.filtered(lambda r: r.state != "draft")
            if started:
                raise UserError(
                    self.env._(
                        "%(recalls)s are launched: their lots can no longer change. "
                        "Recompute the scope to add what was delivered since.",
                        recalls=", ".join(started.mapped("name")),
                    )
                )
        closed = self.filtered(lambda r: r.state in ("closed", "cancelled"))
        if closed and set(vals) - {"med_change_reason", "message_main_attachment_id"}:
            raise UserError(
                self.env._(
                    "%(recalls)s are closed or cancelled: they can no longer change.",
                    recalls=", ".join(closed.mapped("name")),
                )
            )
        decided = self._med_decision_moves(vals)
        if decided:
            reason = (vals.get("med_change_reason") or "").strip() or self._med_reason()
            decided._med_ensure_decision_change(vals, reason)
        period_moved = decided._med_decision_moves(vals, ("progress_report_days",))
        level_moved = decided._med_decision_moves(vals, ("nmpa_level",))
        result = super().write(vals)
        if "lot_ids" in vals:
            # The scope is frozen when the lots are chosen (the recall's opening).
            self._med_freeze_scope()
        if period_moved:
            period_moved._med_replan_progress_reports(reason)
        if level_moved:
            level_moved._med_redate_notification_deadline(reason)
        return result

    # -- guards and labels shared by the recall's jobs --
    def _med_ensure_qa_manager(self):
        self._med_require_group(
            QA_MANAGER, self.env._("Only a QA manager decides a recall.")
        )

    def _med_field_label(self, name):
        return self._fields[name]._description_string(self.env)

    def _med_selection_label(self, name):
        return dict(self._fields[name]._description_selection(self.env)).get(
            self[name], ""
        )
