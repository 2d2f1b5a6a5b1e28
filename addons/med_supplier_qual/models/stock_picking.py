from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def button_validate(self):
        # The warning dialog is for warn mode only; every mode is enforced when the
        # moves are done.
        warn = any(
            company.med_supplier_gate_mode == "warn" for company in self.company_id
        )
        if warn and not self.env.context.get("med_supplier_gate_confirmed"):
            violations = self.move_ids._med_supplier_gate_messages()
            if violations and all(
                company.med_supplier_gate_mode == "warn" for company in violations
            ):
                return self.env["med.supplier.gate.confirm"]._med_open(
                    self,
                    [msg for _, messages in violations.values() for msg in messages],
                )
        return super().button_validate()
