from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from ..hooks import post_init_hook
from .common import MedEquipmentCommon

VIEWS = {
    "med.complaint": ["list", "form", "search"],
    "med.installed.base": ["list", "form", "search"],
    "med.equipment.usage": ["list", "form", "search"],
    "maintenance.equipment": ["list", "form"],
    "med.supplier.certificate": ["list", "form"],
}


@tagged("post_install", "-at_install")
class TestEquipmentAccess(MedEquipmentCommon):
    def test_every_role_opens_the_screens(self):
        for user in (self.warehouse, self.inspector, self.qa_manager, self.auditor):
            for model, kinds in VIEWS.items():
                views = (
                    self.env[model]
                    .with_user(user)
                    .get_views([(False, kind) for kind in kinds])
                )
                self.assertEqual(len(views["views"]), len(kinds), model)
        # the warehouse sees complaints without the CAPA records
        arch = (
            self.env["med.complaint"]
            .with_user(self.warehouse)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn("capa_ids", arch)

    def test_every_role_reads_the_whole_equipment_ledger(self):
        # maintenance shows users only the equipment they follow
        for user in (self.warehouse, self.inspector, self.auditor):
            equipment = self.env["maintenance.equipment"].with_user(user)
            self.assertIn(self.caliper, equipment.search([]))
            self.assertEqual(self.caliper.with_user(user).med_status, "in_service")

    def test_auditor_reads_but_changes_nothing(self):
        complaint = self.env["med.complaint"].create(
            {
                "partner_id": self.hospital.id,
                "lot_id": self._lot(self.barrel, "BRL-AUD", 1).id,
                "description": "Cap loose",
            }
        )
        auditor_complaint = complaint.with_user(self.auditor)
        self.assertEqual(auditor_complaint.description, "Cap loose")
        with self.assertRaises(AccessError):
            auditor_complaint.write({"description": "Changed"})
        with self.assertRaises(AccessError):
            self.env["med.complaint"].with_user(self.auditor).create(
                {
                    "partner_id": self.hospital.id,
                    "lot_id": complaint.lot_id.id,
                    "description": "x",
                }
            )
        with self.assertRaises(AccessError):
            self.caliper.with_user(self.auditor).write({"name": "Renamed"})
        # kept 5 years, whoever asks (retention rule)
        with self.assertRaisesRegex(UserError, "Complaints: at least 5 years"):
            complaint.sudo().unlink()
        with self.assertRaises(AccessError):
            self.caliper_calibration.with_user(self.inspector).write({"number": "X"})

    def test_calibration_certificate_through_the_equipment_form(self):
        scale = self._equipment("Scale SC-9")
        form = Form(
            self.env["med.supplier.certificate"]
            .with_user(self.qa_manager)
            .with_context(default_equipment_id=scale.id, med_equipment_certificate=True)
        )
        form.type_id = self.calibration_type
        form.number = "SC-CAL-9"
        form.issue_date = self.today
        form.expiry_date = self.today.replace(year=self.today.year + 1)
        form.med_calibration_result = "passed"
        certificate = form.save()
        self.assertEqual(certificate.equipment_id, scale)
        self.assertFalse(certificate.partner_id)
        self.assertEqual(scale.med_calibration_state, "unverified")

    def test_supplier_and_calibration_certificate_lists_apart(self):
        supplier_action = self.env.ref(
            "med_supplier_qual.med_supplier_certificate_action"
        )
        calibration_action = self.env.ref(
            "med_equipment.med_calibration_certificate_action"
        )
        Certificate = self.env["med.supplier.certificate"]
        self.assertNotIn(
            self.caliper_calibration,
            Certificate.search(safe_eval(supplier_action.domain)),
        )
        self.assertIn(
            self.caliper_calibration,
            Certificate.search(safe_eval(calibration_action.domain)),
        )

    def test_install_picks_up_earlier_deliveries(self):
        lot = self._lot(self.syringe, "SYR-BEFORE", 5)
        self._deliver(self.hospital, [(lot, 5)])
        InstalledBase = self.env["med.installed.base"]
        # sudo: as if the delivery was made before the addon was installed
        InstalledBase.sudo().search([("lot_id", "=", lot.id)]).unlink()
        post_init_hook(self.env)
        record = InstalledBase.search([("lot_id", "=", lot.id)])
        self.assertEqual(record.partner_id, self.hospital)
        self.assertEqual(record.quantity, 5)
        post_init_hook(self.env)  # twice: nothing new
        self.assertEqual(len(InstalledBase.search([("lot_id", "=", lot.id)])), 1)
