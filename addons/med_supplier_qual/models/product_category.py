from odoo import fields, models

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER


class ProductCategory(models.Model):
    _inherit = "product.category"

    med_supplier_gate_exempt = fields.Boolean(
        string="No Supplier Qualification Needed",
        help="Products of this category and its subcategories skip the supplier gates "
        "and the customer licence check at delivery.",
    )

    def write(self, vals):
        result = super().write(vals)
        if "med_supplier_gate_exempt" in vals:
            # The products of the subcategories follow too: the compute's dependency
            # only sees a product's own category.
            templates = (
                self.env["product.template"]
                .with_context(active_test=False)
                .search([("categ_id", "child_of", self.ids)])
            )
            self.env.add_to_compute(
                templates._fields["med_release_required"], templates
            )
            templates.flush_recordset(["med_release_required"])
            # the variants read the template's value through their own cache
            self.env["product.product"].invalidate_model(["med_release_required"])
        return result

    def action_med_gate_exempt(self):
        """From the go-live dry run: QA marks these categories without GxP
        relevance (packaging, office supplies)."""
        self._med_set_gate_exempt(True)

    def action_med_gate_relevant(self):
        self._med_set_gate_exempt(False)

    def _med_set_gate_exempt(self, exempt):
        self.env["med.signable.mixin"]._med_require_group(
            QA_MANAGER,
            self.env._(
                "Only a QA manager decides which categories need no supplier "
                "qualification."
            ),
        )
        # sudo: GxP relevance is QA's decision, while editing product categories is
        # the inventory managers' right; sudo keeps the user, whom the audit trail
        # records.
        self.sudo().write({"med_supplier_gate_exempt": exempt})
