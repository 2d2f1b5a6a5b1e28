import json
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import MedIntegrationCommon

EVENTS = [
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


class EventCommon(MedIntegrationCommon):
    """A subscription of the compliance administrator's to some event types; the
    deliveries the rules record in the test's transaction (sent by the tests of
    test_event_delivery.py, with real commits)."""

    @classmethod
    def _subscribe(cls, *codes, **values):
        types = cls.env["med.event.type"].search([("code", "in", codes)])
        return (
            cls.env["med.event.subscription"]
            .with_user(cls.compliance_admin)
            .create(
                dict(
                    {
                        "name": "QMS",
                        "url": "https://qms.example.com/odoo/events",
                        "event_type_ids": [Command.set(types.ids)],
                    },
                    **values,
                )
            )
        )

    def _deliveries(self, record, code=None):
        domain = [("res_model", "=", record._name), ("res_id", "=", record.id)]
        if code:
            domain.append(("event_type_id.code", "=", code))
        return self.env["med.event.delivery"].search(domain, order="id")


@tagged("post_install", "-at_install")
class TestEventRules(EventCommon):
    """The automation rules record each event, in the transaction of the change,
    for the subscriptions that want it, and nothing for the others."""

    def test_one_active_rule_per_event(self):
        for name in EVENTS:
            automation = self.env.ref(f"med_integration.automation_event_{name}")
            self.assertTrue(automation.active, name)
            action = automation.action_server_ids
            self.assertEqual(action.state, "med_event", name)
            self.assertEqual(action.med_event_type_id.code, name)

    def test_no_subscription_records_nothing(self):
        self.barrel_lot._med_put_on_hold("manual", "Suspected burrs")
        self.assertEqual(self.barrel_lot.med_state, "hold")
        self.assertFalse(self._deliveries(self.barrel_lot))

    def test_lot_held_event_recorded_once(self):
        subscription = self._subscribe("lot_held")
        self.barrel_lot.with_user(self.qa_manager)._med_put_on_hold(
            "manual", "Suspected burrs"
        )
        delivery = self._deliveries(self.barrel_lot)
        self.assertEqual(len(delivery), 1)
        self.assertEqual(delivery.subscription_id, subscription)
        self.assertEqual(delivery.state, "pending")
        self.assertEqual(delivery.user_id, self.qa_manager)
        payload = json.loads(delivery.payload)
        self.assertEqual(payload["id"], delivery.event_id)
        self.assertEqual(payload["type"], "lot_held")
        self.assertEqual(
            payload["record"],
            {"model": "stock.lot", "id": self.barrel_lot.id, "name": "BRL-LAB-01"},
        )
        self.assertEqual(payload["company"]["id"], self.env.company.id)
        data = payload["data"]
        self.assertEqual(data["med_state"], "hold")
        self.assertEqual(data["med_hold_source"], "manual")
        self.assertEqual(data["med_hold_reason"], "Suspected burrs")
        self.assertEqual(data["product_id"][0], self.barrel.id)
        # already on hold: a second hold is no new event
        self.barrel_lot._med_put_on_hold("manual", "Again")
        self.assertEqual(self._deliveries(self.barrel_lot), delivery)

    def test_only_subscribed_types_active_subscriptions_own_company(self):
        self._subscribe("lot_released")
        self._subscribe("lot_held", active=False)
        other_company = self.env["res.company"].create({"name": "Other Co (events)"})
        self.compliance_admin.company_ids |= other_company
        self._subscribe("lot_held", company_id=other_company.id)
        self.barrel_lot._med_put_on_hold("manual", "Suspected burrs")
        self.assertFalse(self._deliveries(self.barrel_lot))

    def test_two_subscriptions_one_event_id(self):
        qms = self._subscribe("lot_held")
        crm = self._subscribe("lot_held", name="CRM", url="https://crm.example.com/in")
        self.barrel_lot._med_put_on_hold("manual", "Suspected burrs")
        deliveries = self._deliveries(self.barrel_lot)
        self.assertEqual(deliveries.subscription_id, qms | crm)
        self.assertEqual(len(set(deliveries.mapped("event_id"))), 1)
        self.assertEqual(len(set(deliveries.mapped("payload"))), 1)

    def test_recall_scope_event(self):
        self._subscribe("recall_scope")
        wizard = Form(self.env["med.lot.recall.simulate"].with_user(self.auditor))
        wizard.lot_ids.add(self.barrel_lot)
        wizard.save().action_simulate()
        event = self.env["med.integration.event"].search([], limit=1)
        [delivery] = self._deliveries(event)
        data = json.loads(delivery.payload)["data"]
        self.assertEqual(data["event_type"], "recall_scope")
        self.assertEqual(data["lot_names"], "BRL-LAB-01")
        self.assertIn("1 lots in scope", data["details"])

    def test_nonconformance_opened_event(self):
        self._subscribe("nonconformance_opened")
        self.Nonconformance.with_user(self.inspector).med_api_report_event(
            {
                "external_ref": "CRM-1",
                "description": "Cracked barrel",
                "product_ref": "BRL-5ML",
                "lot_names": ["BRL-LAB-01"],
            }
        )
        nonconformance = self.Nonconformance.search([], order="id desc", limit=1)
        [delivery] = self._deliveries(nonconformance)
        data = json.loads(delivery.payload)["data"]
        self.assertEqual(data["state"], "open")
        self.assertEqual(data["source"], "complaint")
        self.assertEqual(data["lot_ids"], self.barrel_lot.ids)

    def test_certificate_expired_event(self):
        """A stored computed state (no write() call) records its event too: the
        certificate expires when its date passes, found by the daily job."""
        self._subscribe("certificate_expired")
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
        with freeze_time(today + timedelta(days=12)):
            self.env["med.supplier.certificate"]._cron_med_certificates()
        [delivery] = self._deliveries(certificate, "certificate_expired")
        data = json.loads(delivery.payload)["data"]
        self.assertEqual(data["state"], "expired")
        self.assertEqual(data["number"], "91310000EVT0001")
        self.assertEqual(data["partner_id"][0], self.supplier.id)

    def test_plain_webhook_action_still_available(self):
        """Odoo's own webhook action works beside the trusted events (posted in
        the transaction, caught at the requests level)."""
        automation = self.env["base.automation"].create(
            {
                "name": "Lot held (plain webhook)",
                "model_id": self.env.ref("stock.model_stock_lot").id,
                "trigger": "on_write",
                "trigger_field_ids": [
                    Command.set(
                        self.env.ref("med_lot_trace.field_stock_lot__med_state").ids
                    )
                ],
                "filter_domain": "[('med_state', '=', 'hold')]",
            }
        )
        self.env["ir.actions.server"].create(
            {
                "name": "Post lot held",
                "model_id": automation.model_id.id,
                "usage": "base_automation",
                "base_automation_id": automation.id,
                "state": "webhook",
                "webhook_url": "https://qms.example.com/plain",
            }
        )
        with patch("requests.post") as post:
            self.barrel_lot._med_put_on_hold("manual", "Suspected burrs")
        [call] = [call for call in post.mock_calls if call.args]
        self.assertEqual(call.args[0], "https://qms.example.com/plain")
        self.assertEqual(json.loads(call.kwargs["data"])["_id"], self.barrel_lot.id)

    def test_update_rules_see_old_values_and_any_domain(self):
        """Rules of one's own on lots still compare old and new values of their
        trigger fields (read before the write, now field by field) and evaluate
        their domains, literal (parsed once) or naming uid (Odoo's evaluation)."""
        automation = self.env["base.automation"].create(
            {
                "name": "Lot reference changed",
                "model_id": self.env.ref("stock.model_stock_lot").id,
                "trigger": "on_write",
                "trigger_field_ids": [
                    Command.set(self.env.ref("stock.field_stock_lot__ref").ids)
                ],
                "filter_pre_domain": "[('ref', '!=', 'FROZEN')]",
                "filter_domain": "[('write_uid', '=', uid)]",
            }
        )
        self.env["ir.actions.server"].create(
            {
                "name": "Note the reference",
                "model_id": automation.model_id.id,
                "usage": "base_automation",
                "base_automation_id": automation.id,
                "state": "code",
                "code": "record.message_post(body='Reference now %s' % record.ref)",
            }
        )
        lot = self.barrel_lot.with_context(med_reason="reference test")

        def notes():
            return lot.message_ids.filtered(
                lambda message: "Reference now" in (message.body or "")
            )

        lot.write({"ref": "R-1"})
        self.assertEqual(len(notes()), 1)
        self.env.invalidate_all()  # the old value is read from the database
        lot.write({"ref": "R-1", "note": "same reference"})
        self.assertEqual(len(notes()), 1, "the trigger field did not change")
        lot.write({"ref": "FROZEN"})
        self.assertEqual(len(notes()), 2)
        lot.write({"ref": "R-2"})
        self.assertEqual(len(notes()), 2, "the precondition was false")
        Automation = self.env["base.automation"]
        domain = Automation._med_literal_domain("[('ref', '!=', 'FROZEN')]")
        self.assertEqual(domain, [("ref", "!=", "FROZEN")])
        domain.append("changed by a caller")
        self.assertEqual(
            Automation._med_literal_domain("[('ref', '!=', 'FROZEN')]"),
            [("ref", "!=", "FROZEN")],
        )
        self.assertIsNone(Automation._med_literal_domain("[('write_uid', '=', uid)]"))

    def test_event_action_needs_a_type(self):
        with self.assertRaisesRegex(ValidationError, "choose its event type"):
            self.env["ir.actions.server"].create(
                {
                    "name": "Record nothing",
                    "model_id": self.env.ref("stock.model_stock_lot").id,
                    "state": "med_event",
                }
            )


@tagged("post_install", "-at_install")
class TestEventConfiguration(EventCommon):
    """Subscriptions are GxP configuration: compliance administrators only,
    audited without their secret; the delivery log is read only."""

    def test_subscription_managed_by_compliance_admin_only(self):
        for user in (self.auditor, self.qa_manager):
            with self.assertRaises(AccessError):
                self.env["med.event.subscription"].with_user(user).create(
                    {
                        "name": "Rogue",
                        "url": "https://rogue.example.com",
                        "event_type_ids": [
                            Command.set(self.env["med.event.type"].search([]).ids)
                        ],
                    }
                )
        self.assertFalse(
            self.env["med.event.subscription"].search([("name", "=", "Rogue")])
        )
        subscription = self._subscribe("lot_held")
        with self.assertRaises(AccessError):
            subscription.with_user(self.qa_manager).url = "https://rogue.example.com"
        self.assertEqual(subscription.url, "https://qms.example.com/odoo/events")

    def test_secret_hidden_from_auditors(self):
        subscription = self._subscribe("lot_held")
        self.assertEqual(subscription.with_user(self.auditor).name, "QMS")
        with self.assertRaises(AccessError):
            subscription.with_user(self.auditor).read(["secret"])
        self.assertGreaterEqual(len(subscription.secret), 32)

    def test_event_type_code_is_plain_ascii(self):
        with self.assertRaisesRegex(ValidationError, "lower-case"):
            self.env["med.event.type"].with_user(self.compliance_admin).create(
                {"name": "Lot released (custom)", "code": "Lot Released!"}
            )
        custom = (
            self.env["med.event.type"]
            .with_user(self.compliance_admin)
            .create({"name": "Lot scrapped", "code": "lot_scrapped"})
        )
        self.assertEqual(custom.code, "lot_scrapped")

    def test_bad_url_or_short_secret_refused(self):
        for values in ({"url": "ftp://qms.example.com"}, {"secret": "short"}):
            with self.assertRaises(ValidationError):
                self._subscribe("lot_held", name="Bad", **values)
        self.assertFalse(
            self.env["med.event.subscription"].search([("name", "=", "Bad")])
        )

    def test_subscription_changes_audited_without_secret(self):
        subscription = self._subscribe("lot_held")
        before = subscription.date_secret_changed
        subscription.with_user(self.compliance_admin).write(
            {"url": "https://qms2.example.com/in"}
        )
        with freeze_time(fields.Datetime.now() + timedelta(minutes=5)):
            subscription.with_user(self.compliance_admin).action_new_secret()
        self.env.flush_all()
        entries = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "med.event.subscription"),
                ("res_id", "=", subscription.id),
            ]
        )
        changes = {
            entry.field_name: entry
            for entry in entries.filtered(lambda e: e.operation == "write")
        }
        self.assertEqual(changes["url"].new_value, "https://qms2.example.com/in")
        self.assertEqual(changes["url"].user_id, self.compliance_admin)
        self.assertIn("date_secret_changed", changes)
        self.assertGreater(subscription.date_secret_changed, before)
        secret = subscription.secret
        self.assertFalse(
            entries.filtered(
                lambda e: secret in (e.new_value or "") or e.field_name == "secret"
            )
        )

    def test_delivery_log_read_only(self):
        self._subscribe("lot_held")
        self.barrel_lot._med_put_on_hold("manual", "Suspected burrs")
        delivery = self._deliveries(self.barrel_lot)
        self.assertEqual(delivery.with_user(self.auditor).state, "pending")
        for user in (self.auditor, self.compliance_admin):
            with self.assertRaises(AccessError):
                delivery.with_user(user).write({"state": "sent"})
            with self.assertRaises(AccessError):
                delivery.with_user(user).unlink()
        with self.assertRaises(AccessError):
            delivery.with_user(self.warehouse).read(["payload"])
        self.assertEqual(delivery.state, "pending")

    def test_delivery_log_in_auditor_menu_and_exported(self):
        menu = self.env.ref("med_integration.med_event_delivery_menu")
        self.assertEqual(
            menu.parent_id, self.env.ref("med_audit_export.menu_med_auditor_trail")
        )
        visible = self.env["ir.ui.menu"].with_user(self.auditor)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        self.assertNotIn(
            menu.id,
            self.env["ir.ui.menu"].with_user(self.warehouse)._visible_menu_ids(),
        )
        self._subscribe("lot_held")
        self.barrel_lot._med_put_on_hold("manual", "Suspected burrs")
        delivery = self._deliveries(self.barrel_lot)
        self.auditor.groups_id |= self.env.ref("base.group_allow_export")
        columns = ["event_id", "event_type_id", "record_name", "subscription_id"]
        columns += ["url", "state", "attempt_count", "payload"]
        [row] = delivery.with_user(self.auditor).export_data(columns)["datas"]
        self.assertEqual(row[0], delivery.event_id)
        self.assertEqual(row[5], "Pending")

    def test_resend_by_compliance_admin_only(self):
        self._subscribe("lot_held")
        self.barrel_lot._med_put_on_hold("manual", "Suspected burrs")
        delivery = self._deliveries(self.barrel_lot)
        delivery.sudo().write({"state": "failed", "attempt_count": 10})
        with self.assertRaises(AccessError):
            delivery.with_user(self.qa_manager).action_resend()
        self.assertEqual(delivery.state, "failed")
        event_id = delivery.event_id
        delivery.with_user(self.compliance_admin).action_resend()
        self.assertEqual(delivery.state, "pending")
        self.assertEqual(delivery.attempt_count, 0)
        self.assertEqual(delivery.event_id, event_id)
        self.assertEqual(delivery.resent_by_id, self.compliance_admin)

    def test_purge_keeps_pending_and_recent(self):
        self._subscribe("lot_held", "lot_released")
        lots = [
            self._lot(self.barrel, f"BRL-PURGE-{number}", qty=1) for number in range(4)
        ]
        for lot in lots:
            lot._med_put_on_hold("manual", "Purge test")
        deliveries = [self._deliveries(lot) for lot in lots]
        old_sent, old_failed, old_pending, recent_sent = deliveries
        (old_sent | recent_sent).sudo().state = "sent"
        old_failed.sudo().state = "failed"
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE med_event_delivery SET create_date = now() - interval '40 days'"
            " WHERE id IN %s",
            [tuple((old_sent | old_failed | old_pending).ids)],
        )
        self.env["ir.config_parameter"].set_param(
            "med_integration.event_retention_days", 30
        )
        self.env["med.event.delivery"]._cron_purge_deliveries()
        self.assertFalse((old_sent | old_failed).exists())
        self.assertEqual(
            (old_pending | recent_sent).exists(), old_pending | recent_sent
        )
