from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    med_capa_segregation = fields.Boolean(
        related="company_id.med_capa_segregation", readonly=False
    )
