from collections import defaultdict

from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        # Every path that receives stock ends here (button, RPC, batch): the supplier
        # gates are checked again on the day of receipt.
        confirmed = bool(self.env.context.get("med_supplier_gate_confirmed"))
        Gate = self.env["med.supplier.gate"]
        for company, (moves, messages) in self._med_supplier_gate_messages().items():
            Gate._med_enforce(moves.picking_id or moves, messages, company, confirmed)
        return super()._action_done(cancel_backorder=cancel_backorder)

    def _med_supplier(self):
        """The supplier of this incoming move: its purchase order's vendor, else the
        receipt's partner when that partner is a vendor."""
        self.ensure_one()
        if self.purchase_line_id:
            return self.purchase_line_id.order_id.partner_id.commercial_partner_id
        partner = self.picking_id.partner_id.commercial_partner_id
        return partner if partner.supplier_rank else partner.browse()

    def _med_supplier_gate_messages(self):
        """{company: (moves, messages)} for the receipts from suppliers among these
        moves that break the supplier gates today."""
        by_company = defaultdict(list)
        for move in self:
            if move.state in ("done", "cancel") or move.location_id.usage != "supplier":
                continue
            supplier = move._med_supplier()
            if supplier:
                by_company[move.company_id].append((move, supplier))
        Gate = self.env["med.supplier.gate"]
        result = {}
        today = fields.Date.context_today(self)
        for company, items in by_company.items():
            messages = Gate._med_violations(
                company,
                [(supplier, move.product_id) for move, supplier in items],
                today,
            )
            if messages:
                moves = self.browse([move.id for move, _ in items])
                result[company] = (moves, messages)
        return result
