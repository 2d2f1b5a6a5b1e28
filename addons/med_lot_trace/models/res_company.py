from odoo import fields, models

GATE_MODES = [("block", "Block"), ("warn", "Warn and confirm")]


class ResCompany(models.Model):
    _inherit = "res.company"

    med_gate_mode = fields.Selection(
        GATE_MODES,
        string="Lot Gates",
        default="block",
        required=True,
        help="What happens when a transfer or a manufacturing order moves a lot that "
        "is not released, expired or too short-dated.",
    )
    med_release_segregation = fields.Boolean(
        string="Segregation of Duties at Release",
        default=True,
        help="The user who received or produced a lot cannot release it.",
    )
