from odoo import models


class StockLot(models.Model):
    # Lots are signed (release, hold, reject) and their audited changes need a reason:
    # the mixin brings the signatures and the form's "reason for change" field.
    _inherit = ("stock.lot", "med.signable.mixin")
    _name = "stock.lot"
