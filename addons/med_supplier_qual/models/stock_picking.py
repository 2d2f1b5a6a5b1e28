from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def button_validate(self):
        # The warning dialog is for warn mode only; every mode is enforced when the
        # moves are done.
        if not self.env.context.get("med_supplier_gate_confirmed"):
            warnings = self.move_ids._med_qualification_warnings()
            if warnings:
                return self.env["med.supplier.gate.confirm"]._med_open(
                    self,
                    warnings,
                    title=self.env._("Qualification Warning (资质审核警告)"),
                )
        return super().button_validate()
