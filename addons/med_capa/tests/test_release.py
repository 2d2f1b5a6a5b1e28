from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestReleaseBlockedByCapa(MedCapaCommon):
    """An open NC or CAPA on a lot, or on any of its component lots, blocks its
    release; a recall risk is raised against real delivered genealogy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.barrel_lot = cls._lot(cls.barrel, "BRL-GEN", 100)
        cls.plunger_lot = cls._lot(cls.plunger, "PLG-GEN", 100)
        cls.needle_lot = cls._lot(cls.needle, "NDL-GEN", 100)
        cls.body_lot = cls._produce(
            cls.bom_body, 20, "BODY-GEN", {cls.barrel_lot: 20, cls.plunger_lot: 20}
        )
        cls.syringe_lot = cls._produce(
            cls.bom_syringe,
            20,
            "SYR-GEN",
            {cls.body_lot: 20, cls.needle_lot: 20},
            released=False,
        )

    def _reasons(self, lot):
        return " ".join(lot._med_release_checks().get(lot, []))

    def test_open_nonconformance_on_a_component_blocks_release(self):
        self._fail(self._inspect_lot(self.barrel_lot))
        nonconformance = self._records("med.nonconformance", self.barrel_lot)
        capa = nonconformance.capa_id
        with self.assertRaises(UserError) as refusal:
            self.syringe_lot.with_user(self.qa_manager).action_med_release()
        for record in (nonconformance, capa):
            self.assertIn(
                f"{record.name} is open on a component lot", str(refusal.exception)
            )
        self.assertEqual(self.syringe_lot.med_state, "quarantine")

    def test_release_not_blocked_once_dispositioned_and_closed(self):
        self._fail(self._inspect_lot(self.barrel_lot))
        nonconformance = self._records("med.nonconformance", self.barrel_lot)
        nonconformance.write({"quantity": 5, "disposition": "use_as_is"})
        self._sign(
            nonconformance.with_user(self.qa_manager).action_disposition(),
            self.qa_manager,
        )
        capa = nonconformance.capa_id
        self.assertIn(f"CAPA {capa.name} is open", self._reasons(self.syringe_lot))
        self.assertNotIn(nonconformance.name, self._reasons(self.syringe_lot))
        capa.with_user(self.qa_manager)._med_cancel("Supplier lot returned")
        self.assertNotIn(capa.name, self._reasons(self.syringe_lot))

    def test_unrelated_capa_does_not_block(self):
        other = self._lot(self.barrel, "BRL-OTHER", 10)
        self._fail(self._inspect_lot(other))
        self.assertEqual(self._reasons(self.syringe_lot), "")

    def test_recall_risk_when_a_descendant_was_delivered(self):
        self._release(self.syringe_lot)
        self._deliver(self.hospital, [(self.syringe_lot, 8)])
        self._fail(self._inspect_lot(self.barrel_lot))
        capa = self._records("med.capa", self.barrel_lot)
        self.assertTrue(capa.recall_risk)
        self.assertTrue(capa.nonconformance_ids.recall_risk)
        scope = capa.message_ids.filtered(lambda m: "Recall risk" in (m.body or ""))
        self.assertIn("Ruijin Hospital", scope.body)
        attachment = scope.attachment_ids
        self.assertEqual(
            (attachment.res_model, attachment.res_id), ("med.capa", capa.id)
        )
        self.assertTrue(attachment.name.endswith(".xlsx"))

    def test_no_recall_risk_when_nothing_was_delivered(self):
        self._fail(self._inspect_lot(self.barrel_lot))
        capa = self._records("med.capa", self.barrel_lot)
        self.assertFalse(capa.recall_risk)
        self.assertTrue(
            capa.message_ids.filtered(lambda m: "No delivery" in (m.body or ""))
        )

    def test_unfinished_inspection_blocks_release_until_it_passes(self):
        inspection = self._inspect_lot(self.syringe_lot)
        self.assertIn(
            f"inspection {inspection.name} is open",
            self._reasons(self.syringe_lot),
        )
        self._pass(inspection)
        self.assertNotIn("inspection", self._reasons(self.syringe_lot))

    def test_planned_inspection_blocks_release(self):
        # An inspection planned ahead of the operation (quality_control_oca's "plan"
        # state, from a trigger timed "plan_ahead") has no result yet: like a draft
        # or ready one, it keeps the lot from being released.
        inspection = (
            self.env["qc.inspection"]
            .with_user(self.inspector)
            .create(
                {
                    "object_id": f"stock.lot,{self.syringe_lot.id}",
                    "test": self.visual_test.id,
                    "qty": 10.0,
                    "state": "plan",
                }
            )
        )
        self.assertEqual(inspection.state, "plan")
        with self.assertRaisesRegex(UserError, f"inspection {inspection.name} is open"):
            self.syringe_lot.with_user(self.qa_manager).action_med_release()
        self.assertEqual(self.syringe_lot.med_state, "quarantine")
        inspection.with_user(self.inspector).action_cancel()
        self.assertNotIn("inspection", self._reasons(self.syringe_lot))
