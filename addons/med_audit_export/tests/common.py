import json
import subprocess
import threading

import psycopg2.errors

from odoo import SUPERUSER_ID, api
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


class JsonRpcMixin:
    """For HttpCase tests: call a model's method over JSON-RPC as the user the test
    authenticated, the way the web client and integrations do."""

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
