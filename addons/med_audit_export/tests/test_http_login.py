import json

from odoo.tests import HttpCase, get_db_name, new_test_user, tagged
from odoo.tests.common import JsonRpcException


@tagged("post_install", "-at_install")
class TestHttpLogin(HttpCase):
    """Role users log in to the web client over real HTTP, with their real password."""

    def _json_login(self, login, password):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"db": get_db_name(), "login": login, "password": password},
        }
        response = self.url_open(
            "/web/session/authenticate",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_login_page_served(self):
        self.assertEqual(self.url_open("/web/login").status_code, 200)

    def test_role_user_logs_in_with_password(self):
        user = new_test_user(
            self.env,
            login="med_http_auditor",
            groups="med_audit_export.group_med_auditor",
        )
        answer = self._json_login(user.login, user.login)
        self.assertEqual(answer["result"]["uid"], user.id)

    def test_wrong_password_refused(self):
        new_test_user(self.env, login="med_http_wrong", groups="base.group_user")
        answer = self._json_login("med_http_wrong", "not-the-password")
        self.assertNotIn("result", answer)
        self.assertEqual(
            answer["error"]["data"]["name"], "odoo.exceptions.AccessDenied"
        )


@tagged("post_install", "-at_install")
class TestSigningSession(HttpCase):
    """In a web session, the first signing asks for login and password, the next
    ones the password only (21 CFR 11.200(a)(1))."""

    def _sign(self, verification, **values):
        wizard_id = self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": "med.signature.wizard",
                "method": "create",
                "args": [
                    {
                        "res_model": verification._name,
                        "res_ids": str(verification.id),
                        "meaning": "review",
                        "action_name": "_med_post_review",
                        **values,
                    }
                ],
                "kwargs": {},
            },
        )
        [wizard] = self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": "med.signature.wizard",
                "method": "read",
                "args": [[wizard_id], ["login_required"]],
                "kwargs": {},
            },
        )
        self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": "med.signature.wizard",
                "method": "action_sign",
                "args": [[wizard_id]],
                "kwargs": {},
            },
        )
        return wizard["login_required"]

    def test_login_at_the_first_signing_of_a_session_only(self):
        user = new_test_user(
            self.env,
            login="med_http_signer",
            groups="med_audit_export.group_med_qa_manager",
        )
        Verification = self.env["med.audit.verification"]
        first, second = Verification.action_verify(), Verification.action_verify()
        self.authenticate(user.login, user.login)
        # the first signing without the login is refused
        with self.assertRaisesRegex(JsonRpcException, "UserError"):
            self._sign(first, password=user.login)
        self.assertFalse(first.med_signature_ids)
        self.assertTrue(self._sign(first, login=user.login, password=user.login))
        self.assertEqual(first.med_signature_ids.signer_id, user)
        # same session: the password is enough
        self.assertFalse(self._sign(second, password=user.login))
        self.assertEqual(second.med_signature_ids.signer_id, user)
        # a new session asks again
        self.authenticate(user.login, user.login)
        with self.assertRaisesRegex(JsonRpcException, "UserError"):
            self._sign(second, password=user.login)
        self.assertEqual(len(second.med_signature_ids), 1)
