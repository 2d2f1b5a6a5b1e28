from odoo.tests import tagged

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestInspectionFailure(MedCapaCommon):
    """A failed inspection, with the default rule: NC, CAPA, hold, QA activity and
    audit trail, in the transaction of the failure."""

    def _assert_escalated(self, inspection, lot):
        nonconformance = self.Nonconformance.search(
            [("inspection_id", "=", inspection.id)]
        )
        self.assertEqual(len(nonconformance), 1)
        self.assertEqual(nonconformance.source, "inspection")
        self.assertEqual(nonconformance.lot_ids, lot)
        self.assertEqual(nonconformance.rule_id, self.rule_inspection)
        capa = nonconformance.capa_id
        self.assertTrue(capa)
        self.assertEqual((capa.state, capa.lot_ids), ("draft", lot))
        self.assertEqual(
            (lot.med_state, lot.med_hold_source), ("hold", "capa"), lot.med_hold_reason
        )
        self.assertIn(capa.name, lot.med_hold_reason)
        activity = capa.activity_ids.filtered(lambda a: a.user_id == self.qa_manager)
        self.assertEqual(len(activity), 1)
        self.assertIn(inspection.name, activity.note)
        Entry = self.env["med.audit.entry"]
        for record in (nonconformance, capa):
            self.assertTrue(
                Entry.search_count(
                    [
                        ("res_model", "=", record._name),
                        ("res_id", "=", record.id),
                        ("operation", "=", "create"),
                        ("field_name", "=", "state"),
                    ]
                )
            )
        hold = Entry.search(
            [
                ("res_model", "=", "stock.lot"),
                ("res_id", "=", lot.id),
                ("field_name", "=", "med_state"),
                ("new_value", "=", "On Hold"),
            ]
        )
        self.assertEqual(hold.user_id, self.qa_manager)  # who failed the inspection
        return nonconformance, capa

    def test_receipt_inspection_failed(self):
        self._trigger_on(self.stock_warehouse.in_type_id, self.barrel, "after")
        picking = self._receive(self.barrel, "BRL-RCV-F", 500)
        inspection = picking.qc_inspections_ids
        self.assertEqual(len(inspection), 1)
        lot = picking.move_line_ids.lot_id
        self.assertEqual(inspection.lot_id, lot)
        self._fail(inspection)
        nonconformance, capa = self._assert_escalated(inspection, lot)
        self.assertEqual(nonconformance.picking_id, picking)
        self.assertEqual(nonconformance.partner_id, self.supplier)
        self.assertEqual(capa.partner_id, self.supplier)
        self.assertEqual(nonconformance.quantity, 500)

    def test_receipt_inspection_passed_opens_nothing(self):
        self._trigger_on(self.stock_warehouse.in_type_id, self.barrel, "after")
        picking = self._receive(self.barrel, "BRL-RCV-P", 500)
        self._pass(picking.qc_inspections_ids)
        lot = picking.move_line_ids.lot_id
        self.assertFalse(self._records("med.nonconformance", lot))
        self.assertFalse(self._records("med.capa", lot))
        self.assertEqual(lot.med_state, "quarantine")

    def test_production_inspection_failed(self):
        self._trigger_on(self.stock_warehouse.manu_type_id, self.body, "before")
        barrel = self._lot(self.barrel, "BRL-P", 5)
        plunger = self._lot(self.plunger, "PLG-P", 5)
        body = self._produce(self.bom_body, 5, "BODY-P", {barrel: 5, plunger: 5})
        production = self.env["mrp.production"].search(
            [("lot_producing_id", "=", body.id)]
        )
        inspection = self.env["qc.inspection"].search(
            [("object_id", "=", f"stock.move,{production.move_finished_ids.id}")]
        )
        self.assertEqual(len(inspection), 1)
        self._fail(inspection)
        nonconformance, _capa = self._assert_escalated(inspection, body)
        self.assertEqual(nonconformance.production_id, production)

    def test_manual_inspection_failed_by_direct_write(self):
        lot = self._lot(self.barrel, "BRL-M", 40)
        inspection = self._inspect_lot(lot)
        # code or RPC may set the state without the buttons: the rules run too
        inspection.with_user(self.qa_manager).write({"state": "failed"})
        self._assert_escalated(inspection, lot)

    def _report_failure_again(self, inspection):
        inspection = inspection.with_user(self.qa_manager)
        self.Rule.with_user(self.qa_manager)._med_fire(
            "inspection_failed", [inspection._med_failure_event()]
        )

    def test_same_failure_twice_opens_one_capa(self):
        lot = self._lot(self.barrel, "BRL-TWICE", 40)
        inspection = self._inspect_lot(lot)
        self._fail(inspection)
        # a final result is not reset: the same failure reported again instead
        self._report_failure_again(inspection)
        self.assertEqual(len(self._records("med.nonconformance", lot)), 1)
        self.assertEqual(len(self._records("med.capa", lot)), 1)
        # another failed inspection of the lot: its own NC, the same CAPA
        self._fail(self._inspect_lot(lot))
        nonconformances = self._records("med.nonconformance", lot)
        self.assertEqual(len(nonconformances), 2)
        self.assertEqual(len(nonconformances.capa_id), 1)
        self.assertIn("occurred again", nonconformances.capa_id.message_ids[0].body)

    def test_same_failure_twice_opens_two_capas_when_configured(self):
        self.rule_inspection.repeat_policy = "new"
        lot = self._lot(self.barrel, "BRL-TWICE-N", 40)
        inspection = self._inspect_lot(lot)
        self._fail(inspection)
        # a final result is not reset: the same failure reported again instead
        self._report_failure_again(inspection)
        self.assertEqual(len(self._records("med.nonconformance", lot)), 2)
        self.assertEqual(len(self._records("med.capa", lot)), 2)

    def test_inactive_rule_opens_nothing(self):
        self.rule_inspection.active = False
        lot = self._lot(self.barrel, "BRL-OFF", 40)
        self._fail(self._inspect_lot(lot))
        self.assertFalse(self._records("med.nonconformance", lot))
        self.assertEqual(lot.med_state, "released")
