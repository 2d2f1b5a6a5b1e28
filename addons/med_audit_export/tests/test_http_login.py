import json

from odoo.tests import HttpCase, get_db_name, new_test_user, tagged


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
