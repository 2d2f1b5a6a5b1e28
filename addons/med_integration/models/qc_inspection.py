from odoo import fields, models


class QcInspection(models.Model):
    _inherit = "qc.inspection"

    med_lab_ref = fields.Char(
        string="Lab Reference",
        index=True,
        copy=False,
        readonly=True,
        help="The external laboratory's reference of the imported result (LIMS).",
    )

    def _med_protected_names(self, config=None):
        # The lab reference makes a LIMS import idempotent: only the import sets it.
        # Cleared, the same lab result could be imported twice; given to a result
        # typed by hand, it would pass that result off as the laboratory's and
        # refuse the real one as a duplicate.
        return super()._med_protected_names(config) | {"med_lab_ref"}
