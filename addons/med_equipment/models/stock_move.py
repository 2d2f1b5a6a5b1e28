from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        # Every delivery and return passes here (pickings, RPC, batch): the
        # installed base follows the stock.
        done = super()._action_done(cancel_backorder=cancel_backorder)
        self.env["med.installed.base"]._med_record_deliveries(done.move_line_ids)
        return done
