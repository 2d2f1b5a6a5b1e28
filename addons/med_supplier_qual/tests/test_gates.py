from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.med_lot_trace.tests.common import confirm_gate_warnings

from .common import SupplierQualCommon


@tagged("post_install", "-at_install")
class TestPurchaseGate(SupplierQualCommon):
    """Purchase orders are confirmed only with approved, licensed suppliers."""

    def assertRefused(self, order, *fragments):
        with self.assertRaises(UserError) as refused:
            order.button_confirm()
        for fragment in fragments:
            self.assertIn(fragment, str(refused.exception))
        self.assertIn(order.state, ("draft", "sent"))
        return str(refused.exception)

    def test_qualified_supplier_is_confirmed(self):
        order = self._order(self.device | self.product_lot)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")

    def test_candidate_supplier_is_refused(self):
        supplier = self.env["res.partner"].create(
            {"name": "New Needle Co.", "is_company": True}
        )
        self.assertEqual(supplier.med_supplier_state, "candidate")
        message = self.assertRefused(
            self._order(self.product_lot, partner=supplier),
            "New Needle Co.",
            "Syringe barrel 5 ml",
            "Business licence",
        )
        self.assertIn("not on the approved supplier list", message)

    def test_suspended_supplier_is_refused(self):
        self.vendor._med_set_supplier_state("suspended", "audit finding")
        self.assertRefused(self._order(self.product_lot), "Suspended")

    def test_conditional_supplier_needs_the_company_allowance(self):
        self.vendor._med_set_supplier_state("conditional", "pending audit")
        self.assertRefused(self._order(self.product_lot), "Conditionally Approved")
        self.env.company.med_allow_conditional_suppliers = True
        order = self._order(self.product_lot)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")

    def test_product_not_on_the_approved_list_is_refused(self):
        plunger = self.env["product.product"].create(
            {"name": "Plunger", "is_storable": True}
        )
        self.assertRefused(
            self._order(plunger), "not on the approved supplier list for Plunger"
        )

    def test_approved_list_entry_by_category_and_validity(self):
        plunger = self.env["product.product"].create(
            {"name": "Plunger", "is_storable": True}
        )
        entry = self.env["med.approved.supplier"].create(
            {
                "partner_id": self.vendor.id,
                "categ_id": plunger.categ_id.id,
                "date_start": self.today - timedelta(days=10),
                "date_end": self.today - timedelta(days=1),
            }
        )
        self.assertRefused(self._order(plunger), "Plunger")
        entry.date_end = self.today
        order = self._order(plunger)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")

    def test_expired_licence_is_refused_with_its_date(self):
        self.licence.write({"expiry_date": self.today - timedelta(days=1)})
        self.licence.with_user(self.qa_manager)._med_do_verify()
        self.assertRefused(
            self._order(self.product_lot),
            "Business licence",
            "91320500-BL",
            "expired on",
            str(self.today - timedelta(days=1)),
        )

    def test_licence_expiring_today_is_valid_today(self):
        self.licence.write({"expiry_date": self.today})
        self.licence.with_user(self.qa_manager)._med_do_verify()
        order = self._order(self.product_lot)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")

    def test_order_date_decides_in_the_users_timezone(self):
        # 17:00 UTC is already the next day in Shanghai (the purchase user's zone).
        self.licence.write({"expiry_date": self.today + timedelta(days=1)})
        self.licence.with_user(self.qa_manager)._med_do_verify()
        tomorrow = self.today + timedelta(days=1)
        late = datetime.combine(tomorrow, datetime.min.time()) + timedelta(hours=17)
        self.assertRefused(
            self._order(self.product_lot, date_order=late),
            str(self.today + timedelta(days=2)),
        )
        early = datetime.combine(tomorrow, datetime.min.time()) + timedelta(hours=10)
        order = self._order(self.product_lot, date_order=early)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")

    def test_backdated_order_cannot_reach_a_lapsed_licence(self):
        """The order date says when the licence was valid; confirming is today."""
        self.licence.write(
            {
                "issue_date": self.today - timedelta(days=400),
                "expiry_date": self.today - timedelta(days=5),
            }
        )
        self.licence.with_user(self.qa_manager)._med_do_verify()
        ordered = datetime.combine(
            self.today - timedelta(days=10), datetime.min.time()
        ) + timedelta(hours=4)
        order = self._order(self.device, date_order=ordered)
        self.assertRefused(order, "expired on")

    def test_unverified_certificate_counts_only_when_allowed(self):
        self.licence.write({"number": "91320500-BL2"})
        self.assertFalse(self.licence.verified_by_id, "an edit voids the check")
        self.assertRefused(self._order(self.product_lot), "not verified by QA")
        self.env.company.med_require_verified_certificates = False
        order = self._order(self.product_lot)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")

    def test_registration_certificate_needed_for_devices_only(self):
        class_two = self.env["product.category"].create(
            {"name": "Class II", "parent_id": self.device_category.id}
        )
        self.device.categ_id = class_two
        self.registration.write(
            {
                "product_ids": [(5, 0, 0)],
                "categ_ids": [(6, 0, self.device_category.ids)],
            }
        )
        self.registration.with_user(self.qa_manager)._med_do_verify()
        # A certificate for a category covers the categories below it.
        self._order(self.device).button_confirm()
        other = self.env["product.category"].create({"name": "Other"})
        self.registration.write({"categ_ids": [(6, 0, other.ids)]})
        self.registration.with_user(self.qa_manager)._med_do_verify()
        self.assertRefused(
            self._order(self.device),
            "Sterile syringe 5 ml",
            "Product registration certificate or filing",
            "missing",
        )
        # The barrel is no medical device: no registration needed.
        order = self._order(self.product_lot)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")

    def test_exempt_products_and_services_are_not_gated(self):
        supplier = self.env["res.partner"].create(
            {"name": "Office Supplies Ltd", "is_company": True}
        )
        paper = self.env["product.product"].create(
            {"name": "Paper", "is_storable": True, "med_supplier_gate_exempt": True}
        )
        service = self.env["product.product"].create(
            {"name": "Calibration service", "type": "service"}
        )
        consumable = self.env["product.product"].create(
            {"name": "Gloves", "type": "consu"}
        )
        exempt_category = self.env["product.category"].create(
            {"name": "Office", "med_supplier_gate_exempt": True}
        )
        toner = self.env["product.product"].create(
            {"name": "Toner", "is_storable": True, "categ_id": exempt_category.id}
        )
        order = self._order(paper | service | consumable | toner, partner=supplier)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")

    def test_second_approval_checks_again(self):
        self.env.company.write(
            {"po_double_validation": "two_step", "po_double_validation_amount": 0}
        )
        order = self._order(self.product_lot)
        order.button_confirm()
        self.assertEqual(order.state, "to approve")
        self.vendor._med_set_supplier_state("suspended", "licence withdrawn")
        # approved by someone who may approve (the purchase user may not: Odoo
        # leaves the order waiting)
        with self.assertRaises(UserError):
            order.with_user(self.env.user).button_approve()
        self.assertEqual(order.state, "to approve")

    def test_warn_mode_asks_and_records_the_confirmation(self):
        self.env.company.med_supplier_gate_mode = "warn"
        self.vendor._med_set_supplier_state("suspended", "audit finding")
        order = self._order(self.product_lot)
        action = order.button_confirm()
        self.assertEqual(action["res_model"], "med.gate.confirm")
        self.assertEqual(order.state, "draft")
        wizard = self.env["med.gate.confirm"].browse(action["res_id"])
        self.assertIn("Suspended", wizard.message)
        confirm_gate_warnings(self.env(user=self.purchase), action)
        self.assertEqual(order.state, "purchase")
        self.env.flush_all()
        override = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "purchase.order"),
                ("res_id", "=", order.id),
                ("operation", "=", "gate_override"),
            ]
        )
        self.assertEqual(len(override), 1)
        self.assertIn("Suspended", override.new_value or override.reason or "")

    def test_block_mode_ignores_a_confirmation(self):
        self.vendor._med_set_supplier_state("suspended", "audit finding")
        order = self._order(self.product_lot)
        with self.assertRaises(UserError):
            order.with_context(med_supplier_gate_confirmed=True).button_confirm()
        self.assertEqual(order.state, "draft")

    def test_query_count_does_not_grow_with_lines(self):
        products = self.env["product.product"].create(
            [
                {
                    "name": f"Component {i}",
                    "is_storable": True,
                    "categ_id": self.device_category.id,
                }
                for i in range(30)
            ]
        )
        self._qualify(self.vendor, products)
        self.registration.write({"categ_ids": [(6, 0, self.device_category.ids)]})
        self.registration.with_user(self.qa_manager)._med_do_verify()
        counts = []
        for size in (3, 30):
            order = self._order(products[:size])
            order._med_supplier_gate_messages()  # warms the registry caches
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            self.assertFalse(order._med_supplier_gate_messages())
            counts.append(self.cr.sql_log_count - start)
        self.assertEqual(counts[0], counts[1], counts)


@tagged("post_install", "-at_install")
class TestReceiptGate(SupplierQualCommon):
    """Receipts are checked again on the day they are received."""

    def _receive(self, order, user=None):
        picking = order.picking_ids.with_user(user or self.warehouse)
        for move in picking.move_ids:
            move.move_line_ids.write({"lot_name": f"L-{move.id}", "quantity": 10})
            move.picked = True
        return picking

    def test_receipt_with_valid_licences_is_done(self):
        order = self._order(self.device)
        order.button_confirm()
        picking = self._receive(order)
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_licence_lapsed_after_the_order_blocks_the_receipt(self):
        # Ordered while the licence was valid; it lapsed before the goods came.
        order = self._order(self.device)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")
        self.licence.write(
            {
                "issue_date": self.today - timedelta(days=400),
                "expiry_date": self.today - timedelta(days=5),
            }
        )
        self.licence.with_user(self.qa_manager)._med_do_verify()
        picking = self._receive(order)
        with self.assertRaises(UserError) as refused:
            picking.button_validate()
        self.assertIn("expired on", str(refused.exception))
        self.assertNotEqual(picking.state, "done")
        # The same holds for code or RPC calling the moves directly.
        with self.assertRaises(UserError):
            picking.move_ids._action_done()
        self.assertNotEqual(picking.move_ids.state, "done")

    def test_receipt_from_a_vendor_without_order_is_gated(self):
        supplier = self.env["res.partner"].create(
            {"name": "Unknown Vendor", "is_company": True, "supplier_rank": 1}
        )
        picking = self.env["stock.picking"].create(
            {
                "partner_id": supplier.id,
                "picking_type_id": self.env.ref("stock.picking_type_in").id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "barrel",
                            "product_id": self.product_lot.id,
                            "product_uom_qty": 5,
                            "location_id": self.env.ref(
                                "stock.stock_location_suppliers"
                            ).id,
                            "location_dest_id": self.env.ref(
                                "stock.stock_location_stock"
                            ).id,
                        },
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.move_line_ids.write({"lot_name": "X-1", "quantity": 5})
        picking.move_ids.picked = True
        with self.assertRaises(UserError) as refused:
            picking.button_validate()
        self.assertIn("Unknown Vendor", str(refused.exception))

    def test_warn_mode_receipt_is_confirmed_and_audited(self):
        order = self._order(self.device)
        order.button_confirm()
        self.env.company.med_supplier_gate_mode = "warn"
        self.vendor._med_set_supplier_state("suspended", "audit finding")
        picking = self._receive(order)
        action = picking.button_validate()
        self.assertEqual(action["res_model"], "med.gate.confirm")
        confirm_gate_warnings(self.env(user=self.warehouse), action)
        self.assertEqual(picking.state, "done")
        self.env.flush_all()
        self.assertTrue(
            self.env["med.audit.entry"].search_count(
                [
                    ("res_model", "=", "stock.picking"),
                    ("res_id", "=", picking.id),
                    ("operation", "=", "gate_override"),
                ]
            )
        )
