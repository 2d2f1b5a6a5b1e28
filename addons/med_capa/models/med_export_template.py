from odoo import api, fields, models


class MedExportTemplate(models.Model):
    _inherit = "med.export.template"

    report = fields.Selection(
        selection_add=[
            ("capa_report", "CAPA report"),
            ("recall_scope", "Recall scope"),
        ],
        ondelete={"capa_report": "cascade", "recall_scope": "cascade"},
    )

    @api.model
    def _med_report_models(self):
        return {
            **super()._med_report_models(),
            "capa_report": "med.capa",
            # filed by a CAPA rule on the CAPA or nonconformance it opens
            "recall_scope": "stock.lot",
        }
