from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import MedRecallCommon


@tagged("post_install", "-at_install")
class TestRecallReconciliation(MedRecallCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.recall = cls._open_recall()

    def setUp(self):
        super().setUp()
        self._launch(self.recall)

    def _send_all(self):
        self.recall.with_user(self.qa_manager).action_send_notifications()

    def test_partial_returns_and_declarations(self):
        recall = self.recall
        returned = self._return(self.delivery_hospital, 8)
        self._return(self.delivery_distributor, 5)
        self.assertIn(returned, recall.return_picking_ids)
        self.assertEqual(recall.return_picking_count, 2)
        # the return was told to the recall
        self.assertTrue(
            recall.message_ids.filtered(
                lambda m: "Return received" in m.body and returned.name in m.body
            )
        )
        hospital = self._line(recall, self.hospital)
        hospital.with_user(self.qa_manager).write(
            {"destroyed_qty": 7, "destroyed_note": "Ward 3 certificate 2026-118"}
        )
        distributor = self._line(recall, self.distributor)
        self.assertEqual(
            (hospital.shipped_qty, hospital.returned_qty, hospital.destroyed_qty),
            (20.0, 8.0, 7.0),
        )
        self.assertEqual(hospital.outstanding_qty, 5.0)
        self.assertEqual(distributor.outstanding_qty, 10.0)
        self.assertEqual(recall.returned_qty, 13.0)
        self.assertEqual(recall.destroyed_qty, 7.0)
        self.assertEqual(recall.outstanding_qty, 15.0)
        self.assertAlmostEqual(recall.recovered_percent, 100.0 * 20 / 35)
        self.assertFalse(recall.target_met)
        # a second partial return of the same delivery adds up
        self._return(self.delivery_hospital, 5)
        recall.invalidate_recordset()
        hospital.invalidate_recordset()
        self.assertEqual(hospital.returned_qty, 13.0)
        self.assertEqual(hospital.outstanding_qty, 0.0)
        self.assertEqual(recall.outstanding_qty, 10.0)

    def test_destroyed_more_than_held_refused(self):
        self._return(self.delivery_hospital, 8)
        line = self._line(self.recall, self.hospital)
        # assertRaises (not ...Regex) rolls the refused write back to a savepoint
        with self.assertRaises(ValidationError) as refused:
            line.with_user(self.qa_manager).write(
                {"destroyed_qty": 13, "destroyed_note": "certificate"}
            )
        self.assertIn("20 shipped, 8 returned", str(refused.exception))
        line.invalidate_recordset()
        self.assertEqual(line.destroyed_qty, 0.0)

    def test_declaration_needs_its_reference(self):
        line = self._line(self.recall, self.hospital)
        with self.assertRaisesRegex(ValidationError, "declared the destruction"):
            line.with_user(self.qa_manager).write({"destroyed_qty": 2})

    def test_declaration_refused_after_closure(self):
        self._send_all()
        self.recall.closure_justification = "Used on patients before the notice."
        self._sign(
            self.recall.with_user(self.qa_manager).action_close(), self.qa_manager
        )
        line = self._line(self.recall, self.hospital)
        with self.assertRaisesRegex(UserError, "while the recall is launched"):
            line.with_user(self.qa_manager).write(
                {"destroyed_qty": 1, "destroyed_note": "late"}
            )

    def test_returned_stock_goes_to_a_nonconformance(self):
        self._return(self.delivery_hospital, 8)
        action = self.recall.with_user(
            self.qa_manager
        ).action_open_return_nonconformance()
        nonconformance = self.recall.nonconformance_ids
        self.assertEqual(action["res_model"], "med.nonconformance")
        self.assertEqual(len(nonconformance), 1)
        self.assertEqual(nonconformance.source, "recall")
        self.assertEqual(nonconformance.quantity, 8.0)
        self.assertEqual(nonconformance.lot_ids, self.syringe_lot)
        # nothing new returned: refused
        with self.assertRaisesRegex(UserError, "already has a"):
            self.recall.with_user(self.qa_manager).action_open_return_nonconformance()
        # a later return opens a nonconformance for the new quantity only
        self._return(self.delivery_distributor, 3)
        self.recall.with_user(self.qa_manager).action_open_return_nonconformance()
        self.assertEqual(
            sorted(self.recall.nonconformance_ids.mapped("quantity")), [3.0, 8.0]
        )
        # its disposition is signed in the NC workflow
        latest = self.recall.nonconformance_ids.filtered(lambda n: n.quantity == 3.0)
        latest.with_user(self.qa_manager).disposition = "scrap"
        self._sign(
            latest.with_user(self.qa_manager).action_disposition(), self.qa_manager
        )
        self.assertEqual(latest.state, "dispositioned")

    def test_close_refused_with_outstanding_and_no_justification(self):
        self._send_all()
        with self.assertRaisesRegex(UserError, "35 units outstanding"):
            self.recall.with_user(self.qa_manager).action_close()
        self.assertEqual(self.recall.state, "launched")

    def test_close_refused_before_every_customer_is_notified(self):
        self.recall.closure_justification = "All used."
        with self.assertRaisesRegex(UserError, "have not been notified"):
            self.recall.with_user(self.qa_manager).action_close()

    def test_close_with_justification_signed(self):
        self._send_all()
        self.recall.with_user(self.qa_manager).closure_justification = (
            "The remaining syringes were used on patients before the notice; "
            "no adverse event reported."
        )
        self._sign(
            self.recall.with_user(self.qa_manager).action_close(), self.qa_manager
        )
        self.assertEqual(self.recall.state, "closed")
        self.assertEqual(self.recall.closed_by_id, self.qa_manager)
        self.assertIn("closure", self.recall.med_signature_ids.mapped("meaning"))
        with self.assertRaisesRegex(UserError, "closed"):
            self.recall.with_user(self.qa_manager).title = "Changed"

    def test_close_when_everything_is_recovered(self):
        self._send_all()
        self._return(self.delivery_hospital, 20)
        self._line(self.recall, self.distributor).with_user(self.qa_manager).write(
            {"destroyed_qty": 15, "destroyed_note": "Certificate SP-77"}
        )
        self.assertEqual(self.recall.outstanding_qty, 0.0)
        self.assertTrue(self.recall.target_met)
        self._sign(
            self.recall.with_user(self.qa_manager).action_close(), self.qa_manager
        )
        self.assertEqual(self.recall.state, "closed")

    def test_non_qa_cannot_close(self):
        self._send_all()
        self.recall.closure_justification = "All used."
        with self.assertRaisesRegex(UserError, "Only a QA manager"):
            self.recall.with_user(self.inspector).action_close()

    def test_effectiveness_check_records_the_figures(self):
        self._send_all()
        self.recall.notification_ids[0].acknowledged_by = "Dr. Li"
        self.recall.notification_ids[0].with_user(self.qa_manager).action_acknowledge()
        self._return(self.delivery_hospital, 7)
        self.recall.with_user(self.qa_manager).action_record_check()
        check = self.recall.check_ids
        self.assertEqual(check.reached_percent, 50.0)
        self.assertAlmostEqual(check.recovered_percent, 100.0 * 7 / 35)
        self.assertEqual(check.outstanding_qty, 28.0)
        self.assertFalse(check.target_met)
        self.assertEqual(check.user_id, self.qa_manager)
