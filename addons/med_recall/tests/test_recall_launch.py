from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedRecallCommon


@tagged("post_install", "-at_install")
class TestRecallLaunch(MedRecallCommon):
    def test_signed_launch_recalls_every_lot_in_scope(self):
        recall = self._open_recall()
        self._launch(recall)
        self.assertEqual(recall.state, "launched")
        self.assertEqual(recall.launched_by_id, self.qa_manager)
        lots = self.barrel_lot | self.body_lot | self.syringe_lot
        self.assertEqual(set(lots.mapped("med_state")), {"recalled"})
        self.assertEqual(set(lots.mapped("med_hold_source")), {"recall"})
        self.assertNotIn(self.needle_lot.med_state, ("recalled",))
        signature = recall.med_signature_ids
        self.assertEqual(signature.meaning, "approval")
        self.assertEqual(signature.signer_id, self.qa_manager)
        # one notification per customer, to send
        self.assertEqual(
            recall.notification_ids.partner_id, self.hospital | self.distributor
        )
        self.assertEqual(set(recall.notification_ids.mapped("state")), {"to_send"})
        # the lots' status change is in the audit trail, with the recall as reason
        self.env.flush_all()
        entry = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "stock.lot"),
                ("res_id", "=", self.syringe_lot.id),
                ("field_name", "=", "med_state"),
            ],
            order="id desc",
            limit=1,
        )
        self.assertEqual(entry.new_value, "Recalled")
        self.assertIn(recall.name, entry.reason)

    def test_wrong_password_does_not_launch(self):
        recall = self._open_recall()
        with self.assertRaisesRegex(UserError, "Wrong password"):
            self._launch(recall, password="not-the-password")
        self.assertEqual(recall.state, "draft")
        self.assertEqual(self.syringe_lot.med_state, "released")
        self.assertFalse(recall.med_signature_ids)

    def test_only_qa_managers_launch(self):
        recall = self._open_recall()
        with self.assertRaisesRegex(UserError, "Only a QA manager"):
            recall.with_user(self.inspector).action_launch()
        # nor through the signature wizard directly
        action = recall.with_user(self.qa_manager).action_launch()
        with self.assertRaisesRegex(UserError, "Only members of"):
            self._sign(action, self.inspector)
        self.assertEqual(recall.state, "draft")

    def test_launching_twice_refused(self):
        recall = self._open_recall()
        self._launch(recall)
        with self.assertRaisesRegex(UserError, "already launched"):
            recall.with_user(self.qa_manager).action_launch()

    def test_launch_refused_without_classification(self):
        recall = self._open_recall(health_hazard=False, nmpa_level=False)
        with self.assertRaisesRegex(UserError, "Health Hazard Assessment"):
            recall.with_user(self.qa_manager).action_launch()
        self.assertEqual(recall.state, "draft")

    def test_lot_in_another_open_recall_refused(self):
        first = self._open_recall()
        self._launch(first)
        second = self._open_recall(lots=self.syringe_lot)
        with self.assertRaisesRegex(UserError, first.name):
            second.with_user(self.qa_manager).action_launch()
        self.assertEqual(second.state, "draft")

    def test_lots_of_a_launched_recall_cannot_change(self):
        recall = self._open_recall()
        self._launch(recall)
        with self.assertRaisesRegex(UserError, "can no longer change"):
            recall.with_user(self.qa_manager).lot_ids = self.needle_lot

    # -- deliveries of recalled lots, on every path --
    def _delivery_of(self, lot, qty):
        picking = self._transfer(lot.product_id, qty, partner=self.hospital)
        self._set_lot_lines(picking.move_ids, [(lot, qty)])
        return picking

    def test_delivery_refused_on_button_validate(self):
        recall = self._open_recall()
        picking = self._delivery_of(self.syringe_lot, 5)
        self._launch(recall)
        with self.assertRaisesRegex(UserError, f"recalled \\({recall.name}\\)"):
            picking.with_user(self.warehouse).button_validate()
        self.assertNotEqual(picking.state, "done")

    def test_delivery_refused_on_action_done(self):
        recall = self._open_recall()
        picking = self._delivery_of(self.syringe_lot, 5)
        self._launch(recall)
        with self.assertRaisesRegex(
            UserError, "is recalled .*: it cannot be delivered"
        ):
            picking.move_ids._action_done()
        self.assertNotEqual(picking.state, "done")

    def test_delivery_refused_even_in_warn_mode_when_confirmed(self):
        recall = self._open_recall()
        self.env.company.med_gate_mode = "warn"
        picking = self._delivery_of(self.barrel_lot, 5)
        self._launch(recall)
        with self.assertRaisesRegex(UserError, recall.name):
            picking.with_context(med_gate_confirmed=True).button_validate()
        self.assertNotEqual(picking.state, "done")

    def test_recalled_component_refused_in_production(self):
        recall = self._open_recall()
        self._launch(recall)
        with self.assertRaisesRegex(UserError, "BRL-R1"):
            self._produce(
                self.bom_body,
                5,
                "BODY-R2",
                {self.barrel_lot: 5, self.plunger_lot: 5},
            )

    def test_recalled_lot_not_reserved_for_customers(self):
        recall = self._open_recall()
        self._launch(recall)
        picking = self._transfer(self.syringe, 5, partner=self.hospital)
        picking.action_assign()
        self.assertFalse(picking.move_ids.move_line_ids)

    def test_unrecalled_lot_still_ships(self):
        recall = self._open_recall()
        self._launch(recall)
        other = self._lot(self.syringe, "SYR-R9", 5)
        picking = self._deliver(self.hospital, [(other, 5)])
        self.assertEqual(picking.state, "done")

    def test_customer_found_by_recompute_after_launch_gets_a_letter(self):
        recall = self._open_recall()
        pharmacy = self.env["res.partner"].create(
            {"name": "Huashan Pharmacy", "email": "p@example.com"}
        )
        # shipped after the scope was frozen, before the launch
        self._deliver(pharmacy, [(self.syringe_lot, 2)])
        self._launch(recall)
        self.assertNotIn(pharmacy, recall.notification_ids.partner_id)
        action = recall.with_user(self.qa_manager).action_recompute_scope()
        wizard = self.env["med.recall.recompute"].browse(action["res_id"])
        self.assertIn("added", wizard.line_ids.mapped("change"))
        wizard.with_user(self.qa_manager).action_accept()
        self.assertEqual(self._line(recall, pharmacy).shipped_qty, 2.0)
        self.assertIn(pharmacy, recall.notification_ids.partner_id)

    def test_draft_cancelled_with_its_reason(self):
        recall = self._open_recall()
        with self.assertRaisesRegex(UserError, "Say why"):
            recall.with_user(self.qa_manager).action_cancel()
        self.assertEqual(recall.state, "draft")
        recall.with_user(self.qa_manager).cancel_reason = "Hardness retest passed"
        recall.with_user(self.qa_manager).action_cancel()
        self.assertEqual(recall.state, "cancelled")
        self.assertEqual(self.syringe_lot.med_state, "released")
        with self.assertRaisesRegex(UserError, "already launched"):
            recall.with_user(self.qa_manager).action_launch()
        with self.assertRaisesRegex(UserError, "can no longer"):
            recall.with_user(self.qa_manager).title = "Changed"

    def test_launched_recall_cannot_be_cancelled(self):
        recall = self._open_recall(cancel_reason="Changed our mind")
        self._launch(recall)
        with self.assertRaisesRegex(UserError, "only a draft recall"):
            recall.with_user(self.qa_manager).action_cancel()
        self.assertEqual(recall.state, "launched")
