from odoo import fields, models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    def button_confirm(self):
        orders = self.filtered(lambda order: order.state in ("draft", "sent"))
        violations = orders._med_supplier_gate_messages()
        if violations:
            if not self.env.context.get("med_supplier_gate_confirmed") and all(
                order.company_id.med_supplier_gate_mode == "warn"
                for order in violations
            ):
                return self.env["med.supplier.gate.confirm"]._med_open(
                    orders, [msg for msgs in violations.values() for msg in msgs]
                )
            orders._med_enforce_supplier_gates(violations)
        return super().button_confirm()

    def button_approve(self, force=False):
        # Orders waiting for a second approval are checked again when approved: a
        # licence may lapse in between. (Draft orders come from button_confirm.)
        waiting = self.filtered(lambda order: order.state == "to approve")
        waiting._med_enforce_supplier_gates(waiting._med_supplier_gate_messages())
        return super().button_approve(force=force)

    def _med_supplier_gate_day(self):
        self.ensure_one()
        return fields.Date.context_today(self, self.date_order)

    def _med_supplier_gate_messages(self):
        """{order: [messages]} for the orders that break the supplier gates."""
        Gate = self.env["med.supplier.gate"]
        result = {}
        for order in self:
            pairs = [
                (order.partner_id, line.product_id)
                for line in order.order_line
                if line.product_id and not line.display_type
            ]
            messages = Gate._med_violations(
                order.company_id, pairs, order._med_supplier_gate_day()
            )
            if messages:
                result[order] = messages
        return result

    def _med_enforce_supplier_gates(self, violations):
        confirmed = bool(self.env.context.get("med_supplier_gate_confirmed"))
        for order, messages in violations.items():
            self.env["med.supplier.gate"]._med_enforce(
                order, messages, order.company_id, confirmed
            )
