from odoo import models
from odoo.tools import SQL


class StockMove(models.Model):
    _inherit = "stock.move"

    def _med_recalled_lots(self):
        """The recalled lots these moves would ship to a customer."""
        lots = self.filtered(
            lambda m: m.state not in ("done", "cancel") and m._med_for_customer()
        ).move_line_ids.lot_id
        if lots:
            # REPEATABLE READ: a recall launched after this transaction's snapshot is
            # invisible here. Locking the lots makes that launch's write of their
            # status fail this transaction (a serialization error Odoo retries, and
            # the retry refuses); a launch that comes later waits for this delivery,
            # which then precedes it.
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM stock_lot WHERE id = ANY(%s) ORDER BY id FOR SHARE",
                    lots.ids,
                )
            )
        return lots.filtered(lambda lot: lot.med_state == "recalled")

    def _med_gate_mode(self):
        # A recalled lot is never shipped, whatever the warehouse's gate mode: no
        # confirmation lets it through.
        if self._med_recalled_lots():
            return "block"
        return super()._med_gate_mode()

    def _med_gate_violations(self):
        violations = super()._med_gate_violations()
        lots = self._med_recalled_lots()
        if not lots:
            return violations
        # sudo: the warehouse is told which recall holds the lot, whatever recall
        # records it may read.
        scope = (
            self.env["med.recall.lot"]
            .sudo()
            .search([("lot_id", "in", lots.ids), ("recall_id.state", "=", "launched")])
        )
        recalls = {line.lot_id: line.recall_id for line in scope}
        for move in self:
            for lot in move._med_recalled_lots():
                recall = recalls.get(lot)
                violations.setdefault(move, []).append(
                    self.env._(
                        "Lot %(lot)s of %(product)s is recalled (%(recall)s): it "
                        "cannot be delivered. Put it aside for the recall.",
                        lot=lot.name,
                        product=move.product_id.display_name,
                        recall=recall.name if recall else lot.med_hold_reason or "",
                    )
                )
        return violations

    def _action_done(self, cancel_backorder=False):
        done = super()._action_done(cancel_backorder=cancel_backorder)
        self._med_link_recall_returns(done)
        return done

    def _med_link_recall_returns(self, done):
        """A return from a customer of lots in a launched recall is told to the
        recall (its quantities count in the reconciliation by themselves)."""
        lines = done.filtered(
            lambda m: m.location_id.usage == "customer"
            and m.location_dest_id.usage != "customer"
        ).move_line_ids.filtered("lot_id")
        if not lines:
            return
        # sudo: the warehouse user who receives the return may not read the recall,
        # yet its chatter must record the return.
        scope = (
            self.env["med.recall.lot"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", lines.lot_id.ids),
                    ("recall_id.state", "=", "launched"),
                ]
            )
        )
        for recall in scope.recall_id:
            lots = scope.filtered(lambda s, r=recall: s.recall_id == r).lot_id
            recall._med_post_return(
                lines.filtered(lambda ml, lots=lots: ml.lot_id in lots)
            )
