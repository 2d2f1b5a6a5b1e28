from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import clean_context

# An order in one of these states binds the company to buy. Reaching one of them is a
# purchase decision that the supplier gates decide, whatever the path: the buttons,
# a write of ``state`` (JSON-RPC, import), an order created or copied in that state.
CONFIRMED_STATES = ("to approve", "purchase", "done")
# Orders in these states passed the gates when they got there: locking and unlocking
# them (purchase <-> done) is no new decision.
PASSED_STATES = ("purchase", "done")
# Whose change on a confirmed order makes it a purchase from another supplier.
SUPPLIER_FIELDS = ("partner_id", "company_id")
GATE_DEFERRED_KEY = "med_supplier_gate_deferred"


class OrderGateDeferred:
    """Context value set by ``purchase.order.write`` while it writes orders whose
    lines it gates as a whole afterwards: their lines skip the line gate meanwhile.
    An object, not a string: a JSON-RPC caller cannot send it."""

    __slots__ = ("order_ids",)

    def __init__(self, order_ids):
        self.order_ids = frozenset(order_ids)


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    def button_confirm(self):
        # The gates hold in write(), when the state changes; here, in warn mode, the
        # user sees every warning first and confirms them in one window.
        pending = self.filtered(lambda order: order.state in ("draft", "sent"))
        Gate = self.env["med.gate"]
        warnings = Gate._med_warnings_to_confirm(pending._med_gate_findings())
        if warnings:
            return Gate._med_confirm_action(
                warnings, resume="button_confirm", records=self
            )
        return super().button_confirm()

    def _med_gate_findings(self, dry_run=False, today=False):
        """What the supplier gates and the first-operation gate find on confirming
        these orders."""
        Gate = self.env["med.gate"]
        findings = [
            Gate._med_finding(
                "supplier", order, message, products=order.order_line.product_id
            )
            for order, messages in self._med_supplier_gate_messages(today).items()
            for message in messages
        ]
        for order in self:
            findings += order._med_first_operation_findings(
                order.order_line.product_id, dry_run=dry_run
            )
        return findings

    def _med_first_operation_findings(self, products, dry_run=False):
        """The first-operation gate on buying ``products`` from this order's
        supplier, when the company turns it on (whatever its mode in a dry run)."""
        self.ensure_one()
        Gate = self.env["med.gate"]
        if not dry_run and Gate._med_mode(self.company_id, "first_operation") == "off":
            return []
        messages = self.env["med.supplier.gate"]._med_first_operation_messages(
            self.company_id, "supplier", self.partner_id, products
        )
        return [
            Gate._med_finding("first_operation", self, message, products=products)
            for message in messages
        ]

    @api.model_create_multi
    def create(self, vals_list):
        default_state = self.env.context.get("default_state")
        states = [vals.get("state", default_state) for vals in vals_list]
        if not any(state in CONFIRMED_STATES for state in states):
            return super().create(vals_list)
        # Born confirmed (RPC, import, a copy with a default state): created as
        # drafts (the state given in the values, so that no context default applies),
        # then confirmed through write(), where the gates hold.
        drafts = [
            dict(vals, state="draft" if state in CONFIRMED_STATES else state or "draft")
            for vals, state in zip(vals_list, states, strict=True)
        ]
        orders = super().create(drafts)
        for order, state in zip(orders, states, strict=True):
            if state in CONFIRMED_STATES:
                order.write({"state": state})
                # Lines created on an order in 'purchase' make their receipt
                # (purchase_stock's line create): this order's lines were created on a
                # draft, so they make it now that the gates let the order through.
                # A default_state in the context is the order's, not the receipt's:
                # the context is replaced by one without default_* keys.
                lines = order.order_line.filtered(
                    lambda line: line.order_id.state == "purchase"
                )
                context = clean_context(self.env.context)
                lines.with_context(context)._create_or_update_picking()  # pylint: disable=context-overridden
        return orders

    def write(self, vals):
        self._med_ensure_approval(vals)
        confirming = self._med_confirming(vals)
        resupplied = self._med_resupplied(vals) - confirming
        gated = confirming | resupplied
        if not gated:
            return super().write(vals)
        deferred = OrderGateDeferred(gated.ids)
        result = super(
            PurchaseOrder, self.with_context(**{GATE_DEFERRED_KEY: deferred})
        ).write(vals)
        for order in confirming:
            order._med_enforce_supplier_gates(
                order._med_gate_findings(),
                self.env._(
                    "Purchase order %(order)s cannot be confirmed: supplier "
                    "%(supplier)s does not pass the supplier qualification check "
                    "for it.",
                    order=order.display_name,
                    supplier=order.partner_id.display_name,
                ),
            )
        for order in resupplied:
            order._med_enforce_supplier_gates(
                order._med_gate_findings(today=True),
                self.env._(
                    "Purchase order %(order)s is confirmed: its supplier cannot be "
                    "changed to %(supplier)s, which does not pass the supplier "
                    "qualification check for it.",
                    order=order.display_name,
                    supplier=order.partner_id.display_name,
                ),
            )
        return result

    def _med_ensure_approval(self, vals):
        """An order waiting for approval is approved by whom Odoo's double validation
        lets approve it (``_approval_allowed``: a purchase manager above the
        company's amount), also when the state is written directly (RPC, import)."""
        if vals.get("state") not in PASSED_STATES or self.env.su:
            return
        waiting = self.filtered(lambda order: order.state == "to approve")
        refused = waiting.filtered(lambda order: not order._approval_allowed())
        if refused:
            raise UserError(
                self.env._(
                    "Purchase order %(orders)s waits for the approval of a purchase "
                    "manager: only a purchase manager approves it.",
                    orders=", ".join(refused.mapped("display_name")),
                )
            )

    def _med_confirming(self, vals):
        """The orders that ``vals`` brings into a confirmed state (an order waiting
        for approval is checked again when approved: a licence may have lapsed)."""
        state = vals.get("state")
        if state not in CONFIRMED_STATES:
            return self.browse()
        return self.filtered(
            lambda order: order.state not in PASSED_STATES and order.state != state
        )

    def _med_resupplied(self, vals):
        """The confirmed orders whose supplier (or company) ``vals`` changes."""
        changed = [name for name in SUPPLIER_FIELDS if name in vals]
        if not changed:
            return self.browse()
        return self.filtered(
            lambda order: order.state in CONFIRMED_STATES
            and any(order[name].id != (vals[name] or False) for name in changed)
        )

    def _med_supplier_gate_days(self, today=False):
        """The days on which the supplier must be qualified: the day of confirming
        (a backdated order date cannot reach back to a certificate that has lapsed
        since) and the order date (a certificate lapsing before a future order date
        fails it); only today for a supplier changed on a confirmed order."""
        self.ensure_one()
        now = fields.Date.context_today(self)
        if today:
            return [now]
        return sorted({now, fields.Date.context_today(self, self.date_order)})

    def _med_supplier_gate_messages(self, today=False):
        """{order: [messages]} for the orders that break the supplier gates on one of
        their gate days (``_med_supplier_gate_days``)."""
        Gate = self.env["med.supplier.gate"]
        result = {}
        for order in self:
            pairs = [
                (order.partner_id, line.product_id)
                for line in order.order_line
                if line.product_id and not line.display_type
            ]
            messages = []
            for day in order._med_supplier_gate_days(today):
                messages += [
                    message
                    for message in Gate._med_violations(order.company_id, pairs, day)
                    if message not in messages
                ]
            if messages:
                result[order] = messages
        return result

    def _med_enforce_supplier_gates(self, findings, subject):
        """Refuse, or (warn mode, each finding confirmed by the user through the gate
        confirmation) record the override on this order."""
        self.ensure_one()
        self.env["med.gate"]._med_enforce(findings, subject=subject)
