from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    med_capa_segregation = fields.Boolean(
        string="Segregation of Duties at CAPA Closure",
        default=True,
        help="The owner of a CAPA cannot close it: another QA manager signs the "
        "closure.",
    )
    med_eval_weight_inspection = fields.Float(
        string="Weight: Quantity Accepted at Inspection", default=40.0
    )
    med_eval_weight_capa = fields.Float(
        string="Weight: CAPAs Against the Supplier", default=20.0
    )
