from odoo import api, fields, models


class MedExportTemplate(models.Model):
    _inherit = "med.export.template"

    report = fields.Selection(
        selection_add=[("gsp_self_inspection", "Annual GSP self-inspection report")],
        ondelete={"gsp_self_inspection": "cascade"},
    )

    @api.model
    def _med_report_models(self):
        return {
            **super()._med_report_models(),
            "gsp_self_inspection": "med.gsp.self.inspection",
        }
