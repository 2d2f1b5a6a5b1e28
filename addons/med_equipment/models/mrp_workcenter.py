from odoo import fields, models


class MrpWorkcenter(models.Model):
    _inherit = "mrp.workcenter"

    med_equipment_ids = fields.Many2many(
        "maintenance.equipment",
        "med_equipment_workcenter_rel",
        "workcenter_id",
        "equipment_id",
        string="Equipment",
        check_company=True,
        help="The equipment used at this work center: manufacturing orders that "
        "work here record it, with its calibration, when they are done.",
    )
