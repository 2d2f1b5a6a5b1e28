from odoo import api, models


class MedReleaseReconciledMixin(models.AbstractModel):
    """A quality record (nonconformance, CAPA) whose lots' release checks run again
    when it is created or when one of ``_med_reconciled_fields`` changes."""

    _name = "med.release.reconciled.mixin"
    _description = "Quality record that changes its lots' release checks"
    _med_reconciled_fields = frozenset()

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        # sudo: the checks cover every lot of the record, readable or not.
        records.sudo().lot_ids._med_reconcile_with_descendants()
        return records

    def write(self, vals):
        before = self.sudo().lot_ids
        result = super().write(vals)
        if self._med_reconciled_fields.intersection(vals):
            # sudo: the checks cover every lot of the record, readable or not.
            (before | self.sudo().lot_ids)._med_reconcile_with_descendants()
        return result
