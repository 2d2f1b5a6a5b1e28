from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    med_warranty_months = fields.Integer(
        string="Warranty (Months)",
        help="Warranty of a delivered device from its installation, for "
        "the installed base.",
    )
