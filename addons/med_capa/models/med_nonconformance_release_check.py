from odoo import models


class MedNonconformance(models.Model):
    """A nonconformance runs its lots' release checks again when it changes (on top
    of the whole model: its own create and write have done their work first)."""

    _name = "med.nonconformance"
    _inherit = ("med.release.reconciled.mixin", "med.nonconformance")

    # What changes the findings of the checks on a nonconformance's lots.
    _med_reconciled_fields = frozenset({"state", "lot_ids", "quantity", "disposition"})
