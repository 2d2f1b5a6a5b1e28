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
