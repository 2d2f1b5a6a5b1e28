from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    med_sign_max_failures = fields.Integer(
        string="Wrong Passwords Before Lockout",
        config_parameter="med_audit_export.sign_max_failures",
        default=5,
    )
    med_sign_lockout_minutes = fields.Integer(
        string="Signature Lockout (minutes)",
        config_parameter="med_audit_export.sign_lockout_minutes",
        default=15,
    )
