from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestDispositionStock(MedCapaCommon):
    """The signed disposition carries itself out through Odoo's stock flows: scrap
    from where the lot lies, return to the supplier of its receipt; a disposition
    that stock cannot carry out is refused and nothing is signed."""

    def _nonconformance(self, lot, quantity, disposition):
        record = self.Nonconformance.with_user(self.inspector).create(
            {
                "description": "Flash on the barrel tip",
                "source": "audit",
                "product_id": lot.product_id.id,
                "lot_ids": [Command.set(lot.ids)],
                "quantity": quantity,
            }
        )
        record.with_user(self.qa_manager).disposition = disposition
        return record

    def _dispose(self, record):
        self._sign(
            record.with_user(self.qa_manager).action_disposition(), self.qa_manager
        )
        self.assertEqual(record.state, "dispositioned")

    def _on_hand(self, lot, location=None):
        return lot.product_id.with_context(
            lot_id=lot.id, location=(location or self.stock).id
        ).qty_available

    def _audit(self, record, field_name):
        return self.env["med.audit.entry"].search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("field_name", "=", field_name),
            ]
        )

    def _refused(self, record, message):
        with self.assertRaisesRegex(UserError, message):
            record.with_user(self.qa_manager).action_disposition()
        self.assertEqual(record.state, "open")
        self.assertFalse(record.med_signature_ids)
        self.assertFalse(record.scrap_ids)
        self.assertFalse(record.return_picking_ids)

    # -- scrap --
    def test_scrap_of_part_of_a_lot(self):
        lot = self._lot(self.barrel, "BRL-SCRAP-PART", 100)
        record = self._nonconformance(lot, 12, "scrap")
        self._dispose(record)
        scrap = record.scrap_ids
        self.assertEqual(len(scrap), 1)
        self.assertEqual(
            (scrap.state, scrap.scrap_qty, scrap.lot_id, scrap.location_id),
            ("done", 12, lot, self.stock),
        )
        self.assertEqual(scrap.origin, record.name)
        self.assertTrue(scrap.move_ids.location_dest_id.scrap_location)
        self.assertEqual(self._on_hand(lot), 88)
        self.assertEqual(lot.med_state, "released")
        # the audit trail says what the signature did in stock
        entry = self._audit(record, "scrap_ids")
        self.assertIn(scrap.display_name, entry.new_value)
        self.assertEqual(entry.user_id, self.qa_manager)
        action = record.action_open_scraps()
        self.assertEqual(self.env["stock.scrap"].search(action["domain"]), scrap)
        # the scraps are the disposition's evidence: not changed by hand
        with self.assertRaisesRegex(UserError, "Scraps"):
            record.with_user(self.qa_manager).write({"scrap_ids": [Command.clear()]})

    def test_scrap_of_the_whole_lot_spread_over_locations_rejects_it(self):
        shelf = self.env["stock.location"].create(
            {"name": "Shelf B", "location_id": self.stock.id, "usage": "internal"}
        )
        lot = self._lot(self.barrel, "BRL-SCRAP-ALL", 30)
        self.env["stock.quant"]._update_available_quantity(
            self.barrel, shelf, 20, lot_id=lot
        )
        record = self._nonconformance(lot, 50, "scrap")
        self._dispose(record)
        self.assertEqual(
            sorted((s.location_id.name, s.scrap_qty) for s in record.scrap_ids),
            [("Shelf B", 20), ("Stock", 30)],
        )
        self.assertEqual(self._on_hand(lot), 0)
        self.assertEqual(lot.med_state, "rejected")
        entry = self._audit(lot, "med_state").filtered(
            lambda e: e.new_value == "Rejected"
        )
        self.assertEqual(len(entry), 1)
        self.assertIn(record.name, entry.reason)
        self.assertEqual(entry.user_id, self.qa_manager)

    def test_scrap_refused_when_less_is_on_hand(self):
        lot = self._lot(self.barrel, "BRL-SCRAP-SHORT", 10)
        record = self._nonconformance(lot, 12, "scrap")
        self._refused(record, "only 10.0 Units of lot BRL-SCRAP-SHORT are in stock")
        self.assertEqual(self._on_hand(lot), 10)
        self.assertFalse(self.env["stock.scrap"].search([("lot_id", "=", lot.id)]))

    def test_refusal_in_chinese(self):
        lot = self._lot(self.barrel, "BRL-SCRAP-ZH", 1)
        record = self._nonconformance(lot, 5, "scrap")
        with self.assertRaisesRegex(UserError, "库存"):
            record.with_user(self.qa_manager).with_context(
                lang="zh_CN"
            ).action_disposition()

    def test_stock_failure_at_signature_records_nothing(self):
        lot = self._lot(self.barrel, "BRL-SCRAP-RACE", 20)
        record = self._nonconformance(lot, 15, "scrap")
        action = record.with_user(self.qa_manager).action_disposition()
        # meanwhile the warehouse scraps 10 of the lot: 15 can no longer be scrapped
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.barrel.id,
                "lot_id": lot.id,
                "scrap_qty": 10,
                "location_id": self.stock.id,
            }
        )
        scrap.action_validate()
        with self.assertRaisesRegex(UserError, "only 10.0"):
            self._sign(action, self.qa_manager)
        self.assertEqual(record.state, "open")
        self.assertFalse(record.disposition_user_id)
        self.assertFalse(record.med_signature_ids)
        self.assertFalse(record.scrap_ids)
        self.assertEqual(self._on_hand(lot), 10)

    # -- several lots: the quantity of each --
    def _two_lots(self, prefix, quantity=10):
        return self._lot(self.barrel, f"{prefix}-1", quantity) | self._lot(
            self.barrel, f"{prefix}-2", quantity
        )

    def _split(self, record, quantities):
        record.with_user(self.inspector).lot_quantity_ids = [
            Command.create({"lot_id": lot.id, "quantity": quantity})
            for lot, quantity in zip(record.lot_ids, quantities, strict=True)
        ]

    def test_scrap_of_several_lots_moves_each_lots_quantity(self):
        lots = self._two_lots("BRL-TWO")
        record = self._nonconformance(lots[0], 7, "scrap")
        record.lot_ids = lots
        self._split(record, [3, 4])
        self._dispose(record)
        self.assertEqual(
            sorted((s.lot_id.name, s.scrap_qty) for s in record.scrap_ids),
            [("BRL-TWO-1", 3), ("BRL-TWO-2", 4)],
        )
        self.assertEqual([self._on_hand(lot) for lot in lots], [7, 6])
        # the split is part of the signed disposition
        with self.assertRaisesRegex(UserError, "dispositioned"):
            record.lot_quantity_ids[0].with_user(self.inspector).quantity = 1
        with self.assertRaisesRegex(UserError, "dispositioned"):
            record.lot_quantity_ids.with_user(self.inspector).unlink()
        self.assertEqual(record.lot_quantity_ids.mapped("quantity"), [3, 4])

    def test_several_lots_refused_without_the_quantity_of_each(self):
        lots = self._two_lots("BRL-NOSPLIT")
        record = self._nonconformance(lots[0], 7, "scrap")
        record.lot_ids = lots
        self._refused(record, "Quantity per Lot")
        self._split(record, [3, 3])
        self._refused(record, "6.0 in all")
        self.assertEqual([self._on_hand(lot) for lot in lots], [10, 10])
        with self.assertRaisesRegex(ValidationError, "not one of its lots"):
            record.lot_quantity_ids[0].lot_id = self._lot(self.barrel, "BRL-OTHER", 1)

    def test_return_of_several_lots_to_their_suppliers(self):
        lots = self._receive(self.barrel, "BRL-RET-1", 20).move_line_ids.lot_id
        lots |= self._receive(self.barrel, "BRL-RET-2", 20).move_line_ids.lot_id
        record = self._nonconformance(lots[0], 9, "return")
        record.lot_ids = lots
        self._split(record, [5, 4])
        self._dispose(record)
        self.assertEqual(
            sorted(
                (p.move_line_ids.lot_id.name, p.move_ids.product_uom_qty)
                for p in record.return_picking_ids
            ),
            [("BRL-RET-1", 5), ("BRL-RET-2", 4)],
        )

    # -- return to supplier --
    def test_return_to_the_supplier_of_the_receipt(self):
        receipt = self._receive(self.barrel, "BRL-RETURN", 40)
        lot = receipt.move_line_ids.lot_id
        self.assertEqual(lot.med_state, "quarantine")
        record = self._nonconformance(lot, 15, "return")
        self._dispose(record)
        picking = record.return_picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.return_id, receipt)
        self.assertEqual(picking.partner_id, self.supplier)
        self.assertEqual(picking.state, "assigned", "ready for the warehouse")
        self.assertIn(record.name, picking.origin)
        self.assertEqual(picking.move_ids.product_uom_qty, 15)
        self.assertEqual(picking.move_line_ids.lot_id, lot)
        self.assertEqual(sum(picking.move_line_ids.mapped("quantity")), 15)
        self.assertEqual(picking.location_dest_id.usage, "supplier")
        self.assertEqual(self._on_hand(lot), 40, "not shipped yet")
        entry = self._audit(record, "return_picking_ids")
        self.assertIn(picking.display_name, entry.new_value)
        action = record.action_open_return_pickings()
        self.assertEqual(self.env["stock.picking"].search(action["domain"]), picking)
        # the warehouse ships it
        picking.move_ids.picked = True
        picking.with_user(self.warehouse).button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(self._on_hand(lot), 25)

    def test_return_refused_without_a_receipt(self):
        lot = self._lot(self.barrel, "BRL-NO-RECEIPT", 40)
        record = self._nonconformance(lot, 5, "return")
        self._refused(record, "was not received from a supplier")
        self.assertFalse(
            self.env["stock.picking"].search([("origin", "like", record.name)])
        )

    # -- rework --
    def test_rework_makes_the_rework_order(self):
        lot = self._lot(self.barrel, "BRL-REWORK", 10, released=False)
        record = self._nonconformance(lot, 4, "rework")
        self._dispose(record)
        production = record.rework_production_ids.with_env(self.env)
        self.assertEqual(len(production), 1)
        self.assertEqual(
            (production.product_id, production.product_qty, production.state),
            (self.barrel, 4, "confirmed"),
        )
        self.assertEqual(production.med_rework_nonconformance_id, record)
        self.assertEqual(production.origin, record.name)
        self.assertEqual(production.move_raw_ids.move_line_ids.lot_id, lot)
        self.assertEqual(production.move_raw_ids.quantity, 4)
        action = record.action_open_rework_productions()
        self.assertEqual(
            self.env["mrp.production"].search(action["domain"]), production
        )
        # production reworks the quarantined lot into a new lot
        production.lot_producing_id = self._lot(self.barrel, "BRL-REWORKED", 0, False)
        production.qty_producing = 4
        production.move_raw_ids.picked = True
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        self.assertEqual(self._on_hand(lot), 6)
        if "med.release.result" in self.env:
            check = self.env["med.release.check"].search(
                [("code", "=", "nc_disposition")]
            )
            result = self.env["med.release.result"].search(
                [("lot_id", "=", lot.id), ("check_id", "=", check.id)]
            )
            self.assertEqual(result.state, "pass", result.message)

    def test_rework_refused_when_less_is_on_hand(self):
        lot = self._lot(self.barrel, "BRL-REWORK-SHORT", 3)
        record = self._nonconformance(lot, 4, "rework")
        self._refused(record, "only 3.0 Units of lot BRL-REWORK-SHORT")
        self.assertFalse(
            self.env["mrp.production"].search([("origin", "=", record.name)])
        )

    def test_rework_link_is_not_given_by_a_caller(self):
        lot = self._lot(self.barrel, "BRL-REWORK-FORGED", 10, released=False)
        record = self._nonconformance(lot, 4, "rework")
        self._dispose(record)
        with self.assertRaisesRegex(UserError, "application's own actions"):
            self.env["mrp.production"].create(
                {
                    "product_id": self.barrel.id,
                    "product_qty": 1,
                    "med_rework_nonconformance_id": record.id,
                }
            )
        self.assertEqual(
            self.env["mrp.production"].search(
                [("med_rework_nonconformance_id", "=", record.id)]
            ),
            record.rework_production_ids,
        )

    # -- release review --
    def test_release_review_check_passes_after_the_scrap(self):
        if "med.release.result" not in self.env:
            self.skipTest("med_release_review is not installed")
        lot = self._lot(self.barrel, "BRL-SCRAP-REVIEW", 50, released=False)
        record = self._nonconformance(lot, 5, "scrap")
        self._dispose(record)
        check = self.env["med.release.check"].search([("code", "=", "nc_disposition")])
        result = self.env["med.release.result"].search(
            [("lot_id", "=", lot.id), ("check_id", "=", check.id)]
        )
        self.assertEqual(result.state, "pass", result.message)

    def test_release_review_check_fails_until_the_return_is_shipped(self):
        if "med.release.result" not in self.env:
            self.skipTest("med_release_review is not installed")
        lot = self._receive(self.barrel, "BRL-RETURN-REVIEW", 50).move_line_ids.lot_id
        record = self._nonconformance(lot, 5, "return")
        self._dispose(record)
        check = self.env["med.release.check"].search([("code", "=", "nc_disposition")])

        def result():
            return self.env["med.release.result"].search(
                [("lot_id", "=", lot.id), ("check_id", "=", check.id)]
            )

        self.assertEqual(result().state, "fail")
        self.assertIn("Return to Supplier of 5.00, only 0.00", result().message)
        picking = record.return_picking_ids
        picking.move_ids.picked = True
        picking.with_user(self.warehouse).button_validate()
        self.assertEqual(result().state, "pass", result().message)
