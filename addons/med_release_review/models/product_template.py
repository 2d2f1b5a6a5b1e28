from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    med_expiry_within_components = fields.Boolean(
        string="Expiry Not After Components",
        help="A lot of this product may not expire after the earliest expiring "
        "component lot it is made of: the release review flags it.",
    )
