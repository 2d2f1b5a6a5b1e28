from odoo import api, models

# What changes the findings of the checks on a CAPA's lots.
RECONCILED_FIELDS = {"state", "lot_ids"}


class MedCapa(models.Model):
    _inherit = "med.capa"

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
