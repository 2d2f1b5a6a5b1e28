from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from odoo.addons.med_lot_trace.tests.common import confirm_gate_warnings

from .common import SupplierQualCommon


@tagged("post_install", "-at_install")
class TestCustomerGate(SupplierQualCommon):
    """Deliveries of tracked devices go only to customers holding a valid licence on
    the day of delivery (购货者资格审核, 医疗器械经营质量管理规范)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse0 = cls.env.ref("stock.warehouse0")
        cls.stock = cls.warehouse0.lot_stock_id
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.hospital = cls.env["res.partner"].create(
            {"name": "Ruijin Hospital", "is_company": True, "customer_rank": 1}
        )
        cls.ward = cls.env["res.partner"].create(
            {"name": "Ruijin Ward 7", "type": "delivery", "parent_id": cls.hospital.id}
        )
        cls.lot = cls.env["stock.lot"].create(
            {"name": "SY-2611", "product_id": cls.device.id}
        )
        # what QA's signed release does (med_lot_trace): only released lots ship
        cls.lot.with_context(med_reason="released for the test")._med_set_state(
            "released"
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.device, cls.stock, 100, lot_id=cls.lot
        )
        cls.env.company.med_customer_gate_mode = "block"

    def _delivery(self, partner, product=None, lot=None):
        """A picked delivery of 10 ``product`` (the released syringes by default) to
        ``partner``, ready to validate as the warehouse user."""
        product = product or self.device
        picking = self.env["stock.picking"].create(
            {
                "partner_id": partner.id,
                "picking_type_id": self.warehouse0.out_type_id.id,
                "location_id": self.stock.id,
                "location_dest_id": self.customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": 10,
                            "location_id": self.stock.id,
                            "location_dest_id": self.customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        move = picking.move_ids
        if lot:
            move.move_line_ids.unlink()
            self.env["stock.move.line"].create(
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": product.id,
                    "lot_id": lot.id,
                    "quantity": 10,
                    "location_id": self.stock.id,
                    "location_dest_id": self.customers.id,
                }
            )
        move.picked = True
        return picking.with_user(self.warehouse)

    def _in_stock(self):
        """The syringes on hand in stock, reserved or not."""
        quants = self.env["stock.quant"]._gather(
            self.device, self.stock, lot_id=self.lot, strict=True
        )
        return sum(quants.mapped("quantity"))

    def _licence(self, partner=None, code="medical_institution_licence", **values):
        return self._certificate(
            partner or self.hospital,
            code,
            values.pop("number", "PDY00001131010417A1001"),
            issuer="上海市卫生健康委员会",
            **values,
        )

    def assertRefused(self, picking, *fragments, on_hand=100):
        with self.assertRaises(UserError) as refused:
            picking.button_validate()
        message = str(refused.exception)
        self.assertIn("Customer qualification check failed", message)
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertNotEqual(picking.state, "done")
        self.assertEqual(self._in_stock(), on_hand)  # nothing moved
        return message

    # -- block mode --
    def test_delivery_without_certificate_is_refused(self):
        picking = self._delivery(self.hospital)
        message = self.assertRefused(
            picking, "Ruijin Hospital", "Sterile syringe 5 ml", "no qualification"
        )
        self.assertIn("Medical institution practising licence", message)
        # The same holds for code or RPC calling the moves directly.
        with self.assertRaises(UserError):
            picking.move_ids._action_done()
        self.assertNotEqual(picking.move_ids.state, "done")
        self.assertEqual(self._in_stock(), 100)

    def test_expired_certificate_is_refused_with_its_date(self):
        expired = self.today - timedelta(days=1)
        self._licence(expiry=expired, number="PDY-EXPIRED")
        self.assertRefused(
            self._delivery(self.hospital),
            "Ruijin Hospital",
            "Sterile syringe 5 ml",
            f"PDY-EXPIRED expired on {expired}",
        )

    def test_valid_certificate_allows_the_delivery(self):
        self._licence()
        picking = self._delivery(self.hospital)
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(self._in_stock(), 90)

    def test_certificate_expiring_today_is_valid_today(self):
        self._licence(expiry=self.today)
        picking = self._delivery(self.hospital)
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_delivery_without_customer_is_refused(self):
        picking = self._delivery(self.hospital)
        picking.sudo().partner_id = False
        self.assertRefused(picking, "names no customer", "Sterile syringe 5 ml")

    def test_pickings_validated_together_are_all_refused(self):
        self._licence()
        stranger = self.env["res.partner"].create(
            {"name": "Unlicensed Clinic", "is_company": True}
        )
        good, bad = self._delivery(self.hospital), self._delivery(stranger)
        with self.assertRaisesRegex(UserError, "Unlicensed Clinic"):
            (good | bad).button_validate()
        self.assertEqual((good | bad).mapped("state"), ["assigned", "assigned"])
        self.assertEqual(self._in_stock(), 100)

    def test_distributor_qualified_by_a_distribution_licence_or_filing(self):
        distributor = self.env["res.partner"].create(
            {"name": "Sinopharm East", "is_company": True}
        )
        self.assertRefused(self._delivery(distributor), "Sinopharm East")
        # a class II filing (备案凭证) has no expiry date
        self._certificate(
            distributor, "distribution_filing", "沪黄浦食药监械经营备20180021号"
        )
        picking = self._delivery(distributor)
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_unverified_certificate_counts_only_when_allowed(self):
        self._licence(verified=False, number="PDY-UNCHECKED")
        self.assertRefused(
            self._delivery(self.hospital), "PDY-UNCHECKED is not verified by QA"
        )
        self.env.company.med_require_verified_certificates = False
        picking = self._delivery(self.hospital)
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_supplier_only_certificate_does_not_qualify_a_customer(self):
        self._certificate(self.hospital, "business_licence", "91310000-HOSP")
        self.assertRefused(self._delivery(self.hospital), "no qualification")

    @freeze_time("2026-11-26 20:00:00")
    def test_day_of_delivery_is_the_companys_day(self):
        # 20:00 UTC is already 2026-11-27 in Shanghai, where the company is; the
        # warehouse user works in New York, still on the 26th.
        self.warehouse.tz = "America/New_York"
        self._licence(
            issue_date=date(2021, 11, 27), expiry=date(2026, 11, 26), number="PDY-26"
        )
        message = self.assertRefused(
            self._delivery(self.hospital), "PDY-26 expired on 2026-11-26"
        )
        self.assertIn("date 2026-11-27", message)

    # -- delivery addresses, exemptions, returns --
    def test_delivery_address_uses_its_company_certificates(self):
        self.assertRefused(self._delivery(self.ward), "Ruijin Hospital")
        self._licence()
        picking = self._delivery(self.ward)
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_exempt_and_untracked_products_are_not_gated(self):
        exempt = self.env["product.product"].create(
            {
                "name": "Demo syringe (not for use)",
                "is_storable": True,
                "tracking": "lot",
                "med_supplier_gate_exempt": True,
            }
        )
        office = self.env["product.category"].create(
            {"name": "Marketing", "med_supplier_gate_exempt": True}
        )
        brochure = self.env["product.product"].create(
            {
                "name": "Brochure",
                "is_storable": True,
                "tracking": "lot",
                "categ_id": office.id,
            }
        )
        untracked = self.env["product.product"].create(
            {"name": "Sharps container", "is_storable": True}
        )
        for product in exempt | brochure:
            lot = self.env["stock.lot"].create(
                {"name": f"X-{product.id}", "product_id": product.id}
            )
            lot.with_context(med_reason="test")._med_set_state("released")
            self.env["stock.quant"]._update_available_quantity(
                product, self.stock, 10, lot_id=lot
            )
            picking = self._delivery(self.hospital, product=product, lot=lot)
            picking.button_validate()
            self.assertEqual(picking.state, "done", product.name)
        self.env["stock.quant"]._update_available_quantity(untracked, self.stock, 10)
        picking = self._delivery(self.hospital, product=untracked)
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        # the tracked device in the same situation is refused
        self.assertRefused(self._delivery(self.hospital), "Ruijin Hospital")

    def test_return_from_the_customer_is_not_gated(self):
        licence = self._licence()
        delivery = self._delivery(self.hospital)
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        licence.write({"expiry_date": self.today - timedelta(days=1)})
        self.assertRefused(self._delivery(self.hospital), "expired on", on_hand=90)
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_id=delivery.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = 4
        returned = wizard._create_return()
        returned.action_assign()
        returned.move_ids.move_line_ids.write({"lot_id": self.lot.id, "quantity": 4})
        returned.move_ids.picked = True
        returned.with_user(self.warehouse).button_validate()
        self.assertEqual(returned.state, "done")
        self.assertEqual(self._in_stock(), 94)

    def test_internal_transfer_is_not_gated(self):
        shelf = self.env["stock.location"].create(
            {"name": "Shelf B", "location_id": self.stock.id}
        )
        move = self.env["stock.move"].create(
            {
                "name": "to shelf",
                "product_id": self.device.id,
                "product_uom_qty": 5,
                "location_id": self.stock.id,
                "location_dest_id": shelf.id,
                "partner_id": self.hospital.id,
            }
        )
        move._action_confirm()
        move._action_assign()
        move.picked = True
        move._action_done()
        self.assertEqual(move.state, "done")

    def test_query_count_does_not_grow_with_customers(self):
        counts = []
        for size in (2, 12):
            customers = self.env["res.partner"].create(
                [
                    {"name": f"Clinic {size}-{i}", "is_company": True}
                    for i in range(size)
                ]
            )
            moves = self.env["stock.move"].create(
                [
                    {
                        "name": "syringes",
                        "product_id": self.device.id,
                        "product_uom_qty": 1,
                        "location_id": self.stock.id,
                        "location_dest_id": self.customers.id,
                        "partner_id": customer.id,
                    }
                    for customer in customers
                ]
            )
            moves._med_customer_gate_messages()  # warms the registry caches
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            violations = moves._med_customer_gate_messages()
            counts.append(self.cr.sql_log_count - start)
            self.assertEqual(len(violations[self.env.company][1]), size)
        self.assertTrue(counts[0])
        self.assertEqual(counts[0], counts[1], counts)

    # -- warn and off modes --
    def test_warn_mode_asks_and_records_the_confirmation(self):
        self.env.company.med_customer_gate_mode = "warn"
        picking = self._delivery(self.hospital)
        action = picking.button_validate()
        self.assertEqual(action["res_model"], "med.gate.confirm")
        self.assertNotEqual(picking.state, "done")
        wizard = self.env["med.gate.confirm"].browse(action["res_id"])
        self.assertIn("Ruijin Hospital", wizard.message)
        # without the user's confirmation, code calling the moves is refused
        with self.assertRaises(UserError):
            picking.move_ids._action_done()
        confirm_gate_warnings(self.env(user=self.warehouse), action)
        self.assertEqual(picking.state, "done")
        self.env.flush_all()
        override = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "stock.picking"),
                ("res_id", "=", picking.id),
                ("operation", "=", "gate_override"),
            ]
        )
        self.assertEqual(len(override), 1)
        self.assertEqual(override.user_id, self.warehouse)
        self.assertIn(
            "Ruijin Hospital",
            " ".join(filter(None, (override.new_value, override.reason))),
        )

    def test_warnings_of_two_gates_are_confirmed_in_one_window(self):
        # an unreleased lot to an unlicensed customer, both checks in warn mode: the
        # user sees both warnings at once, confirms them, and it is done
        self.env.company.write(
            {"med_customer_gate_mode": "warn", "med_gate_mode": "warn"}
        )
        quarantined = self.env["stock.lot"].create(
            {"name": "SY-2612-Q", "product_id": self.device.id}
        )
        self.assertEqual(quarantined.med_state, "quarantine")
        self.env["stock.quant"]._update_available_quantity(
            self.device, self.stock, 10, lot_id=quarantined
        )
        picking = self._delivery(self.hospital, lot=quarantined)
        action = picking.with_user(self.warehouse).button_validate()
        self.assertEqual(action["res_model"], "med.gate.confirm")
        message = self.env["med.gate.confirm"].browse(action["res_id"]).message
        self.assertIn("SY-2612-Q", message)
        self.assertIn("Ruijin Hospital", message)
        confirm_gate_warnings(self.env(user=self.warehouse), action)
        self.assertEqual(picking.state, "done")

    def test_a_confirmation_covers_only_the_warnings_it_names(self):
        # the customer warning confirmed alone does not silence the lot gate
        self.env.company.write(
            {"med_customer_gate_mode": "warn", "med_gate_mode": "warn"}
        )
        quarantined = self.env["stock.lot"].create(
            {"name": "SY-2612-R", "product_id": self.device.id}
        )
        self.env["stock.quant"]._update_available_quantity(
            self.device, self.stock, 10, lot_id=quarantined
        )
        picking = self._delivery(self.hospital, lot=quarantined)
        Gate = self.env["med.gate"].with_user(self.warehouse)
        findings = picking.with_user(self.warehouse)._med_gate_findings()
        customer = [f for f in findings if f.gate == "customer"]
        self.assertTrue(customer)
        self.assertTrue([f for f in findings if f.gate == "lot"])
        confirm_gate_warnings(
            self.env(user=self.warehouse), Gate._med_confirm_action(customer)
        )
        with self.assertRaisesRegex(UserError, "SY-2612-R"):
            picking.with_user(self.warehouse).move_ids._action_done()
        self.assertNotEqual(picking.state, "done")
        action = picking.with_user(self.warehouse).button_validate()
        message = self.env["med.gate.confirm"].browse(action["res_id"]).message
        self.assertIn("SY-2612-R", message)
        self.assertNotIn("Ruijin Hospital", message)

    def test_warn_mode_without_problem_asks_nothing(self):
        self.env.company.med_customer_gate_mode = "warn"
        self._licence()
        picking = self._delivery(self.hospital)
        self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.state, "done")

    def test_block_mode_ignores_a_confirmation(self):
        picking = self._delivery(self.hospital).with_context(
            med_supplier_gate_confirmed=True
        )
        with self.assertRaises(UserError):
            picking.button_validate()
        self.assertNotEqual(picking.state, "done")

    def test_off_mode_lets_everything_through(self):
        self.env.company.med_customer_gate_mode = "off"
        picking = self._delivery(self.hospital)
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    # -- configuration --
    def test_only_qa_managers_change_the_setting(self):
        admin = new_test_user(
            self.env,
            login="med_settings_admin",
            groups="base.group_system",
        )
        for user in (self.warehouse, self.purchase):
            # refused by the access rights or the QA guard, whichever comes first
            with self.assertRaises(UserError):
                self.env.company.with_user(user).med_customer_gate_mode = "off"
        # a system administrator without a QA role may save the settings, but not
        # turn the check off
        with self.assertRaisesRegex(UserError, "Only a QA manager"):
            self.env.company.with_user(admin).med_customer_gate_mode = "off"
        self.assertEqual(self.env.company.med_customer_gate_mode, "block")
        self.env.company.with_user(admin).write({"med_customer_gate_mode": "block"})
        # compliance administrators are QA managers
        admin.groups_id = [
            Command.link(self.env.ref("med_audit_export.group_med_compliance_admin").id)
        ]
        form = Form(self.env["res.config.settings"].with_user(admin))
        form.med_customer_gate_mode = "warn"
        form.save().execute()
        self.assertEqual(self.env.company.med_customer_gate_mode, "warn")

    def test_customer_types_cover_the_whole_customer(self):
        with self.assertRaises(ValidationError):
            self.env["med.certificate.type"].create(
                {
                    "name": "Hospital product approval",
                    "code": "hospital_product",
                    "applies_to": "customer",
                    "scope": "product",
                }
            )
        kind = self.env["med.certificate.type"].create(
            {"name": "Pharmacy licence", "code": "pharmacy", "applies_to": "customer"}
        )
        self.assertEqual(kind.scope, "supplier")

    def test_customer_types_do_not_gate_suppliers(self):
        self._type("medical_institution_licence").mandatory = True
        order = self._order(self.device)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")

    def test_demo_customers_are_qualified(self):
        customers = [
            self.env.ref(f"med_lot_trace.demo_customer_{name}", False)
            for name in ("pumch", "west_china", "distributor")
        ]
        if not all(customers):
            self.skipTest("demo data not loaded")
        Gate = self.env["med.supplier.gate"]
        company = self.env.ref("base.main_company")
        today = self.env["med.supplier.certificate"]._med_company_today(company)
        self.assertEqual(
            Gate._med_customer_violations(
                company, [(customer, self.device) for customer in customers], today
            ),
            [],
        )

    # -- the sales record --
    def test_sales_record_names_the_licence_held_that_day(self):
        self._licence(number="PDY-RUIJIN-2026")
        self._licence(
            number="PDY-RUIJIN-OLD",
            issue_date=self.today - timedelta(days=900),
            expiry=self.today - timedelta(days=30),
        )
        picking = self._delivery(self.ward)
        picking.button_validate()
        wizard = (
            self.env["med.sales.record.export"]
            .with_user(self.auditor)
            .create(
                {
                    "date_from": self.today - timedelta(days=1),
                    "date_to": self.today + timedelta(days=1),
                    "partner_ids": [Command.set(self.hospital.ids)],
                }
            )
        )
        labels = wizard._med_labels()
        lines = self.env["stock.move.line"].search(wizard._med_domain())
        self.assertEqual(lines, picking.move_line_ids)
        [row] = list(wizard._med_rows(lines))
        record = dict(zip(labels, row, strict=True))
        # the ward's company holds the licence; the expired one is not named
        self.assertEqual(record["Customer Licence No."], "PDY-RUIJIN-2026")
        self.assertEqual(record["Lot/Serial"], "SY-2611")
