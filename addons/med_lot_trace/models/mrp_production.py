from odoo import models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    def _med_gate_findings(self, dry_run=False):
        """What the gates find on the components and products of these orders."""
        moves = self.move_raw_ids | self.move_finished_ids
        return moves._med_gate_findings(dry_run=dry_run)
