from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.med_lot_trace.exceptions import GateConfirmationRequired
from odoo.addons.med_lot_trace.tests.common import confirm_gate_warnings

from .common import SupplierQualCommon


@tagged("post_install", "-at_install")
class TestGateGoLive(SupplierQualCommon):
    """Going live in a running company: the dry run lists what each gate would stop
    over the open documents, changes nothing, and a gate switches to block only
    once its list is clean or with the QA manager's reason."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock = cls.env.ref("stock.warehouse0").lot_stock_id
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.env.company.write(
            {"med_supplier_gate_mode": "warn", "med_customer_gate_mode": "warn"}
        )
        cls.hospital = cls.env["res.partner"].create(
            {"name": "Go-Live Hospital", "is_company": True, "customer_rank": 1}
        )
        cls.draft_order = cls._draft_order(cls.candidate_vendor())
        cls.delivery = cls._open_delivery(cls.hospital)

    @classmethod
    def candidate_vendor(cls):
        return cls.env["res.partner"].create(
            {"name": "Unqualified Barrels Ltd", "is_company": True, "supplier_rank": 1}
        )

    @classmethod
    def _draft_order(cls, partner):
        return cls.env["purchase.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": cls.device.id, "product_qty": 5})
                ],
            }
        )

    @classmethod
    def _open_delivery(cls, partner):
        warehouse = cls.env.ref("stock.warehouse0")
        picking = cls.env["stock.picking"].create(
            {
                "partner_id": partner.id,
                "picking_type_id": warehouse.out_type_id.id,
                "location_id": cls.stock.id,
                "location_dest_id": cls.customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": cls.device.name,
                            "product_id": cls.device.id,
                            "product_uom_qty": 3,
                            "location_id": cls.stock.id,
                            "location_dest_id": cls.customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        return picking

    def _dry_run(self, user=None):
        wizard = self.env["med.gate.dry.run"].with_user(user or self.qa_manager)
        wizard = wizard.create({})
        wizard.action_run()
        return wizard

    def test_dry_run_lists_a_blocking_order_and_delivery_with_reasons(self):
        wizard = self._dry_run()
        order_lines = wizard.line_ids.filtered(
            lambda line: line.document_ref == self.draft_order
        )
        # the first-operation gate is off, but the dry run shows what it would stop
        self.assertEqual(
            set(order_lines.mapped("gate")), {"supplier", "first_operation"}
        )
        self.assertIn("Unqualified Barrels Ltd", " ".join(order_lines.mapped("reason")))
        delivery_lines = wizard.line_ids.filtered(
            lambda line: line.document_ref == self.delivery
        )
        self.assertEqual(set(delivery_lines.mapped("gate")), {"customer"})
        self.assertIn("Go-Live Hospital", " ".join(delivery_lines.mapped("reason")))
        self.assertIn(self.device_category, wizard.category_ids)
        self.assertIn("Supplier Gates (now Warn and confirm)", wizard.summary)
        self.assertIn("not ready for block mode", wizard.summary)

    def test_evaluation_collects_every_gate_with_its_mode(self):
        self.env.company.med_gate_mode = "block"
        Gate = self.env["med.gate"].with_user(self.purchase)
        found = Gate._med_evaluate(self.draft_order.with_user(self.purchase))
        self.assertFalse(found["block"])
        self.assertEqual({f.gate for f in found["warn"]}, {"supplier"})
        self.assertIn("Unqualified Barrels Ltd", found["warn"][0].message)
        self.env.company.med_supplier_gate_mode = "block"
        found = Gate._med_evaluate(self.draft_order.with_user(self.purchase))
        self.assertEqual({f.gate for f in found["block"]}, {"supplier"})
        self.env.company.med_customer_gate_mode = "off"
        self.assertEqual(Gate._med_evaluate(self.delivery), {"block": [], "warn": []})

    def test_dry_run_changes_nothing(self):
        documents = (self.draft_order, self.delivery)
        self.env.flush_all()
        before = [(doc.state, doc.write_date) for doc in documents]
        entries = self.env["med.audit.entry"].search_count([])
        overrides = self.env["med.gate.override"].search_count([])
        self._dry_run()
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual([(doc.state, doc.write_date) for doc in documents], before)
        self.assertEqual(self.env["med.audit.entry"].search_count([]), entries)
        self.assertEqual(self.env["med.gate.override"].search_count([]), overrides)
        self.assertEqual(self.env.company.med_supplier_gate_mode, "warn")

    def test_category_marked_exempt_from_the_dry_run(self):
        category = self.env["product.category"].create({"name": "Go-Live Devices"})
        self.device.categ_id = category
        wizard = self._dry_run()
        self.assertIn(category, wizard.category_ids)
        with self.assertRaisesRegex(UserError, "Only a QA manager"):
            category.with_user(self.purchase).action_med_gate_exempt()
        self.assertFalse(category.med_supplier_gate_exempt)
        category.with_user(self.qa_manager).action_med_gate_exempt()
        self.assertTrue(category.med_supplier_gate_exempt)
        wizard.action_run()
        self.assertFalse(
            wizard.line_ids.filtered(lambda line: line.document_ref == self.draft_order)
        )
        category.with_user(self.qa_manager).action_med_gate_relevant()
        self.assertFalse(category.med_supplier_gate_exempt)

    def test_only_qa_managers_run_the_dry_run(self):
        with self.assertRaises(UserError):
            self._dry_run(self.purchase)

    def test_switch_to_block_refused_while_the_dry_run_is_not_clean(self):
        company = self.env.company.with_user(self.qa_manager)
        with self.assertRaisesRegex(UserError, "cannot be switched to Block yet"):
            company.write({"med_supplier_gate_mode": "block"})
        self.assertEqual(self.env.company.med_supplier_gate_mode, "warn")
        # from the settings, the same
        admin = new_test_user(
            self.env,
            login="med_go_live_admin",
            groups="base.group_system,med_audit_export.group_med_compliance_admin",
        )
        form = Form(self.env["res.config.settings"].with_user(admin))
        form.med_customer_gate_mode = "block"
        with self.assertRaisesRegex(UserError, "cannot be switched to Block yet"):
            form.save().execute()
        self.assertEqual(self.env.company.med_customer_gate_mode, "warn")
        # from the dry run: without a reason refused, with one switched and audited
        wizard = self._dry_run()
        wizard.gate = "supplier"
        with self.assertRaisesRegex(UserError, "give your reason"):
            wizard.action_switch_to_block()
        self.assertEqual(self.env.company.med_supplier_gate_mode, "warn")
        wizard.reason = "Open orders of the old supplier are cancelled this week"
        wizard.action_switch_to_block()
        self.assertEqual(self.env.company.med_supplier_gate_mode, "block")
        entry = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "res.company"),
                ("res_id", "=", self.env.company.id),
                ("field_name", "=", "med_supplier_gate_mode"),
            ],
            order="id desc",
            limit=1,
        )
        self.assertEqual(entry.user_id, self.qa_manager)
        self.assertIn("cancelled this week", entry.reason)

    def test_switch_to_block_of_a_clean_gate(self):
        company = self.env["res.company"].create(
            {"name": "Go-Live Branch", "med_supplier_gate_mode": "block"}
        )
        company.med_supplier_gate_mode = "warn"
        self.qa_manager.company_ids = [Command.link(company.id)]
        wizard = (
            self.env["med.gate.dry.run"]
            .with_user(self.qa_manager)
            .create({"company_id": company.id, "gate": "supplier"})
        )
        wizard.action_run()
        self.assertFalse(wizard.line_ids)
        self.assertIn("Supplier Gates (now Warn and confirm): clean", wizard.summary)
        wizard.action_switch_to_block()
        self.assertEqual(company.med_supplier_gate_mode, "block")

    def test_only_qa_managers_change_a_gate_mode(self):
        with self.assertRaisesRegex(UserError, "Only a QA manager"):
            self.env.company.with_user(self.purchase).write({"med_gate_mode": "warn"})

    def test_warnings_of_the_dry_run_are_confirmed_in_one_window(self):
        order = self.draft_order.with_user(self.purchase)
        action = order.button_confirm()
        self.assertEqual(action["res_model"], "med.gate.confirm")
        confirm_gate_warnings(self.env(user=self.purchase), action)
        self.assertEqual(order.state, "purchase")
        override = self.env["med.gate.override"].search(
            [("res_model", "=", "purchase.order"), ("res_id", "=", order.id)]
        )
        self.assertEqual(override.user_id, self.purchase)
        self.assertIn("Unqualified Barrels Ltd", override.findings)
        self.assertEqual(override.reason, "QA agreed: documented deviation")

    def test_a_made_up_confirmation_window_is_refused(self):
        wizard = (
            self.env["med.gate.confirm"]
            .with_user(self.purchase)
            .create(
                {
                    "payload": '{"findings": [], "resume": null}',
                    "payload_signature": "0" * 64,
                    "reason": "forged",
                }
            )
        )
        with self.assertRaisesRegex(UserError, "not found by the application"):
            wizard.action_confirm()

    def test_warn_line_on_a_confirmed_order_is_confirmed_then_saved(self):
        self.env.company.med_supplier_gate_mode = "block"
        order = self._order(self.product_lot)
        order.button_confirm()
        self.env.company.med_supplier_gate_mode = "warn"
        form = Form(order.with_user(self.purchase))
        with form.order_line.new() as line:
            line.product_id = self.device
            line.product_qty = 1
        self.vendor._med_set_supplier_state("suspended", "audit finding")
        with self.assertRaises(GateConfirmationRequired) as refused:
            form.save()
        self.assertNotIn(self.device, order.order_line.product_id)
        action = refused.exception.args[1]
        self.assertEqual(action["res_model"], "med.gate.confirm")
        confirm_gate_warnings(self.env(user=self.purchase), action)
        form.save()
        self.assertIn(self.device, order.order_line.product_id)

    def test_approval_written_as_state_needs_a_purchase_manager(self):
        self.env.company.write(
            {
                "med_supplier_gate_mode": "block",
                "po_double_validation": "two_step",
                "po_double_validation_amount": 0,
            }
        )
        order = self._order(self.product_lot)
        order.button_confirm()
        self.assertEqual(order.state, "to approve")
        with self.assertRaisesRegex(UserError, "purchase manager"):
            order.with_user(self.purchase).write({"state": "purchase"})
        self.assertEqual(order.state, "to approve")
        self.purchase.groups_id = [
            Command.link(self.env.ref("purchase.group_purchase_manager").id)
        ]
        order.with_user(self.purchase).write({"state": "purchase"})
        self.assertEqual(order.state, "purchase")
