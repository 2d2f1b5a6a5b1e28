from odoo.tests import HttpCase, tagged

from .common import MedRecallCommon


@tagged("post_install", "-at_install")
class TestTourRecall(HttpCase, MedRecallCommon):
    """In the browser: the QA manager launches a recall with a signature and sends
    the letters; the warehouse cannot ship the recalled lot and sees why."""

    # MedCapaCommon already puts the registry in test mode (the signature wizard's
    # own cursor); entering it twice fails.
    registry_test_mode = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.recall = cls._open_recall()
        cls.picking = cls._transfer(cls.barrel, 5, partner=cls.hospital)
        cls._set_lot_lines(cls.picking.move_ids, [(cls.barrel_lot, 5)])

    def test_launch_then_delivery_refused(self):
        self.start_tour(
            "/odoo",
            "med_recall_launch_signed",
            login=self.qa_manager.login,
        )
        self.assertEqual(self.recall.state, "launched")
        self.assertEqual(self.barrel_lot.med_state, "recalled")
        signature = self.recall.med_signature_ids
        self.assertEqual(signature.meaning, "approval")
        self.assertEqual(
            signature.comment, "Health hazard assessed by the safety board"
        )
        self.assertEqual(set(self.recall.notification_ids.mapped("state")), {"sent"})

        self.start_tour(
            "/odoo",
            "med_recall_delivery_blocked",
            login=self.warehouse.login,
        )
        self.assertNotEqual(self.picking.state, "done")
