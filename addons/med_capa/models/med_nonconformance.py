from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.med_audit_export.models.base import PROTECTED_WRITE

from .med_capa_rule import SEVERITIES

SOURCES = [
    ("inspection", "Inspection"),
    ("complaint", "Complaint"),
    ("audit", "Audit Finding"),
    ("supplier", "Supplier Issue"),
    ("expiry", "Expiry Found in Stock"),
    ("manual", "Manual"),
]
# Recording a nonconformance of these sources by hand fires the rules of the trigger.
SOURCE_TRIGGERS = {"complaint": "complaint", "manual": "manual"}
STATES = [("open", "Open"), ("dispositioned", "Dispositioned")]
DISPOSITIONS = [
    ("use_as_is", "Use as Is"),
    ("rework", "Rework"),
    ("return", "Return to Supplier"),
    ("scrap", "Scrap"),
    ("concession", "Concession"),
]
# What an inspector records; once dispositioned, the record is the evidence.
FROZEN_FIELDS = {
    "description",
    "source",
    "severity",
    "product_id",
    "lot_ids",
    "quantity",
    "partner_id",
    "disposition",
    "disposition_note",
}


class MedNonconformance(models.Model):
    """Nonconforming product (ISO 13485 8.3, 不合格品控制): identified, segregated,
    evaluated and dispositioned; the disposition is signed by a QA manager."""

    _name = "med.nonconformance"
    _description = "Nonconformance"
    _inherit = ("mail.thread", "mail.activity.mixin", "med.signable.mixin")
    _order = "id desc"
    _check_company_auto = True
    _med_signature_actions = ("_med_do_disposition",)

    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/"
    )
    description = fields.Text(required=True, tracking=True)
    source = fields.Selection(SOURCES, required=True, default="manual", tracking=True)
    state = fields.Selection(
        STATES,
        string="Status",
        required=True,
        default="open",
        readonly=True,
        tracking=True,
        group_expand=True,
    )
    severity = fields.Selection(
        SEVERITIES, required=True, default="major", tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Reported By",
        default=lambda self: self.env.user,
        readonly=True,
    )
    date = fields.Datetime(
        string="Detected On", default=fields.Datetime.now, required=True, readonly=True
    )
    product_id = fields.Many2one(
        "product.product", check_company=True, index=True, tracking=True
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        string="Lots",
        check_company=True,
        domain="[('product_id', '=?', product_id)]",
    )
    quantity = fields.Float(
        string="Nonconforming Quantity", digits="Product Unit of Measure", tracking=True
    )
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    partner_id = fields.Many2one(
        "res.partner", string="Supplier", check_company=True, index=True, tracking=True
    )
    inspection_id = fields.Many2one("qc.inspection", check_company=True, index=True)
    picking_id = fields.Many2one("stock.picking", string="Transfer", check_company=True)
    production_id = fields.Many2one(
        "mrp.production", string="Manufacturing Order", check_company=True
    )
    capa_id = fields.Many2one(
        "med.capa", string="CAPA", check_company=True, index=True, tracking=True
    )
    rule_id = fields.Many2one("med.capa.rule", string="Opened by Rule", readonly=True)
    origin_ref = fields.Char(
        string="Origin",
        readonly=True,
        index=True,
        help="The record whose event opened this nonconformance.",
    )
    recall_risk = fields.Boolean(
        readonly=True,
        tracking=True,
        help="Lots of this nonconformance, or lots made from them, were delivered to "
        "customers.",
    )
    disposition = fields.Selection(DISPOSITIONS, tracking=True)
    disposition_note = fields.Text(string="Disposition Justification")
    disposition_date = fields.Datetime(readonly=True)
    disposition_user_id = fields.Many2one(
        "res.users", string="Dispositioned By", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        trusted = self.env.context.get("med_protected_write") is PROTECTED_WRITE
        for vals in vals_list:
            if not trusted:
                # A new nonconformance is open and undecided, whoever records it.
                vals.update(
                    state="open",
                    recall_risk=False,
                    disposition_date=False,
                    disposition_user_id=False,
                )
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "med.nonconformance"
                )
        records = super().create(vals_list)
        if not self.env.context.get("med_capa_rule_run"):
            for record in records.filtered(lambda r: r.source in SOURCE_TRIGGERS):
                record._med_fire_rules()
        return records

    def write(self, vals):
        frozen = FROZEN_FIELDS.intersection(vals)
        decided = self.filtered(lambda r: r.state != "open")
        if frozen and decided:
            raise UserError(
                self.env._(
                    "%(records)s are dispositioned: their findings and disposition "
                    "can no longer change. (已处置的不合格品不能修改。)",
                    records=", ".join(decided.mapped("name")),
                )
            )
        return super().write(vals)

    def _med_fire_rules(self):
        self.ensure_one()
        self.env["med.capa.rule"]._med_fire(
            SOURCE_TRIGGERS[self.source],
            [
                {
                    "origin": self,
                    "nonconformance": self,
                    "lots": self.lot_ids,
                    "product": self.product_id,
                    "partner": self.partner_id,
                    "quantity": self.quantity,
                    "description": self.description,
                    "severity": self.severity,
                    "company": self.company_id,
                }
            ],
        )

    def _med_attach_recall_scope(self, lots):
        """Attach the recall scope of ``lots`` and flag a recall risk if shipped."""
        shipped = self.env["med.capa"]._med_recall_scope_file(lots, self)
        if shipped:
            self._med_protected_write().write({"recall_risk": True})

    # -- disposition --
    def _med_check_disposition(self):
        if not self.env.user.has_group("med_audit_export.group_med_qa_manager"):
            raise UserError(
                self.env._(
                    "Only a QA manager decides the disposition of nonconforming "
                    "product. (仅质量负责人可处置不合格品。)"
                )
            )
        for record in self:
            if record.state != "open":
                raise UserError(
                    self.env._(
                        "%(record)s is already dispositioned. (已处置。)",
                        record=record.name,
                    )
                )
            if not record.disposition:
                raise UserError(
                    self.env._(
                        "Choose the disposition of %(record)s (use as is, rework, "
                        "return, scrap or concession) before signing. "
                        "(请选择处置方式。)",
                        record=record.name,
                    )
                )
            if record.quantity <= 0:
                raise UserError(
                    self.env._(
                        "Give the nonconforming quantity of %(record)s before its "
                        "disposition. (处置前请填写不合格数量。)",
                        record=record.name,
                    )
                )

    def action_disposition(self):
        self._med_check_disposition()
        return self._med_request_signature(
            "disposition",
            "_med_do_disposition",
            title=self.env._("Sign the Disposition"),
        )

    def _med_do_disposition(self):
        self._med_check_disposition()
        self._med_protected_write().write(
            {
                "state": "dispositioned",
                "disposition_date": fields.Datetime.now(),
                "disposition_user_id": self.env.uid,
            }
        )

    def action_open_capa(self):
        """Open a CAPA for these nonconformances (QA decides one is needed)."""
        records = self.filtered(lambda r: not r.capa_id)
        if not records:
            raise UserError(
                self.env._("These nonconformances already have a CAPA. (已有CAPA。)")
            )
        first = records[0]
        capa = self.env["med.capa"].create(
            {
                "title": first.description.splitlines()[0][:120],
                "source": first.source,
                "severity": first.severity,
                "company_id": first.company_id.id,
                "product_id": first.product_id.id,
                "partner_id": first.partner_id.id,
                "lot_ids": [fields.Command.set(records.lot_ids.ids)],
                "description": "\n".join(records.mapped("description")),
                "nonconformance_ids": [fields.Command.set(records.ids)],
            }
        )
        return capa._med_form_action()

    def action_open_inspection(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "qc.inspection",
            "res_id": self.inspection_id.id,
            "view_mode": "form",
        }
