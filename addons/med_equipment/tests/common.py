from datetime import date, timedelta

from odoo import Command

from odoo.addons.med_capa.tests.common import MedCapaCommon


class MedEquipmentCommon(MedCapaCommon):
    """The syringe line of med_capa with a calibrated leak tester at the body
    work center and a calibrated caliper for the barrel inspection."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = date.today()
        cls.Certificate = cls.env["med.supplier.certificate"]
        cls.Usage = cls.env["med.equipment.usage"]
        cls.calibration_type = cls.env.ref("med_equipment.certificate_type_calibration")
        cls.leak_tester = cls._equipment("Leak tester LT-1")
        cls.caliper = cls._equipment("Caliper CP-1")
        cls.leak_tester_calibration = cls._calibrate(cls.leak_tester, "LT-CAL-1")
        cls.caliper_calibration = cls._calibrate(cls.caliper, "CP-CAL-1")
        cls.visual_test.med_equipment_ids = cls.caliper
        cls.env.company.med_equipment_gate = "block"

    @classmethod
    def _equipment(cls, name, required=True):
        return cls.env["maintenance.equipment"].create(
            {"name": name, "med_calibration_required": required}
        )

    @classmethod
    def _calibrate(
        cls,
        equipment,
        number,
        days_ago=30,
        valid_days=335,
        result="passed",
        verified=True,
    ):
        """A calibration certificate made ``days_ago``, valid ``valid_days`` from
        today, verified by QA (as its signed verification does)."""
        certificate = (
            cls.env["med.supplier.certificate"]
            .with_user(cls.qa_manager)
            .create(
                {
                    "equipment_id": equipment.id,
                    "type_id": cls.env.ref(
                        "med_equipment.certificate_type_calibration"
                    ).id,
                    "number": number,
                    "issuer": "Metrology institute",
                    "issue_date": date.today() - timedelta(days=days_ago),
                    "expiry_date": date.today() + timedelta(days=valid_days),
                    "med_calibration_result": result,
                }
            )
        )
        if verified:
            certificate.with_user(cls.qa_manager).with_context(
                med_reason="checked"
            )._med_do_verify()
        return certificate

    @classmethod
    def _workcenter_bom(cls, product, components, workcenter):
        """A bill of materials with one operation at ``workcenter``."""
        bom = cls._bom(product, components)
        bom.operation_ids = [
            Command.create(
                {"name": "Assemble and leak test", "workcenter_id": workcenter.id}
            )
        ]
        return bom

    def _production(self, bom, qty, lot_name, consumed, equipment=None):
        """A confirmed manufacturing order ready to be marked done."""
        product = bom.product_tmpl_id.product_variant_id
        production = self.env["mrp.production"].create(
            {"product_id": product.id, "product_qty": qty, "bom_id": bom.id}
        )
        production.action_confirm()
        if equipment is not None:
            production.med_equipment_ids = equipment
        production.lot_producing_id = self._lot(product, lot_name, released=False)
        production.qty_producing = qty
        for move in production.move_raw_ids:
            self._set_lot_lines(
                move,
                [
                    (lot, q)
                    for lot, q in consumed.items()
                    if lot.product_id == move.product_id
                ],
            )
        return production
