from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.med_lot_trace.exceptions import GateConfirmationRequired

from .common import MedGenealogyCommon, confirm_gate_warnings


@tagged("post_install", "-at_install")
class TestLotStatus(MedGenealogyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the signature wizard counts failures from a cursor of its own
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.qa_manager_2 = new_test_user(
            cls.env,
            login="med_qa_manager_2",
            groups="med_audit_export.group_med_qa_manager",
        )
        cls.syringe.product_tmpl_id.write(
            {"use_expiration_date": True, "expiration_time": 1095, "alert_time": 90}
        )

    def _expiring(self, name, days, released=True):
        lot = self._lot(self.syringe, name, 50, released=released)
        lot.with_context(med_reason="test dates").write(
            {"expiration_date": fields.Datetime.now() + timedelta(days=days)}
        )
        return lot

    def _receive(self, product, lot_name, qty, expiry=None, user=None):
        picking = self._transfer(product, qty, incoming=True, user=user)
        line = picking.move_ids.move_line_ids
        line.write({"lot_name": lot_name, "quantity": qty, "expiration_date": expiry})
        picking.move_ids.picked = True
        picking.button_validate()
        return picking

    # -- status at creation --
    def test_new_lot_quarantined_whatever_the_caller_says(self):
        lot = self.env["stock.lot"].create(
            {"name": "Q-1", "product_id": self.syringe.id, "med_state": "released"}
        )
        self.assertEqual(lot.med_state, "quarantine")
        self.syringe.med_release_required = False
        free = self.env["stock.lot"].create(
            {"name": "Q-2", "product_id": self.syringe.id}
        )
        self.assertEqual(free.med_state, "released")

    def test_received_lot_starts_in_quarantine(self):
        self._receive(self.barrel, "BRL-RCV-1", 10, user=self.warehouse)
        lot = self.env["stock.lot"].search([("name", "=", "BRL-RCV-1")])
        self.assertEqual(lot.med_state, "quarantine")

    def test_status_cannot_be_written_directly(self):
        lot = self._lot(self.syringe, "Q-3", released=False)
        with self.assertRaisesRegex(UserError, "Lot Status"):
            lot.with_context(med_reason="shortcut", med_protected_write=True).write(
                {"med_state": "released"}
            )
        self.assertEqual(lot.med_state, "quarantine")

    # -- release --
    def test_release_with_signature(self):
        lot = self._expiring("REL-1", 400, released=False)
        self._sign(lot.with_user(self.qa_manager).action_med_release(), self.qa_manager)
        self.assertEqual(lot.med_state, "released")
        self.assertEqual(lot.med_signature_ids.meaning, "release")
        self.assertEqual(lot.med_signature_ids.signer_id, self.qa_manager)
        change = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "stock.lot"),
                ("res_id", "=", lot.id),
                ("field_name", "=", "med_state"),
                ("operation", "=", "write"),
            ]
        )
        self.assertEqual(
            (change.old_value, change.new_value), ("Quarantine", "Released")
        )
        self.assertEqual(change.user_id, self.qa_manager)
        self.assertEqual(change.reason, "QA decision")

    def test_release_refused_with_wrong_password(self):
        lot = self._expiring("REL-2", 400, released=False)
        action = lot.with_user(self.qa_manager).action_med_release()
        try:
            self._sign(action, self.qa_manager, password="wrong")
        except UserError as error:
            self.assertIn("Wrong password", str(error))
        self.assertEqual(lot.med_state, "quarantine")

    def test_release_refused_when_expired_or_undated(self):
        expired = self._expiring("REL-3", -1, released=False)
        with self.assertRaisesRegex(UserError, "REL-3.*expired on"):
            expired.with_user(self.qa_manager).action_med_release()
        undated = self._lot(self.syringe, "REL-4", released=False)
        undated.with_context(med_reason="clear").write({"expiration_date": False})
        with self.assertRaisesRegex(UserError, "no expiry date"):
            undated.with_user(self.qa_manager).action_med_release()
        self.assertEqual(expired.med_state, "quarantine")

    def test_release_refused_while_a_component_is_not_released(self):
        body = self._lot(self.body, "BODY-Q", 5)
        needle = self._lot(self.needle, "NDL-Q", 5)
        syringe = self._produce(
            self.bom_syringe, 5, "SYR-Q", {body: 5, needle: 5}, released=False
        )
        syringe.with_context(med_reason="dated").write(
            {"expiration_date": datetime(2030, 1, 1)}
        )
        body.with_context(med_reason="deviation")._med_put_on_hold(
            "manual", "deviation"
        )
        with self.assertRaisesRegex(
            UserError, "component lots are not released: BODY-Q"
        ):
            syringe.with_user(self.qa_manager).action_med_release()

    def test_only_qa_managers_release(self):
        lot = self._expiring("REL-5", 400, released=False)
        with self.assertRaisesRegex(UserError, "QA manager"):
            lot.with_user(self.warehouse).action_med_release()

    def test_segregation_of_duties(self):
        receiver = self.qa_manager
        self._receive(self.barrel, "BRL-SOD", 10, user=receiver)
        lot = self.env["stock.lot"].search([("name", "=", "BRL-SOD")])
        with self.assertRaisesRegex(UserError, "segregation of duties"):
            lot.with_user(receiver).action_med_release()
        self.assertEqual(lot.med_recorded_by_id, receiver)
        self._sign(
            lot.with_user(self.qa_manager_2).action_med_release(), self.qa_manager_2
        )
        self.assertEqual(lot.med_state, "released")

    def test_segregation_can_be_turned_off(self):
        self.env.company.med_release_segregation = False
        self._receive(self.barrel, "BRL-SOD2", 10, user=self.qa_manager)
        lot = self.env["stock.lot"].search([("name", "=", "BRL-SOD2")])
        self._sign(lot.with_user(self.qa_manager).action_med_release(), self.qa_manager)
        self.assertEqual(lot.med_state, "released")

    def test_hold_needs_a_reason_and_unhold_goes_back_to_quarantine(self):
        lot = self._expiring("HOLD-1", 400)
        action = lot.with_user(self.qa_manager).action_med_hold()
        try:
            self._sign(action, self.qa_manager, comment="")
        except UserError as error:
            self.assertIn("reason", str(error))
        self.assertEqual(lot.med_state, "released")
        self._sign(
            action, self.qa_manager, comment="Particles found in retained sample"
        )
        self.assertEqual(
            (lot.med_state, lot.med_hold_source, lot.med_hold_reason),
            ("hold", "manual", "Particles found in retained sample"),
        )
        # The trail records the hold's reason once: as the reason of the status entry.
        self.env.flush_all()
        entries = self.env["med.audit.entry"].search(
            [("res_model", "=", "stock.lot"), ("res_id", "=", lot.id)]
        )
        hold = entries.filtered(lambda entry: entry.new_value == "On Hold")
        self.assertEqual(hold.field_name, "med_state")
        self.assertEqual(hold.reason, "Particles found in retained sample")
        self.assertNotIn("med_hold_reason", entries.mapped("field_name"))
        # ... and a signature still covers it, as it did when the field was audited
        self.assertIn("med_hold_reason", lot._med_signed_fields())
        self._sign(lot.with_user(self.qa_manager).action_med_unhold(), self.qa_manager)
        self.assertEqual(lot.med_state, "quarantine")


@tagged("post_install", "-at_install")
class TestLotGates(MedGenealogyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.syringe.product_tmpl_id.write(
            {"use_expiration_date": True, "expiration_time": 1000, "alert_time": 90}
        )

    def _dated(self, name, days, released=True):
        # dated at creation, as a receipt does: product_expiry derives removal dates
        expiry = fields.Datetime.now() + timedelta(days=days, hours=1)
        lot = self.env["stock.lot"].create(
            {"name": name, "product_id": self.syringe.id, "expiration_date": expiry}
        )
        if released:
            self._release(lot)
        self.env["stock.quant"]._update_available_quantity(
            self.syringe, self.stock, 50, lot_id=lot
        )
        return lot

    def test_delivery_of_released_lot_allowed(self):
        picking = self._deliver(self.hospital, [(self._dated("OK-1", 800), 5)])
        self.assertEqual(picking.state, "done")

    def test_delivery_of_quarantined_lot_refused_on_every_path(self):
        lot = self._dated("GATE-1", 800, released=False)
        with self.assertRaisesRegex(UserError, "GATE-1 .*not released"):
            self._deliver(self.hospital, [(lot, 5)])  # calls _action_done directly
        quants = self.env["stock.quant"].search([("lot_id", "=", lot.id)])
        self.assertEqual(sum(quants.mapped("quantity")), 50)

    def test_delivery_of_expired_lot_refused(self):
        lot = self._dated("GATE-2", -2)
        with self.assertRaisesRegex(UserError, "GATE-2 .*has expired"):
            self._deliver(self.hospital, [(lot, 5)])

    def test_customer_minimum_shelf_life(self):
        lot = self._dated("GATE-3", 200)
        self.hospital.med_min_shelf_life_days = 365
        with self.assertRaisesRegex(UserError, "200 days of shelf life left.*365 days"):
            self._deliver(self.hospital, [(lot, 5)])
        self._deliver(self.distributor, [(lot, 5)])  # no minimum for the distributor

    def test_product_percent_minimum_as_fallback(self):
        lot = self._dated("GATE-4", 300)  # 30 % of 1000 days
        self.syringe.med_min_shelf_life_percent = 50
        with self.assertRaisesRegex(UserError, "30% of its shelf life left"):
            self._deliver(self.hospital, [(lot, 5)])

    def test_consuming_unreleased_component_refused(self):
        body = self._lot(self.body, "BODY-G", 5, released=False)
        needle = self._lot(self.needle, "NDL-G", 5)
        with self.assertRaisesRegex(UserError, "BODY-G .*used in production"):
            self._produce(self.bom_syringe, 5, "SYR-G", {body: 5, needle: 5})

    def test_warn_mode_asks_and_audits_the_confirmation(self):
        self.env.company.med_gate_mode = "warn"
        lot = self._dated("WARN-1", 800, released=False)
        picking = self._transfer(self.syringe, 5, partner=self.hospital)
        self._set_lot_lines(picking.move_ids, [(lot, 5)])
        action = picking.button_validate()
        self.assertEqual(action["res_model"], "med.gate.confirm")
        self.assertNotEqual(picking.state, "done")
        with self.assertRaisesRegex(UserError, "refused"):
            picking.move_ids._action_done()  # no confirmation: still refused
        confirm_gate_warnings(self.env, action)
        self.assertEqual(picking.state, "done")
        override = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "stock.lot"),
                ("res_id", "=", lot.id),
                ("operation", "=", "gate_override"),
            ]
        )
        self.assertIn("WARN-1", override.new_value)

    def test_warn_mode_production_is_confirmed_from_the_refusal(self):
        self.env.company.med_gate_mode = "warn"
        body = self._lot(self.body, "BODY-W", 5, released=False)
        needle = self._lot(self.needle, "NDL-W", 5)
        production = self.env["mrp.production"].create(
            {
                "product_id": self.syringe.id,
                "product_qty": 5,
                "bom_id": self.bom_syringe.id,
            }
        )
        production.action_confirm()
        production.lot_producing_id = self._lot(self.syringe, "SYR-W", released=False)
        production.qty_producing = 5
        for move in production.move_raw_ids:
            lots = [
                (lot, 5) for lot in (body, needle) if lot.product_id == move.product_id
            ]
            self._set_lot_lines(move, lots)
        with self.assertRaises(GateConfirmationRequired) as refused:
            production.button_mark_done()
        self.assertIn("BODY-W", str(refused.exception))
        self.assertNotEqual(production.state, "done")
        # the web client shows the refusal with a button to the confirmation
        action = refused.exception.args[1]
        self.assertEqual(action["res_model"], "med.gate.confirm")
        confirm_gate_warnings(self.env, action)
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        self.assertTrue(self._entries_of(production, "gate_override"))

    def _entries_of(self, record, operation):
        self.env.flush_all()
        return self.env["med.audit.entry"].search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("operation", "=", operation),
            ]
        )

    def test_reservation_skips_unreleased_and_held_lots(self):
        self.syringe.product_tmpl_id.write({"use_expiration_date": False})
        quarantined = self._lot(self.syringe, "RES-Q", 10, released=False)
        held = self._lot(self.syringe, "RES-H", 10)
        held.with_context(med_reason="x")._med_put_on_hold("manual", "deviation")
        released = self._lot(self.syringe, "RES-OK", 10)
        picking = self._transfer(self.syringe, 25, partner=self.hospital)
        picking.action_assign()
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, released)
        self.assertEqual(picking.move_ids.quantity, 10)
        self.assertTrue(quarantined and held)

    def _receipt(self, product, lot_name, expiry):
        picking = self._transfer(product, 10, incoming=True)
        picking.move_ids.move_line_ids.write(
            {"lot_name": lot_name, "quantity": 10, "expiration_date": expiry}
        )
        picking.move_ids.picked = True
        return picking

    def test_receipt_without_expiry_refused(self):
        picking = self._receipt(self.syringe, "RCV-NODATE", False)
        picking.move_ids.move_line_ids.expiration_date = False
        with self.assertRaisesRegex(UserError, "RCV-NODATE .*has no expiry date"):
            picking.button_validate()
        self.assertNotEqual(picking.state, "done")

    def test_receipt_shelf_life_minimum(self):
        self.syringe.med_min_receipt_shelf_life_days = 365
        short = self._receipt(
            self.syringe, "RCV-SHORT", fields.Datetime.now() + timedelta(days=100)
        )
        with self.assertRaisesRegex(UserError, "RCV-SHORT .*365 days"):
            short.button_validate()
        long = self._receipt(
            self.syringe, "RCV-LONG", fields.Datetime.now() + timedelta(days=700)
        )
        long.button_validate()
        self.assertEqual(long.state, "done")
        self.assertEqual(long.move_line_ids.lot_id.med_state, "quarantine")

    def test_fefo_by_default_for_expiry_products(self):
        late = self._dated("FEFO-LATE", 900)  # in stock first
        early = self._dated("FEFO-EARLY", 400)
        picking = self._transfer(self.syringe, 5, partner=self.hospital)
        picking.action_assign()
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, early)
        self.assertTrue(late)

    def test_gate_queries_do_not_grow_with_lines(self):
        def queries(count):
            lines = [(self._dated(f"QC{count}-{i}", 800), 1) for i in range(count)]
            picking = self._deliver_draft(lines)
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            self.assertFalse(picking.move_ids._med_gate_violations())
            return self.env.cr.sql_log_count - start

        self.assertEqual(queries(3), queries(30))

    def test_gate_queries_do_not_grow_with_moves(self):
        def queries(count):
            products = self.env["product.product"].create(
                [
                    {"name": f"QM{count}-{i}", "is_storable": True, "tracking": "lot"}
                    for i in range(count)
                ]
            )
            lots = [self._lot(product, product.name, 5) for product in products]
            picking = self._transfer(products[0], 1, partner=self.hospital)
            for product in products[1:]:
                picking.move_ids = [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "location_id": self.stock.id,
                            "location_dest_id": self.customers_location.id,
                        }
                    )
                ]
            for move, lot in zip(picking.move_ids, lots, strict=True):
                self._set_lot_lines(move, [(lot, 1)])
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            self.assertFalse(picking.move_ids._med_gate_violations())
            return self.env.cr.sql_log_count - start

        self.assertEqual(queries(3), queries(30))

    def _deliver_draft(self, lines):
        picking = self._transfer(
            self.syringe, sum(qty for _lot, qty in lines), partner=self.hospital
        )
        self._set_lot_lines(picking.move_ids, lines)
        return picking

    def test_shelf_life_settings_validated(self):
        with self.assertRaises(ValidationError):
            self.syringe.med_min_shelf_life_percent = 120
        with self.assertRaises(ValidationError):
            self.hospital.med_min_shelf_life_days = -5
