import json
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.tests import Form, tagged

from .common import MedIntegrationCommon


@tagged("post_install", "-at_install")
class TestEventAutomations(MedIntegrationCommon):
    """The shipped example automation rules: inactive, and once activated, their
    real webhook action posts the expected payload. The outgoing HTTP request is
    caught at the ``requests`` level, nothing in the ORM is patched."""

    def _activate(self, name):
        automation = self.env.ref(f"med_integration.automation_{name}")
        automation.active = True
        return automation

    def _posted(self, run):
        with patch("requests.post") as post:
            run()
        return [
            (call.args[0], json.loads(call.kwargs["data"]))
            for call in post.mock_calls
            if call.args
        ]

    def test_one_inactive_example_per_event(self):
        names = [
            "lot_released",
            "lot_held",
            "lot_recalled",
            "certificate_expiring",
            "certificate_expired",
            "nonconformance_opened",
            "nonconformance_closed",
            "capa_opened",
            "capa_closed",
            "recall_scope",
        ]
        for name in names:
            automation = self.env.ref(f"med_integration.automation_{name}")
            self.assertFalse(automation.active, name)
            self.assertEqual(automation.action_server_ids.state, "webhook", name)

    def test_inactive_rule_sends_nothing(self):
        posted = self._posted(
            lambda: self.barrel_lot._med_put_on_hold("manual", "Suspected burrs")
        )
        self.assertEqual(posted, [])

    def test_lot_held_webhook_payload(self):
        automation = self._activate("lot_held")
        posted = self._posted(
            lambda: self.barrel_lot.with_user(self.qa_manager)._med_put_on_hold(
                "manual", "Suspected burrs"
            )
        )
        [(url, payload)] = posted
        self.assertEqual(url, "https://qms.example.com/odoo/events/lot_held")
        self.assertEqual(payload["_model"], "stock.lot")
        self.assertEqual(payload["_id"], self.barrel_lot.id)
        self.assertIn(f"#{automation.action_server_ids.id}", payload["_action"])
        self.assertEqual(payload["name"], "BRL-LAB-01")
        self.assertEqual(payload["med_state"], "hold")
        self.assertEqual(payload["med_hold_source"], "manual")
        self.assertEqual(payload["med_hold_reason"], "Suspected burrs")
        self.assertEqual(payload["product_id"], self.barrel.id)
        # already on hold: a second hold is no new event
        self.assertEqual(
            self._posted(lambda: self.barrel_lot._med_put_on_hold("manual", "Again")),
            [],
        )

    def test_recall_scope_webhook_payload(self):
        self._activate("recall_scope")
        wizard = Form(self.env["med.lot.recall.simulate"].with_user(self.auditor))
        wizard.lot_ids.add(self.barrel_lot)
        simulation = wizard.save()
        [(url, payload)] = self._posted(simulation.action_simulate)
        self.assertEqual(url, "https://qms.example.com/odoo/events/recall_scope")
        self.assertEqual(payload["_model"], "med.integration.event")
        self.assertEqual(payload["event_type"], "recall_scope")
        self.assertEqual(payload["lot_names"], "BRL-LAB-01")
        self.assertIn("1 lots in scope", payload["details"])

    def test_nonconformance_opened_webhook_payload(self):
        self._activate("nonconformance_opened")
        posted = self._posted(
            lambda: self.Nonconformance.with_user(self.inspector).med_api_report_event(
                {
                    "external_ref": "CRM-1",
                    "description": "Cracked barrel",
                    "product_ref": "BRL-5ML",
                    "lot_names": ["BRL-LAB-01"],
                }
            )
        )
        [(_url, payload)] = posted
        self.assertEqual(payload["state"], "open")
        self.assertEqual(payload["source"], "complaint")
        self.assertEqual(payload["lot_ids"], self.barrel_lot.ids)

    def test_certificate_expired_webhook_payload(self):
        """A stored computed state (no write() call) fires its rule too: the
        certificate expires when its date passes, found by the daily job."""
        self._activate("certificate_expired")
        kind = self.env["med.certificate.type"].create(
            {
                "name": "Business licence (events)",
                "code": "events_licence",
                "scope": "supplier",
                "attachment_required": False,
                "reminder_days": 5,
            }
        )
        today = fields.Date.context_today(self.env.user)
        certificate = self.env["med.supplier.certificate"].create(
            {
                "partner_id": self.supplier.id,
                "type_id": kind.id,
                "number": "91310000EVT0001",
                "expiry_date": today + timedelta(days=10),
            }
        )
        self.assertEqual(certificate.state, "valid")
        Certificate = self.env["med.supplier.certificate"]
        with freeze_time(today + timedelta(days=12)):
            posted = self._posted(Certificate._cron_med_certificates)
        # other certificates (demo data) may lapse by then too: each its own call
        [(url, payload)] = [
            (url, payload)
            for url, payload in posted
            if payload["_id"] == certificate.id
        ]
        self.assertEqual(url, "https://qms.example.com/odoo/events/certificate_expired")
        self.assertEqual(payload["_id"], certificate.id)
        self.assertEqual(payload["state"], "expired")
        self.assertEqual(payload["number"], "91310000EVT0001")
        self.assertEqual(payload["partner_id"], self.supplier.id)
