from contextlib import contextmanager

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin
from odoo.addons.med_lot_trace.tests.common import confirm_gate_warnings

from .common import SupplierQualCommon


class SaleGateCommon(SupplierQualCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales = new_test_user(
            cls.env,
            login="med_sales",
            groups="sales_team.group_sale_salesman",
            tz="Asia/Shanghai",
        )
        cls.hospital = cls.env["res.partner"].create(
            {"name": "Huashan Hospital", "is_company": True, "customer_rank": 1}
        )
        cls.device.write({"list_price": 12.5, "med_classification_code": "14-01-02"})
        cls.env.company.med_customer_gate_mode = "block"

    @contextmanager
    def assertRefused(self, pattern):
        """The operation is refused with ``pattern`` in the message; what it wrote
        before the refusal is rolled back (assertRaises' savepoint)."""
        with self.assertRaises(UserError) as refused:
            yield
        self.assertRegex(str(refused.exception), pattern)

    @classmethod
    def _licence(cls, scope="14", **values):
        return cls._certificate(
            cls.hospital,
            "medical_institution_licence",
            values.pop("number", "PDY-HUASHAN"),
            issuer="上海市卫生健康委员会",
            business_scope=scope,
            **values,
        )

    def _quotation(self, product=None, user=None):
        return (
            self.env["sale.order"]
            .with_user(user or self.sales)
            .create(
                {
                    "partner_id": self.hospital.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": (product or self.device).id,
                                "product_uom_qty": 10,
                                "price_unit": 12.5,
                            }
                        )
                    ],
                }
            )
        )


@tagged("post_install", "-at_install")
class TestSaleGates(SaleGateCommon):
    """The customer's licence is checked when the sales order is confirmed, not only
    at delivery, and against its business scope (经营范围): the classification code
    of each device sold."""

    def assertNotConfirmed(self, order, *fragments):
        with self.assertRaises(UserError) as refused:
            order.action_confirm()
        for fragment in fragments:
            self.assertIn(fragment, str(refused.exception))
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.picking_ids)  # nothing to deliver was created
        return str(refused.exception)

    def test_confirmation_refused_without_licence(self):
        order = self._quotation()
        message = self.assertNotConfirmed(
            order,
            "Customer qualification check failed",
            "Huashan Hospital",
            "no qualification",
        )
        self.assertIn(order.name, message)

    def test_confirmation_refused_with_expired_licence(self):
        self._licence(expiry=self.today.replace(year=self.today.year - 1))
        self.assertNotConfirmed(self._quotation(), "PDY-HUASHAN expired on")

    def test_confirmation_allowed_with_valid_licence_covering_the_scope(self):
        self._licence(scope="6815, 14")
        order = self._quotation()
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.picking_ids)

    def test_confirmation_refused_outside_the_business_scope(self):
        self._licence(scope="6815, 14-02")
        self.assertNotConfirmed(
            self._quotation(),
            "not cover classification code",
            "14-01-02",
            "PDY-HUASHAN",
        )

    def test_scope_code_covers_only_whole_segments(self):
        # 14-0 is no code above 14-01-02
        self._licence(scope="14-0")
        self.assertNotConfirmed(self._quotation(), "not cover classification code")

    def test_device_without_classification_code_is_not_scope_checked(self):
        self.device.med_classification_code = False
        self._licence(scope="6815")
        order = self._quotation()
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_scope_change_voids_the_qa_verification(self):
        licence = self._licence(scope="14")
        licence.with_user(self.purchase).business_scope = "14, 07"
        self.assertFalse(licence.verified_by_id)
        self.assertNotConfirmed(self._quotation(), "not verified by QA")

    def test_delivery_checks_the_business_scope_too(self):
        licence = self._licence(scope="14")
        order = self._quotation()
        order.action_confirm()
        # the scope narrowed (a new licence) before the delivery
        licence.with_context(med_reason="licence renewed").business_scope = "07"
        licence.with_user(self.qa_manager)._med_do_verify()
        picking = order.picking_ids
        lot = self.env["stock.lot"].create(
            {"name": "HS-1", "product_id": self.device.id}
        )
        lot.with_context(med_reason="released for the test")._med_set_state("released")
        self.env["stock.quant"]._update_available_quantity(
            self.device, picking.location_id, 10, lot_id=lot
        )
        picking.action_assign()
        picking.move_ids.picked = True
        with self.assertRefused("not cover classification code"):
            picking.with_user(self.warehouse).button_validate()
        self.assertNotEqual(picking.state, "done")

    def test_order_created_confirmed_is_gated(self):
        with self.assertRefused("Customer qualification check failed"):
            self.env["sale.order"].with_user(self.sales).create(
                {
                    "partner_id": self.hospital.id,
                    "state": "sale",
                    "order_line": [Command.create({"product_id": self.device.id})],
                }
            )

    def test_line_added_to_a_confirmed_order_is_gated(self):
        self._licence(scope="14")
        order = self._quotation()
        order.action_confirm()
        other = self.env["product.product"].create(
            {
                "name": "Infusion pump",
                "is_storable": True,
                "tracking": "serial",
                "categ_id": self.device_category.id,
                "med_classification_code": "11-02-01",
            }
        )
        with self.assertRefused("11-02-01"):
            order.with_user(self.sales).write(
                {"order_line": [Command.create({"product_id": other.id})]}
            )
        order.invalidate_recordset()
        self.assertEqual(len(order.order_line), 1)

    def test_gate_off_lets_the_order_through(self):
        self.env.company.med_customer_gate_mode = "off"
        order = self._quotation()
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_warn_mode_confirms_with_a_reason(self):
        self.env.company.med_customer_gate_mode = "warn"
        order = self._quotation()
        action = order.with_user(self.sales).action_confirm()
        self.assertEqual(action["res_model"], "med.gate.confirm")
        self.assertEqual(order.state, "draft")
        confirm_gate_warnings(self.env(user=self.sales), action)
        self.assertEqual(order.state, "sale")

    def test_dry_run_lists_the_quotations(self):
        order = self._quotation()
        findings = self.env["med.gate"]._med_dry_run(self.env.company, "customer")
        self.assertIn(order, [finding.document for finding in findings])


@tagged("post_install", "-at_install")
class TestSaleGateRpc(JsonRpcMixin, HttpCase, SaleGateCommon):
    """A salesperson cannot confirm an order for an unqualified customer over
    JSON-RPC either, whatever context it sends: neither the button, nor a write of
    the state, nor an order created confirmed."""

    # SupplierQualCommon already puts the registry in test mode.
    registry_test_mode = False

    def _refusal(self, method, args):
        answer = self._call(
            "sale.order",
            method,
            args,
            {"context": {"med_protected_write": True, "default_state": "sale"}},
        )
        self.assertIn("error", answer)
        return answer["error"]["data"]["message"]

    def test_rpc_confirmation_refused(self):
        order = self._quotation()
        self.authenticate(self.sales.login, self.sales.login)
        for method, args in (
            ("action_confirm", [order.ids]),
            ("write", [order.ids, {"state": "sale"}]),
        ):
            with self.subTest(method=method):
                self.assertIn(
                    "Customer qualification check failed", self._refusal(method, args)
                )
                order.invalidate_recordset()
                self.assertEqual(order.state, "draft")
        count = self.env["sale.order"].search_count([])
        vals = {
            "partner_id": self.hospital.id,
            "order_line": [Command.create({"product_id": self.device.id})],
        }
        self.assertIn(
            "Customer qualification check failed", self._refusal("create", [vals])
        )
        self.assertEqual(self.env["sale.order"].search_count([]), count)

    def test_rpc_confirmation_allowed_with_licence(self):
        self._licence(scope="14")
        order = self._quotation()
        self.authenticate(self.sales.login, self.sales.login)
        answer = self._call("sale.order", "action_confirm", [order.ids])
        self.assertNotIn("error", answer)
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")
