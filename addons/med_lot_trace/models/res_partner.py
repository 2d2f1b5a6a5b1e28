from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    med_min_shelf_life_days = fields.Integer(
        string="Minimum Shelf Life (days)",
        help="Deliveries to this customer are refused for lots with less remaining "
        "shelf life. Zero: the product's minimum applies.",
    )
    med_min_shelf_life_percent = fields.Float(
        string="Minimum Shelf Life (%)",
        help="Share of the total shelf life that must remain at delivery.",
    )

    med_udi_symbology = fields.Selection(
        [("datamatrix", "GS1 DataMatrix"), ("gs1_128", "GS1-128")],
        string="UDI Barcode on Delivery Slips",
        default="datamatrix",
        help="The UDI carrier printed for each lot/serial on this customer's "
        "delivery slips: GS1 DataMatrix, or GS1-128 when the customer asks for a "
        "linear barcode.",
    )

    @api.constrains("med_min_shelf_life_days", "med_min_shelf_life_percent")
    def _check_med_shelf_life(self):
        for partner in self:
            self.env["product.template"]._med_check_shelf_life_values(
                partner.med_min_shelf_life_days, partner.med_min_shelf_life_percent
            )
