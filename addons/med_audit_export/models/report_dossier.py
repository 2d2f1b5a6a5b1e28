from odoo import api, models


class ReportDossier(models.AbstractModel):
    """The PDF of an evidence report: its sections come in the data, already read."""

    _name = "report.med_audit_export.report_dossier"
    _description = "Evidence Report (PDF)"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        return {
            "doc_ids": docids,
            "title": data.get("title"),
            "header": data.get("header") or [],
            "sections": data.get("sections") or [],
            "footer": data.get("footer"),
        }
