from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import MedEquipmentCommon


@tagged("post_install", "-at_install")
class TestEquipmentUsage(MedEquipmentCommon):
    """Manufacturing orders and inspections record the equipment they used and its
    calibration then; a lapsed calibration is refused or warned."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id |= cls.env.ref("mrp.group_mrp_routings")
        cls.workcenter = cls.env["mrp.workcenter"].create(
            {"name": "Syringe assembly", "med_equipment_ids": cls.leak_tester.ids}
        )
        cls.bom_body_routed = cls._workcenter_bom(
            cls.body, [(cls.barrel, 1), (cls.plunger, 1)], cls.workcenter
        )

    def _components(self, suffix):
        return {
            self._lot(self.barrel, f"BRL-{suffix}", 10): 5,
            self._lot(self.plunger, f"PLG-{suffix}", 10): 5,
        }

    def _lapse(self, certificate):
        certificate.with_context(med_reason="test: lapse it").write(
            {
                "issue_date": self.today - timedelta(days=400),
                "expiry_date": self.today - timedelta(days=35),
            }
        )

    # -- manufacturing orders --
    def test_work_center_equipment_is_proposed_and_recorded(self):
        production = self._production(
            self.bom_body_routed, 5, "BODY-EQ-1", self._components("EQ-1")
        )
        self.assertEqual(production.med_equipment_ids, self.leak_tester)
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        usage = production.med_equipment_usage_ids
        self.assertEqual(len(usage), 1)
        self.assertEqual(usage.equipment_id, self.leak_tester)
        self.assertEqual(usage.certificate_id, self.leak_tester_calibration)
        self.assertEqual(usage.calibration_state, "valid")
        self.assertEqual(
            usage.calibration_valid_until, self.leak_tester_calibration.expiry_date
        )
        self.assertEqual(usage.equipment_status, "in_service")
        self.assertFalse(usage.lapsed)
        self.assertEqual(usage.lot_ids, production.lot_producing_id)

    def test_lapsed_calibration_refuses_the_order(self):
        self._lapse(self.leak_tester_calibration)
        production = self._production(
            self.bom_body, 5, "BODY-EQ-2", self._components("EQ-2"), self.leak_tester
        )
        with self.assertRaisesRegex(UserError, "Leak tester LT-1: calibration Expired"):
            production.button_mark_done()
        self.assertNotEqual(production.state, "done")
        self.assertFalse(self.Usage.search([("production_id", "=", production.id)]))

    def test_equipment_hidden_from_the_user_is_still_checked(self):
        # a manufacturing user who does not follow the equipment cannot read it
        # (maintenance's record rule), and is refused all the same
        operator = new_test_user(
            self.env,
            login="mrp_operator",
            groups="base.group_user,mrp.group_mrp_user,stock.group_stock_user",
        )
        self.assertFalse(
            self.env["maintenance.equipment"]
            .with_user(operator)
            .search([("id", "=", self.leak_tester.id)])
        )
        self._lapse(self.leak_tester_calibration)
        production = self._production(
            self.bom_body, 5, "BODY-EQ-5", self._components("EQ-5"), self.leak_tester
        )
        with self.assertRaisesRegex(UserError, "Leak tester LT-1"):
            production.with_user(operator).button_mark_done()
        self.assertNotEqual(production.state, "done")

    def test_out_of_service_equipment_refuses_the_order(self):
        self.env["maintenance.request"].create(
            {"name": "Broken seal", "equipment_id": self.leak_tester.id}
        )
        production = self._production(
            self.bom_body, 5, "BODY-EQ-3", self._components("EQ-3"), self.leak_tester
        )
        with self.assertRaisesRegex(UserError, "out of service"):
            production.button_mark_done()
        self.assertNotEqual(production.state, "done")

    def test_warn_mode_records_the_lapse(self):
        self.env.company.med_equipment_gate = "warn"
        self._lapse(self.leak_tester_calibration)
        production = self._production(
            self.bom_body, 5, "BODY-EQ-4", self._components("EQ-4"), self.leak_tester
        )
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        usage = production.med_equipment_usage_ids
        self.assertTrue(usage.lapsed)
        self.assertEqual(usage.calibration_state, "expired")
        self.assertIn("Leak tester LT-1", production.message_ids[:1].body)

    # -- inspections --
    def test_inspection_records_its_test_equipment(self):
        lot = self._lot(self.barrel, "BRL-INSP-1", 10)
        inspection = self._inspect_lot(lot)
        self.assertEqual(inspection.med_equipment_ids, self.caliper)
        self._pass(inspection)
        usage = inspection.med_equipment_usage_ids
        self.assertEqual(usage.equipment_id, self.caliper)
        self.assertEqual(usage.lot_ids, lot)
        self.assertEqual(usage.calibration_state, "valid")
        self.assertEqual(usage.user_id, self.inspector)

    def test_receipt_inspection_records_the_received_lot(self):
        self._trigger_on(self.stock_warehouse.in_type_id, self.barrel, "after")
        picking = self._receive(self.barrel, "BRL-RCV-EQ", 100)
        inspection = picking.qc_inspections_ids
        self.assertEqual(inspection.med_equipment_ids, self.caliper)
        self._pass(inspection)
        usage = inspection.med_equipment_usage_ids
        self.assertEqual(usage.lot_ids, picking.move_line_ids.lot_id)
        self.assertEqual(usage.certificate_id, self.caliper_calibration)

    def test_inspection_refused_with_lapsed_calibration(self):
        self._lapse(self.caliper_calibration)
        inspection = self._inspect_lot(self._lot(self.barrel, "BRL-INSP-2", 10))
        inspection = inspection.with_user(self.inspector)
        inspection.inspection_lines.qualitative_value = self.answer_ok
        with self.assertRaisesRegex(UserError, "Caliper CP-1"):
            inspection.action_confirm()
        self.assertEqual(inspection.state, "ready")
        self.assertFalse(inspection.med_equipment_usage_ids)

    def test_usage_records_cannot_be_changed_or_deleted(self):
        inspection = self._pass(
            self._inspect_lot(self._lot(self.barrel, "BRL-INSP-3", 10))
        )
        # sudo: not even the superuser may change the evidence
        usage = inspection.med_equipment_usage_ids.sudo()
        with self.assertRaisesRegex(UserError, "written by the application"):
            usage.write({"lapsed": True})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            usage.unlink()
        with self.assertRaisesRegex(UserError, "written by the application"):
            self.Usage.sudo().create(
                {
                    "date": "2026-01-01",
                    "equipment_id": self.caliper.id,
                    "company_id": self.env.company.id,
                }
            )
        self.assertFalse(usage.lapsed)
