from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    med_equipment_gate = fields.Selection(
        related="company_id.med_equipment_gate", readonly=False
    )
