from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedGenealogyCommon


@tagged("post_install", "-at_install")
class TestSegregation(MedGenealogyCommon):
    """A warehouse with a quarantine location keeps the lots that may not be used in
    it: receipts land there, a release puts the lot away to stock, a hold brings it
    back, and nothing else takes a lot out before its release."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the signature wizard counts failures from a cursor of its own
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.quarantine = cls.env["stock.location"].create(
            {"name": "Quarantine", "location_id": cls.stock.id, "usage": "internal"}
        )
        cls.shelf = cls.env["stock.location"].create(
            {"name": "Shelf A", "location_id": cls.stock.id, "usage": "internal"}
        )

    def _segregate(self):
        self.stock_warehouse.med_quarantine_location_id = self.quarantine

    def _receive(self, product, lot_name, qty):
        picking = self._transfer(product, qty, incoming=True)
        picking.move_ids.move_line_ids.write({"lot_name": lot_name, "quantity": qty})
        picking.move_ids.picked = True
        picking.with_user(self.warehouse).button_validate()
        self.assertEqual(picking.state, "done")
        return picking.move_line_ids.lot_id

    def _locations(self, lot):
        quants = self.env["stock.quant"].search(
            [("lot_id", "=", lot.id), ("quantity", ">", 0)]
        )
        return quants.location_id

    def _internal_transfer(self, lot, source, destination, qty):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.stock_warehouse.int_type_id.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
            }
        )
        self.env["stock.move"].create(
            {
                "name": lot.product_id.name,
                "picking_id": picking.id,
                "product_id": lot.product_id.id,
                "product_uom_qty": qty,
                "location_id": source.id,
                "location_dest_id": destination.id,
            }
        )
        picking.action_confirm()
        return picking

    def test_off_by_default(self):
        self.assertFalse(self.env["stock.warehouse"].new({}).med_quarantine_location_id)
        lot = self._receive(self.barrel, "SEG-OFF", 10)
        self.assertEqual(lot.med_state, "quarantine")
        self.assertEqual(self._locations(lot), self.stock)

    def test_receipt_lands_in_quarantine_and_release_puts_away(self):
        self._segregate()
        lot = self._receive(self.barrel, "SEG-RCV", 10)
        self.assertEqual(self._locations(lot), self.quarantine)
        self._sign(lot.with_user(self.qa_manager).action_med_release(), self.qa_manager)
        self.assertEqual(lot.med_state, "released")
        putaway = self.env["stock.picking"].search(
            [("location_id", "=", self.quarantine.id), ("origin", "=", lot.name)]
        )
        self.assertEqual(putaway.state, "assigned")
        self.assertEqual(putaway.location_dest_id, self.stock)
        self.assertEqual(putaway.move_line_ids.lot_id, lot)
        self.assertEqual(putaway.move_line_ids.quantity, 10)
        putaway.with_user(self.warehouse).button_validate()
        self.assertEqual(self._locations(lot), self.stock)

    def test_unreleased_lot_cannot_leave_quarantine(self):
        self._segregate()
        lot = self._receive(self.barrel, "SEG-KEEP", 10)
        picking = self._internal_transfer(lot, self.quarantine, self.shelf, 10)
        self.assertFalse(picking.move_ids.quantity, "not reserved before the release")
        picking.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": picking.move_ids.id,
                "picking_id": picking.id,
                "product_id": self.barrel.id,
                "lot_id": lot.id,
                "quantity": 10,
                "location_id": self.quarantine.id,
                "location_dest_id": self.shelf.id,
            }
        )
        picking.move_ids.picked = True
        with self.assertRaisesRegex(UserError, "SEG-KEEP"):
            picking.with_user(self.warehouse).button_validate()
        self.assertEqual(self._locations(lot), self.quarantine)

    def test_hold_brings_the_lot_back_to_quarantine(self):
        self._segregate()
        lot = self._lot(self.barrel, "SEG-HOLD", 30)
        self.assertEqual(self._locations(lot), self.stock)
        lot._med_put_on_hold("manual", "suspect seal")
        transfer = self.env["stock.picking"].search(
            [("location_dest_id", "=", self.quarantine.id), ("origin", "=", lot.name)]
        )
        self.assertEqual(transfer.state, "assigned")
        self.assertEqual(transfer.move_line_ids.lot_id, lot)
        self.assertEqual(transfer.move_line_ids.quantity, 30)
        transfer.with_user(self.warehouse).button_validate()
        self.assertEqual(self._locations(lot), self.quarantine)

    def test_hold_of_several_lots_one_transfer_a_line_per_lot(self):
        self._segregate()
        barrels = [self._lot(self.barrel, f"SEG-B{n}", 10 + n) for n in range(3)]
        needle = self._lot(self.needle, "SEG-N", 7)
        lots = self.env["stock.lot"].union(*barrels, needle)
        lots._med_put_on_hold("manual", "suspect seal")
        transfer = self.env["stock.picking"].search(
            [("location_dest_id", "=", self.quarantine.id), ("origin", "like", "SEG-")]
        )
        self.assertEqual(len(transfer), 1)
        self.assertEqual(transfer.origin, "SEG-B0, SEG-B1, SEG-B2, SEG-N")
        self.assertEqual(transfer.state, "assigned")
        moves = {move.product_id: move for move in transfer.move_ids}
        self.assertEqual(moves[self.barrel].product_uom_qty, 33)
        self.assertEqual(moves[self.needle].product_uom_qty, 7)
        for line in transfer.move_line_ids:
            self.assertEqual(line.move_id, moves[line.product_id])
        self.assertEqual(
            {(line.lot_id, line.quantity) for line in transfer.move_line_ids},
            {(barrels[0], 10), (barrels[1], 11), (barrels[2], 12), (needle, 7)},
        )
        transfer.with_user(self.warehouse).button_validate()
        for lot in lots:
            self.assertEqual(self._locations(lot), self.quarantine)

    def _reserved_by_lines(self, quant):
        lines = self.env["stock.move.line"].search(
            [
                ("product_id", "=", quant.product_id.id),
                ("location_id", "=", quant.location_id.id),
                ("lot_id", "=", quant.lot_id.id),
                ("package_id", "=", quant.package_id.id),
                ("owner_id", "=", quant.owner_id.id),
                ("state", "not in", ("done", "cancel")),
            ]
        )
        return sum(lines.mapped("quantity_product_uom"))

    def test_hold_of_many_lots_reserves_each_quant_by_its_lines(self):
        self._segregate()
        Quant = self.env["stock.quant"]
        lots = self.env["stock.lot"].union(
            *(
                self._lot((self.barrel, self.needle)[n % 2], f"SEG-M{n:02}")
                for n in range(30)
            )
        )
        for n, lot in enumerate(lots):
            for location in (self.stock, self.shelf):
                Quant._update_available_quantity(
                    lot.product_id, location, 5 + n % 3, lot_id=lot
                )
        bystander = self._lot(self.barrel, "SEG-MX", 9)
        # Another transfer holds 2 of the first lot on the shelf: they stay there.
        busy = lots[0]
        elsewhere = self._internal_transfer(busy, self.shelf, self.stock, 2)
        elsewhere.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": elsewhere.move_ids.id,
                "picking_id": elsewhere.id,
                "product_id": busy.product_id.id,
                "lot_id": busy.id,
                "quantity": 2,
                "location_id": self.shelf.id,
                "location_dest_id": self.stock.id,
            }
        )
        total = {lot: lot.product_qty for lot in lots}

        lots._med_put_on_hold("manual", "suspect seal")

        transfers = self.env["stock.picking"].search(
            [("location_dest_id", "=", self.quarantine.id), ("origin", "like", "SEG-M")]
        )
        self.assertEqual(transfers.location_id, self.stock | self.shelf)
        self.assertEqual(len(transfers), 2)
        self.assertEqual(set(transfers.mapped("state")), {"assigned"})
        self.assertEqual(len(transfers.move_line_ids), 60)
        self.assertEqual(transfers.move_line_ids.lot_id, lots)
        quants = Quant.search([("lot_id", "in", (lots | bystander).ids)])
        for quant in quants:
            self.assertAlmostEqual(
                quant.reserved_quantity,
                self._reserved_by_lines(quant),
                msg=f"{quant.lot_id.name} in {quant.location_id.name}",
            )
        busy_quant = quants.filtered(
            lambda quant: quant.lot_id == busy and quant.location_id == self.shelf
        )
        self.assertEqual(busy_quant.reserved_quantity, busy_quant.quantity)

        for transfer in transfers:
            transfer.with_user(self.warehouse).button_validate()
        self.assertEqual(set(transfers.mapped("state")), {"done"})
        for lot in lots:
            in_quarantine = sum(
                Quant.search(
                    [("lot_id", "=", lot.id), ("location_id", "=", self.quarantine.id)]
                ).mapped("quantity")
            )
            self.assertEqual(in_quarantine, total[lot] - (2 if lot == busy else 0))
        self.assertEqual(self._locations(busy), self.shelf | self.quarantine)
        self.assertEqual(self._locations(bystander), self.stock)
        for quant in Quant.search([("lot_id", "in", lots.ids)]):
            self.assertEqual(quant.reserved_quantity, 2 if quant == busy_quant else 0)

    def test_hold_transfer_reserved_whatever_the_reservation_method(self):
        self._segregate()
        self.stock_warehouse.int_type_id.reservation_method = "manual"
        lot = self._lot(self.barrel, "SEG-MANUAL", 12)
        lot._med_put_on_hold("manual", "suspect seal")
        transfer = self.env["stock.picking"].search(
            [("location_dest_id", "=", self.quarantine.id), ("origin", "=", lot.name)]
        )
        self.assertEqual(transfer.state, "assigned")
        quant = self.env["stock.quant"].search(
            [("lot_id", "=", lot.id), ("location_id", "=", self.stock.id)]
        )
        self.assertEqual(quant.reserved_quantity, 12)
        self.assertEqual(transfer.move_line_ids.quantity, 12)
