from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import frozendict

from odoo.addons.med_audit_export.models.base import PROTECTED_WRITE
from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

from .med_capa_risk_matrix import RATINGS, RISK_LEVELS
from .med_capa_rule import (
    ORIGIN_FIELDS,
    SEVERITIES,
    check_origin_write,
    origin_trusted,
)
from .med_nonconformance import SOURCES

STATES = [
    ("draft", "Draft"),
    ("investigation", "Investigation"),
    ("action_plan", "Action Plan"),
    ("implementation", "Implementation"),
    ("effectiveness", "Effectiveness Check"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
# The roles that read nonconformances and CAPAs (fields shown on lots and partners).
CAPA_READERS = (
    "med_audit_export.group_med_qa_inspector,med_audit_export.group_med_auditor"
)
OPEN_STATES = (
    "draft",
    "investigation",
    "action_plan",
    "implementation",
    "effectiveness",
)
ROOT_CAUSE_METHODS = [
    ("five_whys", "5 Whys"),
    ("fishbone", "Fishbone (Ishikawa)"),
    ("other", "Other"),
]
FISHBONE_CATEGORIES = [
    ("man", "Man (people)"),
    ("machine", "Machine"),
    ("method", "Method"),
    ("material", "Material"),
    ("measurement", "Measurement"),
    ("environment", "Environment"),
]
EFFECTIVENESS_RESULTS = [("effective", "Effective"), ("not_effective", "Not Effective")]


class MedCapa(models.Model):
    """Corrective and preventive action (ISO 13485 8.5.2/8.5.3, 纠正预防措施):
    investigated, root cause found, actions carried out, effectiveness verified,
    closed by a QA manager's signature."""

    _name = "med.capa"
    _description = "CAPA"
    _inherit = ("mail.thread", "mail.activity.mixin", "med.signable.mixin")
    _order = "id desc"
    _check_company_auto = True
    _med_signature_actions = frozendict({"_med_do_close": ("closure", QA_MANAGER)})
    _med_protected_fields = (
        "state",
        "recall_risk",
        "date_closed",
        "closed_by_id",
        "cancel_reason",
        "scar_date_requested",
        # from the risk matrix
        "risk_score",
        "risk_level",
    )

    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/"
    )
    title = fields.Char(required=True, tracking=True)
    description = fields.Text(string="Problem Description")
    state = fields.Selection(
        STATES,
        string="Status",
        required=True,
        default="draft",
        readonly=True,
        index=True,
        tracking=True,
        group_expand=True,
    )
    source = fields.Selection(SOURCES, required=True, default="manual")
    severity = fields.Selection(
        SEVERITIES, required=True, default="major", tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        domain=[("share", "=", False)],
        tracking=True,
        help="Leads the investigation and the actions. With segregation of duties, "
        "the owner cannot close the CAPA.",
    )
    product_id = fields.Many2one(
        "product.product", check_company=True, index=True, tracking=True
    )
    lot_ids = fields.Many2many("stock.lot", string="Lots", check_company=True)
    partner_id = fields.Many2one(
        "res.partner", string="Supplier", check_company=True, index=True, tracking=True
    )
    nonconformance_ids = fields.One2many(
        "med.nonconformance", "capa_id", string="Nonconformances"
    )
    nonconformance_count = fields.Integer(compute="_compute_nonconformance_count")
    rule_id = fields.Many2one("med.capa.rule", string="Opened by Rule", readonly=True)
    origin_ref = fields.Char(string="Origin", readonly=True, index=True)
    # -- investigation --
    root_cause_method = fields.Selection(ROOT_CAUSE_METHODS, tracking=True)
    root_cause_category = fields.Selection(
        FISHBONE_CATEGORIES, string="Cause Category", tracking=True
    )
    root_cause = fields.Text(
        tracking=True,
        help="5 whys: one why per line, down to the root cause. Fishbone: the causes "
        "found in each category, and the one retained.",
    )
    risk_severity = fields.Selection(RATINGS, tracking=True)
    risk_occurrence = fields.Selection(RATINGS, string="Occurrence", tracking=True)
    risk_score = fields.Integer(compute="_compute_risk", store=True)
    risk_level = fields.Selection(
        RISK_LEVELS, compute="_compute_risk", store=True, tracking=True
    )
    recall_risk = fields.Boolean(
        readonly=True,
        tracking=True,
        help="Lots of this CAPA, or lots made from them, were delivered to customers: "
        "see the recall scope attached.",
    )
    # -- actions --
    action_ids = fields.One2many("med.capa.action", "capa_id", string="Actions")
    overdue_action_count = fields.Integer(
        string="Overdue Actions",
        compute="_compute_overdue_action_count",
        search="_search_overdue_action_count",
    )
    # -- effectiveness --
    effectiveness_criteria = fields.Text(tracking=True)
    effectiveness_date_deadline = fields.Date(
        string="Effectiveness Check Due", tracking=True
    )
    # A copy is a new CAPA: its effectiveness is checked again, the SCAR asked again.
    effectiveness_result = fields.Selection(
        EFFECTIVENESS_RESULTS, tracking=True, copy=False
    )
    effectiveness_note = fields.Text(string="Effectiveness Evidence", copy=False)
    # -- supplier corrective action request --
    scar_date_deadline = fields.Date(
        string="SCAR Response Due",
        tracking=True,
        help="The date by which the supplier must answer the supplier corrective "
        "action request (SCAR).",
    )
    scar_date_requested = fields.Date(
        string="SCAR Requested On", readonly=True, copy=False
    )
    scar_response = fields.Text(string="Supplier Response")
    # -- closure --
    date_closed = fields.Datetime(string="Closed On", readonly=True)
    closed_by_id = fields.Many2one("res.users", readonly=True)
    cancel_reason = fields.Text(readonly=True)
    age_days = fields.Integer(
        string="Age (days)",
        compute="_compute_age_days",
        help="Days since the CAPA was opened (until it was closed).",
    )

    @api.depends("nonconformance_ids")
    def _compute_nonconformance_count(self):
        for capa in self:
            capa.nonconformance_count = len(capa.nonconformance_ids)

    @api.depends("risk_severity", "risk_occurrence", "company_id")
    def _compute_risk(self):
        Matrix = self.env["med.capa.risk.matrix"]
        for capa in self:
            severity, occurrence = capa.risk_severity, capa.risk_occurrence
            capa.risk_score = int(severity or 0) * int(occurrence or 0)
            capa.risk_level = Matrix._med_level(severity, occurrence, capa.company_id)

    def _compute_overdue_action_count(self):
        overdue = self.env["med.capa.action"].search(
            [("capa_id", "in", self.ids), ("is_overdue", "=", True)]
        )
        for capa in self:
            capa.overdue_action_count = len(
                overdue.filtered(lambda a, capa=capa: a.capa_id == capa)
            )

    def _search_overdue_action_count(self, operator, value):
        # Dashboards ask "any overdue action?" (> 0, != 0) or "none?" (= 0).
        if value != 0 or operator not in (">", "=", "!="):
            raise UserError(self.env._("Unsupported search on Overdue Actions."))
        overdue = self.env["med.capa.action"].search([("is_overdue", "=", True)])
        return [("id", "not in" if operator == "=" else "in", overdue.capa_id.ids)]

    def _compute_age_days(self):
        now = fields.Datetime.now()
        for capa in self:
            start = capa.create_date or now
            capa.age_days = ((capa.date_closed or now) - start).days

    @api.model_create_multi
    def create(self, vals_list):
        trusted = self.env.context.get("med_protected_write") is PROTECTED_WRITE
        today = fields.Date.context_today(self)
        for vals in vals_list:
            if not trusted:
                # A CAPA starts as a draft, whoever opens it.
                vals.update(
                    state="draft",
                    recall_risk=False,
                    date_closed=False,
                    closed_by_id=False,
                    cancel_reason=False,
                )
            if not origin_trusted(self.env):
                # A CAPA that claims a rule would take in that rule's events.
                vals.update(dict.fromkeys(ORIGIN_FIELDS, False))
            for name in ("effectiveness_date_deadline", "scar_date_deadline"):
                if vals.get(name) and fields.Date.to_date(vals[name]) < today:
                    self._med_raise_past_date(
                        self._fields[name]._description_string(self.env), vals[name]
                    )
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("med.capa")
        return super().create(vals_list)

    def _med_raise_past_date(self, label, date):
        raise UserError(
            self.env._(
                "%(field)s cannot be in the past (%(date)s): give a date from today "
                "on.",
                field=label,
                date=fields.Date.to_string(fields.Date.to_date(date)),
            )
        )

    def write(self, vals):
        check_origin_write(self, vals)
        finished = self.filtered(lambda c: c.state in ("closed", "cancelled"))
        if finished and set(vals) - {"med_change_reason", "message_main_attachment_id"}:
            raise UserError(
                self.env._(
                    "%(capas)s are closed or cancelled: they can no longer change.",
                    capas=", ".join(finished.mapped("name")),
                )
            )
        return super().write(vals)

    # -- workflow --
    def _med_ensure_state(self, state):
        wrong = self.filtered(lambda c: c.state != state)
        if wrong:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(capas)s must be in state %(state)s for this step.",
                    capas=", ".join(wrong.mapped("name")),
                    state=states[state],
                )
            )

    def _med_set_state(self, state, extra=None):
        self._med_protected_write().write(dict(extra or {}, state=state))

    def action_start_investigation(self):
        self._med_ensure_state("draft")
        self._med_require_fields(["user_id"], self.env._("the investigation"))
        self._med_set_state("investigation")

    def action_plan_actions(self):
        self._med_ensure_state("investigation")
        self._med_require_fields(
            ["root_cause_method", "root_cause", "risk_severity", "risk_occurrence"],
            self.env._("planning the actions"),
        )
        self._med_set_state("action_plan")

    def action_implement(self):
        self._med_ensure_state("action_plan")
        without = self.filtered(lambda c: not c.action_ids)
        if without:
            raise UserError(
                self.env._(
                    "%(capas)s: plan at least one corrective or preventive action.",
                    capas=", ".join(without.mapped("name")),
                )
            )
        self._med_set_state("implementation")

    def _med_ensure_actions_done(self):
        for capa in self:
            open_actions = capa.action_ids.filtered(lambda a: a.state != "done")
            if open_actions:
                raise UserError(
                    self.env._(
                        "%(capa)s: these actions are not done yet: %(actions)s.",
                        capa=capa.name,
                        actions=", ".join(open_actions.mapped("name")),
                    )
                )

    def action_check_effectiveness(self):
        self._med_ensure_state("implementation")
        self._med_ensure_actions_done()
        self._med_require_fields(
            ["effectiveness_criteria", "effectiveness_date_deadline"],
            self.env._("the effectiveness check"),
        )
        self._med_set_state("effectiveness")
        for capa in self:
            capa.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=capa.effectiveness_date_deadline,
                summary=self.env._(
                    "Check the effectiveness of %(capa)s", capa=capa.name
                ),
                note=capa.effectiveness_criteria,
                user_id=capa.user_id.id,
            )

    def action_reopen_plan(self):
        """The effectiveness check failed: back to the action plan."""
        self._med_ensure_state("effectiveness")
        self._med_set_state("action_plan", {"effectiveness_result": False})

    def _med_ensure_closable(self):
        self._med_require_group(
            QA_MANAGER, self.env._("Only a QA manager closes a CAPA.")
        )
        self._med_ensure_state("effectiveness")
        self._med_ensure_actions_done()
        for capa in self:
            if capa.effectiveness_result != "effective":
                raise UserError(
                    self.env._(
                        "%(capa)s cannot be closed before its effectiveness check "
                        "shows the actions were effective: record the result (or "
                        "reopen the action plan).",
                        capa=capa.name,
                    )
                )
            if capa.company_id.med_capa_segregation and capa.user_id == self.env.user:
                raise UserError(
                    self.env._(
                        "You own %(capa)s: another QA manager must close it "
                        "(segregation of duties).",
                        capa=capa.name,
                    )
                )

    def action_close(self):
        self._med_ensure_closable()
        return self._med_request_signature(
            "closure", "_med_do_close", title=self.env._("Close the CAPA")
        )

    def _med_do_close(self):
        self._med_ensure_closable()
        self._med_finish_activities(self.env._("CAPA closed"))
        self._med_set_state(
            "closed",
            {"date_closed": fields.Datetime.now(), "closed_by_id": self.env.uid},
        )

    def _med_cancel(self, reason):
        if not reason or not reason.strip():
            raise UserError(self.env._("Say why the CAPA is cancelled."))
        finished = self.filtered(lambda c: c.state not in OPEN_STATES)
        if finished:
            raise UserError(
                self.env._(
                    "%(capas)s are already closed or cancelled.",
                    capas=", ".join(finished.mapped("name")),
                )
            )
        self._med_finish_activities(
            self.env._("CAPA cancelled: %(reason)s", reason=reason)
        )
        self.with_context(med_reason=reason)._med_set_state(
            "cancelled", {"cancel_reason": reason}
        )

    def _med_finish_activities(self, feedback):
        """Nobody is left with a to-do on a closed or cancelled CAPA: its activities
        are marked done, with why, in the chatter."""
        self.activity_ids.action_feedback(feedback=feedback)

    def action_cancel(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel the CAPA"),
            "res_model": "med.capa.cancel",
            "view_mode": "form",
            "target": "new",
            "context": {"default_capa_ids": self.ids},
        }

    def action_request_scar(self):
        """Ask the supplier for a corrective action by a due date (SCAR)."""
        today = fields.Date.context_today(self)
        for capa in self:
            if not capa.partner_id:
                raise UserError(
                    self.env._(
                        "%(capa)s has no supplier to send a corrective action request "
                        "to.",
                        capa=capa.name,
                    )
                )
            if not capa.scar_date_deadline or capa.scar_date_deadline < today:
                raise UserError(
                    self.env._(
                        "%(capa)s: give the supplier's response due date, from today "
                        "on.",
                        capa=capa.name,
                    )
                )
        for capa in self:
            capa._med_protected_write().scar_date_requested = today
            capa.message_post(
                body=self.env._(
                    "Supplier corrective action requested from %(supplier)s, answer "
                    "due %(date)s.",
                    supplier=capa.partner_id.display_name,
                    date=fields.Date.to_string(capa.scar_date_deadline),
                )
            )
            capa.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=capa.scar_date_deadline,
                summary=self.env._(
                    "SCAR response due from %(supplier)s",
                    supplier=capa.partner_id.display_name,
                ),
                user_id=(capa.user_id or self.env.user).id,
            )

    # -- links --
    def _med_link_event(self, nonconformance, event):
        """Add another occurrence of the problem to this open CAPA."""
        self.ensure_one()
        lots = event.get("lots") or self.env["stock.lot"]
        if lots - self.lot_ids:
            self.lot_ids = [fields.Command.link(lot.id) for lot in lots]
        if nonconformance and not nonconformance.capa_id:
            nonconformance.capa_id = self
        self.message_post(
            body=self.env._(
                "The problem occurred again: %(event)s",
                event=nonconformance.name or event["origin"].display_name,
            )
        )

    def _med_attach_recall_scope(self, lots):
        shipped = self._med_recall_scope_file(lots, self)
        if shipped:
            self._med_protected_write().write({"recall_risk": True})
            self.nonconformance_ids.filtered(
                lambda n: n.lot_ids & lots
            )._med_protected_write().write({"recall_risk": True})

    @api.model
    def _med_recall_scope_file(self, lots, record):
        """Attach to ``record`` the recall scope of ``lots`` (an xlsx evidence file)
        and tell its chatter; True when any of them, or of the lots made from them, was
        delivered to a customer."""
        # sudo: the recall risk is assessed over every delivery, whatever the user
        # who fired the rule may read.
        lots = lots.sudo()
        scope = lots.med_recall_scope()
        delivered = scope["delivered_move_lines"]
        # Filed through the evidence report engine: stamped with a verification
        # code, signed and recorded in Evidence Exports like every evidence file.
        export = self.env["med.dossier.wizard"]._med_export(
            "recall_scope",
            lots,
            title=self.env._("Recall scope %(record)s", record=record.name),
        )
        # sudo: the export's file is system evidence; the record gets a copy.
        attachment = self.env["ir.attachment"].create(
            {
                "name": export.name,
                "raw": export.attachment_id.sudo().raw,
                "res_model": record._name,
                "res_id": record.id,
            }
        )
        if delivered:
            body = self.env._(
                "Recall risk: %(count)s deliveries of %(lots)s (or of lots made from "
                "them) reached %(customers)s. See the recall scope attached.",
                count=len(delivered),
                lots=", ".join(lots.mapped("name")),
                customers=", ".join(scope["customers"].mapped("display_name")),
            )
        else:
            body = self.env._(
                "No delivery of %(lots)s, or of lots made from them, reached a "
                "customer. Recall scope attached.",
                lots=", ".join(lots.mapped("name")),
            )
        record.message_post(body=body, attachment_ids=attachment.ids)
        return bool(delivered)

    def _med_form_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "med.capa",
            "res_id": self.id,
            "view_mode": "form",
        }

    def action_open_nonconformances(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Nonconformances"),
            "res_model": "med.nonconformance",
            "view_mode": "list,form",
            "domain": [("capa_id", "=", self.id)],
            "context": {"default_capa_id": self.id, "create": False},
        }
