from odoo import fields, models


class QcTest(models.Model):
    _inherit = "qc.test"

    med_equipment_ids = fields.Many2many(
        "maintenance.equipment",
        "med_equipment_qc_test_rel",
        "test_id",
        "equipment_id",
        string="Equipment Used",
        help="The measuring equipment this test uses; its inspections propose it.",
    )
