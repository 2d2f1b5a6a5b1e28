from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from odoo.addons.med_lot_trace.exceptions import GateConfirmationRequired
from odoo.addons.med_lot_trace.tests.common import confirm_gate_warnings

from .common import SupplierQualCommon


@tagged("post_install", "-at_install")
class TestPurchaseDataGate(SupplierQualCommon):
    """The supplier gates hold on every path to a confirmed order, not only on the
    Confirm button: a write of ``state``, an order created or copied confirmed, a line
    added to or changed on a confirmed order, a new supplier on a confirmed order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plunger = cls.env["product.product"].create(
            {"name": "Plunger 5 ml", "is_storable": True}
        )
        cls.candidate = cls.env["res.partner"].create(
            {"name": "Candidate Needle Co.", "is_company": True}
        )

    def _confirmed(self, products=None):
        order = self._order(products or self.product_lot)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")
        return order.with_user(self.purchase)

    def _overrides(self, order):
        self.env.flush_all()
        return self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "purchase.order"),
                ("res_id", "=", order.id),
                ("operation", "=", "gate_override"),
            ]
        )

    def assertRefused(self, call, *fragments):
        with self.assertRaises(UserError) as refused:
            call()
        for fragment in fragments:
            self.assertIn(fragment, str(refused.exception))
        return str(refused.exception)

    # -- writing the state --
    def test_state_written_for_a_qualified_supplier(self):
        order = self._order(self.product_lot).with_user(self.purchase)
        order.write({"state": "purchase"})
        self.assertEqual(order.state, "purchase")

    def test_state_written_for_a_suspended_supplier_is_refused(self):
        self.vendor._med_set_supplier_state("suspended", "audit finding")
        order = self._order(self.product_lot).with_user(self.purchase)
        for state in ("to approve", "purchase", "done"):
            message = self.assertRefused(
                lambda s=state: order.write({"state": s}),
                order.name,
                "cannot be confirmed",
                self.vendor.name,
                "Suspended",
                self.product_lot.name,
            )
            self.assertEqual(order.state, "draft", message)

    def test_confirmation_key_is_no_authority_in_block_mode(self):
        self.vendor._med_set_supplier_state("suspended", "audit finding")
        order = self._order(self.product_lot).with_user(self.purchase)
        forged = order.with_context(med_supplier_gate_confirmed=True)
        self.assertRefused(lambda: forged.write({"state": "purchase"}), order.name)
        self.assertEqual(order.state, "draft")
        self.assertFalse(self._overrides(order))

    def test_warn_mode_state_write_needs_the_confirmation_and_is_audited(self):
        self.env.company.med_supplier_gate_mode = "warn"
        self.vendor._med_set_supplier_state("suspended", "audit finding")
        order = self._order(self.product_lot).with_user(self.purchase)
        with self.assertRaises(GateConfirmationRequired) as refused:
            order.write({"state": "purchase"})
        self.assertIn(order.name, str(refused.exception))
        self.assertEqual(order.state, "draft")
        # a context key is no confirmation
        self.assertRefused(
            lambda: order.with_context(med_supplier_gate_confirmed=True).write(
                {"state": "purchase"}
            ),
            order.name,
        )
        confirm_gate_warnings(order.env, refused.exception.args[1])
        order.write({"state": "purchase"})
        self.assertEqual(order.state, "purchase")
        self.assertEqual(len(self._overrides(order)), 1)

    def test_waiting_order_approved_by_a_write_is_checked_again(self):
        self.env.company.write(
            {"po_double_validation": "two_step", "po_double_validation_amount": 0}
        )
        order = self._order(self.product_lot)
        order.button_confirm()
        self.assertEqual(order.state, "to approve")
        self.vendor._med_set_supplier_state("suspended", "licence withdrawn")
        self.assertRefused(lambda: order.write({"state": "purchase"}), order.name)
        self.assertEqual(order.state, "to approve")

    def test_locking_and_unlocking_a_confirmed_order_is_no_new_decision(self):
        order = self._confirmed()
        self.vendor._med_set_supplier_state("suspended", "audit finding")
        order.button_done()
        self.assertEqual(order.state, "done")
        order.button_unlock()
        self.assertEqual(order.state, "purchase")

    # -- orders born confirmed --
    def _order_vals(self, partner, product, **extra):
        return dict(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_qty": 3, "price_unit": 2}
                    )
                ],
            },
            **extra,
        )

    def test_order_created_confirmed_is_gated(self):
        Order = self.env["purchase.order"].with_user(self.purchase)
        before = Order.search_count([])
        self.assertRefused(
            lambda: Order.create(
                self._order_vals(self.candidate, self.product_lot, state="purchase")
            ),
            "cannot be confirmed",
            "Candidate Needle Co.",
            "Candidate",
        )
        self.assertRefused(
            lambda: Order.with_context(default_state="purchase").create(
                self._order_vals(self.candidate, self.product_lot)
            ),
            "cannot be confirmed",
            "Candidate Needle Co.",
        )
        self.assertEqual(Order.search_count([]), before)

    def test_order_created_confirmed_for_a_qualified_supplier(self):
        Order = self.env["purchase.order"].with_user(self.purchase)
        order = Order.with_context(default_state="purchase").create(
            self._order_vals(self.vendor, self.product_lot)
        )
        self.assertEqual(order.state, "purchase")
        self.assertEqual(order.order_line.state, "purchase")
        # its receipt is made, as for an order Odoo creates confirmed
        self.assertEqual(order.picking_ids.state, "assigned")
        self.assertEqual(order.order_line.move_ids.product_uom_qty, 3)

    def test_order_copied_confirmed_is_gated(self):
        order = self._confirmed()
        self.vendor._med_set_supplier_state("suspended", "audit finding")
        before = self.env["purchase.order"].search_count([])
        self.assertRefused(
            lambda: order.copy({"state": "purchase"}), "cannot be confirmed"
        )
        self.assertEqual(self.env["purchase.order"].search_count([]), before)

    # -- lines of confirmed orders --
    def test_line_for_an_unlisted_product_is_refused_on_a_confirmed_order(self):
        order = self._confirmed()
        lines = order.order_line
        message = self.assertRefused(
            lambda: order.write(
                {
                    "order_line": [
                        Command.create(
                            {"product_id": self.plunger.id, "product_qty": 1}
                        )
                    ]
                }
            ),
            order.name,
            "Plunger 5 ml",
            self.vendor.name,
            "not on the approved supplier list",
        )
        self.assertIn("cannot be added to or changed on", message)
        self.assertEqual(order.order_line, lines)
        self.assertEqual(order.picking_ids.move_ids.product_id, self.product_lot)
        Line = self.env["purchase.order.line"].with_user(self.purchase)
        self.assertRefused(
            lambda: Line.create(
                {"order_id": order.id, "product_id": self.plunger.id, "product_qty": 1}
            ),
            "Plunger 5 ml",
        )
        self.assertEqual(order.order_line, lines)

    def test_line_saved_from_the_form_is_refused_on_a_confirmed_order(self):
        order = self._confirmed()
        form = Form(order)
        with form.order_line.new() as line:
            line.product_id = self.plunger
            line.product_qty = 2
        self.assertRefused(form.save, order.name, "Plunger 5 ml")
        self.assertEqual(len(order.order_line), 1)

    def test_product_changed_on_a_confirmed_line_is_refused(self):
        order = self._confirmed()
        line = order.order_line
        self.assertRefused(
            lambda: line.write({"product_id": self.plunger.id}), "Plunger 5 ml"
        )
        self.assertEqual(line.product_id, self.product_lot)

    def test_line_moved_onto_a_confirmed_order_is_refused(self):
        order = self._confirmed()
        draft = self._order(self.plunger)
        line = draft.order_line.with_user(self.purchase)
        self.assertRefused(
            lambda: line.write({"order_id": order.id}), order.name, "Plunger 5 ml"
        )
        self.assertEqual(line.order_id, draft)

    def test_line_for_a_listed_product_is_added_to_a_confirmed_order(self):
        order = self._confirmed()
        order.write(
            {
                "order_line": [
                    Command.create({"product_id": self.device.id, "product_qty": 4})
                ]
            }
        )
        self.assertEqual(order.order_line.product_id, self.product_lot | self.device)
        self.assertIn(self.device, order.picking_ids.move_ids.product_id)

    def test_any_line_is_refused_once_the_supplier_is_suspended(self):
        order = self._confirmed()
        self.vendor._med_set_supplier_state("suspended", "audit finding")
        self.assertRefused(
            lambda: order.write(
                {
                    "order_line": [
                        Command.create({"product_id": self.device.id, "product_qty": 4})
                    ]
                }
            ),
            "Suspended",
            self.device.name,
        )
        # quantities of the lines already ordered stay editable
        order.order_line.product_qty = 20
        self.assertEqual(order.order_line.product_qty, 20)

    def test_warn_mode_line_needs_the_confirmation_and_is_audited(self):
        order = self._confirmed()
        self.env.company.med_supplier_gate_mode = "warn"
        vals = {
            "order_line": [
                Command.create({"product_id": self.plunger.id, "product_qty": 1})
            ]
        }
        with self.assertRaises(GateConfirmationRequired) as refused:
            order.write(vals)
        self.assertIn("Plunger 5 ml", str(refused.exception))
        # the confirmation window of the refusal, then the form saved again
        confirm_gate_warnings(order.env, refused.exception.args[1])
        order.write(vals)
        self.assertIn(self.plunger, order.order_line.product_id)
        self.assertEqual(len(self._overrides(order)), 1)

    # -- another supplier on a confirmed order --
    def test_confirmed_order_moved_to_an_unqualified_supplier_is_refused(self):
        order = self._confirmed()
        message = self.assertRefused(
            lambda: order.write({"partner_id": self.candidate.id}),
            order.name,
            "Candidate Needle Co.",
        )
        self.assertIn("its supplier cannot be changed", message)
        self.assertEqual(order.partner_id, self.vendor)

    def test_confirmed_order_moved_to_a_qualified_supplier(self):
        order = self._confirmed()
        other = self.env["res.partner"].create(
            {"name": "Second Barrel Co.", "is_company": True}
        )
        self._certificate(other, "business_licence", "91320500-BL-2")
        self._qualify(other, self.product_lot)
        order.write({"partner_id": other.id})
        self.assertEqual(order.partner_id, other)

    def test_draft_order_changes_are_not_gated(self):
        order = self._order(self.product_lot).with_user(self.purchase)
        order.write(
            {
                "partner_id": self.candidate.id,
                "order_line": [
                    Command.create({"product_id": self.plunger.id, "product_qty": 1})
                ],
            }
        )
        self.assertEqual(order.partner_id, self.candidate)
        self.assertEqual(len(order.order_line), 2)


@tagged("post_install", "-at_install")
class TestGateDayAsString(SupplierQualCommon):
    """Odoo's own tests (purchase_stock's test_stockvaluation) patch
    fields.Date.context_today to return a string: the gates take it as a date."""

    def _patched_today(self):
        day = fields.Date.to_string(self.today)
        return patch("odoo.fields.Date.context_today", lambda *a, **k: day)

    def test_order_confirmed_and_received_with_a_string_today(self):
        order = self._order(self.product_lot)
        with self._patched_today():
            order.button_confirm()
            self.assertEqual(order.state, "purchase")
            picking = order.picking_ids.with_user(self.warehouse)
            picking.move_ids.move_line_ids.write({"lot_name": "STR-1", "quantity": 10})
            picking.move_ids.picked = True
            picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_refusal_with_a_string_today_names_the_date(self):
        self.licence.write({"expiry_date": self.today - timedelta(days=1)})
        self.licence.with_user(self.qa_manager)._med_do_verify()
        order = self._order(self.product_lot)
        with self._patched_today(), self.assertRaises(UserError) as refused:
            order.button_confirm()
        self.assertIn(f"date {self.today}", str(refused.exception))
        self.assertEqual(order.state, "draft")
