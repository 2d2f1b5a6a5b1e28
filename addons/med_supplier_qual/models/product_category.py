from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    med_supplier_gate_exempt = fields.Boolean(
        string="No Supplier Qualification Needed",
        help="Products of this category and its subcategories skip the supplier gates "
        "and the customer licence check at delivery.",
    )
