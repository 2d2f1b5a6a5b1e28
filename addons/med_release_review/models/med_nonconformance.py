from odoo import models


class MedNonconformance(models.Model):
    _name = "med.nonconformance"
    _inherit = ("med.release.reconciled.mixin", "med.nonconformance")

    # What changes the findings of the checks on a nonconformance's lots.
    _med_reconciled_fields = frozenset({"state", "lot_ids", "quantity", "disposition"})
