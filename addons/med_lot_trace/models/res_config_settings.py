from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    med_gate_mode = fields.Selection(related="company_id.med_gate_mode", readonly=False)
    med_release_segregation = fields.Boolean(
        related="company_id.med_release_segregation", readonly=False
    )
