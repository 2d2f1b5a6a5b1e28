from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    med_capa_segregation = fields.Boolean(
        related="company_id.med_capa_segregation", readonly=False
    )
    med_eval_weight_inspection = fields.Float(
        related="company_id.med_eval_weight_inspection", readonly=False
    )
    med_eval_weight_capa = fields.Float(
        related="company_id.med_eval_weight_capa", readonly=False
    )
