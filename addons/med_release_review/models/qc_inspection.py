from odoo import api, models


class QcInspection(models.Model):
    _inherit = "qc.inspection"

    @api.model_create_multi
    def create(self, vals_list):
        inspections = super().create(vals_list)
        inspections._med_reconcile_lots()
        return inspections

    def write(self, vals):
        result = super().write(vals)
        if {"state", "qty", "lot_id", "object_id"}.intersection(vals):
            self._med_reconcile_lots()
        return result

    def _med_reconcile_lots(self):
        """An inspection started, finished or cancelled: the checks of its lots."""
        # sudo: the lots behind the inspection, whatever the inspector may read.
        lots = self.env["stock.lot"].union(
            *(inspection.sudo()._med_inspected_lots() for inspection in self)
        )
        lots = self.env["stock.lot"]._med_pending_lots(lots)
        self.env["med.release.result"]._med_reconcile(lots)
