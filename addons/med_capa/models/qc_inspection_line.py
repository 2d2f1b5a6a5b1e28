from odoo import api, models


class QcInspectionLine(models.Model):
    _inherit = "qc.inspection.line"

    @api.model_create_multi
    def create(self, vals_list):
        inspection_ids = {vals.get("inspection_id") for vals in vals_list}
        self.env["qc.inspection"].browse(
            inspection_ids - {None, False}
        )._med_check_result_open()
        return super().create(vals_list)

    def write(self, vals):
        self.inspection_id._med_check_result_open()
        if vals.get("inspection_id"):
            self.inspection_id.browse(vals["inspection_id"])._med_check_result_open()
        return super().write(vals)

    def unlink(self):
        self.inspection_id._med_check_result_open()
        return super().unlink()
