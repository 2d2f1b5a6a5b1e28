import base64
import json
import subprocess
import threading
import time

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.service.model import retrying
from odoo.tests import Form, new_test_user

from odoo.addons.base.tests.common import BaseCommon

ROLE_GROUPS = {
    "warehouse": "med_audit_export.group_med_warehouse",
    "purchase": "med_audit_export.group_med_purchase",
    "inspector": "med_audit_export.group_med_qa_inspector",
    "qa_manager": "med_audit_export.group_med_qa_manager",
    "auditor": "med_audit_export.group_med_auditor",
    "compliance_admin": "med_audit_export.group_med_compliance_admin",
}


class MedComplianceCommon(BaseCommon):
    """One test user per compliance role (password = login), named after the role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for role, group in ROLE_GROUPS.items():
            user = new_test_user(
                cls.env, login=f"med_{role}", groups=group, tz="Asia/Shanghai"
            )
            setattr(cls, role, user)
        cls.product_lot = cls.env["product.product"].create(
            {"name": "Syringe barrel 5 ml", "is_storable": True, "tracking": "lot"}
        )
        cls.vendor = cls.env["res.partner"].create({"name": "Barrel Supplier Co."})

    def _sign(self, action, user, password=None, comment="QA decision"):
        """Sign through the wizard that ``action`` opened, as ``user`` (test users'
        password is their login)."""
        form = Form(
            self.env["med.signature.wizard"]
            .with_user(user)
            .with_context(**action["context"])
        )
        if form.login_required:  # the first signing of a session (always, in tests)
            form.login = user.login
        form.password = password or user.login
        form.comment = comment
        return form.save().action_sign()

    @staticmethod
    def _pdf_text(content):
        """The text of a PDF, as pdftotext lays it out."""
        return subprocess.run(
            ["pdftotext", "-layout", "-", "-"],
            input=content,
            capture_output=True,
            check=True,
        ).stdout.decode()


class MedAuditCommon(MedComplianceCommon):
    """Adds an audit rule on lots (reference and note audited, reason required)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Entry = cls.env["med.audit.entry"]
        cls.lot_rule = cls._audit_rule(
            "stock.lot", ["ref", "note", "product_id"], reason_required=True
        )
        cls.lot = cls.env["stock.lot"].create(
            {"name": "BRL-2611-001", "product_id": cls.product_lot.id}
        )

    @classmethod
    def _audit_rule(cls, model, field_names, **values):
        """The model's audit rule set to these fields (upper addons ship their own)."""
        Rule = cls.env["med.audit.rule"].with_context(active_test=False)
        rule = Rule.search([("model_name", "=", model)])
        values = dict(values, field_names=field_names, active=True)
        if rule:
            # The engine is tested on a rule of the administrator's: a shipped
            # rule cannot be narrowed, so these tests take it over.
            cls.env["ir.model.data"].search(
                [("model", "=", "med.audit.rule"), ("res_id", "=", rule.id)]
            ).unlink()
            rule.with_context(med_reason="test setup").write(values)
            return rule
        return Rule.create(dict(values, name=model, model=model))

    def _entries(self, record, **filters):
        self.env.flush_all()
        domain = [("res_model", "=", record._name), ("res_id", "in", record.ids)]
        domain += [(key, "=", value) for key, value in filters.items()]
        return self.Entry.search(domain, order="id")


def verify_evidence_file(env, user, code=None, content=None):
    """The Verify Evidence File wizard as ``user`` fills it in (the code of a file's
    footer, the file itself, or both), verified; returns the wizard."""
    form = Form(env["med.audit.export.verify"].with_user(user))
    if code:
        form.code = code
    if content:
        form.file = base64.b64encode(content)
    wizard = form.save()
    wizard.action_verify()
    return wizard


class JsonRpcMixin:
    """For HttpCase tests: call a model's method over JSON-RPC as the user the test
    authenticated, the way the web client and integrations do."""

    @classmethod
    def _rpc_user(cls, login, groups):
        """A user of ``groups`` (xml ids, comma separated) whose password is its
        login, for ``_call_as``."""
        return new_test_user(cls.env, login=login, groups=groups)

    def _call_as(self, user, model, method, args, kwargs=None):
        """``_call`` in a session of ``user`` (a test user or its login; test
        users' password is their login)."""
        login = getattr(user, "login", user)
        self.authenticate(login, login)
        return self._call(model, method, args, kwargs)

    def _refusal(self, answer):
        """The message of the error that ``answer`` carries (the test fails when
        the call was not refused)."""
        self.assertIn("error", answer, f"not refused: {answer.get('result')!r}")
        return answer["error"]["data"]["message"]

    def _call(self, model, method, args, kwargs=None):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": kwargs or {},
            },
        }
        return self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        ).json()


def run_cron_twice(testcase, model, method, stale_snapshot, uid=SUPERUSER_ID):
    """Run ``model.method()`` (a scheduled job) in two committed transactions at the
    same moment, as two nodes would (as user ``uid``); with ``stale_snapshot`` both
    read the database first and the second runs once the first has committed, on a
    snapshot that shows nothing of what the first did. Returns each run's outcome."""
    runs = 2
    barrier = threading.Barrier(runs)
    first_committed = threading.Event()
    outcomes = [None] * runs

    def run(index):
        try:
            with testcase.registry.cursor() as cr:
                env = api.Environment(cr, uid, {})
                if stale_snapshot:
                    env[model].search_count([])  # takes the snapshot
                barrier.wait(timeout=60)
                if stale_snapshot and index:
                    first_committed.wait(timeout=120)
                getattr(env[model], method)()
            # leaving the block commits
            outcomes[index] = "committed"
        except psycopg2.errors.SerializationFailure:
            # what Odoo's cron runner and RPC retry; the retry finds it done
            outcomes[index] = "serialization failure"
        except Exception as error:
            outcomes[index] = repr(error)
        finally:
            if not index:
                first_committed.set()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    testcase.assertFalse(any(thread.is_alive() for thread in threads))
    return outcomes


RACE_WAIT = 60  # seconds; a transaction that waits longer has deadlocked


def committed(registry, work, uid=SUPERUSER_ID, context=None):
    """``work(env)`` in a real transaction of its own (a cursor of ``registry``, not
    the test cursor) as ``uid``, committed; returns its value."""
    with registry.cursor() as cr:
        return work(api.Environment(cr, uid, context or {}))


def read_back(registry, work, uid=SUPERUSER_ID, context=None):
    """``work(env)`` in a fresh transaction, which sees everything committed so
    far; rolled back, so a check leaves nothing behind. Returns its value."""
    with registry.cursor() as cr:
        try:
            return work(api.Environment(cr, uid, context or {}))
        finally:
            cr.rollback()


class RacingTransaction(threading.Thread):
    """``work(env)`` in a real transaction as ``uid``, raced against another one: a
    cursor of ``registry`` (not the test cursor, which cannot show a race; the
    registry must not be in test mode, so never in an HttpCase), in a thread, served
    the way Odoo's RPC dispatcher serves a request: through ``retrying``, so that a
    serialization failure rolls the try back and runs ``work`` again in a new
    transaction (``retry=False`` for a scheduled job: Odoo runs it again next time
    instead). Committed when ``work`` returns, rolled back when it raises.

    Two ways to order it against another transaction, with what each guarantees:

    ``hold_after_snapshot()`` returns once the first try's snapshot is taken
    (PostgreSQL shows the transaction holding one) and before ``work`` has run (but
    after ``look(env)``, if given: what the user read first, e.g. the document they
    opened, which also fills the ORM cache); the try then waits for ``finish()``.
    Whatever another transaction commits meanwhile is invisible to that try's reads
    (REPEATABLE READ): only a lock or a write on the changed rows makes it fail with
    a serialization error, so that the retry sees the change. Without the lock, the
    first try decides on the old state.

    ``hold_before_commit()`` returns once ``work`` has run and been flushed, its
    transaction left open (its locks held) until ``finish()``. Another transaction
    started then can tell, with ``waits_for_a_lock()``, that it queues behind it.

    ``finish()`` lets it go on and waits for its end (failing the test if it hangs);
    then ``tries`` (how often ``work`` ran), ``result`` (its value) and ``error``
    (the exception it ended with after the retries, or None) tell the outcome. The
    data it commits stays in the database: give it unique names, or remove it."""

    def __init__(self, registry, uid, work, context=None, retry=True, look=None):
        super().__init__(daemon=True)
        self.registry, self.uid, self.work, self.look = registry, uid, work, look
        self.context, self.retry = context or {}, retry
        self.pid = None
        self.tries, self.result, self.error = 0, None, None
        self._hold = None  # "snapshot", "commit" or None: runs straight through
        self._held, self._resume = threading.Event(), threading.Event()

    def run(self):
        try:
            with self.registry.cursor() as cr:
                # the transaction's first query, which takes its snapshot
                cr.execute("SELECT pg_backend_pid()")
                self.pid = cr.fetchone()[0]
                env = api.Environment(cr, self.uid, self.context)
                try:
                    if self.retry:
                        self.result = retrying(lambda: self._attempt(env), env)
                    else:
                        self.result = self._attempt(env)
                        cr.flush()  # here, so that an error at flush is reported
                except Exception as error:  # reported to the test
                    cr.rollback()  # as Odoo does with a refused request
                    self.error = error
        finally:
            self._held.set()  # the test never waits for a transaction that ended

    def _attempt(self, env):
        self.tries += 1
        if self._hold == "snapshot" and self.tries == 1:
            if self.look:
                self.look(env)
            self._pause()
        result = self.work(env)
        if self._hold == "commit" and not self._held.is_set():
            env.cr.flush()
            self._pause()
        return result

    def _pause(self):
        self._held.set()
        if not self._resume.wait(RACE_WAIT):
            raise TimeoutError("the test never let the transaction go on")

    def hold_after_snapshot(self):
        """Start; return once the first try holds its snapshot, before ``work``."""
        self._hold = "snapshot"
        self._start_and_hold()
        with self.registry.cursor() as watch:
            watch.execute(
                "SELECT backend_xmin IS NOT NULL FROM pg_stat_activity WHERE pid = %s",
                [self.pid],
            )
            assert watch.fetchone() == (True,), "the transaction holds no snapshot"
        return self

    def hold_before_commit(self):
        """Start; return once ``work`` ran and was flushed, not yet committed."""
        self._hold = "commit"
        return self._start_and_hold()

    def _start_and_hold(self):
        self.start()
        assert self._held.wait(RACE_WAIT), "the transaction never got there"
        assert self.is_alive(), f"the transaction ended first: {self.error!r}"
        return self

    def waits_for_a_lock(self):
        """Start if not started; whether the transaction comes to wait for a lock
        (a row, or an advisory lock) held by another one, before it ends."""
        if self.ident is None:
            self.start()
        deadline = time.monotonic() + RACE_WAIT
        with self.registry.cursor() as watch:
            while self.is_alive() and time.monotonic() < deadline:
                if self.pid is not None:
                    watch.execute(
                        "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                        [self.pid],
                    )
                    waiting = watch.fetchone() == ("Lock",)
                    # PostgreSQL shows a transaction the activity as it was at its
                    # first look: a new transaction for each look
                    watch.rollback()
                    if waiting:
                        return True
                time.sleep(0.05)
        return False

    def finish(self):
        """Start if not started, let it go on, wait for its end; returns it."""
        if self.ident is None:
            self.start()
        self._resume.set()
        self.join(RACE_WAIT * 2)
        assert not self.is_alive(), "the transaction hangs"
        return self
