from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        done = super()._action_done(cancel_backorder=cancel_backorder)
        done._med_record_ready_date()
        return done

    def _med_record_ready_date(self):
        """When a lot was received or produced: its release lead time starts then."""
        lots = self.filtered(
            lambda m: m.location_id.usage in ("supplier", "production")
        ).move_line_ids.lot_id.filtered(lambda lot: not lot.med_ready_date)
        if lots:
            lots._med_protected_write().write({"med_ready_date": fields.Datetime.now()})
