from odoo import models


class StockLot(models.Model):
    # The lot dossier (device history record) is a lot's evidence report.
    _name = "stock.lot"
    _inherit = ("stock.lot", "med.dossier.mixin")
