from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SupplierQualCommon


@tagged("post_install", "-at_install")
class TestSupplierApproval(SupplierQualCommon):
    def setUp(self):
        super().setUp()
        self.candidate = self.env["res.partner"].create(
            {"name": "Needle Works Ltd", "is_company": True}
        )

    def test_new_supplier_is_a_candidate(self):
        self.assertEqual(self.candidate.med_supplier_state, "candidate")

    def test_qa_manager_approves_with_signature_and_reason(self):
        action = self.candidate.with_user(self.qa_manager).action_med_approve()
        self._sign(action, self.qa_manager, comment="首营企业审核通过")
        self.assertEqual(self.candidate.med_supplier_state, "approved")
        signature = self.candidate.med_signature_ids
        self.assertEqual(signature.meaning, "approval")
        self.assertEqual(signature.signer_id, self.qa_manager)
        self.env.flush_all()
        entry = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.candidate.id),
                ("field_name", "=", "med_supplier_state"),
                ("operation", "=", "write"),
            ]
        )
        self.assertEqual(entry.reason, "首营企业审核通过")
        self.assertEqual(entry.new_value, "Approved")

    def test_approval_without_reason_is_refused(self):
        action = self.candidate.with_user(self.qa_manager).action_med_approve()
        with self.assertRaises(UserError):
            self._sign(action, self.qa_manager, comment="")
        self.assertEqual(self.candidate.med_supplier_state, "candidate")
        self.assertFalse(self.candidate.med_signature_ids)

    def test_wrong_password_changes_nothing(self):
        action = self.candidate.with_user(self.qa_manager).action_med_suspend()
        with self.assertRaises(UserError):
            self._sign(action, self.qa_manager, password="nope")
        self.assertEqual(self.candidate.med_supplier_state, "candidate")

    def test_only_qa_managers_decide(self):
        for user in (self.purchase, self.warehouse, self.inspector, self.auditor):
            with self.assertRaises(UserError, msg=user.login):
                self.candidate.with_user(user).action_med_approve()

    def test_state_cannot_be_written_directly(self):
        for user in (self.purchase, self.qa_manager, self.compliance_admin):
            with self.assertRaises(UserError, msg=user.login):
                self.candidate.with_user(user).write(
                    {"med_supplier_state": "approved", "med_change_reason": "x"}
                )
        self.assertEqual(self.candidate.med_supplier_state, "candidate")

    def test_each_decision_sets_its_state(self):
        decisions = {
            "action_med_approve_conditionally": "conditional",
            "action_med_suspend": "suspended",
            "action_med_disqualify": "disqualified",
            "action_med_approve": "approved",
        }
        for method, state in decisions.items():
            action = getattr(self.candidate.with_user(self.qa_manager), method)()
            self._sign(action, self.qa_manager, comment=f"decision {state}")
            self.assertEqual(self.candidate.med_supplier_state, state)
        self.assertEqual(len(self.candidate.med_signature_ids), 4)
