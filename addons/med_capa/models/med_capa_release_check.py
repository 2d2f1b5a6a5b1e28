from odoo import models


class MedCapa(models.Model):
    """A CAPA runs its lots' release checks again when it changes (on top of the
    whole model: its own create and write have done their work first)."""

    _name = "med.capa"
    _inherit = ("med.release.reconciled.mixin", "med.capa")

    # What changes the findings of the checks on a CAPA's lots.
    _med_reconciled_fields = frozenset({"state", "lot_ids"})
