from odoo import fields, models


class MedRecallLot(models.Model):
    """A lot in a recall's frozen scope: a recalled lot, or one made from it."""

    _name = "med.recall.lot"
    _description = "Recall Scope Lot"
    _order = "recall_id, selected desc, lot_id"

    recall_id = fields.Many2one(
        "med.recall", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    lot_id = fields.Many2one(
        "stock.lot", string="Lot/Serial", required=True, index=True
    )
    product_id = fields.Many2one(related="lot_id.product_id", store=True)
    selected = fields.Boolean(
        string="Recalled Lot",
        help="Chosen as defective; otherwise made from a recalled lot.",
    )
    lot_state = fields.Selection(related="lot_id.med_state", string="Lot Status")
