from odoo import api, fields, models

# The recall's authority report (NMPA recall event report, FDA 21 CFR 806.10) in the
# dossier engine's catalog: the report is about recalls.
AUTHORITY_REPORT = "recall_authority"


class MedExportTemplate(models.Model):
    _inherit = "med.export.template"

    report = fields.Selection(
        selection_add=[(AUTHORITY_REPORT, "Recall authority report (NMPA, FDA 806)")],
        ondelete={AUTHORITY_REPORT: "cascade"},
    )

    @api.model
    def _med_report_models(self):
        return {**super()._med_report_models(), AUTHORITY_REPORT: "med.recall"}
