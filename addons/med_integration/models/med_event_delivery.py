import hashlib
import hmac
import json
import logging
import time
import uuid
from datetime import timedelta

import psycopg2
import requests

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, create_index

_logger = logging.getLogger(__name__)

STATES = [("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")]
ADMIN_GROUP = "med_audit_export.group_med_compliance_admin"
SENDER_CRON = "med_integration.ir_cron_send_events"
# Set on the cursor: the sender is triggered once per transaction that records events.
TRIGGER_KEY = "med_event_trigger"
# A sender run stops taking new deliveries after this long and lets the cron run it
# again (other jobs of the worker get their turn).
RUN_SECONDS = 120
MAX_BACKOFF_SECONDS = 24 * 3600
ERROR_LENGTH = 500
PARAMS = {
    "max_attempts": ("med_integration.event_max_attempts", 10),
    "retry_base_seconds": ("med_integration.event_retry_base_seconds", 60),
    "timeout_seconds": ("med_integration.event_timeout_seconds", 10),
    "retention_days": ("med_integration.event_retention_days", 365),
}


def signature(secret, timestamp, body):
    """The X-Med-Signature header of ``body`` (bytes) sent at ``timestamp`` (the
    X-Med-Timestamp header): the HMAC covers "<timestamp>.<body>", so that a
    receiver can refuse a captured request replayed later with a new timestamp."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class MedEventDelivery(models.Model):
    """One event for one subscription (a transactional outbox): written in the
    transaction of the change that causes the event, so that a rolled-back change
    leaves nothing to send, and sent by a job after commit, retried with the same
    event id and body until the receiver accepts it. Written by the code only; the
    delivery log an auditor reads and exports."""

    _name = "med.event.delivery"
    _description = "Event Delivery"
    _order = "id desc"
    _rec_name = "event_id"
    _check_company_auto = True

    event_id = fields.Char(
        string="Event ID",
        required=True,
        readonly=True,
        index=True,
        help="UUID of the event, the same on every attempt: receivers drop "
        "duplicates by it.",
    )
    event_type_id = fields.Many2one("med.event.type", required=True, readonly=True)
    date_event = fields.Datetime(string="Event Date", required=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Caused By", readonly=True)
    res_model = fields.Char(string="Record Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", required=True, readonly=True
    )
    record_name = fields.Char(string="Record", readonly=True)
    payload = fields.Text(
        required=True, readonly=True, help="The exact body POSTed on every attempt."
    )
    subscription_id = fields.Many2one(
        "med.event.subscription",
        required=True,
        readonly=True,
        ondelete="restrict",
        index=True,
    )
    url = fields.Char(related="subscription_id.url", string="URL")
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    state = fields.Selection(STATES, default="pending", required=True, readonly=True)
    attempt_count = fields.Integer(string="Attempts", readonly=True)
    date_next_try = fields.Datetime(string="Next Try", readonly=True)
    date_last_try = fields.Datetime(string="Last Try", readonly=True)
    date_sent = fields.Datetime(string="Delivered On", readonly=True)
    last_status_code = fields.Integer(string="Last HTTP Status", readonly=True)
    last_error = fields.Text(readonly=True)
    date_resent = fields.Datetime(string="Resent On", readonly=True)
    resent_by_id = fields.Many2one("res.users", readonly=True)

    _sql_constraints = (
        (
            "event_subscription_unique",
            "UNIQUE(event_id, subscription_id)",
            "An event is delivered once per subscription.",
        ),
    )

    def init(self):
        # What the sender looks for: the pending deliveries that are due.
        create_index(
            self.env.cr,
            "med_event_delivery_pending_index",
            self._table,
            ["date_next_try", "id"],
            where="state = 'pending'",
        )

    # -- recording (in the transaction of the change) --
    @api.model
    def _med_record_event(self, event_type, records, field_names=()):
        """Record the event ``event_type`` (a med.event.type) of each of
        ``records`` for every active subscription to it in the record's company;
        the sender is triggered to run after commit. Trusted code only."""
        deliveries = self.browse()
        subscribed = event_type and self.env[
            "med.event.subscription"
        ]._med_subscription_ids_by_company(event_type.id)
        if not subscribed:
            # what most changes find: no query, nothing read
            return deliveries
        with_company = "company_id" in records._fields
        # sudo: the record's company decides who gets the event, and the payload
        # shows the record as the event saw it, whoever caused it. Read at once,
        # in one query for the records: just these fields, not their whole rows.
        records.sudo().fetch(
            ["company_id", *field_names] if with_company else list(field_names)
        )
        vals_list = []
        for record in records:
            company = (with_company and record.sudo().company_id) or self.env.company
            subscription_ids = subscribed.get(company.id)
            if not subscription_ids:
                continue
            event = self._med_event_vals(event_type, record, company, field_names)
            vals_list += [
                dict(event, subscription_id=subscription_id)
                for subscription_id in subscription_ids
            ]
        if vals_list:
            # sudo: deliveries are system records, whoever caused the event.
            deliveries = self.sudo().create(vals_list)
            self._med_trigger_after_commit()
        return deliveries

    @api.model
    def _med_event_vals(self, event_type, record, company, field_names):
        now = fields.Datetime.now()
        event_id = str(uuid.uuid4())
        # sudo: the payload shows the record as the event saw it, whoever caused it.
        record = record.sudo()
        data = record.read(list(field_names))[0] if field_names else {}
        data.pop("id", None)
        payload = {
            "id": event_id,
            "type": event_type.code,
            "occurred_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "company": {"id": company.id, "name": company.name},
            "record": {
                "model": record._name,
                "id": record.id,
                "name": record.display_name,
            },
            "data": data,
        }
        return {
            "event_id": event_id,
            "event_type_id": event_type.id,
            "date_event": now,
            "user_id": self.env.uid,
            "res_model": record._name,
            "res_id": record.id,
            "record_name": record.display_name,
            "company_id": company.id,
            "payload": json.dumps(payload, sort_keys=True, default=str),
            "date_next_try": now,
        }

    @api.model
    def _med_trigger_after_commit(self):
        """Wake the sender once per transaction, with the trigger written in it: a
        rollback leaves no trigger either (ir.cron._trigger is transactional)."""
        precommit = self.env.cr.precommit
        if precommit.data.get(TRIGGER_KEY):
            return
        precommit.data[TRIGGER_KEY] = True
        cron = self.env.ref(SENDER_CRON, raise_if_not_found=False)
        if cron:
            # sudo: any user's change may wake the system's sender.
            precommit.add(cron.sudo()._trigger)

    # -- sending (after commit, by the cron) --
    @api.model
    def _med_params(self):
        get = self.env["ir.config_parameter"].sudo().get_param
        return {name: int(get(key, default)) for name, (key, default) in PARAMS.items()}

    @api.model
    def _cron_send_events(self, run_seconds=RUN_SECONDS):
        """Send the due deliveries, one committed transaction each, until none is
        left or the run has lasted ``run_seconds``."""
        params = self._med_params()
        deadline = time.monotonic() + run_seconds
        done = 0
        with requests.Session() as session:
            while time.monotonic() < deadline:
                outcome = self._med_send_next(session, params)
                if outcome is None:
                    break
                done += outcome
        self.env.flush_all()
        remaining = self.search_count(
            self._med_sendable_domain()
            + [("date_next_try", "<=", fields.Datetime.now())]
        )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        self._med_trigger_next_retry()
        return done

    @api.model
    def _med_sendable_domain(self):
        # Deliveries of an archived subscription wait until it is active again.
        return [("state", "=", "pending"), ("subscription_id.active", "=", True)]

    @api.model
    def _med_send_next(self, session, params):
        """Claim one due delivery and post it, in a transaction of its own that
        holds the delivery's row lock meanwhile: another sender skips it
        (``SKIP LOCKED``), and a crash leaves it pending for the next run. Returns
        1 when a delivery was tried, 0 when another sender won the row, None when
        nothing is due."""
        claimed = None
        try:
            with self.env.registry.cursor() as cr:
                claimed = self._med_claim(cr)
                if not claimed:
                    return None
                delivery = self.env(cr=cr)[self._name].browse(claimed["id"])
                outcome = delivery._med_post(claimed, session, params)
                delivery._med_record_attempt(claimed, outcome, params)
            # committed on leaving the block
            return 1
        except psycopg2.errors.SerializationFailure:
            # Another sender committed this delivery after this transaction's
            # snapshot: it is done, take the next one.
            return 0
        except Exception as error:
            if not claimed:
                raise
            # Counted as a failed attempt, so that one delivery that cannot be
            # sent (a bug, bad data) does not stop the queue behind it.
            _logger.exception("Event delivery %s could not be sent", claimed["id"])
            with self.env.registry.cursor() as cr:
                # (the environment is kept in a variable: a transaction flushes
                # its changes through an environment still alive at commit)
                env = self.env(cr=cr)
                claimed = env[self._name]._med_claim(cr, claimed["id"])
                if claimed:
                    outcome = {"last_status_code": 0, "last_error": repr(error)}
                    delivery = env[self._name].browse(claimed["id"])
                    delivery._med_record_attempt(claimed, outcome, params)
            return 1

    @api.model
    def _med_claim(self, cr, delivery_id=None):
        """Lock the first due pending delivery (or ``delivery_id``, if pending)
        that no other sender holds; returns what sending it needs."""
        only = SQL("AND delivery.id = %s", delivery_id) if delivery_id else SQL()
        due = (
            SQL()
            if delivery_id
            else SQL("AND delivery.date_next_try <= now() at time zone 'UTC'")
        )
        cr.execute(
            SQL(
                """
                SELECT delivery.id, delivery.event_id, delivery.payload,
                       delivery.attempt_count, event_type.code,
                       subscription.url, subscription.secret
                  FROM med_event_delivery delivery
                  JOIN med_event_subscription subscription
                    ON subscription.id = delivery.subscription_id
                  JOIN med_event_type event_type
                    ON event_type.id = delivery.event_type_id
                 WHERE delivery.state = 'pending'
                   AND subscription.active %s %s
                 ORDER BY delivery.date_next_try, delivery.id
                 LIMIT 1
                   FOR UPDATE OF delivery SKIP LOCKED
                """,
                due,
                only,
            )
        )
        return cr.dictfetchone()

    def _med_post(self, claimed, session, params):
        """POST the claimed delivery (its row as the claim read it: payload, event
        id and type, attempts, the subscription's URL and secret); returns the
        outcome's values."""
        body = claimed["payload"].encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "odoo-med-events/1.0",
            "X-Med-Event-Id": claimed["event_id"],
            "X-Med-Event-Type": claimed["code"],
            "X-Med-Attempt": str((claimed["attempt_count"] or 0) + 1),
            "X-Med-Timestamp": timestamp,
            "X-Med-Signature": signature(claimed["secret"], timestamp, body),
        }
        try:
            response = session.post(
                claimed["url"],
                data=body,
                headers=headers,
                timeout=params["timeout_seconds"],
                allow_redirects=False,
            )
        except requests.RequestException as error:
            return {"last_status_code": 0, "last_error": str(error)}
        if 200 <= response.status_code < 300:
            return {
                "state": "sent",
                "date_sent": fields.Datetime.now(),
                "last_status_code": response.status_code,
                "last_error": False,
            }
        return {
            "last_status_code": response.status_code,
            "last_error": self.env._(
                "HTTP %(status)s: %(text)s",
                status=response.status_code,
                text=response.text[:ERROR_LENGTH],
            ),
        }

    def _med_record_attempt(self, claimed, outcome, params):
        """Record an attempt: sent, or retried later (exponential backoff), or
        failed after the last attempt, with an activity for the administrators."""
        self.ensure_one()
        now = fields.Datetime.now()
        attempt = (claimed["attempt_count"] or 0) + 1
        vals = dict(outcome, attempt_count=attempt, date_last_try=now)
        if vals["last_error"]:
            vals["last_error"] = vals["last_error"][:ERROR_LENGTH]
        if vals.get("state") != "sent":
            if attempt >= params["max_attempts"]:
                vals.update(state="failed", date_next_try=False)
            else:
                delay = params["retry_base_seconds"] * 2 ** (attempt - 1)
                vals["date_next_try"] = now + timedelta(
                    seconds=min(delay, MAX_BACKOFF_SECONDS)
                )
        self.write(vals)
        if vals.get("state") == "failed":
            _logger.warning(
                "Event %s not delivered to %s after %s attempts: %s",
                claimed["event_id"],
                claimed["url"],
                attempt,
                vals["last_error"],
            )
            self.subscription_id._med_alert_failed(self)

    @api.model
    def _med_trigger_next_retry(self):
        """Run the sender again when the earliest retry is due."""
        nearest = self.search(
            self._med_sendable_domain(), order="date_next_try", limit=1
        ).date_next_try
        if nearest and nearest > fields.Datetime.now():
            self.env.ref(SENDER_CRON).sudo()._trigger(at=nearest)

    # -- resending and retention --
    def action_resend(self):
        """Send these deliveries again (compliance administrators): same event id,
        same body, attempts counted afresh."""
        if not self.env.user.has_group(ADMIN_GROUP):
            raise AccessError(
                self.env._(
                    "Only compliance administrators may resend event deliveries."
                )
            )
        now = fields.Datetime.now()
        # sudo: deliveries are written by the code only; the group was checked.
        self.sudo().filtered(lambda d: d.state != "pending").write(
            {
                "state": "pending",
                "attempt_count": 0,
                "date_next_try": now,
                "date_resent": now,
                "resent_by_id": self.env.uid,
            }
        )
        self._med_trigger_after_commit()

    @api.model
    def _cron_purge_deliveries(self, batch_size=5000):
        """Delete the sent and failed deliveries older than the retention period
        (pending ones are kept, and so are those a retention rule keeps)."""
        days = max(self._med_params()["retention_days"], 1)
        limit = fields.Datetime.now() - timedelta(days=days)
        domain = [("state", "!=", "pending"), ("create_date", "<", limit)]
        old = self.search(domain, limit=batch_size)
        kept = self.browse(
            record.id
            for record, _rule, _until in self.env["med.retention.rule"]._med_protected(
                old
            )
        )
        (old - kept).unlink()
        remaining = self.search_count(domain) - len(kept)
        self.env["ir.cron"]._notify_progress(
            done=len(old - kept), remaining=max(remaining, 0)
        )
