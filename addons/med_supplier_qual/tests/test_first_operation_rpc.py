from odoo.tests import HttpCase, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin

from .common import SupplierQualCommon

# What a hostile caller adds: the trusted code marker, a signature comment.
HOSTILE_CONTEXT = {
    "med_protected_write": True,
    "med_signature_comment": "approved",
}


@tagged("post_install", "-at_install")
class TestFirstOperationSigningOverRpc(JsonRpcMixin, HttpCase, SupplierQualCommon):
    """Over JSON-RPC, the purchase user who asked for a first-operation review
    (首营审核) cannot approve it: not through the action, not by signing the
    approval in the signature wizard with their own password, not by writing its
    state; a QA manager can."""

    # SupplierQualCommon already puts the registry in test mode.
    registry_test_mode = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.approval = (
            cls.env["med.first.operation"]
            .with_user(cls.purchase)
            .create(
                {
                    "kind": "supplier",
                    "partner_id": cls.vendor.id,
                    "review": "Licences and registration checked",
                }
            )
        )

    def _call(self, model, method, args, kwargs=None):
        return super()._call(
            model, method, args, dict(kwargs or {}, context=HOSTILE_CONTEXT)
        )

    def _error(self, answer):
        self.assertIn("error", answer)
        return answer["error"]["data"]["message"]

    def _sign_over_rpc(self, user):
        answer = self._call(
            "med.signature.wizard",
            "create",
            [
                {
                    "res_model": "med.first.operation",
                    "res_ids": str(self.approval.id),
                    "meaning": "approval",
                    "action_name": "_med_do_approve",
                    "login": user.login,
                    "password": user.login,
                    "comment": "approved",
                }
            ],
        )
        if "error" in answer:
            return answer
        return self._call("med.signature.wizard", "action_sign", [[answer["result"]]])

    def _assert_unapproved(self):
        self.approval.invalidate_recordset()
        self.assertEqual(self.approval.state, "draft")
        self.assertFalse(self.approval.approved_by_id)
        self.assertFalse(self.approval.med_signature_ids)

    def test_purchase_user_cannot_approve_over_rpc(self):
        self.authenticate(self.purchase.login, self.purchase.login)
        message = self._error(
            self._call("med.first.operation", "action_approve", [self.approval.ids])
        )
        self.assertIn("Only a QA manager approves", message)
        self.assertIn("error", self._sign_over_rpc(self.purchase))
        self.assertIn(
            "error",
            self._call(
                "med.first.operation",
                "write",
                [self.approval.ids, {"state": "approved"}],
            ),
        )
        # private methods are not callable over RPC
        self.assertIn(
            "error",
            self._call("med.first.operation", "_med_do_approve", [self.approval.ids]),
        )
        self._assert_unapproved()

    def test_qa_manager_signs_the_approval_over_rpc(self):
        self.authenticate(self.qa_manager.login, self.qa_manager.login)
        answer = self._sign_over_rpc(self.qa_manager)
        self.assertNotIn("error", answer)
        self.approval.invalidate_recordset()
        self.assertEqual(self.approval.state, "approved")
        self.assertEqual(self.approval.approved_by_id, self.qa_manager)
        self.assertEqual(len(self.approval.med_signature_ids), 1)
