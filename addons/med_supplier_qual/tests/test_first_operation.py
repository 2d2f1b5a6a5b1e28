from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_sale_gates import SaleGateCommon


@tagged("post_install", "-at_install")
class TestFirstOperation(SaleGateCommon):
    """首营企业/首营品种: when the company turns the gate on, a purchase or a sale
    needs the supplier or customer and each device reviewed and approved by QA with
    a signature."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.med_customer_gate_mode = "off"
        cls.env.company.med_first_operation_gate_mode = "block"
        cls.Approval = cls.env["med.first.operation"]

    def _review(self, kind, subject, user=None):
        values = {"kind": kind, "review": "Licences and registration checked"}
        if kind == "product":
            values["product_tmpl_id"] = subject.product_tmpl_id.id
        else:
            values["partner_id"] = subject.id
        return self.Approval.with_user(user or self.purchase).create(values)

    def _approve(self, approval):
        self._sign(
            approval.with_user(self.qa_manager).action_approve(), self.qa_manager
        )
        return approval

    def test_purchase_refused_without_approvals(self):
        order = self._order(self.device)
        with self.assertRaises(UserError) as refused:
            order.button_confirm()
        message = str(refused.exception)
        self.assertIn("First-operation approval missing", message)
        self.assertIn("Barrel Supplier Co.", message)
        self.assertIn(
            "Supplier Barrel Supplier Co. has no approved first-operation review",
            message,
        )
        self.assertIn("Sterile syringe 5 ml", message)
        self.assertEqual(order.state, "draft")

    def test_purchase_allowed_once_supplier_and_device_approved(self):
        self._approve(self._review("supplier", self.vendor))
        order = self._order(self.device)
        with self.assertRefused("no approved first-operation review of the device"):
            order.button_confirm()
        self._approve(self._review("product", self.device))
        order.button_confirm()
        self.assertEqual(order.state, "purchase")

    def test_sale_needs_the_customer_and_the_device_approved(self):
        order = self._quotation()
        with self.assertRefused("Customer .* has no approved first-operation review"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        self._approve(self._review("customer", self.hospital, user=self.sales))
        self._approve(self._review("product", self.device, user=self.sales))
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_gate_off_needs_no_approval(self):
        self.env.company.med_first_operation_gate_mode = "off"
        order = self._quotation()
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_draft_or_revoked_approval_does_not_count(self):
        customer = self._review("customer", self.hospital)
        self._approve(self._review("product", self.device))
        with self.assertRefused("Customer .* has no approved first-operation review"):
            self._quotation().action_confirm()
        self._approve(customer)
        self._sign(
            customer.with_user(self.qa_manager).action_revoke(),
            self.qa_manager,
            comment="Licence withdrawn by the authority",
        )
        self.assertEqual(customer.state, "revoked")
        with self.assertRefused("Customer .* has no approved first-operation review"):
            self._quotation().action_confirm()

    def test_only_a_qa_manager_approves(self):
        approval = self._review("supplier", self.vendor)
        with self.assertRefused("Only a QA manager approves"):
            approval.with_user(self.purchase).action_approve()
        action = approval.with_user(self.qa_manager).action_approve()
        with self.assertRefused("Only members of"):
            self._sign(action, self.purchase)
        self.assertEqual(approval.state, "draft")
        # nor by writing the state, or creating it approved
        with self.assertRaises(UserError):
            approval.with_user(self.purchase).state = "approved"
        with self.assertRaises(UserError):
            self.Approval.with_user(self.qa_manager).create(
                {"kind": "supplier", "partner_id": self.vendor.id, "state": "approved"}
            )
        self.assertEqual(approval.state, "draft")

    def test_approval_signed_and_frozen(self):
        approval = self._approve(self._review("supplier", self.vendor))
        self.assertEqual(approval.state, "approved")
        self.assertEqual(approval.approved_by_id, self.qa_manager)
        self.assertIn("approval", approval.med_signature_ids.mapped("meaning"))
        with self.assertRefused("no longer changes"):
            approval.with_user(self.qa_manager).partner_id = self.hospital
        self.assertEqual(approval.partner_id, self.vendor)

    def test_approval_needs_what_was_reviewed_and_a_subject(self):
        approval = self.Approval.with_user(self.purchase).create(
            {"kind": "supplier", "partner_id": self.vendor.id}
        )
        with self.assertRefused("fill in What Was Reviewed"):
            approval.with_user(self.qa_manager).action_approve()
        with self.assertRefused("names the device"):
            self.Approval.create({"kind": "product", "review": "x"})
