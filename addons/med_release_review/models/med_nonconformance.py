from odoo import api, models

# What changes the findings of the checks on a nonconformance's lots.
RECONCILED_FIELDS = {"state", "lot_ids", "quantity", "disposition"}


class MedNonconformance(models.Model):
    _inherit = "med.nonconformance"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records.sudo().lot_ids._med_reconcile_with_descendants()
        return records

    def write(self, vals):
        before = self.sudo().lot_ids
        result = super().write(vals)
        if RECONCILED_FIELDS.intersection(vals):
            # sudo: the checks cover every lot of the record, readable or not.
            (before | self.sudo().lot_ids)._med_reconcile_with_descendants()
        return result
