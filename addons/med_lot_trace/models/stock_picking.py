from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def button_validate(self):
        # In warn mode the user sees every gate's warnings first, in one window;
        # every mode is enforced when the moves are done.
        Gate = self.env["med.gate"]
        warnings = Gate._med_warnings_to_confirm(self._med_gate_findings())
        if warnings:
            return Gate._med_confirm_action(
                warnings, resume="button_validate", records=self
            )
        return super().button_validate()

    def _med_gate_findings(self, dry_run=False):
        return self.move_ids._med_gate_findings(dry_run=dry_run)
