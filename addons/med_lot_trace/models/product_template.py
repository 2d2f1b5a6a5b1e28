from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import gs1


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
    med_expiry_within_components = fields.Boolean(
        string="Expiry Not After Components",
        help="A lot of this product may not expire after the earliest expiring "
        "component lot it is made of: the release review flags it.",
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

    med_udi_di = fields.Char(
        string="UDI-DI (GTIN)",
        size=14,
        help="The device identifier of the UDI: a GTIN-14.",
    )
    med_registration_number = fields.Char(
        string="Registration/Filing No.",
        help="The device's marketing authorization: NMPA registration certificate or "
        "filing number, FDA 510(k)/PMA number or CE "
        "certificate. Printed on sales records, recall reports and letters.",
    )
    med_implantable = fields.Boolean(
        string="Implantable Device",
        help="Lots of an implantable device and their records are "
        "kept permanently (ISO 13485 7.5.9.2, NMPA record retention).",
    )
    med_expected_life_years = fields.Integer(
        string="Expected Life (years)",
        help="The device's design and expected life. A lot's records are kept at least "
        "that long after its production (ISO 13485 4.2.5, 21 CFR 820.180).",
    )
    med_manufacturer_id = fields.Many2one(
        "res.partner",
        string="Device Manufacturer",
        help="The registrant or manufacturer of a device this company distributes."
        " Empty: this company makes it.",
    )

    @api.constrains("med_udi_di")
    def _check_med_udi_di(self):
        for template in self.filtered("med_udi_di"):
            if len(template.med_udi_di) != 14 or not gs1.is_valid_gtin(
                template.med_udi_di
            ):
                raise ValidationError(
                    self.env._(
                        "%(gtin)s is not a valid GTIN-14: 14 digits, the last being "
                        "the GS1 check digit.",
                        gtin=template.med_udi_di,
                    )
                )

    @api.depends("tracking", "is_storable")
    def _compute_med_release_required(self):
        for template in self:
            template.med_release_required = (
                template.is_storable and template.tracking in ("lot", "serial")
            )

    @api.constrains("med_expected_life_years")
    def _check_med_expected_life_years(self):
        if any(template.med_expected_life_years < 0 for template in self):
            raise ValidationError(
                self.env._("The expected life of a device cannot be negative.")
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
            raise ValidationError(self.env._("Shelf-life days cannot be negative."))
        if not 0 <= percent <= 100:
            raise ValidationError(
                self.env._("A shelf-life minimum is a share between 0 and 100 percent.")
            )
