from odoo import api, fields, models


class MedExportTemplate(models.Model):
    _inherit = "med.export.template"

    report = fields.Selection(
        selection_add=[("recall_report", "Recall report")],
        ondelete={"recall_report": "cascade"},
    )

    @api.model
    def _med_report_models(self):
        return {**super()._med_report_models(), "recall_report": "stock.lot"}
