from odoo import fields, models

from ..models.med_export_template import AUTHORITY_REPORT, AUTHORITY_REPORT_SELECTION


class MedDossierWizard(models.TransientModel):
    _inherit = "med.dossier.wizard"

    report = fields.Selection(
        selection_add=AUTHORITY_REPORT_SELECTION,
        ondelete={AUTHORITY_REPORT: "cascade"},
    )
