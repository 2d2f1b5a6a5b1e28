from odoo import api, fields, models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    med_equipment_ids = fields.Many2many(
        "maintenance.equipment",
        "med_equipment_production_rel",
        "production_id",
        "equipment_id",
        string="Equipment Used",
        compute="_compute_med_equipment_ids",
        store=True,
        readonly=False,
        check_company=True,
        help="Proposed from the work centers of the operations; add what else "
        "was used. Recorded with its calibration when the order is done.",
    )
    med_equipment_usage_ids = fields.One2many(
        "med.equipment.usage", "production_id", string="Equipment Records"
    )

    @api.depends("workorder_ids.workcenter_id")
    def _compute_med_equipment_ids(self):
        for production in self:
            production.med_equipment_ids |= (
                production.workorder_ids.workcenter_id.med_equipment_ids
            )

    def button_mark_done(self):
        # Checked before the stock moves: a refusal leaves the order as it was.
        pending = self.filtered(lambda p: p.state != "done")
        pending._med_ensure_equipment()
        result = super().button_mark_done()
        done = pending.filtered(
            lambda p: p.state == "done" and not p.med_equipment_usage_ids
        )
        if done:
            # sudo on the equipment: see _med_ensure_equipment
            self.env["med.equipment.usage"]._med_record(
                done,
                lambda p: p.sudo().med_equipment_ids,
                lambda p: p.lot_producing_id | p.move_finished_ids.move_line_ids.lot_id,
                "production_id",
            )
        return result

    def _med_ensure_equipment(self):
        # sudo (here and when recording): every piece of equipment counts, also
        # what maintenance's record rules hide from the user (equipment they do
        # not follow would otherwise escape the check).
        Usage = self.env["med.equipment.usage"]
        for production in self:
            Usage._med_check(production, production.sudo().med_equipment_ids)
