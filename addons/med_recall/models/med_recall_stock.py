from odoo import fields, models


class MedRecallStock(models.Model):
    """Stock of a lot in scope in one internal location when the scope was frozen."""

    _name = "med.recall.stock"
    _description = "Recall Stock at Opening"
    _order = "recall_id, location_id, lot_id"

    recall_id = fields.Many2one(
        "med.recall", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    location_id = fields.Many2one("stock.location", required=True)
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial", required=True)
    product_id = fields.Many2one(related="lot_id.product_id", store=True)
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    quantity = fields.Float(digits="Product Unit of Measure", readonly=True)
