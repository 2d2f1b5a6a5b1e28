from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin


@tagged("post_install", "-at_install")
class TestEventRpc(JsonRpcMixin, HttpCase):
    """Over JSON-RPC, whatever the context: an auditor reads the delivery log but
    neither a subscription's secret, nor resends, nor writes a delivery."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.auditor = new_test_user(
            cls.env,
            login="events_rpc_auditor",
            groups="med_audit_export.group_med_auditor",
        )
        cls.subscription = cls.env["med.event.subscription"].create(
            {
                "name": "QMS (rpc)",
                "url": "https://qms.example.com/in",
                "event_type_ids": [
                    Command.set(cls.env.ref("med_integration.event_type_lot_held").ids)
                ],
            }
        )
        partner = cls.env["res.partner"].create({"name": "Events RPC"})
        cls.delivery = cls.env["med.event.delivery"]._med_record_event(
            cls.env.ref("med_integration.event_type_lot_held"), partner, ["name"]
        )
        cls.delivery.write({"state": "failed", "attempt_count": 10})

    def _error(self, response):
        return response.get("error", {}).get("data", {}).get("name")

    def test_auditor_refused_over_rpc(self):
        self.authenticate("events_rpc_auditor", "events_rpc_auditor")
        answer = self._call(
            "med.event.delivery", "read", [self.delivery.ids, ["state", "event_id"]]
        )
        self.assertEqual(answer["result"][0]["state"], "failed")
        for model, method, args, kwargs in (
            ("med.event.subscription", "read", [self.subscription.ids, ["secret"]], {}),
            ("med.event.delivery", "action_resend", [self.delivery.ids], {}),
            (
                "med.event.delivery",
                "write",
                [self.delivery.ids, {"state": "sent"}],
                {"context": {"med_protected_write": True}},
            ),
            (
                "med.event.subscription",
                "write",
                [self.subscription.ids, {"url": "https://rogue.example.com"}],
                {},
            ),
        ):
            with self.subTest(model=model, method=method):
                answer = self._call(model, method, args, kwargs)
                self.assertEqual(
                    self._error(answer), "odoo.exceptions.AccessError", answer
                )
        self.delivery.invalidate_recordset()
        self.subscription.invalidate_recordset()
        self.assertEqual(self.delivery.state, "failed")
        self.assertEqual(self.subscription.url, "https://qms.example.com/in")
