from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import MedEquipmentCommon


@tagged("post_install", "-at_install")
class TestAfterSales(MedEquipmentCommon):
    """Installed base from deliveries, repairs in the genealogy, complaints into
    the CAPA rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.motor = cls.env["product.product"].create(
            {"name": "Pump motor M3", "is_storable": True, "tracking": "lot"}
        )
        cls.pump = cls.env["product.product"].create(
            {
                "name": "Infusion pump IP-300",
                "is_storable": True,
                "tracking": "serial",
                "med_warranty_months": 24,
            }
        )
        cls.bom_pump = cls._bom(cls.pump, [(cls.motor, 1)])
        cls.motor_a = cls._lot(cls.motor, "MOT-A", 5)
        cls.pump_lot = cls._produce(cls.bom_pump, 1, "IP300-0001", {cls.motor_a: 1})
        cls.site = cls.env["res.partner"].create(
            {
                "name": "Ruijin Hospital, ICU",
                "parent_id": cls.hospital.id,
                "type": "delivery",
            }
        )
        cls.hospital.is_company = True
        cls.Complaint = cls.env["med.complaint"]
        cls.InstalledBase = cls.env["med.installed.base"]

    # -- installed base --
    def test_delivery_creates_the_installed_base(self):
        picking = self._deliver(self.site, [(self.pump_lot, 1)])
        record = self.InstalledBase.search([("lot_id", "=", self.pump_lot.id)])
        self.assertEqual(len(record), 1)
        self.assertEqual(record.partner_id, self.hospital)
        self.assertEqual(record.site_id, self.site)
        self.assertEqual(record.picking_id, picking)
        self.assertEqual(record.state, "installed")
        install = record.date_install
        self.assertEqual(record.warranty_end, install + relativedelta(months=24))
        self.assertTrue(record.in_warranty)
        record.date_install = install - relativedelta(months=30)
        self.assertFalse(record.in_warranty)

    def test_delivered_facts_of_the_installed_base_not_edited(self):
        self._deliver(self.site, [(self.pump_lot, 1)])
        record = self.InstalledBase.search([("lot_id", "=", self.pump_lot.id)])
        record = record.with_user(self.warehouse)
        for vals in (
            {"state": "returned"},
            {"partner_id": self.site.id},
            {"quantity": 2},
            {"lot_id": self.motor_a.id},
            {"date_delivered": "2020-01-01 00:00:00"},
        ):
            with self.assertRaisesRegex(UserError, "can only be changed through"):
                record.write(vals)
        self.assertEqual(
            (record.state, record.partner_id, record.quantity),
            ("installed", self.hospital, 1),
        )
        record.write({"site_id": self.hospital.id, "date_install": "2026-01-05"})
        self.assertEqual(record.site_id, self.hospital)

    def test_repair_not_created_repaired(self):
        Repair = self.env["repair.order"].with_user(self.warehouse)
        vals = {
            "product_id": self.pump.id,
            "lot_id": self.pump_lot.id,
            "picking_type_id": self.stock_warehouse.repair_type_id.id,
        }
        count = Repair.search_count([])
        with self.assertRaisesRegex(UserError, "cannot be created as repaired"):
            Repair.create(dict(vals, state="done"))
        with self.assertRaisesRegex(UserError, "cannot be created as repaired"):
            Repair.with_context(default_state="done").create(vals)
        self.assertEqual(Repair.search_count([]), count)
        self.assertEqual(Repair.create(vals).state, "draft")

    def test_return_marks_the_installed_base_returned(self):
        picking = self._deliver(self.site, [(self.pump_lot, 1)])
        self._return(picking, 1)
        record = self.InstalledBase.search([("lot_id", "=", self.pump_lot.id)])
        self.assertEqual(record.state, "returned")

    def test_internal_moves_make_no_installed_base(self):
        self.assertFalse(self.InstalledBase.search([("lot_id", "=", self.pump_lot.id)]))

    # -- repairs: replaced parts stay in the genealogy --
    def _repair(self, part_lot):
        repair = self.env["repair.order"].create(
            {
                "product_id": self.pump.id,
                "lot_id": self.pump_lot.id,
                "partner_id": self.hospital.id,
                "picking_type_id": self.stock_warehouse.repair_type_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.motor.id,
                            "product_uom_qty": 1.0,
                            "repair_line_type": "add",
                        }
                    )
                ],
            }
        )
        repair.action_validate()
        self._set_lot_lines(repair.move_ids, [(part_lot, 1)])
        repair.action_repair_start()
        repair.write(
            {
                "med_failure_category": "mechanical",
                "med_service_performed": "Motor replaced, occlusion sensor checked",
            }
        )
        repair.action_repair_end()
        self.assertEqual(repair.state, "done")
        return repair

    def test_repair_puts_the_new_part_lot_into_the_serial(self):
        motor_b = self._lot(self.motor, "MOT-B", 2)
        self.assertEqual(self.pump_lot.med_trace_upstream(), self.motor_a)
        repair = self._repair(motor_b)
        self.assertEqual(repair.med_added_lot_ids, motor_b)
        self.assertEqual(self.pump_lot.med_trace_upstream(), self.motor_a | motor_b)
        self.assertIn(self.pump_lot, motor_b.med_trace_downstream())
        # and the installed base shows the repair as service history
        self._deliver(self.site, [(self.pump_lot, 1)])
        record = self.InstalledBase.search([("lot_id", "=", self.pump_lot.id)])
        self.assertEqual(record.repair_ids, repair)

    # -- complaints --
    def _complaint(self, user=None, **values):
        return self.Complaint.with_user(user or self.inspector).create(
            dict(
                {
                    "partner_id": self.hospital.id,
                    "lot_id": self.pump_lot.id,
                    "description": "Occlusion alarm without occlusion",
                    "severity": "major",
                },
                **values,
            )
        )

    def test_registered_complaint_opens_nc_and_capa_through_the_rules(self):
        self._deliver(self.site, [(self.pump_lot, 1)])
        complaint = self._complaint(adverse_event=True)
        complaint.with_user(self.inspector).action_register()
        self.assertEqual(complaint.state, "open")
        nonconformance = complaint.nonconformance_ids
        self.assertEqual(len(nonconformance), 1)
        self.assertEqual(nonconformance.source, "complaint")
        self.assertEqual(nonconformance.lot_ids, self.pump_lot)
        self.assertEqual(nonconformance.origin_ref, f"med.complaint,{complaint.id}")
        self.assertIn("possible adverse event", nonconformance.description)
        self.assertEqual(complaint.capa_ids, nonconformance.capa_id)
        self.assertTrue(complaint.capa_ids.recall_risk)
        self.assertEqual(
            (self.pump_lot.med_state, self.pump_lot.med_hold_source), ("hold", "capa")
        )
        with self.assertRaisesRegex(UserError, "already registered"):
            complaint.with_user(self.inspector).action_register()

    def test_rule_without_nonconformance_opens_only_the_capa(self):
        self.env.ref("med_capa.capa_rule_complaint").open_nonconformance = False
        complaint = self._complaint()
        complaint.action_register()
        self.assertFalse(complaint.nonconformance_ids)
        self.assertEqual(len(complaint.capa_ids), 1)

    def test_registered_complaint_is_frozen(self):
        complaint = self._complaint()
        complaint.description = "Alarm at night, twice"  # a draft can change
        complaint.action_register()
        with self.assertRaisesRegex(UserError, "registered"):
            complaint.with_user(self.inspector).write({"description": "Nothing"})
        self.assertEqual(complaint.description, "Alarm at night, twice")

    def test_warehouse_records_a_complaint_from_a_repair(self):
        repair = self._repair(self._lot(self.motor, "MOT-C", 1))
        action = repair.with_user(self.warehouse).action_med_new_complaint()
        form = Form(
            self.Complaint.with_user(self.warehouse).with_context(**action["context"])
        )
        self.assertEqual(form.lot_id, self.pump_lot)
        self.assertEqual(form.partner_id, self.hospital)
        form.description = "Motor noisy again after the repair"
        complaint = form.save()
        self.assertEqual(complaint.repair_id, repair)
        self.assertEqual(complaint.channel, "repair")
        complaint.action_register()
        self.assertEqual(repair.med_complaint_count, 1)

    def test_qa_manager_closes_with_a_signature(self):
        complaint = self._complaint()
        complaint.action_register()
        with self.assertRaisesRegex(UserError, "Only a QA manager"):
            complaint.with_user(self.inspector).action_close()
        with self.assertRaisesRegex(UserError, "answer to the customer"):
            complaint.with_user(self.qa_manager).action_close()
        complaint.closure_note = "Firmware 2.1 fixes the alarm threshold"
        self._sign(complaint.with_user(self.qa_manager).action_close(), self.qa_manager)
        self.assertEqual(complaint.state, "closed")
        self.assertEqual(complaint.closed_by_id, self.qa_manager)
        self.assertEqual(complaint.med_signature_ids.meaning, "closure")

    def test_complaint_shows_on_the_genealogy(self):
        complaint = self._complaint()
        complaint.action_register()
        genealogy = self.env["med.lot.genealogy"].create(
            {"lot_id": self.motor_a.id, "direction": "downstream"}
        )
        genealogy.action_build()
        lines = genealogy.line_ids.filtered(lambda line: line.lot_id == self.pump_lot)
        self.assertTrue(lines)
        self.assertEqual(lines[0].med_complaint_count, 1)
        self.assertEqual(self.pump_lot.med_complaint_count, 1)
