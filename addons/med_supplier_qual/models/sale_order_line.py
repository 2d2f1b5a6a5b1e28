from odoo import api, models

from .sale_order import CONFIRMED_STATE

# Whose change puts another device (or the line on another order) under the gates.
GATED_LINE_FIELDS = {"product_id", "order_id"}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._med_check_sale_gates()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if GATED_LINE_FIELDS & set(vals):
            self._med_check_sale_gates()
        return result

    def _med_check_sale_gates(self):
        """A line added to a confirmed order (or changed to another device there)
        is a sale decided now: it passes the gates of a confirmation."""
        lines = self.filtered(
            lambda line: line.order_id.state == CONFIRMED_STATE
            and line.product_id
            and not line.display_type
        )
        Gate = self.env["med.gate"]
        for order, order_lines in lines.grouped("order_id").items():
            Gate._med_enforce(
                order._med_gate_findings(products=order_lines.product_id),
                subject=self.env._(
                    "A line for %(products)s cannot be added to or changed on "
                    "confirmed sales order %(order)s.",
                    products=self.env["med.supplier.gate"]._med_names(
                        order_lines.product_id
                    ),
                    order=order.display_name,
                ),
            )
