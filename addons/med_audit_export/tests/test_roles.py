from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MedComplianceCommon


@tagged("post_install", "-at_install")
class TestRoles(MedComplianceCommon):
    def _lot(self, name="LOT-ROLE-1"):
        return self.env["stock.lot"].create(
            {"name": name, "product_id": self.product_lot.id}
        )

    def test_auditor_reads_lots_and_pickings(self):
        lot = self._lot()
        self.assertEqual(
            lot.with_user(self.auditor).read(["name"])[0]["name"], lot.name
        )
        pickings = self.env["stock.picking"].with_user(self.auditor).search([])
        # every picking of the auditor's companies (race tests commit their own
        # companies' pickings, which are not the auditor's to read)
        self.assertEqual(
            pickings,
            self.env["stock.picking"].search(
                [("company_id", "in", self.auditor.company_ids.ids)]
            ),
        )

    def test_auditor_changes_nothing(self):
        lot = self._lot()
        lots = self.env["stock.lot"].with_user(self.auditor)
        with self.assertRaises(AccessError):
            lots.browse(lot.id).write({"name": "LOT-TAMPERED"})
        with self.assertRaises(AccessError):
            lots.create({"name": "LOT-NEW", "product_id": self.product_lot.id})
        with self.assertRaises(AccessError):
            lots.browse(lot.id).unlink()
        with self.assertRaises(AccessError):
            self.env["purchase.order"].with_user(self.auditor).create(
                {"partner_id": self.vendor.id}
            )
        self.assertEqual(lot.name, "LOT-ROLE-1")

    def test_warehouse_records_lots_but_not_purchases(self):
        lot = (
            self.env["stock.lot"]
            .with_user(self.warehouse)
            .create({"name": "LOT-WH-1", "product_id": self.product_lot.id})
        )
        lot.with_context(med_reason="CoA number").write({"ref": "received 2026-11-25"})
        self.assertEqual(lot.ref, "received 2026-11-25")
        with self.assertRaises(AccessError):
            self.env["purchase.order"].with_user(self.warehouse).create(
                {"partner_id": self.vendor.id}
            )

    def test_purchase_user_raises_orders_but_not_lots(self):
        order = (
            self.env["purchase.order"]
            .with_user(self.purchase)
            .create({"partner_id": self.vendor.id})
        )
        self.assertEqual(order.state, "draft")
        with self.assertRaises(AccessError):
            self.env["stock.lot"].with_user(self.purchase).create(
                {"name": "LOT-PO-1", "product_id": self.product_lot.id}
            )

    def test_role_hierarchy(self):
        self.assertTrue(
            self.inspector.has_group("med_audit_export.group_med_warehouse")
        )
        self.assertFalse(
            self.inspector.has_group("med_audit_export.group_med_purchase")
        )
        for implied in ("qa_inspector", "purchase", "auditor", "warehouse"):
            self.assertTrue(
                self.qa_manager.has_group(f"med_audit_export.group_med_{implied}"),
                implied,
            )
        self.assertFalse(
            self.qa_manager.has_group("med_audit_export.group_med_compliance_admin")
        )
        self.assertTrue(
            self.compliance_admin.has_group("med_audit_export.group_med_qa_manager")
        )
        self.assertTrue(
            self.env.ref("base.user_admin").has_group(
                "med_audit_export.group_med_compliance_admin"
            )
        )

    def test_roles_imply_the_odoo_groups_they_need(self):
        self.assertTrue(self.warehouse.has_group("stock.group_stock_user"))
        self.assertTrue(self.warehouse.has_group("stock.group_production_lot"))
        self.assertTrue(self.purchase.has_group("purchase.group_purchase_user"))
        self.assertFalse(self.auditor.has_group("stock.group_stock_user"))
        self.assertTrue(self.compliance_admin.has_group("stock.group_stock_manager"))

    def test_renaming_an_account_is_in_the_trail(self):
        """An account handed to another person shows (21 CFR 11.100(a)): the name
        change is audited like the login and the roles."""
        admin = self.env.ref("base.user_admin")
        self.auditor.with_user(admin).write({"name": "Li Wei"})
        self.env.flush_all()
        entry = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "res.users"),
                ("res_id", "=", self.auditor.id),
                ("field_name", "=", "name"),
                ("operation", "=", "write"),
            ]
        )
        self.assertEqual(
            (entry.old_value, entry.new_value),
            ("med_auditor (med_audit_export.group_med_auditor)", "Li Wei"),
        )
        self.assertEqual(entry.user_id, admin)
        # a field outside the rule leaves no entry
        self.auditor.write({"signature": "<p>Li Wei, auditor</p>"})
        self.env.flush_all()
        self.assertFalse(
            self.env["med.audit.entry"].search(
                [
                    ("res_model", "=", "res.users"),
                    ("res_id", "=", self.auditor.id),
                    ("field_name", "=", "signature"),
                ]
            )
        )
