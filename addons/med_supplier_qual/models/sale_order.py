from odoo import api, models

# An order in this state binds the company to sell: reaching it is the sales decision
# the customer gate and the first-operation gate decide, whatever the path (the
# button, a write of ``state`` over JSON-RPC or import, an order created confirmed).
CONFIRMED_STATE = "sale"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        # The gates hold in write(), when the state changes; here, in warn mode, the
        # user sees every warning first and confirms them in one window.
        pending = self.filtered(lambda order: order.state in ("draft", "sent"))
        Gate = self.env["med.gate"]
        warnings = Gate._med_warnings_to_confirm(pending._med_gate_findings())
        if warnings:
            return Gate._med_confirm_action(
                warnings, resume="action_confirm", records=self
            )
        return super().action_confirm()

    @api.model_create_multi
    def create(self, vals_list):
        default_state = self.env.context.get("default_state")
        states = [vals.get("state", default_state) for vals in vals_list]
        if CONFIRMED_STATE not in states:
            return super().create(vals_list)
        # Born confirmed: created as quotations, then confirmed through write(),
        # where the gates hold.
        drafts = [
            dict(vals, state="draft" if state == CONFIRMED_STATE else state or "draft")
            for vals, state in zip(vals_list, states, strict=True)
        ]
        orders = super().create(drafts)
        for order, state in zip(orders, states, strict=True):
            if state == CONFIRMED_STATE:
                order.write({"state": state})
        return orders

    def write(self, vals):
        confirming = (
            self.filtered(lambda order: order.state != CONFIRMED_STATE)
            if vals.get("state") == CONFIRMED_STATE
            else self.browse()
        )
        result = super().write(vals)
        Gate = self.env["med.gate"]
        for order in confirming:
            Gate._med_enforce(
                order._med_gate_findings(),
                subject=self.env._(
                    "Sales order %(order)s cannot be confirmed for customer "
                    "%(customer)s.",
                    order=order.display_name,
                    customer=order.partner_id.display_name,
                ),
            )
        return result

    def _med_gate_findings(self, dry_run=False, products=None):
        """What the customer gate (licence valid today, business scope covering
        each device) and the first-operation gate find on confirming these orders
        (on selling ``products`` only, when given); in a ``dry_run`` whatever the
        modes."""
        Gate = self.env["med.gate"]
        SupplierGate = self.env["med.supplier.gate"]
        Certificate = self.env["med.supplier.certificate"]
        findings = []
        for order in self:
            company = order.company_id
            sold = products
            if sold is None:
                sold = order.order_line.filtered(
                    lambda line: line.product_id and not line.display_type
                ).product_id
            if dry_run or Gate._med_mode(company, "customer") != "off":
                day = Certificate._med_company_today(company)
                pairs = [(order.partner_id, product) for product in sold]
                findings += [
                    Gate._med_finding("customer", order, message, products=sold)
                    for message in SupplierGate._med_customer_violations(
                        company, pairs, day
                    )
                ]
            if dry_run or Gate._med_mode(company, "first_operation") != "off":
                findings += [
                    Gate._med_finding("first_operation", order, message, products=sold)
                    for message in SupplierGate._med_first_operation_messages(
                        company, "customer", order.partner_id, sold
                    )
                ]
        return findings
