from odoo import api, fields, models
from odoo.exceptions import UserError

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
    "lot_id",
    "installed_base_id",
    "repair_id",
    "description",
    "severity",
    "adverse_event",
    "date_received",
}


class MedComplaint(models.Model):
    """A customer complaint (投诉) about a serial or lot. Registering it applies
    the CAPA rules of the complaint trigger: nonconformance, CAPA, hold and recall
    risk as QA configured them."""

    _name = "med.complaint"
    _description = "Complaint"
    _inherit = ("mail.thread", "mail.activity.mixin", "med.signable.mixin")
    _order = "id desc"
    _check_company_auto = True
    _med_signature_actions = ("_med_do_close",)

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
        help="The complaint may be a reportable adverse event (可疑医疗器械不良事件): "
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

    @api.onchange("installed_base_id")
    def _onchange_installed_base_id(self):
        if self.installed_base_id:
            self.lot_id = self.installed_base_id.lot_id
            self.partner_id = self.installed_base_id.partner_id

    @api.onchange("repair_id")
    def _onchange_repair_id(self):
        if self.repair_id:
            self.lot_id = self.repair_id.lot_id or self.lot_id
            self.partner_id = self.repair_id.partner_id or self.partner_id

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.update(state="draft", date_closed=False, closed_by_id=False)
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("med.complaint")
        return super().create(vals_list)

    def write(self, vals):
        registered = self.filtered(lambda c: c.state != "draft")
        if registered and FROZEN_FIELDS.intersection(vals):
            raise UserError(
                self.env._(
                    "%(complaints)s are registered: what the customer reported can "
                    "no longer change. (已登记的投诉不能修改。)",
                    complaints=", ".join(registered.mapped("name")),
                )
            )
        return super().write(vals)

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
                        "%(complaint)s is already registered. (已登记。)",
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
    def _med_check_close(self):
        if not self.env.user.has_group("med_audit_export.group_med_qa_manager"):
            raise UserError(
                self.env._(
                    "Only a QA manager closes complaints. (仅质量负责人可关闭投诉。)"
                )
            )
        for complaint in self:
            if complaint.state != "open":
                raise UserError(
                    self.env._(
                        "%(complaint)s is not open. (投诉未处于处理中。)",
                        complaint=complaint.name,
                    )
                )
            if not (complaint.closure_note or "").strip():
                raise UserError(
                    self.env._(
                        "Write the answer to the customer of %(complaint)s before "
                        "closing it. (请填写答复。)",
                        complaint=complaint.name,
                    )
                )

    def action_close(self):
        self._med_check_close()
        return self._med_request_signature(
            "closure", "_med_do_close", title=self.env._("Close the Complaint")
        )

    def _med_do_close(self):
        self._med_check_close()
        self._med_protected_write().write(
            {
                "state": "closed",
                "date_closed": fields.Datetime.now(),
                "closed_by_id": self.env.uid,
            }
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
