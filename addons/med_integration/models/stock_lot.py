from odoo import models


class StockLot(models.Model):
    _inherit = "stock.lot"

    def _med_log_event(self, operation, reason=None, details=None):
        """A recall simulation (the wizard's, or the API's) also records an
        integration event, which automation rules (trusted events) react to."""
        result = super()._med_log_event(operation, reason=reason, details=details)
        if operation == "recall_simulation" and self:
            self.env["med.integration.event"]._med_record("recall_scope", self, details)
        return result
