from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import ReleaseReviewCommon


@tagged("post_install", "-at_install")
class TestReconciliationChecks(ReleaseReviewCommon):
    """Each check on real receipts, manufacturing orders and quality_control_oca
    inspections: the result passes when the data agree and fails, with the reason,
    when they do not."""

    def _received_lot(self, name, qty=100, partner=None):
        picking = self._receive(self.barrel, name, qty, partner=partner)
        return picking, picking.move_line_ids.lot_id

    # -- received vs inspected --
    def test_inspected_quantity_equal_to_received_passes(self):
        _picking, lot = self._received_lot("BRL-IQ-OK")
        self.assertEqual(lot.med_state, "quarantine")
        self._pass(self._inspect_lot(lot, qty=100))
        self._assert_pass(lot, "inspected_quantity")

    def test_inspected_quantity_short_of_received_fails(self):
        _picking, lot = self._received_lot("BRL-IQ-KO")
        self._pass(self._inspect_lot(lot, qty=60))
        # both quantities shown alike (a numeric and a float column behind them)
        self._assert_fail(lot, "inspected_quantity", "Received 100.00, inspected 60.00")

    # -- required inspection --
    def test_required_receipt_inspection_present_passes(self):
        self._trigger_on(self.stock_warehouse.in_type_id, self.barrel, "after")
        picking, lot = self._received_lot("BRL-RQ-OK")
        self.assertTrue(picking.qc_inspections_ids, "the trigger made an inspection")
        self._assert_pass(lot, "inspection_required")

    def test_required_receipt_inspection_cancelled_fails(self):
        self._trigger_on(self.stock_warehouse.in_type_id, self.barrel, "after")
        picking, lot = self._received_lot("BRL-RQ-KO")
        picking.qc_inspections_ids.action_cancel()
        self._assert_fail(
            lot, "inspection_required", picking.name, self.visual_test.name
        )

    def test_required_production_inspection(self):
        self._trigger_on(self.stock_warehouse.manu_type_id, self.body, "after")
        barrel = self._lot(self.barrel, "BRL-MO-QC", 10)
        plunger = self._lot(self.plunger, "PLG-MO-QC", 10)
        body = self._produce(
            self.bom_body, 10, "BODY-QC", {barrel: 10, plunger: 10}, released=False
        )
        self._assert_fail(body, "inspection_required", self.visual_test.name)
        self._pass(self._inspect_lot(body, qty=10))
        self._assert_pass(body, "inspection_required")

    # -- yield against the BoM --
    def _body(self, name, barrels):
        barrel = self._lot(self.barrel, f"BRL-{name}", 50)
        plunger = self._lot(self.plunger, f"PLG-{name}", 50)
        self.bom_body.consumption = "flexible"
        return self._produce(
            self.bom_body,
            20,
            f"BODY-{name}",
            {barrel: barrels, plunger: 20},
            released=False,
        )

    def test_yield_as_the_bom_says_passes(self):
        body = self._body("Y-OK", 20)
        self._assert_pass(body, "bom_yield")

    def test_yield_within_tolerance_passes(self):
        self.checks["bom_yield"].tolerance_percent = 10
        body = self._body("Y-TOL", 21)
        self._assert_pass(body, "bom_yield")

    def test_overconsumption_fails(self):
        body = self._body("Y-KO", 25)
        self._assert_fail(
            body, "bom_yield", self.barrel.display_name, "consumed 25.00", "gives 20.00"
        )

    # -- nonconformance disposition --
    def _dispositioned(self, lot, disposition, quantity=5):
        nonconformance = self.Nonconformance.with_user(self.inspector).create(
            {
                "description": "Flash on the barrel tip",
                "source": "audit",
                "product_id": lot.product_id.id,
                "lot_ids": [Command.set(lot.ids)],
                "quantity": quantity,
            }
        )
        nonconformance.with_user(self.qa_manager).disposition = disposition
        self._sign(
            nonconformance.with_user(self.qa_manager).action_disposition(),
            self.qa_manager,
        )
        self.assertEqual(nonconformance.state, "dispositioned")
        return nonconformance

    def test_return_disposition_not_carried_out_fails_then_passes(self):
        _picking, lot = self._received_lot("BRL-NC-RETURN", 50)
        nonconformance = self._dispositioned(lot, "return")
        self._assert_fail(
            lot,
            "nc_disposition",
            nonconformance.name,
            "Return to Supplier of 5.00",
            "only 0.00",
        )
        returned = nonconformance.return_picking_ids
        returned.move_ids.picked = True
        returned.with_user(self.warehouse).button_validate()
        self._assert_pass(lot, "nc_disposition")

    def test_scrap_disposition_carried_out_by_the_signature_passes(self):
        lot = self._lot(self.barrel, "BRL-NC-SCRAP", 50, released=False)
        nonconformance = self._dispositioned(lot, "scrap")
        self.assertEqual(nonconformance.scrap_ids.state, "done")
        self._assert_pass(lot, "nc_disposition")

    def test_use_as_is_needs_no_move(self):
        lot = self._lot(self.barrel, "BRL-NC-USE", 50, released=False)
        self._dispositioned(lot, "use_as_is")
        self._assert_pass(lot, "nc_disposition")

    # -- open inspection, nonconformance, CAPA --
    def test_open_inspection_fails_until_finished(self):
        _picking, lot = self._received_lot("BRL-OPEN")
        inspection = self._inspect_lot(lot, qty=100)
        self._assert_fail(lot, "open_quality_records", inspection.name, "open")
        self._pass(inspection)
        self._assert_pass(lot, "open_quality_records")

    def test_open_nonconformance_on_a_component_fails(self):
        barrel = self._lot(self.barrel, "BRL-COMP-NC", 20)
        plunger = self._lot(self.plunger, "PLG-COMP-NC", 20)
        body = self._produce(
            self.bom_body, 20, "BODY-COMP-NC", {barrel: 20, plunger: 20}, released=False
        )
        self._assert_pass(body, "open_quality_records")
        nonconformance = self.Nonconformance.with_user(self.inspector).create(
            {
                "description": "Barrel lot out of tolerance",
                "source": "audit",
                "product_id": self.barrel.id,
                "lot_ids": [Command.set(barrel.ids)],
                "quantity": 3,
            }
        )
        self._assert_fail(
            body, "open_quality_records", nonconformance.name, "component lot"
        )

    def test_released_while_a_nonconformance_was_open(self):
        _picking, lot = self._received_lot("BRL-LATE-NC")
        self._sign(lot.with_user(self.qa_manager).action_med_release(), self.qa_manager)
        self.assertEqual(lot.med_state, "released")
        # A complaint recorded today about a defect found before the release.
        nonconformance = self.Nonconformance.with_user(self.inspector).create(
            {
                "description": "Defect seen at incoming check, recorded late",
                "source": "audit",
                "product_id": self.barrel.id,
                "lot_ids": [Command.set(lot.ids)],
                "quantity": 2,
                "date": lot.med_release_date - timedelta(days=1),
            }
        )
        self.Result._cron_med_reconcile()
        self._assert_fail(
            lot, "open_quality_records", "released while", nonconformance.name
        )

    def test_released_after_the_nonconformance_was_closed(self):
        _picking, lot = self._received_lot("BRL-CLOSED-NC")
        nonconformance = self.Nonconformance.with_user(self.inspector).create(
            {
                "description": "Two barrels scratched",
                "source": "audit",
                "product_id": self.barrel.id,
                "lot_ids": [Command.set(lot.ids)],
                "quantity": 2,
            }
        )
        self._assert_fail(lot, "open_quality_records", nonconformance.name)
        nonconformance.with_user(self.qa_manager).disposition = "use_as_is"
        self._sign(
            nonconformance.with_user(self.qa_manager).action_disposition(),
            self.qa_manager,
        )
        self._assert_pass(lot, "open_quality_records")
        self._sign(lot.with_user(self.qa_manager).action_med_release(), self.qa_manager)
        self.Result._cron_med_reconcile()
        self._assert_pass(lot, "open_quality_records")

    # -- expiry against the components --
    def _body_with_expiry(self, name, expiry):
        self.body.med_expiry_within_components = True
        barrel = self._dated_lot(self.barrel, f"BRL-{name}", "2030-01-31")
        plunger = self._dated_lot(self.plunger, f"PLG-{name}", "2031-01-01")
        body = self._produce(
            self.bom_body, 10, f"BODY-{name}", {barrel: 10, plunger: 10}, released=False
        )
        body.with_context(med_reason="expiry of the body").write(
            {"expiration_date": fields.Datetime.to_datetime(expiry)}
        )
        return body

    def test_expiry_before_the_components_passes(self):
        body = self._body_with_expiry("EXP-OK", "2030-01-15")
        self._assert_pass(body, "expiry_components")

    def test_expiry_after_a_component_fails(self):
        body = self._body_with_expiry("EXP-KO", "2030-06-30")
        self._assert_fail(
            body, "expiry_components", "2030-06-30", "BRL-EXP-KO", "2030-01-31"
        )

    def test_expiry_not_checked_when_the_product_allows_it(self):
        body = self._body_with_expiry("EXP-FREE", "2030-06-30")
        self.body.med_expiry_within_components = False
        body.action_med_reconcile()
        self._assert_pass(body, "expiry_components")

    # -- supplier certificate on the receipt date --
    def test_receipt_with_a_valid_certificate_passes(self):
        self._certificate(self.supplier, fields.Date.today() + timedelta(days=300))
        _picking, lot = self._received_lot("BRL-CERT-OK")
        self._assert_pass(lot, "supplier_certificate")

    def test_receipt_with_an_expired_certificate_fails_with_its_products(self):
        certificate = self._certificate(
            self.supplier, fields.Date.today() - timedelta(days=10)
        )
        _picking, barrel = self._received_lot("BRL-CERT-KO", 20)
        self._assert_fail(
            barrel, "supplier_certificate", certificate.number, "was not valid"
        )
        # The body made of it, once the barrel lot was released anyway.
        self._release(barrel)
        plunger = self._lot(self.plunger, "PLG-CERT", 20)
        body = self._produce(
            self.bom_body, 20, "BODY-CERT", {barrel: 20, plunger: 20}, released=False
        )
        self._assert_fail(
            body, "supplier_certificate", "made from lots", certificate.number
        )
        # Delivered goods are flagged too by the nightly job.
        self.Result._cron_med_reconcile()
        self._assert_fail(barrel, "supplier_certificate", certificate.number)
