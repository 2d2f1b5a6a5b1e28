from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException


@tagged("post_install", "-at_install")
class TestVerificationOverRpc(HttpCase):
    """Verification and checkpoints over JSON-RPC: only the roles that audit verify,
    only compliance administrators take checkpoints (issue 19, item 22)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for role, group in (
            ("warehouse", "group_med_warehouse"),
            ("auditor", "group_med_auditor"),
        ):
            user = new_test_user(
                cls.env, login=f"med_rpc_{role}", groups=f"med_audit_export.{group}"
            )
            setattr(cls, role, user)

    def _call(self, user, model, method, args=()):
        self.authenticate(user.login, user.login)
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": {}},
        )

    def test_warehouse_user_cannot_verify(self):
        Verification = self.env["med.audit.verification"]
        count = Verification.search_count([])
        for model, method in (
            ("med.audit.verification", "action_verify"),
            ("med.audit.entry", "verify_chain"),
            ("med.signature", "verify_chain"),
        ):
            with self.subTest(method=f"{model}.{method}"):
                with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                    self._call(self.warehouse, model, method)
        self.assertEqual(Verification.search_count([]), count)

    def test_auditor_verifies_but_takes_no_checkpoint(self):
        Checkpoint = self.env["med.audit.checkpoint"]
        count = Checkpoint.search_count([])
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call(self.auditor, "med.audit.checkpoint", "action_create_now", [[]])
        self.assertEqual(Checkpoint.search_count([]), count)
        Verification = self.env["med.audit.verification"]
        count = Verification.search_count([])
        verification_id = self._call(
            self.auditor, "med.audit.verification", "action_verify"
        )
        self.assertEqual(Verification.search_count([]), count + 1)
        self.assertEqual(Verification.browse(verification_id).user_id, self.auditor)
        self.assertEqual(
            self._call(self.auditor, "med.audit.entry", "verify_chain"), []
        )
