from odoo import fields, models


class MedGateConfirm(models.TransientModel):
    """In warn mode, the user confirms a transfer that breaks a lot gate; the
    confirmation is recorded in the audit trail with the broken rules."""

    _name = "med.gate.confirm"
    _description = "Confirm a Lot Gate Warning"

    picking_ids = fields.Many2many("stock.picking", required=True)
    message = fields.Text(readonly=True)

    def action_confirm(self):
        return self.picking_ids.with_context(med_gate_confirmed=True).button_validate()
