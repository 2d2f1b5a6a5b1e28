from types import SimpleNamespace

from lxml import etree

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import MedGenealogyCommon


@tagged("post_install", "-at_install")
class TestDeliveryFeedback(MedGenealogyCommon):
    """On a delivery, the lot picker says each lot's status and offers only lots that
    may be shipped, and a delivery left unreserved says why."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.released = cls._lot(cls.barrel, "DLV-REL", 10)
        cls.quarantined = cls._lot(cls.barrel, "DLV-QUA", 500, released=False)
        cls.held = cls._lot(cls.barrel, "DLV-HOLD", 20)
        cls.held._med_put_on_hold("manual", "suspect seal")

    def _quant(self, lot):
        return self.env["stock.quant"].search(
            [("lot_id", "=", lot.id), ("location_id", "=", self.stock.id)]
        )

    def test_quant_names_say_the_lot_status(self):
        self.assertEqual(
            self._quant(self.quarantined).display_name,
            f"{self.stock.display_name} - DLV-QUA (Quarantine)",
        )
        self.assertTrue(self._quant(self.held).display_name.endswith("(On Hold)"))
        self.assertEqual(
            self._quant(self.released).display_name,
            f"{self.stock.display_name} - DLV-REL",
        )

    def _picker_quants(self, view_xmlid, picking_code):
        """The quants the view's "Pick From" field offers, its domain evaluated as
        the web client does for a line of a ``picking_code`` transfer."""
        arch = self.env["stock.move.line"].get_view(self.env.ref(view_xmlid).id)["arch"]
        (field,) = etree.fromstring(arch).xpath("//field[@name='quant_id']")
        domain = safe_eval(
            field.get("domain"),
            {
                "product_id": self.barrel.id,
                "parent": SimpleNamespace(location_id=self.stock.id),
                "picking_location_id": self.stock.id,
                "picking_code": picking_code,
            },
        )
        return self.env["stock.quant"].search(domain).lot_id

    def test_delivery_picker_offers_only_released_lots(self):
        for view in (
            "stock.view_stock_move_line_operation_tree",
            "stock.view_stock_move_line_detailed_operation_tree",
        ):
            self.assertEqual(self._picker_quants(view, "outgoing"), self.released, view)
            # moving stock inside the warehouse (to a quarantine area) may pick any
            self.assertEqual(
                self._picker_quants(view, "internal"),
                self.released | self.quarantined | self.held,
                view,
            )

    def test_unreserved_delivery_says_why(self):
        picking = self._transfer(self.barrel, 100)
        picking.action_assign()
        self.assertEqual(picking.move_ids.quantity, 10)  # the released lot only
        note = picking.med_availability_note
        self.assertIn("DLV-QUA (Quarantine, 500", note)
        self.assertIn("DLV-HOLD (On Hold, 20", note)
        self.assertNotIn("DLV-REL", note)

    def test_reserved_delivery_has_no_note(self):
        picking = self._transfer(self.barrel, 5)
        picking.action_assign()
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(picking.med_availability_note)
