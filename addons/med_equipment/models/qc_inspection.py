from odoo import api, fields, models

# An inspection is recorded when it leaves these states with a result.
OPEN_STATES = ("plan", "draft", "ready")
RESULT_STATES = ("waiting", "success", "failed")


class QcInspection(models.Model):
    _inherit = "qc.inspection"

    med_equipment_ids = fields.Many2many(
        "maintenance.equipment",
        "med_equipment_qc_inspection_rel",
        "inspection_id",
        "equipment_id",
        string="Equipment Used",
        compute="_compute_med_equipment_ids",
        store=True,
        readonly=False,
        help="Proposed from the test; recorded with its calibration when the "
        "result is recorded.",
    )
    med_equipment_usage_ids = fields.One2many(
        "med.equipment.usage", "inspection_id", string="Equipment Records"
    )

    @api.model
    def object_selection_values(self):
        # Servicing inspections (21 CFR 820.35(b) test data) are made on repairs.
        return super().object_selection_values() + [("repair.order", "Repair Order")]

    @api.depends("object_id")
    def _compute_product_id(self):
        result = super()._compute_product_id()
        for inspection in self:
            if inspection.object_id and inspection.object_id._name == "repair.order":
                inspection.product_id = inspection.object_id.product_id
        return result

    @api.depends("object_id")
    def _compute_lot(self):
        result = super()._compute_lot()
        for inspection in self:
            if inspection.object_id and inspection.object_id._name == "repair.order":
                inspection.lot_id = inspection.object_id.lot_id
        return result

    def _med_inspected_lots(self):
        if self.object_id and self.object_id._name == "repair.order":
            return self.lot_id or self.object_id.lot_id
        return super()._med_inspected_lots()

    @api.depends("test")
    def _compute_med_equipment_ids(self):
        for inspection in self:
            inspection.med_equipment_ids |= inspection.test.med_equipment_ids

    def write(self, vals):
        # Every way a result is recorded (the buttons, code, RPC) passes here.
        recording = self.browse()
        if vals.get("state") in RESULT_STATES:
            recording = self.filtered(lambda i: i.state in OPEN_STATES)
            Usage = self.env["med.equipment.usage"]
            # sudo: every piece of equipment counts, also what maintenance's
            # record rules hide from the user (equipment they do not follow).
            for inspection in recording:
                Usage._med_check(inspection, inspection.sudo().med_equipment_ids)
        result = super().write(vals)
        if recording:
            self.env["med.equipment.usage"]._med_record(
                recording,
                lambda i: i.sudo().med_equipment_ids,
                lambda i: i._med_inspected_lots(),
                "inspection_id",
            )
        return result
