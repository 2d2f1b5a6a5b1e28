from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ReleaseReviewCommon


@tagged("post_install", "-at_install")
class TestReleaseByException(ReleaseReviewCommon):
    """A failed blocking check refuses the release; a failed warning needs a signed
    justification first; the time from receipt or production to release is kept."""

    def _short_inspected_lot(self, name):
        picking = self._receive(self.barrel, name, 100)
        lot = picking.move_line_ids.lot_id
        self._pass(self._inspect_lot(lot, qty=40))
        return lot

    def _overconsumed_body(self, name):
        barrel = self._lot(self.barrel, f"BRL-{name}", 50)
        plunger = self._lot(self.plunger, f"PLG-{name}", 50)
        self.bom_body.consumption = "flexible"
        return self._produce(
            self.bom_body, 20, name, {barrel: 30, plunger: 20}, released=False
        )

    def test_blocking_result_refuses_release(self):
        lot = self._short_inspected_lot("BRL-BLOCK")
        self.assertEqual(lot.med_review_state, "red")
        with self.assertRaisesRegex(UserError, "Received vs inspected quantity"):
            lot.with_user(self.qa_manager).action_med_release()
        self.assertEqual(lot.med_state, "quarantine")
        self.assertFalse(lot.med_release_date)

    def test_blocking_result_refused_even_at_signing(self):
        picking = self._receive(self.barrel, "BRL-LATE", 100)
        lot = picking.move_line_ids.lot_id
        action = lot.with_user(self.qa_manager).action_med_release()
        # The inspection is recorded while the signature dialog is open.
        self._pass(self._inspect_lot(lot, qty=10))
        with self.assertRaisesRegex(UserError, "Received 100"):
            self._sign(action, self.qa_manager)
        self.assertEqual(lot.med_state, "quarantine")

    def test_warning_blocks_until_justified_with_a_signature(self):
        body = self._overconsumed_body("BODY-WARN")
        self.assertEqual(body.med_review_state, "warning")
        with self.assertRaisesRegex(UserError, "warning Yield .* not justified"):
            body.with_user(self.qa_manager).action_med_release()
        result = self._result(body, "bom_yield")
        self._sign(
            result.with_user(self.qa_manager).action_justify(),
            self.qa_manager,
            comment="10 barrels rejected at the press and scrapped (NC-REF)",
        )
        self.assertEqual(
            result.justification,
            "10 barrels rejected at the press and scrapped (NC-REF)",
        )
        self.assertEqual(result.justified_by_id, self.qa_manager)
        signature = result.med_signature_ids
        self.assertEqual(len(signature), 1)
        self.assertEqual(signature.meaning, "approval")
        self.assertEqual(signature.signer_id, self.qa_manager)
        self.assertEqual(body.med_review_state, "green")
        self.assertIn(
            f"(justified by {self.qa_manager.name})",
            body.with_user(self.qa_manager).med_review_reasons,
        )
        self._sign(
            body.with_user(self.qa_manager).action_med_release(), self.qa_manager
        )
        self.assertEqual(body.med_state, "released")

    def test_justification_refused(self):
        body = self._overconsumed_body("BODY-NOJUST")
        result = self._result(body, "bom_yield")
        with self.assertRaisesRegex(UserError, "Only a QA manager"):
            result.with_user(self.inspector).action_justify()
        with self.assertRaisesRegex(UserError, "Write the justification"):
            self._sign(
                result.with_user(self.qa_manager).action_justify(),
                self.qa_manager,
                comment="",
            )
        self.assertFalse(result.justification)
        passed = self._result(body, "open_quality_records")
        with self.assertRaisesRegex(UserError, "nothing to justify"):
            passed.with_user(self.qa_manager).action_justify()

    def test_results_cannot_be_edited(self):
        lot = self._short_inspected_lot("BRL-EDIT")
        result = self._result(lot, "inspected_quantity")
        with self.assertRaisesRegex(UserError, "written by the checks only"):
            result.with_user(self.qa_manager).write({"state": "pass"})
        with self.assertRaisesRegex(UserError, "can only be changed through"):
            lot.with_user(self.qa_manager).write({"med_review_state": "green"})
        self.assertEqual(result.state, "fail")
        Lot = self.env["stock.lot"].with_user(self.qa_manager)
        with self.assertRaisesRegex(UserError, "not when the record is created"):
            Lot.create(
                {
                    "name": "BRL-FORGED",
                    "product_id": self.barrel.id,
                    "med_release_date": "2020-01-01 00:00:00",
                    "med_review_state": "green",
                }
            )
        self.assertFalse(Lot.search([("name", "=", "BRL-FORGED")]))

    def test_time_to_release_measured_per_product(self):
        picking = self._receive(self.barrel, "BRL-TIME", 100)
        lot = picking.move_line_ids.lot_id
        self.assertTrue(lot.med_ready_date)
        self.assertFalse(lot.med_release_hours)
        # As if the receipt had been validated 30 hours ago.
        lot._med_protected_write().write(
            {"med_ready_date": lot.med_ready_date - timedelta(hours=30)}
        )
        self._sign(lot.with_user(self.qa_manager).action_med_release(), self.qa_manager)
        self.assertEqual(lot.med_state, "released")
        expected = (lot.med_release_date - lot.med_ready_date).total_seconds() / 3600
        self.assertGreaterEqual(expected, 30)
        self.assertAlmostEqual(lot.med_release_hours, expected, places=1)
        groups = self.env["stock.lot"].read_group(
            [("med_release_date", "!=", False), ("product_id", "=", self.barrel.id)],
            ["med_release_hours:avg"],
            ["product_id"],
        )
        self.assertEqual(len(groups), 1)
        self.assertAlmostEqual(groups[0]["med_release_hours"], expected, places=1)
