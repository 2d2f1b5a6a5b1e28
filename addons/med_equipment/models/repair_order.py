from odoo import fields, models


class RepairOrder(models.Model):
    """Repairs are the service history of the installed base. The parts a repair
    adds become components of the repaired serial: Odoo links the repaired
    product's move line to the part move lines (stock_move_line_consume_rel)
    when the repair ends, which med_lot_trace's genealogy follows."""

    _inherit = "repair.order"

    med_added_lot_ids = fields.Many2many(
        "stock.lot",
        string="Part Lots Added",
        compute="_compute_med_part_lots",
        help="Lots of the parts put into the device by this repair.",
    )
    med_removed_lot_ids = fields.Many2many(
        "stock.lot",
        string="Part Lots Removed",
        compute="_compute_med_part_lots",
        help="Lots of the parts taken out of the device (replaced).",
    )
    med_complaint_ids = fields.One2many(
        "med.complaint", "repair_id", string="Complaints"
    )
    med_complaint_count = fields.Integer(
        string="Complaint Count", compute="_compute_med_complaint_count"
    )

    def _compute_med_part_lots(self):
        for repair in self:
            lines = repair.move_ids.filtered(lambda m: m.state != "cancel")
            repair.med_added_lot_ids = lines.filtered(
                lambda m: m.repair_line_type == "add"
            ).move_line_ids.lot_id
            repair.med_removed_lot_ids = lines.filtered(
                lambda m: m.repair_line_type in ("remove", "recycle")
            ).move_line_ids.lot_id

    def _compute_med_complaint_count(self):
        for repair in self:
            repair.med_complaint_count = len(repair.med_complaint_ids)

    def action_med_new_complaint(self):
        self.ensure_one()
        return self.env["med.complaint"]._med_form_action(
            {
                "default_repair_id": self.id,
                "default_lot_id": self.lot_id.id,
                "default_partner_id": self.partner_id.id,
                "default_channel": "repair",
            }
        )

    def action_med_complaints(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Complaints"),
            "res_model": "med.complaint",
            "view_mode": "list,form",
            "domain": [("repair_id", "=", self.id)],
        }
