from odoo import api, fields, models

from .purchase_order import CONFIRMED_STATES, GATE_DEFERRED_KEY, OrderGateDeferred

# Whose change puts another product (or the line on another order) under the gates.
GATED_LINE_FIELDS = {"product_id", "order_id"}


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._med_ensure_supplier_gates()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if GATED_LINE_FIELDS & set(vals):
            self._med_ensure_supplier_gates()
        return result

    def _med_ensure_supplier_gates(self):
        """A line added to an order already confirmed (or changed to another
        product there) is a purchase decided now: it passes the supplier gates on
        today's date, in the company's gate mode, like a confirmation."""
        deferred = self.env.context.get(GATE_DEFERRED_KEY)
        if not isinstance(deferred, OrderGateDeferred):
            deferred = OrderGateDeferred(())
        lines = self.filtered(
            lambda line: line.order_id.state in CONFIRMED_STATES
            and line.order_id.id not in deferred.order_ids
            and line.product_id
            and not line.display_type
        )
        if not lines:
            return
        Gate = self.env["med.supplier.gate"]
        today = fields.Date.context_today(self)
        for order, order_lines in lines.grouped("order_id").items():
            pairs = [(order.partner_id, line.product_id) for line in order_lines]
            order._med_enforce_supplier_gates(
                [
                    self.env["med.gate"]._med_finding(
                        "supplier", order, message, products=order_lines.product_id
                    )
                    for message in Gate._med_violations(order.company_id, pairs, today)
                ]
                + order._med_first_operation_findings(order_lines.product_id),
                self.env._(
                    "A line for %(products)s cannot be added to or changed on "
                    "confirmed purchase order %(order)s: supplier %(supplier)s does "
                    "not pass the supplier qualification check for it.",
                    products=Gate._med_names(order_lines.product_id),
                    order=order.display_name,
                    supplier=order.partner_id.display_name,
                ),
            )
