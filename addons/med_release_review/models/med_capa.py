from odoo import models


class MedCapa(models.Model):
    _name = "med.capa"
    _inherit = ("med.release.reconciled.mixin", "med.capa")

    # What changes the findings of the checks on a CAPA's lots.
    _med_reconciled_fields = frozenset({"state", "lot_ids"})
