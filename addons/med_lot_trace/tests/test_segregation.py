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
