from collections import defaultdict

from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _med_gate_findings(self, dry_run=False):
        # The supplier gates are checked again on the day of receipt, the customer
        # gate on the day of delivery.
        findings = super()._med_gate_findings(dry_run=dry_run)
        Gate = self.env["med.gate"]
        broken = [
            ("supplier", self._med_supplier_gate_messages()),
            ("customer", self._med_customer_gate_messages(dry_run=dry_run)),
        ]
        for gate, by_company in broken:
            for moves, messages in by_company.values():
                for document in moves.picking_id or moves:
                    findings += [
                        Gate._med_finding(
                            gate,
                            document,
                            message,
                            products=moves.product_id,
                        )
                        for message in messages
                    ]
        return findings

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

    def _med_customer_gate_messages(self, dry_run=False):
        """{company: (moves, messages)} for the deliveries to customers among these
        moves whose customer is not qualified on the day of delivery (in the
        company's time zone), for the companies whose customer gate is on (all of
        them in a ``dry_run``). Returns from customers and internal moves are not
        deliveries."""
        by_company = defaultdict(list)
        for move in self:
            if (
                move.state not in ("done", "cancel")
                and move.location_dest_id.usage == "customer"
                and move.location_id.usage != "customer"
                and (dry_run or move.company_id.med_customer_gate_mode != "off")
            ):
                by_company[move.company_id].append(move.id)
        Gate = self.env["med.supplier.gate"]
        Certificate = self.env["med.supplier.certificate"]
        result = {}
        for company, move_ids in by_company.items():
            moves = self.browse(move_ids)
            pairs = [
                (move.partner_id or move.picking_id.partner_id, move.product_id)
                for move in moves
            ]
            day = Certificate._med_company_today(company)
            messages = Gate._med_customer_violations(company, pairs, day)
            if messages:
                result[company] = (moves, messages)
        return result
