from odoo import api, models
from odoo.tools import formatLang


class QcInspectionLine(models.Model):
    _inherit = "qc.inspection.line"

    @api.model_create_multi
    def create(self, vals_list):
        inspection_ids = {vals.get("inspection_id") for vals in vals_list}
        self.env["qc.inspection"].browse(
            inspection_ids - {None, False}
        )._med_ensure_result_open()
        return super().create(vals_list)

    def write(self, vals):
        self.inspection_id._med_ensure_result_open()
        if vals.get("inspection_id"):
            self.inspection_id.browse(vals["inspection_id"])._med_ensure_result_open()
        return super().write(vals)

    def _compute_valid_values(self):
        # quality_control_oca stores no specification for a quantitative line created
        # by a user outside the units-of-measure group: the inspector then enters
        # results blind. The range is stored for every line, with its unit.
        result = super()._compute_valid_values()
        for line in self.filtered(lambda line: line.question_type != "qualitative"):
            low = formatLang(self.env, line.min_value)
            high = formatLang(self.env, line.max_value)
            unit = line.test_uom_id.name or ""
            line.valid_values = f"{low} ~ {high} {unit}".strip()
        return result

    def unlink(self):
        with self._med_refused_deletion_recorder():
            self.inspection_id._med_ensure_result_open()
        return super().unlink()
