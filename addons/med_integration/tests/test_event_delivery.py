import hashlib
import hmac
import json
import re
import threading
import uuid
from datetime import timedelta
from pathlib import Path

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

from .receiver import EventReceiver

API_DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"
RECEIVER_EXAMPLE = re.compile(
    r"<!-- receiver example: verify_event -->\s*```python\n(?P<code>.*?)```", re.DOTALL
)
PARAMS = {
    "med_integration.event_max_attempts": "3",
    "med_integration.event_retry_base_seconds": "60",
    "med_integration.event_timeout_seconds": "2",
}
JOIN_TIMEOUT = 120


class RefusedLater(Exception):
    """A check after the change refuses it (e.g. a release blocker)."""


def documented_verify_event():
    """The receiver's check as docs/api.md shows it, run as it is written there."""
    namespace = {}
    code = RECEIVER_EXAMPLE.search(API_DOC.read_text())["code"]
    exec(code, namespace)  # pylint: disable=exec-used
    return namespace["verify_event"]


@tagged("post_install", "-at_install")
class TestEventDelivery(BaseCase):
    """The outbox with real transactions (own registry cursors, committed, as the
    server's workers and its cron worker) and a real receiver on 127.0.0.1: sent
    after commit only, signed, retried with the same id, given up with an activity,
    resent, never twice at once. Each test's data is its own; the deliveries and
    subscriptions are removed afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.tag = uuid.uuid4().hex[:8].upper()
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            Param = env["ir.config_parameter"]
            cls.saved_params = {key: Param.get_param(key) for key in PARAMS}
            for key, value in PARAMS.items():
                Param.set_param(key, value)
            cls.admin_id = new_test_user(
                env,
                login=f"events_admin_{cls.tag}",
                groups="med_audit_export.group_med_compliance_admin",
            ).id
            cls.type_id = (
                env["med.event.type"]
                .create({"name": f"Test {cls.tag}", "code": f"test_{cls.tag.lower()}"})
                .id
            )
            cls.product_id = (
                env["product.product"]
                .create(
                    {
                        "name": f"Events barrel {cls.tag}",
                        "is_storable": True,
                        "tracking": "lot",
                    }
                )
                .id
            )
        cls.subscription_ids = []

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            subscriptions = (
                env["med.event.subscription"]
                .with_context(active_test=False)
                .browse(cls.subscription_ids)
            )
            env["med.event.delivery"].search(
                [("subscription_id", "in", subscriptions.ids)]
            ).unlink()
            subscriptions.activity_ids.unlink()
            subscriptions.unlink()
            env["med.event.type"].browse(cls.type_id).unlink()
            env["res.users"].browse(cls.admin_id).active = False
            env["product.product"].browse(cls.product_id).active = False
            for key, value in cls.saved_params.items():
                env["ir.config_parameter"].set_param(key, value)
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.assertFalse(self.registry.in_test_mode(), "needs real transactions")

    # -- helpers, each in a committed transaction of its own --
    def _env(self, cr, uid=SUPERUSER_ID):
        return api.Environment(cr, uid, {})

    def _subscribe(self, url, codes=()):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            types = env["med.event.type"].browse(self.type_id) | env[
                "med.event.type"
            ].search([("code", "in", codes)])
            subscription = (
                env["med.event.subscription"]
                .with_user(self.admin_id)
                .create(
                    {
                        "name": f"Receiver {self.tag}",
                        "url": url,
                        "event_type_ids": [Command.set(types.ids)],
                    }
                )
            )
            self.subscription_ids.append(subscription.id)
            secret = subscription.sudo().secret
        self.addCleanup(self._archive, subscription.id)
        return subscription.id, secret

    def _archive(self, subscription_id):
        with self.registry.cursor() as cr:
            self._env(cr)["med.event.subscription"].browse(
                subscription_id
            ).active = False

    def _record(self, env, count=1):
        """Record ``count`` events of the test's type (one partner each)."""
        partners = env["res.partner"].create(
            [{"name": f"Events {self.tag} {n}"} for n in range(count)]
        )
        env["med.event.delivery"]._med_record_event(
            env["med.event.type"].browse(self.type_id), partners, ["name"]
        )
        return partners

    def _send(self):
        """One run of the sender, as the cron worker runs it."""
        with self.registry.cursor() as cr:
            return self._env(cr)["med.event.delivery"]._cron_send_events(run_seconds=60)

    def _deliveries(self, subscription_id):
        with self.registry.cursor() as cr:
            deliveries = self._env(cr)["med.event.delivery"].search(
                [("subscription_id", "=", subscription_id)], order="id"
            )
            return deliveries.read(
                [
                    "event_id",
                    "state",
                    "attempt_count",
                    "date_next_try",
                    "last_error",
                    "last_status_code",
                    "payload",
                    "res_id",
                ]
            )

    def _make_due(self, subscription_id):
        with self.registry.cursor() as cr:
            cr.execute(
                "UPDATE med_event_delivery"
                "   SET date_next_try = now() at time zone 'UTC' - interval '1 second'"
                " WHERE subscription_id = %s AND state = 'pending'",
                [subscription_id],
            )

    def _triggers(self):
        with self.registry.cursor() as cr:
            cron = self._env(cr).ref("med_integration.ir_cron_send_events")
            return self._env(cr)["ir.cron.trigger"].search_count(
                [("cron_id", "=", cron.id)]
            )

    # -- tests --
    def test_sent_after_commit_only(self):
        with EventReceiver() as receiver:
            subscription_id, secret = self._subscribe(receiver.url, ["lot_held"])
            with self.registry.cursor() as cr:
                env = self._env(cr)
                lot = env["stock.lot"].create(
                    {"name": f"EVT-{self.tag}-C", "product_id": self.product_id}
                )
            triggers = self._triggers()
            with self.registry.cursor() as cr:
                env = self._env(cr)
                env["stock.lot"].browse(lot.id)._med_put_on_hold("manual", "Burrs")
                env.flush_all()
                # not committed yet: the sender (another transaction) sees nothing
                self.assertEqual(self._send(), 0)
                self.assertEqual(receiver.requests, [])
            # committed: the trigger was written with the change, the sender posts
            self.assertEqual(self._triggers(), triggers + 1)
            self.assertEqual(self._send(), 1)
            [delivery] = self._deliveries(subscription_id)
            [(headers, body)] = receiver.requests
            self.assertEqual(body.decode(), delivery["payload"])
            payload = json.loads(body)
            self.assertEqual(payload["type"], "lot_held")
            self.assertEqual(payload["record"]["id"], lot.id)
            self.assertEqual(payload["data"]["med_state"], "hold")
            self.assertEqual(headers["X-Med-Event-Id"], payload["id"])
            self.assertEqual(headers["X-Med-Event-Type"], "lot_held")
            self.assertTrue(headers["X-Med-Timestamp"].isdigit())
            self.assertTrue(self._verify(secret, headers, body))
            self.assertEqual(
                (delivery["state"], delivery["attempt_count"]), ("sent", 1)
            )
            self.assertEqual(delivery["last_status_code"], 200)
            # nothing is sent twice
            self.assertEqual(self._send(), 0)
            self.assertEqual(len(receiver.requests), 1)

    def test_rollback_sends_nothing(self):
        with EventReceiver() as receiver:
            subscription_id, _secret = self._subscribe(receiver.url, ["lot_held"])
            with self.registry.cursor() as cr:
                lot = self._env(cr)["stock.lot"].create(
                    {"name": f"EVT-{self.tag}-R", "product_id": self.product_id}
                )
            triggers = self._triggers()
            with self.assertRaises(RefusedLater), self.registry.cursor() as cr:
                env = self._env(cr)
                env["stock.lot"].browse(lot.id)._med_put_on_hold("manual", "Burrs")
                self._record(env)
                env.flush_all()
                # a later check refuses the change: the transaction rolls back
                raise RefusedLater()
            self.assertEqual(self._send(), 0)
            self.assertEqual(receiver.requests, [])
            self.assertEqual(self._deliveries(subscription_id), [])
            self.assertEqual(self._triggers(), triggers)

    def test_retried_with_backoff_and_the_same_id(self):
        with EventReceiver(statuses=[503, 500]) as receiver:
            subscription_id, secret = self._subscribe(receiver.url)
            with self.registry.cursor() as cr:
                self._record(self._env(cr))
            before = fields.Datetime.now()
            self._send()
            [delivery] = self._deliveries(subscription_id)
            self.assertEqual(delivery["state"], "pending")
            self.assertIn("HTTP 503", delivery["last_error"])
            wait = delivery["date_next_try"] - before
            self.assertTrue(timedelta(seconds=55) <= wait <= timedelta(seconds=70))
            self.assertEqual(self._send(), 0)  # not due yet
            self._make_due(subscription_id)
            before = fields.Datetime.now()
            self._send()
            [delivery] = self._deliveries(subscription_id)
            wait = delivery["date_next_try"] - before
            self.assertTrue(timedelta(seconds=115) <= wait <= timedelta(seconds=130))
            self._make_due(subscription_id)
            self._send()
            [delivery] = self._deliveries(subscription_id)
            self.assertEqual(
                (delivery["state"], delivery["attempt_count"]), ("sent", 3)
            )
            # the receiver got the same event, same id and same body, three times
            self.assertEqual(receiver.event_ids(), [delivery["event_id"]] * 3)
            bodies = {body for _headers, body in receiver.requests}
            self.assertEqual(bodies, {delivery["payload"].encode()})
            self.assertEqual(
                [headers["X-Med-Attempt"] for headers, _body in receiver.requests],
                ["1", "2", "3"],
            )
            self.assertTrue(
                all(self._verify(secret, h, b) for h, b in receiver.requests)
            )

    def test_timeout_counts_as_a_failed_attempt(self):
        # Odoo's test framework raises any requests timeout below 10 s to 10 s.
        with EventReceiver(delay=11) as receiver:
            subscription_id, _secret = self._subscribe(receiver.url)
            with self.registry.cursor() as cr:
                self._record(self._env(cr))
            self._send()
            [delivery] = self._deliveries(subscription_id)
            self.assertEqual(delivery["state"], "pending")
            self.assertEqual(delivery["last_status_code"], 0)
            self.assertIn("timed out", delivery["last_error"])

    def test_final_failure_alerts_admins_then_resend(self):
        with EventReceiver(statuses=[500] * 6) as receiver:
            subscription_id, _secret = self._subscribe(receiver.url)
            with self.registry.cursor() as cr:
                self._record(self._env(cr), count=2)
            for _attempt in range(3):  # event_max_attempts
                self._send()
                self._make_due(subscription_id)
            deliveries = self._deliveries(subscription_id)
            self.assertEqual([d["state"] for d in deliveries], ["failed", "failed"])
            self.assertEqual(len(receiver.requests), 6)
            self.assertIn("HTTP 500", deliveries[0]["last_error"])
            with self.registry.cursor() as cr:
                env = self._env(cr)
                subscription = env["med.event.subscription"].browse(subscription_id)
                # one activity per administrator, not one per failed delivery
                activities = subscription.activity_ids.filtered(
                    lambda a: a.user_id.id == self.admin_id
                )
                self.assertEqual(len(activities), 1)
                self.assertIn(deliveries[0]["event_id"], activities.note)
                self.assertEqual(subscription.failed_count, 2)
            # the receiver is fixed; the administrator resends
            with self.registry.cursor() as cr:
                env = self._env(cr, self.admin_id)
                env["med.event.subscription"].browse(
                    subscription_id
                ).action_resend_failed()
            self.assertEqual(self._send(), 2)
            resent = self._deliveries(subscription_id)
            self.assertEqual([d["state"] for d in resent], ["sent", "sent"])
            self.assertEqual(
                [d["event_id"] for d in resent], [d["event_id"] for d in deliveries]
            )
            self.assertEqual(
                sorted(set(receiver.event_ids())),
                sorted(d["event_id"] for d in deliveries),
            )

    def test_a_delivery_that_cannot_be_sent_does_not_stop_the_queue(self):
        """Bad data (an event type code no header can carry, written before the
        check existed) fails its own delivery, counted as an attempt; the one
        behind it goes out in the same run."""
        with EventReceiver() as receiver:
            subscription_id, _secret = self._subscribe(receiver.url, ["lot_held"])
            with self.registry.cursor() as cr:
                env = self._env(cr)
                broken = env["med.event.type"].create(
                    {"name": f"Broken {self.tag}", "code": f"broken_{self.tag.lower()}"}
                )
                env["med.event.subscription"].browse(
                    subscription_id
                ).event_type_ids |= broken
                partner = env["res.partner"].create({"name": f"Events {self.tag} B"})
                env["med.event.delivery"]._med_record_event(broken, partner)
                self._record(env)
                cr.execute(
                    "UPDATE med_event_type SET code = %s WHERE id = %s",
                    ["批次", broken.id],
                )
            self.addCleanup(self._drop_type, broken.id)
            self.assertEqual(self._send(), 2)
            first, second = self._deliveries(subscription_id)
            self.assertEqual((first["state"], first["attempt_count"]), ("pending", 1))
            self.assertIn("UnicodeEncodeError", first["last_error"])
            self.assertEqual(second["state"], "sent")
            self.assertEqual(receiver.event_ids(), [second["event_id"]])

    def _drop_type(self, type_id):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            subscriptions = (
                env["med.event.subscription"]
                .with_context(active_test=False)
                .browse(self.subscription_ids)
            )
            env["med.event.delivery"].search([("event_type_id", "=", type_id)]).unlink()
            subscriptions.write({"event_type_ids": [Command.unlink(type_id)]})
            env["med.event.type"].browse(type_id).unlink()

    def test_signature_verified_by_the_documented_example(self):
        verify_event = documented_verify_event()
        with EventReceiver() as receiver:
            _subscription_id, secret = self._subscribe(receiver.url)
            with self.registry.cursor() as cr:
                self._record(self._env(cr))
            self._send()
            [(headers, body)] = receiver.requests
        self.assertTrue(verify_event(secret, headers, body))
        self.assertFalse(
            verify_event(secret, headers, body.replace(b"Events", b"Evil"))
        )
        self.assertFalse(verify_event("not-the-secret-at-all", headers, body))
        self.assertFalse(verify_event(secret, {}, body))
        # the timestamp is signed: a replay cannot be given a fresh one
        sent_at = int(headers["X-Med-Timestamp"])
        later = dict(headers, **{"X-Med-Timestamp": str(sent_at + 1)})
        self.assertFalse(verify_event(secret, later, body, now=sent_at + 1))
        # the same request replayed: accepted within the tolerance, then refused
        self.assertTrue(verify_event(secret, headers, body, now=sent_at + 299))
        self.assertFalse(verify_event(secret, headers, body, now=sent_at + 301))
        self.assertFalse(verify_event(secret, headers, body, now=sent_at - 301))
        # a receiver still checking the body alone (release 18.0.1.3.0) fails
        body_only = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        self.assertNotEqual(headers["X-Med-Signature"], f"sha256={body_only}")

    def test_transaction_retried_on_conflict_records_one_event(self):
        """Odoo retries a transaction that hit a serialization failure: the first
        try's event is rolled back with it, the receiver gets one id."""
        with EventReceiver() as receiver:
            subscription_id, _secret = self._subscribe(receiver.url)
            tries = []
            with self.registry.cursor() as cr:
                env = self._env(cr)

                def change():
                    tries.append(1)
                    cr.execute(
                        "SELECT 1 FROM med_event_subscription WHERE id = %s",
                        [subscription_id],
                    )  # the snapshot starts here
                    self._record(env)
                    env.flush_all()
                    if len(tries) == 1:
                        # another transaction changes a row after this snapshot
                        with self.registry.cursor() as other:
                            other.execute(
                                "UPDATE med_event_subscription SET write_date ="
                                " now() at time zone 'UTC' WHERE id = %s",
                                [subscription_id],
                            )
                    cr.execute(
                        "UPDATE med_event_subscription SET write_date ="
                        " now() at time zone 'UTC' WHERE id = %s",
                        [subscription_id],
                    )

                retrying(change, env)
            self.assertEqual(len(tries), 2)
            self._send()
            deliveries = self._deliveries(subscription_id)
            self.assertEqual(len(deliveries), 1)
            self.assertEqual(receiver.event_ids(), [deliveries[0]["event_id"]])

    def test_two_senders_never_send_the_same_delivery(self):
        with EventReceiver(delay=0.05) as receiver:
            subscription_id, _secret = self._subscribe(receiver.url)
            with self.registry.cursor() as cr:
                self._record(self._env(cr), count=40)
            barrier = threading.Barrier(2)
            sent, errors = [0, 0], []

            def sender(index):
                try:
                    with self.registry.cursor() as cr:
                        Delivery = self._env(cr)["med.event.delivery"]
                        barrier.wait(JOIN_TIMEOUT)
                        sent[index] = Delivery._cron_send_events(run_seconds=60)
                except Exception as error:  # reported by the test
                    errors.append(error)

            threads = [threading.Thread(target=sender, args=(i,)) for i in (0, 1)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(JOIN_TIMEOUT)
                self.assertFalse(thread.is_alive(), "a sender hangs")
            self.assertEqual(errors, [])
            deliveries = self._deliveries(subscription_id)
            ids = receiver.event_ids()
            self.assertEqual(len(ids), 40)
            self.assertEqual(sorted(ids), sorted(d["event_id"] for d in deliveries))
            self.assertEqual({d["state"] for d in deliveries}, {"sent"})
            self.assertEqual({d["attempt_count"] for d in deliveries}, {1})
            self.assertEqual(sum(sent), 40)
            self.assertTrue(all(sent), f"both senders worked at once: {sent}")

    @staticmethod
    def _verify(secret, headers, body):
        return documented_verify_event()(secret, headers, body)
