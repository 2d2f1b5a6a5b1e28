from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from odoo.addons.med_audit_export.models.base import PROTECTED_WRITE


class MedRecallLine(models.Model):
    """One customer and one lot of a recall: shipped (frozen with the scope),
    returned (from the done returns), destroyed on site (declared by the customer)
    and what is still outstanding."""

    _name = "med.recall.line"
    _description = "Recall Reconciliation Line"
    _order = "recall_id, partner_id, lot_id"
    _med_protected_fields = ("shipped_qty",)

    recall_id = fields.Many2one(
        "med.recall", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    recall_state = fields.Selection(related="recall_id.state", string="Recall Status")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True
    )
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial", required=True)
    product_id = fields.Many2one(related="lot_id.product_id", store=True)
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    shipped_qty = fields.Float(
        string="Shipped", digits="Product Unit of Measure", readonly=True
    )
    returned_qty = fields.Float(
        string="Returned",
        digits="Product Unit of Measure",
        compute="_compute_returned_qty",
    )
    destroyed_qty = fields.Float(
        string="Destroyed on Site",
        digits="Product Unit of Measure",
        help="Declared by the customer (certificate of destruction).",
    )
    destroyed_note = fields.Char(
        string="Declaration", help="The customer's declaration: who, when, reference."
    )
    outstanding_qty = fields.Float(
        string="Outstanding",
        digits="Product Unit of Measure",
        compute="_compute_returned_qty",
    )

    def write(self, vals):
        self.check_access("write")  # a refusal of access comes first
        trusted = self.env.context.get("med_protected_write") is PROTECTED_WRITE
        if not trusted and self.filtered(lambda line: line.recall_state != "launched"):
            raise UserError(
                self.env._("Declarations are recorded while the recall is launched.")
            )
        return super().write(vals)

    @api.depends("shipped_qty", "destroyed_qty")
    def _compute_returned_qty(self):
        returns = self.recall_id._med_returns()
        for line in self:
            returned = returns.get(line.recall_id.id, ({}, []))[0]
            line.returned_qty = returned.get((line.partner_id.id, line.lot_id.id), 0.0)
            line.outstanding_qty = max(
                line.shipped_qty - line.returned_qty - line.destroyed_qty, 0.0
            )

    @api.constrains("destroyed_qty", "destroyed_note")
    def _check_destroyed_qty(self):
        for line in self:
            if line.destroyed_qty < 0:
                raise ValidationError(
                    self.env._("A destroyed quantity cannot be negative.")
                )
            if not line.destroyed_qty:
                continue
            if line.recall_id.state != "launched":
                raise ValidationError(
                    self.env._(
                        "Destruction on site is declared once the recall is launched."
                    )
                )
            rounding = line.product_uom_id.rounding
            available = line.shipped_qty - line.returned_qty
            if (
                float_compare(
                    line.destroyed_qty, available, precision_rounding=rounding
                )
                > 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(customer)s cannot have destroyed %(destroyed)s of lot "
                        "%(lot)s: %(shipped)s shipped, %(returned)s returned.",
                        customer=line.partner_id.display_name,
                        destroyed=line.recall_id._med_qty(line.destroyed_qty),
                        lot=line.lot_id.name,
                        shipped=line.recall_id._med_qty(line.shipped_qty),
                        returned=line.recall_id._med_qty(line.returned_qty),
                    )
                )
            if not (line.destroyed_note or "").strip():
                raise ValidationError(
                    self.env._(
                        "Say who declared the destruction of lot %(lot)s at "
                        "%(customer)s, and when.",
                        lot=line.lot_id.name,
                        customer=line.partner_id.display_name,
                    )
                )
