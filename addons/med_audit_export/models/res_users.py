from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    # Written only by the signature wizard, from its own cursor (med.signature.wizard)
    med_sign_failures = fields.Integer(
        string="Failed Signature Attempts", readonly=True, copy=False
    )
    med_sign_locked_until = fields.Datetime(
        string="Signing Locked Until", readonly=True, copy=False
    )
