from odoo import fields, models

from odoo.addons.med_audit_export.models.med_export_template import DOSSIER_MODELS

# The recall's authority report (NMPA recall event report, FDA 21 CFR 806.10) in the
# dossier engine's catalog: the report is about recalls.
AUTHORITY_REPORT = "recall_authority"
DOSSIER_MODELS[AUTHORITY_REPORT] = "med.recall"
AUTHORITY_REPORT_SELECTION = [
    (AUTHORITY_REPORT, "Recall authority report (NMPA, FDA 806)")
]


class MedExportTemplate(models.Model):
    _inherit = "med.export.template"

    report = fields.Selection(
        selection_add=AUTHORITY_REPORT_SELECTION,
        ondelete={AUTHORITY_REPORT: "cascade"},
    )
