from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import in_categories

CERTIFICATE_SCOPES = [("supplier", "Supplier"), ("product", "Products")]
APPLIES_TO = [
    ("supplier", "Suppliers"),
    ("customer", "Customers"),
    ("both", "Suppliers and customers"),
]


class MedCertificateType(models.Model):
    """A kind of licence or certificate a supplier must hold (营业执照, 注册证 ...) or
    that qualifies a customer to buy medical devices (购货者资格: 医疗机构执业许可证,
    医疗器械经营许可证 or 备案凭证)."""

    _name = "med.certificate.type"
    _description = "Supplier Certificate Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short technical code, unique.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    scope = fields.Selection(
        CERTIFICATE_SCOPES,
        required=True,
        default="supplier",
        help="Supplier: one certificate covers everything the supplier delivers. "
        "Products: each certificate names the products or categories it covers.",
    )
    applies_to = fields.Selection(
        APPLIES_TO,
        required=True,
        default="supplier",
        help="Suppliers: checked by the supplier gates when mandatory. Customers: one "
        "valid certificate of any customer type qualifies a customer to receive "
        "deliveries.",
    )
    mandatory = fields.Boolean(
        help="Purchases and receipts are refused without a valid certificate of this "
        "type, for the suppliers and products below.",
    )
    partner_category_ids = fields.Many2many(
        "res.partner.category",
        string="Required for Supplier Tags",
        help="Only suppliers with one of these tags need it; empty: every supplier.",
    )
    product_categ_ids = fields.Many2many(
        "product.category",
        string="Required for Product Categories",
        help="Products-scope types: only products in these categories (or below) need "
        "it; empty: every gated product.",
    )
    permanent = fields.Boolean(
        help="Certificates of this type have no expiry date.",
    )
    attachment_required = fields.Boolean(
        string="Scan Required",
        default=True,
        help="A certificate of this type is saved only with its scan attached.",
    )
    reminder_days = fields.Integer(
        string="Remind Days Before Expiry",
        default=60,
        help="QA is told this many days before a certificate of this type expires.",
    )

    _sql_constraints = (
        ("code_unique", "unique(code)", "The code of a certificate type is unique."),
    )

    @api.constrains("reminder_days")
    def _check_reminder_days(self):
        if any(kind.reminder_days < 0 for kind in self):
            raise ValidationError(
                self.env._("The reminder cannot be a negative number of days.")
            )

    @api.constrains("applies_to", "scope")
    def _check_customer_scope(self):
        if any(k.applies_to != "supplier" and k.scope != "supplier" for k in self):
            raise ValidationError(
                self.env._(
                    "A customer qualification certificate covers the whole customer: "
                    "its scope is Supplier, not Products."
                )
            )

    def _med_required_for_partner(self, partner):
        """Is this supplier-scope type required of ``partner``?"""
        self.ensure_one()
        return not self.partner_category_ids or bool(
            self.partner_category_ids & partner.category_id
        )

    def _med_required_for_product(self, product):
        """Is this products-scope type required for ``product``?"""
        self.ensure_one()
        return not self.product_categ_ids or in_categories(
            product.categ_id, self.product_categ_ids
        )
