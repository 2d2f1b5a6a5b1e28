from odoo.tests import HttpCase, tagged

from .common import MedGenealogyCommon


@tagged("post_install", "-at_install")
class TestTourLotRelease(HttpCase, MedGenealogyCommon):
    """In the browser: the warehouse cannot ship a quarantined lot; once the QA
    manager has released it with a signature, the same delivery goes out. Each
    starts from the menus, in Chinese, as the users of the demo company work."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A syringe lot made here and still in quarantine (QA has not released it).
        cls.lot = cls._lot(cls.syringe, "TOUR-SYR-001", 50, released=False)
        cls.picking = cls._transfer(cls.syringe, 5, partner=cls.hospital)
        # Reservation never proposes an unreleased lot to a customer: the warehouse
        # picked it by hand, which is what the gate at validation is for.
        cls._set_lot_lines(cls.picking.move_ids, [(cls.lot, 5)])
        cls.env["res.lang"]._activate_lang("zh_CN")
        (cls.warehouse | cls.qa_manager).write({"lang": "zh_CN"})

    def test_ship_only_after_signed_release(self):
        self.assertEqual(self.lot.med_state, "quarantine")
        self.assertEqual(self.picking.state, "assigned")
        self.start_tour(
            "/odoo",
            "med_lot_trace_delivery_blocked",
            login=self.warehouse.login,
        )
        self.assertEqual(self.picking.state, "assigned")
        self.assertEqual(self.lot.med_state, "quarantine")
        self.assertEqual(
            self.lot.quant_ids.filtered("quantity").location_id, self.stock
        )

        self.start_tour(
            "/odoo",
            "med_lot_trace_release_signed",
            login=self.qa_manager.login,
        )
        self.assertEqual(self.lot.med_state, "released")
        signature = self.lot.med_signature_ids
        self.assertEqual(signature.meaning, "release")
        self.assertEqual(signature.signer_id, self.qa_manager)
        self.assertEqual(signature.comment, "Sterility and batch record reviewed")

        self.start_tour(
            "/odoo",
            "med_lot_trace_delivery_shipped",
            login=self.warehouse.login,
        )
        self.assertEqual(self.picking.state, "done")
        self.assertEqual(self.picking.move_line_ids.lot_id, self.lot)
        self.assertEqual(self.picking.move_line_ids.quantity, 5)
