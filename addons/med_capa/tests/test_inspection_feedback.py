from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedCapaCommon

APPROVAL = "med_capa.mail_activity_type_inspection_approval"


@tagged("post_install", "-at_install")
class TestInspectionFeedback(MedCapaCommon):
    """Feedback where the inspection work happens: QA is asked to approve a failed
    result, the approval says what it opened, the inspector sees the specification,
    the nonconformance names the characteristic and who found it."""

    def _approval_activities(self, inspection):
        kind = self.env.ref(APPROVAL)
        return inspection.activity_ids.filtered(lambda a: a.activity_type_id == kind)

    def _record_failure(self, lot_name):
        lot = self._lot(self.barrel, lot_name, 10, released=False)
        inspection = self._inspect_lot(lot).with_user(self.inspector)
        inspection.inspection_lines.qualitative_value = self.answer_ko
        inspection.action_confirm()
        self.assertEqual(inspection.state, "waiting")
        return lot, inspection

    def test_waiting_failure_asks_each_qa_manager(self):
        _lot, inspection = self._record_failure("FB-WAIT")
        activities = self._approval_activities(inspection)
        self.assertIn(self.qa_manager, activities.user_id)
        self.assertIn(self.qa_manager_2, activities.user_id)
        self.assertNotIn(self.inspector, activities.user_id)
        self.assertIn("Burrs or flash on the barrel tip", activities[0].note)
        self.assertEqual(inspection.med_result_user_id, self.inspector)

    def test_passed_result_asks_nobody(self):
        lot = self._lot(self.barrel, "FB-PASS", 10, released=False)
        inspection = self._pass(self._inspect_lot(lot))
        self.assertFalse(self._approval_activities(inspection))

    def test_approval_names_nonconformance_capa_and_held_lots(self):
        lot, inspection = self._record_failure("FB-APPROVE")
        inspection.with_user(self.qa_manager).action_approve()
        nonconformance = inspection.med_nonconformance_ids
        self.assertEqual(len(nonconformance), 1)
        self.assertTrue(nonconformance.capa_id)
        self.assertEqual(lot.med_state, "hold")
        message = inspection.message_ids.filtered(
            lambda m: nonconformance.name in (m.body or "")
        )
        self.assertEqual(len(message), 1, message.mapped("body"))
        self.assertIn(nonconformance.capa_id.name, message.body)
        self.assertIn(lot.name, message.body)
        self.assertIn(self.inspector.partner_id, message.partner_ids)
        self.assertFalse(self._approval_activities(inspection))  # done, not pending

    def test_nonconformance_names_characteristic_and_finder(self):
        _lot, inspection = self._record_failure("FB-FINDER")
        inspection.with_user(self.qa_manager).action_approve()
        nonconformance = inspection.med_nonconformance_ids
        self.assertEqual(nonconformance.user_id, self.inspector)
        self.assertIn(
            "Burrs or flash on the barrel tip: Found", nonconformance.description
        )
        self.assertIn(self.inspector.name, nonconformance.description)

    def test_quantitative_failure_states_value_and_specification(self):
        diameter = self.env["qc.test"].create(
            {
                "name": "Barrel outer diameter",
                "test_lines": [
                    Command.create(
                        {
                            "name": "Outer diameter",
                            "type": "quantitative",
                            "min_value": 57.5,
                            "max_value": 58.5,
                            "uom_id": self.env.ref("uom.product_uom_millimeter").id,
                        }
                    )
                ],
            }
        )
        lot = self._lot(self.barrel, "FB-DIAMETER", 10, released=False)
        inspection = (
            self.env["qc.inspection"]
            .with_user(self.inspector)
            .create(
                {
                    "object_id": f"stock.lot,{lot.id}",
                    "test": diameter.id,
                    "qty": 10,
                    "inspection_lines": self.env[
                        "qc.inspection"
                    ]._prepare_inspection_lines(diameter),
                }
            )
        )
        inspection.action_todo()
        line = inspection.inspection_lines
        self.assertRegex(line.valid_values, r"^57[.,]50? ~ 58[.,]50? mm$")
        line.quantitative_value = 59.1
        inspection.action_confirm()
        inspection.with_user(self.qa_manager).action_approve()
        description = inspection.med_nonconformance_ids.description
        self.assertIn("Outer diameter: 59", description)
        self.assertIn(line.valid_values, description)

    def test_inspector_sees_the_specification_beside_the_result(self):
        arch = (
            self.env["qc.inspection"]
            .with_user(self.inspector)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        lines = arch[arch.index('name="inspection_lines"') :]
        spec = lines.index('name="valid_values"')
        self.assertLess(spec, lines.index('name="quantitative_value"'))
        self.assertIn('string="Specification"', lines[spec - 200 : spec + 200])

    def test_result_recorder_cannot_be_forged(self):
        lot, inspection = self._record_failure("FB-FORGE")
        with self.assertRaises(UserError):
            inspection.write({"med_result_user_id": self.qa_manager.id})
        self.assertEqual(inspection.med_result_user_id, self.inspector)
        with self.assertRaises(UserError):
            self.env["qc.inspection"].with_user(self.inspector).create(
                {
                    "object_id": f"stock.lot,{lot.id}",
                    "test": self.visual_test.id,
                    "med_result_user_id": self.qa_manager.id,
                }
            )

    def test_receipt_tells_quarantine_and_inspection(self):
        self._trigger_on(self.stock_warehouse.in_type_id, self.barrel, "after")
        picking = self._receive(self.barrel, "FB-RCV", 500)
        lot = picking.move_line_ids.lot_id
        inspection = picking.qc_inspections_ids
        self.assertEqual(lot.med_state, "quarantine")
        message = picking.message_ids.filtered(lambda m: lot.name in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertIn(inspection.name, message.body)
        self.assertIn("quarantine", message.body)

    def test_receipt_of_released_lots_without_inspection_says_nothing(self):
        self.barrel.med_release_required = False
        picking = self._receive(self.barrel, "FB-RCV-FREE", 5)
        lot = picking.move_line_ids.lot_id
        self.assertEqual(lot.med_state, "released")
        self.assertFalse(
            picking.message_ids.filtered(lambda m: "quarantine" in (m.body or ""))
        )
