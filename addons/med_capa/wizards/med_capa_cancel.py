from odoo import fields, models


class MedCapaCancel(models.TransientModel):
    _name = "med.capa.cancel"
    _description = "Cancel CAPAs"

    capa_ids = fields.Many2many("med.capa", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.capa_ids._med_cancel(self.reason)  # the rule lives on med.capa
        return {"type": "ir.actions.act_window_close"}
