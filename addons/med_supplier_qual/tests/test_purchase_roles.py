from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import SupplierQualCommon


@tagged("post_install", "-at_install")
class TestPurchaseRoles(SupplierQualCommon):
    """The purchase-to-receipt flow works for the compliance roles, only for them."""

    def _order(self, user):
        form = Form(self.env["purchase.order"].with_user(user))
        form.partner_id = self.vendor
        with form.order_line.new() as line:
            line.product_id = self.product_lot
            line.product_qty = 50
        return form.save()

    def test_purchase_user_orders_and_warehouse_receives(self):
        order = self._order(self.purchase)
        order.button_confirm()
        receipt = order.picking_ids
        self.assertEqual(len(receipt), 1)
        receipt = receipt.with_user(self.warehouse)
        move = receipt.move_ids
        move.move_line_ids.write({"lot_name": "BRL-2611-001", "quantity": 50})
        move.picked = True
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(order.order_line.qty_received, 50)
        self.assertEqual(receipt.move_line_ids.lot_id.name, "BRL-2611-001")

    def test_roles_without_purchase_rights_cannot_order(self):
        for user in (self.warehouse, self.inspector, self.auditor):
            with self.assertRaises(AccessError, msg=user.login):
                self._order(user)
