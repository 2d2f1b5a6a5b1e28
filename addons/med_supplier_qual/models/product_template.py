from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    med_supplier_gate_exempt = fields.Boolean(
        string="No Supplier Qualification Needed",
        help="Purchases and receipts of this product skip the supplier gates, and its "
        "deliveries the customer licence check (office supplies, non-GxP items). "
        "Services and consumables are never gated.",
    )
