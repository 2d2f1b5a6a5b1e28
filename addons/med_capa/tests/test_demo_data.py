from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo company (一次性使用无菌注射器) shows what the issue promises: two-level
    genealogy, released and quarantined lots, a lot held by a failed receiving
    inspection with its nonconformance and CAPA, signed releases and deliveries to
    customers. Runs only in a database with demo data."""

    def setUp(self):
        super().setUp()
        if not self.env.ref("med_capa.demo_lot_syringe_1", raise_if_not_found=False):
            self.skipTest("no demo data in this database")

    def _ref(self, xmlid):
        return self.env.ref(f"med_capa.{xmlid}")

    def test_genealogy_has_two_levels(self):
        syringe = self._ref("demo_lot_syringe_1")
        assembly = self._ref("demo_lot_plunger_assembly_1")
        upstream = syringe.med_trace_upstream()
        direct = (
            self._ref("demo_lot_barrel_a")
            | assembly
            | self._ref("demo_lot_needle_a")
            | self._ref("demo_lot_blister_a")
        )
        # the plunger and piston lots are reached only through the plunger assembly
        second_level = self._ref("demo_lot_plunger_a") | self._ref("demo_lot_piston_a")
        self.assertEqual(upstream, direct | second_level)
        self.assertEqual(assembly.med_trace_upstream(), second_level)
        self.assertEqual(
            self._ref("demo_lot_plunger_a").med_trace_downstream(),
            assembly
            | syringe
            | self._ref("demo_lot_syringe_2")
            | self._ref("demo_lot_syringe_3"),
        )

    def test_released_lots_signed_by_qa_and_quarantined_lot_releasable(self):
        qa_manager = self.env.ref("med_audit_export.demo_user_qa_manager")
        released = self._ref("demo_lot_syringe_1") | self._ref("demo_lot_syringe_2")
        self.assertEqual(set(released.mapped("med_state")), {"released"})
        for lot in released:
            signature = lot.med_signature_ids.filtered(lambda s: s.meaning == "release")
            self.assertEqual(signature.signer_id, qa_manager, lot.name)
            self.assertFalse(signature.content_changed, lot.name)
            # produced by another user than the one who released (segregation)
            self.assertNotEqual(lot.med_recorded_by_id, qa_manager)
        waiting = self._ref("demo_lot_syringe_3")
        self.assertEqual(waiting.med_state, "quarantine")
        self.assertFalse(waiting.med_signature_ids)
        # nothing blocks its release: the demo lets the QA manager try it
        self.assertEqual(waiting._med_release_checks(), {})
        self.assertGreater(waiting.product_qty, 0)

    def test_failed_inspection_held_lot_with_nonconformance_and_capa(self):
        lot = self._ref("demo_lot_barrel_b")
        supplier = self.env.ref("med_supplier_qual.demo_supplier_plastics")
        self.assertEqual((lot.med_state, lot.med_hold_source), ("hold", "capa"))
        inspection = self.env["qc.inspection"].search([("lot_id", "=", lot.id)])
        self.assertEqual(inspection.state, "failed")
        self.assertEqual(inspection.picking_id.partner_id, supplier)
        nonconformance = self.env["med.nonconformance"].search(
            [("inspection_id", "=", inspection.id)]
        )
        self.assertEqual(len(nonconformance), 1)
        self.assertEqual(
            (nonconformance.source, nonconformance.state, nonconformance.lot_ids),
            ("inspection", "open", lot),
        )
        capa = nonconformance.capa_id
        self.assertEqual((capa.state, capa.lot_ids), ("investigation", lot))
        self.assertEqual(capa.partner_id, supplier)
        self.assertIn(capa.name, lot.med_hold_reason)
        # the hold is in the audit trail, by the QA manager who approved the failure
        hold = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "stock.lot"),
                ("res_id", "=", lot.id),
                ("field_name", "=", "med_state"),
                ("operation", "=", "write"),
            ]
        )
        self.assertEqual(
            hold.user_id, self.env.ref("med_audit_export.demo_user_qa_manager")
        )
        # an open CAPA on the lot blocks its release
        self.assertTrue(lot._med_release_checks().get(lot))

    def test_closed_capa_signed_by_another_qa_manager(self):
        capa = self._ref("demo_capa_needle_caps")
        self.assertEqual(
            (capa.state, capa.effectiveness_result), ("closed", "effective")
        )
        closure = capa.med_signature_ids.filtered(lambda s: s.meaning == "closure")
        self.assertEqual(closure.signer_id, capa.closed_by_id)
        self.assertNotEqual(capa.closed_by_id, capa.user_id)

    def test_released_lots_delivered_to_hospitals_and_distributor(self):
        deliveries = (
            self._ref("demo_delivery_pumch")
            | self._ref("demo_delivery_west_china")
            | self._ref("demo_delivery_distributor")
        )
        self.assertEqual(set(deliveries.mapped("state")), {"done"})
        self.assertEqual(
            set(deliveries.move_line_ids.lot_id.mapped("med_state")), {"released"}
        )
        scope = self._ref("demo_lot_barrel_a").med_recall_scope()
        self.assertEqual(scope["customers"], deliveries.partner_id)
        self.assertEqual(scope["delivered_move_lines"], deliveries.move_line_ids)

    def test_warehouse_segregates_lots_by_status(self):
        warehouse = self.env.ref("stock.warehouse0")
        quarantine = self.env.ref("med_lot_trace.demo_location_quarantine")
        self.assertEqual(warehouse.med_quarantine_location_id, quarantine)
        # the demo's lots (other tests commit lots of their own into this warehouse)
        demo_lots = (
            self.env["ir.model.data"]
            .search([("model", "=", "stock.lot"), ("module", "=like", "med\\_%")])
            .mapped("res_id")
        )
        quants = self.env["stock.quant"].search(
            [
                ("location_id", "child_of", warehouse.view_location_id.id),
                ("location_id.usage", "=", "internal"),
                ("lot_id", "in", demo_lots),
                ("quantity", ">", 0),
            ]
        )
        released = quants.filtered(lambda q: q.lot_id.med_state == "released")
        waiting = quants - released
        self.assertIn(self._ref("demo_lot_syringe_3"), waiting.lot_id)
        self.assertIn(self._ref("demo_lot_barrel_b"), waiting.lot_id)
        self.assertEqual(waiting.location_id, quarantine)
        self.assertTrue(released)
        self.assertFalse(released.filtered(lambda q: q.location_id == quarantine))
        # Nothing left half-way: every put-away transfer was validated.
        self.assertFalse(
            self.env["stock.picking"].search(
                [
                    ("location_id", "=", quarantine.id),
                    ("state", "not in", ("done", "cancel")),
                    ("move_line_ids.lot_id", "in", demo_lots),
                ]
            )
        )

    def test_one_released_lot_near_expiry(self):
        lot = self._ref("demo_lot_syringe_10_near_expiry")
        now = fields.Datetime.now()
        self.assertEqual(lot.med_state, "released")
        self.assertLess(lot.alert_date, now)
        self.assertGreater(lot.expiration_date, now + timedelta(days=90))
        self.assertEqual(lot.product_qty, 400)

    def test_operation_types_named_in_chinese(self):
        warehouse = self.env.ref("stock.warehouse0").with_context(lang="zh_CN")
        self.assertEqual(
            (
                warehouse.in_type_id.name,
                warehouse.out_type_id.name,
                warehouse.int_type_id.name,
                warehouse.manu_type_id.name,
            ),
            ("收货", "发货", "内部调拨", "生产"),
        )
        self.assertEqual(
            warehouse.with_context(lang="en_US").in_type_id.name, "Receipts"
        )

    def test_prices_in_yuan(self):
        company = self.env.ref("base.main_company")
        self.assertEqual(company.currency_id, self.env.ref("base.CNY"))
        order = self.env.ref("med_capa.demo_po_plastics")
        self.assertEqual(order.currency_id, company.currency_id)
        self.assertFalse(
            self.env["account.move.line"].search_count(
                [
                    ("company_id", "=", company.id),
                    ("currency_id", "!=", company.currency_id.id),
                ]
            )
        )

    def test_a_supplier_certificate_expires_soon(self):
        certificate = self.env.ref("med_supplier_qual.demo_certificate_plastics_iso")
        self.assertEqual(certificate.state, "expiring")
        days_left = (certificate.expiry_date - fields.Date.today()).days
        self.assertTrue(0 < days_left <= 30, days_left)
