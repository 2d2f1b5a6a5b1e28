from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedEquipmentCommon


@tagged("post_install", "-at_install")
class TestServicingRecord(MedEquipmentCommon):
    """21 CFR 820.35: a complaint holds the device's UDI, the complainant's contact,
    the correction and the reply; a servicing (repair) record holds the device, its
    UDI, the date, who serviced it, what was done and the test data, and ends only
    when that record is complete and its servicing tests passed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pump = cls.env["product.product"].create(
            {
                "name": "Infusion pump IP-500",
                "is_storable": True,
                "tracking": "serial",
                "med_udi_di": "06901234567892",
            }
        )
        cls.pump_lot = cls._lot(cls.pump, "IP500-0001", 1)
        cls.nurse = cls.env["res.partner"].create(
            {
                "name": "Nurse Wang",
                "parent_id": cls.hospital.id,
                "type": "contact",
                "phone": "+86 21 6437 0045",
                "email": "wang@ruijin.example",
            }
        )
        cls.leak_check = cls.env["qc.test"].create(
            {
                "name": "Post-repair occlusion test",
                "test_lines": [
                    Command.create(
                        {
                            "name": "Occlusion pressure (kPa)",
                            "type": "quantitative",
                            "min_value": 40,
                            "max_value": 80,
                            "uom_id": cls.env.ref("uom.product_uom_unit").id,
                        }
                    )
                ],
            }
        )
        cls.pump.qc_triggers = [
            Command.create(
                {
                    "trigger": cls.env.ref("med_equipment.qc_trigger_servicing").id,
                    "test": cls.leak_check.id,
                    "timing": "after",
                }
            )
        ]

    def _repair(self):
        repair = self.env["repair.order"].create(
            {
                "product_id": self.pump.id,
                "lot_id": self.pump_lot.id,
                "partner_id": self.hospital.id,
                "picking_type_id": self.stock_warehouse.repair_type_id.id,
            }
        )
        repair.action_validate()
        repair.action_repair_start()
        return repair

    def _record_test(self, repair, value):
        inspection = repair._med_inspections().filtered(lambda i: i.state == "ready")
        inspection = inspection.with_user(self.inspector)
        inspection.inspection_lines.quantitative_value = value
        inspection.action_confirm()
        return inspection

    # -- complaint (820.35(a)) --
    def test_complaint_holds_udi_contact_correction_and_reply(self):
        complaint = (
            self.env["med.complaint"]
            .with_user(self.inspector)
            .create(
                {
                    "partner_id": self.hospital.id,
                    "contact_id": self.nurse.id,
                    "lot_id": self.pump_lot.id,
                    "description": "Occlusion alarm without occlusion",
                    "udi": "(01)00000000000000(21)FORGED",
                }
            )
        )
        self.assertEqual(complaint.udi, "(01)06901234567892(21)IP500-0001")
        self.assertEqual(complaint.contact_phone, "+86 21 6437 0045")
        self.assertIn("wang@ruijin.example", complaint._med_contact_summary())
        complaint.correction = "Sensor recalibrated on site"
        complaint.closure_note = "The pump was recalibrated; no injury."
        # the dossier and its exports show them
        section = next(
            s
            for s in self.pump_lot._med_dossier_sections("lot_dossier")
            if s["code"] == "complaints"
        )
        codes = [code for code, _label in section["columns"]]
        row = dict(zip(codes, list(section["rows"])[0], strict=True))
        self.assertEqual(row["udi"], complaint.udi)
        self.assertIn("Nurse Wang", row["contact"])
        self.assertEqual(row["correction"], "Sensor recalibrated on site")
        self.assertEqual(row["reply"], "The pump was recalibrated; no injury.")

    def test_complaint_udi_cannot_be_typed(self):
        complaint = (
            self.env["med.complaint"]
            .with_user(self.inspector)
            .create(
                {
                    "partner_id": self.hospital.id,
                    "lot_id": self.pump_lot.id,
                    "description": "Door latch broken",
                }
            )
        )
        with self.assertRaisesRegex(UserError, "UDI"):
            complaint.with_user(self.inspector).write({"udi": "(01)06901234567892"})
        self.assertEqual(complaint.udi, "(01)06901234567892(21)IP500-0001")
        complaint.with_user(self.inspector).action_register()
        with self.assertRaisesRegex(UserError, "registered"):
            complaint.with_user(self.inspector).contact_id = self.nurse
        self.assertFalse(complaint.contact_id)

    def test_complaint_without_udi_di_keeps_the_upc(self):
        self.motor = self.env["product.product"].create(
            {
                "name": "Pump stand",
                "is_storable": True,
                "tracking": "lot",
                "barcode": "012345678905",
            }
        )
        lot = self._lot(self.motor, "STAND-1", 1)
        complaint = self.env["med.complaint"].create(
            {"partner_id": self.hospital.id, "lot_id": lot.id, "description": "Wobbles"}
        )
        self.assertEqual(complaint.udi, "UPC/EAN 012345678905")

    # -- servicing (820.35(b)) --
    def test_repair_makes_its_servicing_inspection(self):
        repair = self._repair()
        inspection = repair.med_inspection_ids
        self.assertEqual(len(inspection), 1)
        self.assertEqual(inspection.test, self.leak_check)
        self.assertEqual(inspection.object_id, repair)
        self.assertEqual(inspection.lot_id, self.pump_lot)
        self.assertEqual(inspection.product_id, self.pump)
        # starting again makes no second one
        repair._med_trigger_service_inspections()
        self.assertEqual(len(repair.med_inspection_ids), 1)

    def test_repair_end_refused_without_the_service_record(self):
        repair = self._repair()
        self._record_test(repair, 60)
        with self.assertRaisesRegex(UserError, "Failure Category"):
            repair.action_repair_end()
        self.assertEqual(repair.state, "under_repair")
        self.assertFalse(repair.med_date_serviced)
        # nor by writing the state over the buttons
        with self.assertRaisesRegex(UserError, "Service Performed"):
            repair.write({"state": "done", "med_failure_category": "electrical"})
        self.assertEqual(repair.state, "under_repair")

    def test_repair_of_a_product_outside_gxp_scope_needs_no_service_record(self):
        trolley = self.env["product.product"].create(
            {"name": "Instrument trolley", "is_storable": True}
        )
        repair = self.env["repair.order"].create(
            {
                "product_id": trolley.id,
                "partner_id": self.hospital.id,
                "picking_type_id": self.stock_warehouse.repair_type_id.id,
            }
        )
        repair.action_validate()
        repair.action_repair_start()
        repair.action_repair_end()
        self.assertEqual(repair.state, "done")

    def test_repair_end_refused_until_the_test_passes(self):
        repair = self._repair()
        repair.write(
            {
                "med_failure_category": "electrical",
                "med_service_performed": "Pressure sensor replaced",
            }
        )
        with self.assertRaisesRegex(UserError, "have not passed"):
            repair.action_repair_end()
        failed = self._record_test(repair, 95)
        failed.with_user(self.qa_manager).action_approve()
        self.assertEqual(failed.state, "failed")
        with self.assertRaisesRegex(UserError, failed.name):
            repair.action_repair_end()
        self.assertEqual(repair.state, "under_repair")
        # a new inspection of the same test, passed, corrects it
        retest = self.env["qc.inspection"].create(
            {
                "object_id": f"repair.order,{repair.id}",
                "test": self.leak_check.id,
                "inspection_lines": self.env["qc.inspection"]._prepare_inspection_lines(
                    self.leak_check
                ),
            }
        )
        retest.action_todo()
        self._record_test(repair, 55)
        repair.action_repair_end()
        self.assertEqual(repair.state, "done")

    def test_ended_repair_is_the_service_record(self):
        repair = self._repair()
        self._record_test(repair, 60)
        repair.write(
            {
                "med_failure_category": "wear",
                "med_service_performed": "Roller clamp replaced",
                "med_serviced_by_id": self.warehouse.id,
            }
        )
        repair.action_repair_end()
        self.assertEqual(repair.state, "done")
        self.assertEqual(repair.med_udi, "(01)06901234567892(21)IP500-0001")
        self.assertTrue(repair.med_date_serviced)
        self.assertEqual(repair.med_serviced_by_id, self.warehouse)
        with self.assertRaisesRegex(UserError, "service record"):
            repair.write({"med_service_performed": "Nothing"})
        self.assertEqual(repair.med_service_performed, "Roller clamp replaced")
        # the service report prints device, UDI, who, what and the test data
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("med_equipment.report_repair_service", repair.ids)[0]
            .decode()
        )
        for text in (
            "(01)06901234567892(21)IP500-0001",
            "Roller clamp replaced",
            self.warehouse.name,
            "Occlusion pressure (kPa)",
            "60.0",
        ):
            self.assertIn(text, html)
        # the trends count it per product, failure category and month
        trend = self.env["med.servicing.trend.report"].search(
            [("product_id", "=", self.pump.id)]
        )
        self.assertEqual(
            (trend.failure_category, trend.repair_count, trend.device_count),
            ("wear", 1, 1),
        )
        self.assertEqual(trend.month, repair.med_date_serviced.date().replace(day=1))
        # and the lot dossier's service history
        section = next(
            s
            for s in self.pump_lot._med_dossier_sections("lot_dossier")
            if s["code"] == "service"
        )
        row = list(section["rows"])[0]
        self.assertIn("Roller clamp replaced", row)

    def test_stamps_are_not_given_by_the_caller(self):
        repair = self._repair()
        with self.assertRaises(UserError):
            repair.write({"med_udi": "(01)00000000000000"})
        self.assertFalse(repair.med_udi)
