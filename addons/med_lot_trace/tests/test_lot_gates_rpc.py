from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin


@tagged("post_install", "-at_install")
class TestLotGatesOverRpc(JsonRpcMixin, HttpCase):
    """The warehouse role, over JSON-RPC and with any context, moves no quarantined
    stock through done move lines, quants or lot creation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = new_test_user(
            cls.env,
            login="rpc_warehouse",
            groups="med_audit_export.group_med_warehouse",
        )
        cls.product = cls.env["product.product"].create(
            {"name": "RPC syringe", "is_storable": True, "tracking": "lot"}
        )
        warehouse = cls.env.ref("stock.warehouse0")
        cls.stock = warehouse.lot_stock_id
        cls.customers = cls.env.ref("stock.stock_location_customers")
        Lot = cls.env["stock.lot"]
        cls.released = Lot.create({"name": "RPC-OK", "product_id": cls.product.id})
        cls.released.with_context(med_reason="test")._med_set_state("released")
        cls.quarantined = Lot.create({"name": "RPC-Q", "product_id": cls.product.id})
        Quant = cls.env["stock.quant"]
        for lot in cls.released | cls.quarantined:
            Quant._update_available_quantity(cls.product, cls.stock, 20, lot_id=lot)
        cls.delivery = cls._picked_delivery(warehouse)
        cls.delivery.button_validate()
        assert cls.delivery.state == "done"
        cls.next_delivery = cls._picked_delivery(warehouse)
        cls.env.flush_all()

    @classmethod
    def _picked_delivery(cls, warehouse):
        """A delivery of 5 of the released lot (the one reservation takes), picked."""
        picking = cls.env["stock.picking"].create(
            {
                "partner_id": cls.env["res.partner"].create({"name": "RPC Ward"}).id,
                "picking_type_id": warehouse.out_type_id.id,
                "location_id": cls.stock.id,
                "location_dest_id": cls.customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": "RPC syringe",
                            "product_id": cls.product.id,
                            "product_uom_qty": 5,
                            "location_id": cls.stock.id,
                            "location_dest_id": cls.customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        assert picking.move_line_ids.lot_id == cls.released
        picking.move_ids.picked = True
        return picking

    def _quantity(self, lot, location):
        self.env.invalidate_all()
        quants = self.env["stock.quant"].search(
            [("lot_id", "=", lot.id), ("location_id", "=", location.id)]
        )
        return sum(quants.mapped("quantity"))

    def test_done_move_line_of_a_quarantined_lot_refused(self):
        self.authenticate("rpc_warehouse", "rpc_warehouse")
        hostile = {"context": {"med_protected_write": True, "med_gate_confirmed": True}}
        move = self.delivery.move_ids
        answer = self._call(
            "stock.move.line",
            "create",
            [
                {
                    "move_id": move.id,
                    "picking_id": self.delivery.id,
                    "product_id": self.product.id,
                    "lot_id": self.quarantined.id,
                    "quantity": 5,
                    "location_id": self.stock.id,
                    "location_dest_id": self.customers.id,
                }
            ],
            hostile,
        )
        self.assertIn("RPC-Q", answer["error"]["data"]["message"])
        line = self.delivery.move_line_ids
        answer = self._call(
            "stock.move.line", "write", [line.ids, {"lot_id": self.quarantined.id}]
        )
        self.assertIn("not released", answer["error"]["data"]["message"])
        self.assertEqual(self._quantity(self.quarantined, self.stock), 20)
        self.assertEqual(self._quantity(self.quarantined, self.customers), 0)
        self.assertEqual(self._quantity(self.released, self.customers), 5)

    def test_delivery_of_a_released_lot_validated(self):
        self.authenticate("rpc_warehouse", "rpc_warehouse")
        answer = self._call(
            "stock.picking", "button_validate", [self.next_delivery.ids]
        )
        self.assertNotIn("error", answer)
        self.assertEqual(self._quantity(self.released, self.customers), 10)

    def test_quant_of_a_quarantined_lot_cannot_be_written(self):
        self.authenticate("rpc_warehouse", "rpc_warehouse")
        quant = self.env["stock.quant"].search(
            [("lot_id", "=", self.quarantined.id), ("location_id", "=", self.stock.id)]
        )
        for vals, context in (
            ({"location_id": self.customers.id}, {}),
            ({"lot_id": self.released.id}, {"inventory_mode": True}),
            ({"quantity": 0}, {"med_protected_write": True}),
        ):
            answer = self._call(
                "stock.quant", "write", [quant.ids, vals], {"context": context}
            )
            self.assertIn("cannot be edited", answer["error"]["data"]["message"])
        answer = self._call(
            "stock.quant",
            "create",
            [
                {
                    "product_id": self.product.id,
                    "location_id": self.customers.id,
                    "lot_id": self.quarantined.id,
                    "quantity": 20,
                }
            ],
        )
        self.assertIn("RPC-Q", answer["error"]["data"]["message"])
        self.assertEqual(self._quantity(self.quarantined, self.stock), 20)
        self.assertEqual(self._quantity(self.quarantined, self.customers), 0)

    def test_quick_created_lot_is_quarantined(self):
        self.authenticate("rpc_warehouse", "rpc_warehouse")
        answer = self._call(
            "stock.lot",
            "name_create",
            ["RPC-QUICK"],
            {
                "context": {
                    "default_product_id": self.product.id,
                    "default_med_state": "released",
                }
            },
        )
        lot = self.env["stock.lot"].browse(answer["result"][0])
        self.assertEqual(lot.med_state, "quarantine")
