from odoo import fields, models
from odoo.osv import expression


class StockQuant(models.Model):
    _inherit = "stock.quant"

    med_lot_state = fields.Selection(related="lot_id.med_state", string="Lot Status")

    def _get_removal_strategy(self, product_id, location_id):
        strategy = super()._get_removal_strategy(product_id, location_id)
        # First expiry, first out for products with expiry dates, unless a category or
        # location asks for another strategy explicitly.
        if strategy == "fifo" and product_id.sudo().use_expiration_date:
            explicit = product_id.sudo().categ_id.removal_strategy_id
            location = location_id.sudo()
            while location and not explicit:
                explicit = location.removal_strategy_id
                location = location.location_id
            if not explicit:
                return "fefo"
        return strategy

    def _get_gather_domain(
        self,
        product_id,
        location_id,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=False,
    ):
        domain = super()._get_gather_domain(
            product_id, location_id, lot_id, package_id, owner_id, strict
        )
        if self.env.context.get("med_releasable_only"):
            # Reservation for customers never takes a lot that may not be shipped.
            domain = expression.AND(
                [
                    domain,
                    [
                        "|",
                        ("lot_id", "=", False),
                        "&",
                        ("lot_id.med_state", "=", "released"),
                        "|",
                        ("lot_id.expiration_date", "=", False),
                        ("lot_id.expiration_date", ">=", fields.Datetime.now()),
                    ],
                ]
            )
        return domain
