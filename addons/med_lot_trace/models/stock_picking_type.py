from odoo import fields, models

from .res_company import GATE_MODES


class StockPickingType(models.Model):
    _inherit = "stock.picking.type"

    med_gate_mode = fields.Selection(
        [("company", "Company Default")] + GATE_MODES,
        string="Lot Gates",
        default="company",
        required=True,
    )
