from odoo import fields, models

SUBJECTS = [("supplier", "Suppliers"), ("equipment", "Equipment")]


class MedCertificateType(models.Model):
    _inherit = "med.certificate.type"

    med_subject = fields.Selection(
        SUBJECTS,
        string="Certificates Of",
        required=True,
        default="supplier",
        help="Suppliers: licences and certificates a supplier holds. Equipment: "
        "calibration and verification certificates of measuring "
        "and production equipment; they never gate purchases.",
    )
