from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import SupplierQualCommon


@tagged("post_install", "-at_install")
class TestSupplierEvaluation(SupplierQualCommon):
    """Scores come from the supplier's real receipts and returns of the period."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.on_time = cls._received(promised_in_days=5, lot="EV-1")
        cls.late = cls._received(promised_in_days=-5, lot="EV-2")
        cls._return(cls.on_time, 2)

    @classmethod
    def _received(cls, promised_in_days, lot):
        order = Form(cls.env["purchase.order"])
        order.partner_id = cls.vendor
        with order.order_line.new() as line:
            line.product_id = cls.product_lot
            line.product_qty = 10
        order = order.save()
        order.button_confirm()
        order.order_line.date_planned = datetime.now() + timedelta(
            days=promised_in_days
        )
        picking = order.picking_ids
        picking.move_ids.move_line_ids.write({"lot_name": lot, "quantity": 10})
        picking.move_ids.picked = True
        picking.button_validate()
        return picking

    @classmethod
    def _return(cls, picking, quantity):
        wizard = Form(
            cls.env["stock.return.picking"].with_context(
                active_id=picking.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = quantity
        returned = wizard._create_return()
        returned.move_ids.picked = True
        returned.button_validate()

    def _evaluation(self, user=None):
        return (
            self.env["med.supplier.evaluation"]
            .with_user(user or self.qa_manager)
            .create(
                {
                    "partner_id": self.vendor.id,
                    "date_from": self.today - timedelta(days=30),
                    "date_to": self.today + timedelta(days=1),
                }
            )
        )

    def test_scores_from_real_receipts(self):
        evaluation = self._evaluation()
        evaluation.action_med_compute()
        lines = {line.code: line for line in evaluation.line_ids}
        self.assertAlmostEqual(lines["on_time"].score, 50.0)
        self.assertTrue(lines["on_time"].has_data)
        self.assertAlmostEqual(lines["returns"].score, 90.0)
        counted = evaluation.line_ids.filtered("has_data")
        expected = sum(line.score * line.weight for line in counted) / sum(
            counted.mapped("weight")
        )
        self.assertAlmostEqual(evaluation.score, expected, places=1)
        self.assertTrue(evaluation.name.startswith("SE/"))

    def test_period_without_receipts_has_no_score(self):
        evaluation = self._evaluation()
        evaluation.write(
            {
                "date_from": self.today - timedelta(days=400),
                "date_to": self.today - timedelta(days=300),
            }
        )
        evaluation.action_med_compute()
        self.assertFalse(any(evaluation.line_ids.mapped("has_data")))
        self.assertFalse(evaluation.rating)

    def test_signed_decision_changes_the_supplier_and_freezes_the_evaluation(self):
        evaluation = self._evaluation()
        evaluation.action_med_compute()
        evaluation.decision = "conditional"
        self._sign(evaluation.action_med_sign(), self.qa_manager, comment="late")
        self.assertEqual(evaluation.state, "done")
        self.assertEqual(evaluation.signed_by_id, self.qa_manager)
        self.assertEqual(self.vendor.med_supplier_state, "conditional")
        self.assertEqual(evaluation.med_signature_ids.meaning, "evaluation")
        with self.assertRaises(UserError):
            evaluation.write({"decision": "approved"})
        with self.assertRaises(UserError):
            evaluation.action_med_compute()

    def test_signing_needs_scores_decision_and_a_qa_manager(self):
        evaluation = self._evaluation()
        with self.assertRaises(UserError):
            evaluation.action_med_sign()
        evaluation.action_med_compute()
        with self.assertRaises(UserError):
            evaluation.action_med_sign()
        evaluation.decision = "approved"
        with self.assertRaises(UserError):
            evaluation.with_user(self.purchase).action_med_sign()
        self.assertEqual(evaluation.state, "draft")

    def test_period_must_be_ordered(self):
        with self.assertRaises(UserError):
            self.env["med.supplier.evaluation"].create(
                {
                    "partner_id": self.vendor.id,
                    "date_from": self.today,
                    "date_to": self.today - timedelta(days=1),
                }
            )
