from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestTourReceipt(HttpCase, MedCapaCommon):
    """In the browser, in Chinese: the warehouse user receives barrels under a new
    lot number and is told that the lot went to the quarantine location and which
    receiving inspection was created for it."""

    # MedCapaCommon already puts the registry in test mode (the signature wizard's
    # own cursor); entering it twice fails.
    registry_test_mode = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.quarantine = cls.env["stock.location"].create(
            {
                "name": "Quarantine",
                "location_id": cls.stock_warehouse.view_location_id.id,
                "usage": "internal",
            }
        )
        cls.stock_warehouse.med_quarantine_location_id = cls.quarantine
        # The receipts of barrels get a receiving inspection.
        trigger = cls.env["qc.trigger"].search(
            [("picking_type_id", "=", cls.stock_warehouse.in_type_id.id)], limit=1
        )
        cls.barrel.qc_triggers = [
            Command.create(
                {"trigger": trigger.id, "test": cls.visual_test.id, "timing": "after"}
            )
        ]
        cls.receipt = cls._transfer(
            cls.barrel, 500, incoming=True, partner=cls.supplier
        )
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.warehouse.write({"lang": "zh_CN", "tour_enabled": False})

    def test_receipt_tells_quarantine_and_inspection(self):
        self.start_tour(
            "/odoo", "med_capa_receipt_quarantine", login=self.warehouse.login
        )
        self.assertEqual(self.receipt.state, "done")
        lot = self.receipt.move_line_ids.lot_id
        self.assertEqual(lot.name, "TOUR-RCV-001")
        self.assertEqual(lot.med_state, "quarantine")
        quants = lot.quant_ids.filtered(lambda q: q.location_id.usage == "internal")
        self.assertEqual(quants.location_id, self.quarantine)
        self.assertEqual(quants.quantity, 500)
        inspection = self.receipt.qc_inspections_ids
        self.assertEqual(len(inspection), 1)
        message = self.receipt.message_ids.filtered(
            lambda m: lot.name in (m.body or "")
        )
        self.assertIn(inspection.name, message.body)
        self.assertIn(self.quarantine.display_name, message.body)
