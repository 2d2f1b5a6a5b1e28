from odoo import fields, models


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    # Genealogy and recall-scope queries select move lines by lot; Odoo 18 has no index
    # on this column. Most move lines carry no lot, so a partial index stays small.
    lot_id = fields.Many2one(index="btree_not_null")

    med_lot_state = fields.Selection(related="lot_id.med_state", string="Lot Status")
