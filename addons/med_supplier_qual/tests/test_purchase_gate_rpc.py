import json

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin

from .common import SupplierQualCommon

# What a hostile caller adds to every call: the warn-mode confirmation, the trusted
# code marker, a default confirmed state.
HOSTILE_CONTEXT = {
    "med_supplier_gate_confirmed": True,
    "med_protected_write": True,
    "med_supplier_gate_deferred": True,
    "default_state": "purchase",
}


@tagged("post_install", "-at_install")
class TestPurchaseGateOverRpc(JsonRpcMixin, HttpCase, SupplierQualCommon):
    """Over JSON-RPC, the purchase user cannot confirm an order by writing its state,
    nor add a line for an unlisted product to a confirmed order, whatever context it
    sends."""

    # SupplierQualCommon already puts the registry in test mode.
    registry_test_mode = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plunger = cls.env["product.product"].create(
            {"name": "Plunger 5 ml", "is_storable": True}
        )

    def _call(self, model, method, args, kwargs=None):
        return super()._call(
            model, method, args, dict(kwargs or {}, context=HOSTILE_CONTEXT)
        )

    def _error(self, answer):
        self.assertIn("error", answer)
        return answer["error"]["data"]["message"]

    def test_purchase_user_writing_the_state(self):
        self.vendor._med_set_supplier_state("suspended", "audit finding")
        order = self._order(self.product_lot)
        self.authenticate(self.purchase.login, self.purchase.login)
        for state in ("purchase", "done", "to approve"):
            message = self._error(
                self._call("purchase.order", "write", [order.ids, {"state": state}])
            )
            self.assertIn(order.name, message)
            self.assertIn("Barrel Supplier Co.", message)
            self.assertIn("Suspended", message)
            order.invalidate_recordset()
            self.assertEqual(order.state, "draft")
        # created confirmed, by the values or by the hostile default_state
        for vals in ({"state": "purchase"}, {}):
            message = self._error(
                self._call(
                    "purchase.order",
                    "create",
                    [
                        dict(
                            vals,
                            partner_id=self.vendor.id,
                            order_line=[
                                Command.create(
                                    {
                                        "product_id": self.product_lot.id,
                                        "product_qty": 1,
                                    }
                                )
                            ],
                        )
                    ],
                )
            )
            self.assertIn("cannot be confirmed", message)
        # once the supplier is approved again, the same write confirms the order
        self.vendor._med_set_supplier_state("approved", "audit closed")
        answer = self._call(
            "purchase.order", "write", [order.ids, {"state": "purchase"}]
        )
        self.assertNotIn("error", answer)
        order.invalidate_recordset()
        self.assertEqual(order.state, "purchase")

    def test_purchase_user_adding_a_line_to_a_confirmed_order(self):
        order = self._order(self.product_lot)
        order.button_confirm()
        self.authenticate(self.purchase.login, self.purchase.login)
        lines = order.order_line
        new_line = Command.create({"product_id": self.plunger.id, "product_qty": 1})
        message = self._error(
            self._call(
                "purchase.order", "write", [order.ids, {"order_line": [new_line]}]
            )
        )
        self.assertIn(order.name, message)
        self.assertIn("Plunger 5 ml", message)
        self.assertIn("not on the approved supplier list", message)
        message = self._error(
            self._call(
                "purchase.order.line",
                "create",
                [{"order_id": order.id, "product_id": self.plunger.id}],
            )
        )
        self.assertIn("Plunger 5 ml", message)
        message = self._error(
            self._call(
                "purchase.order.line",
                "write",
                [lines.ids, {"product_id": self.plunger.id}],
            )
        )
        self.assertIn("Plunger 5 ml", message)
        order.invalidate_recordset()
        self.assertEqual(order.order_line, lines)
        self.assertEqual(lines.product_id, self.product_lot)
        self.assertFalse(
            self.env["med.audit.entry"].search_count(
                [("res_model", "=", "purchase.order"), ("res_id", "=", order.id)]
                + [("operation", "=", "gate_override")]
            )
        )
        # a listed product is added as usual
        listed = Command.create({"product_id": self.device.id, "product_qty": 2})
        answer = self._call(
            "purchase.order", "write", [order.ids, {"order_line": [listed]}]
        )
        self.assertNotIn("error", answer)
        order.invalidate_recordset()
        self.assertEqual(order.order_line.product_id, self.product_lot | self.device)

    def test_purchase_user_approving_by_writing_the_state(self):
        self.env.company.write(
            {"po_double_validation": "two_step", "po_double_validation_amount": 0}
        )
        order = self._order(self.product_lot)
        order.button_confirm()
        self.assertEqual(order.state, "to approve")
        self.authenticate(self.purchase.login, self.purchase.login)
        message = self._error(
            self._call("purchase.order", "write", [order.ids, {"state": "purchase"}])
        )
        self.assertIn("purchase manager", message)
        order.invalidate_recordset()
        self.assertEqual(order.state, "to approve")

    def test_gate_confirmations_are_not_made_up(self):
        self.env.company.med_supplier_gate_mode = "warn"
        self.vendor._med_set_supplier_state("suspended", "audit finding")
        order = self._order(self.product_lot)
        self.authenticate(self.purchase.login, self.purchase.login)
        # an override written directly is refused
        answer = self._call(
            "med.gate.override",
            "create",
            [
                {
                    "user_id": self.purchase.id,
                    "company_id": self.env.company.id,
                    "res_model": "purchase.order",
                    "res_id": order.id,
                    "findings": "-",
                    "finding_keys": "x",
                    "reason": "forged",
                }
            ],
        )
        self.assertIn("error", answer)
        # a confirmation window with findings of the caller's own is refused
        answer = self._call(
            "med.gate.confirm",
            "create",
            [{"payload": '{"findings": [], "resume": null}', "reason": "forged"}],
        )
        self.assertNotIn("error", answer)
        message = self._error(
            self._call("med.gate.confirm", "action_confirm", [[answer["result"]]])
        )
        self.assertIn("not found by the application", message)
        # the refusal offers the real confirmation; once given, the write passes
        refusal = self._call(
            "purchase.order", "write", [order.ids, {"state": "purchase"}]
        )
        self.assertIn("Suspended", self._error(refusal))
        action = refusal["error"]["data"]["arguments"][1]
        context = dict(action["context"], **HOSTILE_CONTEXT)
        wizard = self.url_open(
            "/web/dataset/call_kw/med.gate.confirm/create",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": "med.gate.confirm",
                        "method": "create",
                        "args": [{"reason": "QA agreed over the phone"}],
                        "kwargs": {"context": context},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        ).json()["result"]
        answer = self._call("med.gate.confirm", "action_confirm", [[wizard]])
        self.assertNotIn("error", answer)
        answer = self._call(
            "purchase.order", "write", [order.ids, {"state": "purchase"}]
        )
        self.assertNotIn("error", answer)
        order.invalidate_recordset()
        self.assertEqual(order.state, "purchase")
