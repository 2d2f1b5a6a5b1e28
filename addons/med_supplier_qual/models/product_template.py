from odoo import api, fields, models

from ..tools import in_categories


class ProductTemplate(models.Model):
    _inherit = "product.template"

    med_supplier_gate_exempt = fields.Boolean(
        string="No Supplier Qualification Needed",
        help="Purchases and receipts of this product skip the supplier gates, and its "
        "deliveries the customer licence check (office supplies, non-GxP items). "
        "Services and consumables are never gated.",
    )
    med_classification_code = fields.Char(
        string="Device Classification Code",
        help="The code of the device in NMPA's classification catalogue (e.g. "
        "14-01-02, or 6815 in the 2002 catalogue). A customer's licence must list "
        "it, or a code above it, in its business scope for the device to be sold or "
        "delivered to that customer.",
    )

    @api.depends("categ_id.med_supplier_gate_exempt")
    def _compute_med_release_required(self):
        # A category QA marked without GxP relevance (itself or a parent) holds no
        # devices: its lots need no batch release either, so the lot gates leave them
        # alone as the supplier gates do.
        result = super()._compute_med_release_required()
        exempt = self.env["product.category"].search(
            [("med_supplier_gate_exempt", "=", True)]
        )
        if exempt:
            for template in self.filtered("med_release_required"):
                if in_categories(template.categ_id, exempt):
                    template.med_release_required = False
        return result
