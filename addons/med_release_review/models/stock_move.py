from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        done = super()._action_done(cancel_backorder=cancel_backorder)
        lots = done.move_line_ids.lot_id
        if lots:
            done._med_record_ready_date()
            # A receipt, a production, a consumption, a scrap or a return changes
            # what the checks find on the lots waiting for release.
            Lot = self.env["stock.lot"]
            self.env["med.release.result"]._med_reconcile(Lot._med_pending_lots(lots))
        return done

    def _med_record_ready_date(self):
        """When a lot was received or produced: its release lead time starts then."""
        lots = self.filtered(
            lambda m: m.location_id.usage in ("supplier", "production")
        ).move_line_ids.lot_id.filtered(lambda lot: not lot.med_ready_date)
        if lots:
            lots._med_protected_write().write({"med_ready_date": fields.Datetime.now()})
