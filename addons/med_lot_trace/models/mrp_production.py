from odoo import models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    def _post_inventory(self, cancel_backorder=False):
        result = super()._post_inventory(cancel_backorder=cancel_backorder)
        # The produced lots are linked to their components only now, after their
        # moves were done: the release checks that follow the genealogy run again.
        lots = self.move_finished_ids.move_line_ids.lot_id
        self.env["med.release.result"]._med_reconcile(
            self.env["stock.lot"]._med_pending_lots(lots)
        )
        return result

    def _med_gate_findings(self, dry_run=False):
        """What the gates find on the components and products of these orders."""
        moves = self.move_raw_ids | self.move_finished_ids
        return moves._med_gate_findings(dry_run=dry_run)
