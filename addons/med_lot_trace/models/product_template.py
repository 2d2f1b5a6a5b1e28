from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    med_release_required = fields.Boolean(
        string="Requires Batch Release",
        compute="_compute_med_release_required",
        store=True,
        readonly=False,
        help="New lots start in quarantine and must be released by QA, with an "
        "electronic signature, before they are shipped or consumed.",
    )
    med_min_shelf_life_days = fields.Integer(
        string="Minimum Shelf Life at Delivery (days)",
        help="Used when the customer has no minimum of its own.",
    )
    med_min_shelf_life_percent = fields.Float(
        string="Minimum Shelf Life at Delivery (%)",
        help="Share of the total shelf life that must remain when delivered.",
    )
    med_min_receipt_shelf_life_days = fields.Integer(
        string="Minimum Shelf Life at Receipt (days)"
    )

    @api.depends("tracking", "is_storable")
    def _compute_med_release_required(self):
        for template in self:
            template.med_release_required = (
                template.is_storable and template.tracking in ("lot", "serial")
            )

    @api.constrains(
        "med_min_shelf_life_days",
        "med_min_shelf_life_percent",
        "med_min_receipt_shelf_life_days",
    )
    def _check_med_shelf_life(self):
        for template in self:
            template._med_check_shelf_life_values(
                template.med_min_shelf_life_days,
                template.med_min_shelf_life_percent,
                template.med_min_receipt_shelf_life_days,
            )

    def _med_check_shelf_life_values(self, days, percent, receipt_days=0):
        if days < 0 or receipt_days < 0:
            raise ValidationError(
                self.env._(
                    "Shelf-life days cannot be negative. (剩余效期天数不能为负数。)"
                )
            )
        if not 0 <= percent <= 100:
            raise ValidationError(
                self.env._(
                    "A shelf-life minimum is a share between 0 and 100 percent. "
                    "(剩余效期比例须在 0 到 100 之间。)"
                )
            )
