from odoo import fields, models


class MedLotRecallSimulateLine(models.TransientModel):
    _name = "med.lot.recall.simulate.line"
    _description = "Recall Simulation Line"
    _order = "line_type, partner_id, location_id, lot_id"

    wizard_id = fields.Many2one(
        "med.lot.recall.simulate", required=True, ondelete="cascade"
    )
    line_type = fields.Selection(
        [("delivered", "Delivered"), ("on_hand", "On Hand")], required=True
    )
    partner_id = fields.Many2one("res.partner", string="Customer")
    location_id = fields.Many2one("stock.location")
    lot_id = fields.Many2one("stock.lot", required=True)
    product_id = fields.Many2one("product.product", required=True)
    quantity = fields.Float(digits="Product Unit of Measure")
    uom_id = fields.Many2one("uom.uom", string="Unit")
    date_last = fields.Datetime(string="Last Delivery")
    documents = fields.Char(help="The delivery orders.")
