"""The read-only auditor changes nothing, whatever public method they call.

Every public method of the suite (``action_*``, ``button_*`` and any other method
without a leading underscore that JSON-RPC accepts) of every ``med.*`` model and of
the suite's overrides of core models is called over JSON-RPC as the demo auditor,
on a real record of the demo data. A call that succeeds must not have inserted,
updated or deleted a row of any table, except what the allow-list below names.

Changes are counted by PostgreSQL itself (``pg_stat_xact_user_tables``: the rows
this transaction inserted, updated or deleted per table; the test's requests share
its transaction), so a write by SQL, by ``sudo()`` or at flush is seen too. Each call
is rolled back afterwards, so that the next one starts from the same data.
"""

import json
import logging

from odoo import models
from odoo.tests import HttpCase, tagged

_logger = logging.getLogger(__name__)

SUITE_MODULE_PREFIX = "odoo.addons.med_"
# The ORM's own public API (create, write, read, copy, name_create, ...): the suite's
# overrides of it are guarded by access rights and record rules, tested per model.
ORM_METHODS = frozenset(
    name for name in dir(models.BaseModel) if not name.startswith("_")
)
# Tables whose rows are no business data: the wizards' transient records (an opening
# action may create its dialog's record), the bus that pushes notifications, and the
# web session's device log that Odoo writes on any request.
NON_DATA_TABLES = frozenset({"bus_bus", "res_device_log"})
# Exporting evidence is the auditor's job: an export leaves its record (with the file
# and its verification code) and an entry in the audit trail.
EXPORT_TABLES = frozenset({"med_audit_export", "med_audit_entry", "ir_attachment"})
VERIFICATION_TABLES = frozenset(
    {
        "med_audit_verification",
        "med_audit_entry_med_audit_verification_rel",
        "mail_message",
        "mail_message_res_partner_rel",
        "mail_notification",
        "mail_mail",
        "mail_mail_res_partner_rel",
        "mail_followers",
        "mail_followers_mail_message_subtype_rel",
        "mail_activity",
    }
)
# What the auditor may change by calling these methods, with why. Nothing else.
ALLOWED_WRITES = {
    ("med.audit.export.wizard", "action_export"): EXPORT_TABLES,
    ("med.dossier.wizard", "action_export"): EXPORT_TABLES,
    ("med.recall", "action_export_reconciliation"): EXPORT_TABLES,
    ("med.approved.supplier", "action_med_export_xlsx"): EXPORT_TABLES,
    ("med.data.dictionary", "action_export_csv"): EXPORT_TABLES,
    ("med.data.dictionary", "action_export_xlsx"): EXPORT_TABLES,
    ("med.sales.record.export", "action_export_csv"): EXPORT_TABLES,
    ("med.sales.record.export", "action_export_xlsx"): EXPORT_TABLES,
    # A recall simulation is itself recorded (audit trail of the lot, and the event
    # automation rules listen to): who traced which lot, and when.
    ("stock.lot", "med_api_recall_scope"): {
        "med_audit_entry",
        "med_integration_event",
        "med_integration_event_stock_lot_rel",
    },
    # Verifying the audit trail's chain is an auditor's check (issue 19 item 22: the
    # auditor and the roles above, nobody else); the verification record (and, for a
    # broken chain, the administrators' alert) is its evidence.
    ("med.audit.verification", "action_verify"): VERIFICATION_TABLES,
    ("med.audit.verification", "action_verify_now"): VERIFICATION_TABLES,
}
# A floor on what the test reaches: a registry change that hid the suite's methods
# from the enumeration would otherwise let it pass by calling nothing.
MIN_CALLS = 60


def suite_public_methods(env):
    """{(model, method): api kind} for the suite's RPC-callable methods; methods the
    suite adds to every model (``base``) are listed once, on res.partner."""
    found = {}
    for model_name in sorted(env.registry):
        model = env[model_name]
        for cls in type(model).mro():
            if not cls.__module__.startswith(SUITE_MODULE_PREFIX):
                continue
            inherit = getattr(cls, "_inherit", None)
            # the registry keeps _inherit as a list
            inherits = [inherit] if isinstance(inherit, str) else list(inherit or ())
            on_base = inherits == ["base"]
            if on_base and model_name != "res.partner":
                continue
            for name, member in vars(cls).items():
                if (
                    name.startswith("_")
                    or name in ORM_METHODS
                    or not callable(member)
                    or getattr(member, "_api_private", False)
                ):
                    continue
                found[(model_name, name)] = getattr(member, "_api", None)
    return found


@tagged("post_install", "-at_install")
class TestAuditorChangesNothing(HttpCase):
    def _call(self, model, method, args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": model, "method": method, "args": args, "kwargs": {}},
        }
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
            timeout=120,
        )
        return response.json()

    def _row_changes(self):
        self.env.cr.execute(
            """
            SELECT relname, n_tup_ins + n_tup_upd + n_tup_del
              FROM pg_stat_xact_user_tables
             WHERE n_tup_ins + n_tup_upd + n_tup_del > 0
            """
        )
        return dict(self.env.cr.fetchall())

    def _record_for(self, model_name, transient_tables):
        """A record to call the method on: the first of the demo data, or for a
        wizard one the auditor opens (created by the auditor, as the client does)."""
        Model = self.env[model_name]
        if Model._abstract:
            return []  # only its model methods are called
        if Model._table not in transient_tables:
            return Model.search([], limit=1, order="id").ids
        answer = self._call(model_name, "create", [{}])
        return [answer["result"]] if "result" in answer else None

    def test_every_public_method_changes_nothing_for_the_auditor(self):
        methods = suite_public_methods(self.env)
        transient_tables = {
            self.env[name]._table
            for name in self.env.registry
            if self.env[name]._transient
        }
        ignored = NON_DATA_TABLES | transient_tables
        self.authenticate("auditor", "auditor")
        called, skipped, changed = 0, [], []
        for (model_name, method), kind in sorted(methods.items()):
            self.env.cr.execute("SAVEPOINT med_auditor_call")
            try:
                ids = self._record_for(model_name, transient_tables)
                if ids is None or (not ids and kind != "model"):
                    skipped.append(f"{model_name}.{method}")
                    continue
                before = self._row_changes()
                answer = self._call(
                    model_name, method, [] if kind == "model" else [ids]
                )
                after = self._row_changes()
                called += 1
                if "error" in answer:
                    continue  # refused or failed: the request rolled back
                tables = {
                    table
                    for table, count in after.items()
                    if count != before.get(table, 0) and table not in ignored
                }
                tables -= ALLOWED_WRITES.get((model_name, method), set())
                if tables:
                    changed.append(f"{model_name}.{method}: {sorted(tables)}")
            finally:
                self.env.cr.execute("ROLLBACK TO SAVEPOINT med_auditor_call")
                self.env.invalidate_all()
        _logger.info(
            "auditor meta-test: %s methods called, %s without a record: %s",
            called,
            len(skipped),
            ", ".join(skipped),
        )
        self.assertGreaterEqual(called, MIN_CALLS)
        self.assertFalse(
            changed, "the auditor changed data through:\n" + "\n".join(changed)
        )
