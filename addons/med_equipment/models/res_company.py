from odoo import fields, models

EQUIPMENT_GATES = [
    ("block", "Refuse"),
    ("warn", "Warn and record the lapse"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    med_equipment_gate = fields.Selection(
        EQUIPMENT_GATES,
        string="Equipment with a Lapsed Calibration",
        required=True,
        default="block",
        help="Refuse: a manufacturing order cannot be done, nor an inspection "
        "recorded, with equipment whose calibration lapsed or that is out of "
        "service. Warn: it goes on, the lapse is recorded with the use and posted "
        "on the document.",
    )
