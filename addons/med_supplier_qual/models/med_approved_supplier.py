from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import in_categories

APPROVAL_STATES = [
    ("approved", "Approved"),
    ("conditional", "Conditionally Approved"),
    ("suspended", "Suspended"),
    ("disqualified", "Disqualified"),
]


class MedApprovedSupplier(models.Model):
    """One line of the approved supplier list (合格供方名录): this supplier may supply
    this product (or any product of this category) for this company, in this period."""

    _name = "med.approved.supplier"
    _description = "Approved Supplier List Entry"
    _inherit = ("mail.thread",)
    _order = "partner_id, product_id, categ_id, id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Supplier",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
    )
    product_id = fields.Many2one(
        "product.product", index=True, tracking=True, check_company=True
    )
    categ_id = fields.Many2one(
        "product.category", string="Product Category", tracking=True
    )
    state = fields.Selection(
        APPROVAL_STATES, required=True, default="approved", tracking=True
    )
    date_start = fields.Date(
        string="Valid From", required=True, default=fields.Date.context_today
    )
    date_end = fields.Date(string="Valid Until")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    supplier_state = fields.Selection(
        related="partner_id.med_supplier_state", string="Supplier Qualification"
    )
    note = fields.Text()

    @api.depends("partner_id", "product_id", "categ_id")
    def _compute_display_name(self):
        for entry in self:
            item = entry.product_id or entry.categ_id
            entry.display_name = f"{entry.partner_id.name} · {item.display_name or ''}"

    @api.constrains("product_id", "categ_id")
    def _check_item(self):
        for entry in self:
            if bool(entry.product_id) == bool(entry.categ_id):
                raise ValidationError(
                    self.env._(
                        "An approved supplier entry names a product or a product "
                        "category, one of the two."
                    )
                )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for entry in self:
            if entry.date_end and entry.date_end < entry.date_start:
                raise ValidationError(
                    self.env._(
                        "The entry for %(supplier)s ends before it starts.",
                        supplier=entry.partner_id.display_name,
                    )
                )

    def _med_covers(self, product, day, states):
        """Does this entry allow buying ``product`` on ``day``?"""
        self.ensure_one()
        return (
            self.state in states
            and self.date_start <= day
            and (not self.date_end or self.date_end >= day)
            and (
                self.product_id == product
                or (
                    not self.product_id
                    and in_categories(product.categ_id, self.categ_id)
                )
            )
        )

    # -- evidence --
    def _med_export_columns(self):
        return [
            self.env._("Supplier"),
            self.env._("Supplier Qualification"),
            self.env._("Product"),
            self.env._("Product Category"),
            self.env._("Status"),
            self.env._("Valid From"),
            self.env._("Valid Until"),
            self.env._("Company"),
        ]

    def _med_export_rows(self):
        states = dict(self._fields["state"]._description_selection(self.env))
        supplier_states = dict(
            self.env["res.partner"]
            ._fields["med_supplier_state"]
            ._description_selection(self.env)
        )
        for entry in self:
            yield [
                entry.partner_id.display_name,
                supplier_states.get(entry.supplier_state, ""),
                entry.product_id.display_name or "",
                entry.categ_id.display_name or "",
                states[entry.state],
                fields.Date.to_string(entry.date_start),
                fields.Date.to_string(entry.date_end) if entry.date_end else "",
                entry.company_id.name,
            ]

    def action_med_export_xlsx(self):
        """The selected entries (or, when none is selected, those in force) as an
        xlsx evidence file."""
        entries = self or self.search([("state", "in", ("approved", "conditional"))])
        title = self.env._("Approved Supplier List")
        Export = self.env["med.audit.export"]
        content = Export._med_render_table(
            "xlsx",
            {"title": title},
            entries._med_export_columns(),
            entries._med_export_rows(),
        )
        export = Export._med_record_export(
            title,
            "xlsx",
            content,
            self.env._("%(count)s entries", count=len(entries)),
            len(entries),
        )
        return export.action_download()
