from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin

from .common import MedCapaCommon

REASON = "Found by the night shift, recorded by the day shift"
# What a hostile caller sends to pass for trusted code or for the CAPA rules.
HOSTILE_CONTEXT = {
    "med_protected_write": True,
    "med_capa_rule_run": True,
    "med_reason": REASON,
}


def _finding(record):
    record.invalidate_recordset()
    return record.user_id, record.date


@tagged("post_install", "-at_install")
class TestNonconformanceFinding(MedCapaCommon):
    """Who reported a nonconformance and when it was detected are evidence: the
    recorder is the reporter and may date the finding back, never ahead; then only
    a QA manager corrects them, with a reason in the audit trail, never once
    dispositioned."""

    def _record(self, user=None, reason=None, **values):
        Nonconformance = self.Nonconformance.with_user(user or self.inspector)
        if reason:
            Nonconformance = Nonconformance.with_context(med_reason=reason)
        return Nonconformance.create(
            dict({"description": "Burr on the barrel tip", "source": "audit"}, **values)
        )

    def _write_entries(self, record):
        self.env.flush_all()
        return self.env["med.audit.entry"].search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("field_name", "in", ["user_id", "date"]),
                ("operation", "=", "write"),
            ],
            order="id",
        )

    def test_recorder_is_the_reporter_and_may_date_the_finding_back(self):
        before = fields.Datetime.now()
        record = self._record()
        self.assertEqual(record.user_id, self.inspector)
        self.assertGreaterEqual(record.date, before.replace(microsecond=0))
        found = fields.Datetime.now() - timedelta(days=2)
        late = self._record(date=found, user_id=self.inspector.id)
        self.assertEqual(late.user_id, self.inspector)
        self.assertEqual(late.date, found.replace(microsecond=0))

    def test_another_reporter_refused_to_the_recorder(self):
        count = self.Nonconformance.search_count([])
        Nonconformance = self.Nonconformance.with_user(self.inspector)
        with self.assertRaisesRegex(UserError, "reported by whoever records it"):
            self._record(user_id=self.qa_manager.id)
        with self.assertRaisesRegex(UserError, "reported by whoever records it"):
            Nonconformance.with_context(
                default_user_id=self.qa_manager.id, med_reason=REASON
            ).create({"description": "Burr", "source": "audit"})
        # a QA manager names another reporter only with a reason
        with self.assertRaisesRegex(UserError, "reported by whoever records it"):
            self._record(self.qa_manager, user_id=self.inspector.id)
        self.assertEqual(self.Nonconformance.search_count([]), count)
        # an import goes through create: refused, nothing imported
        result = Nonconformance.load(
            ["description", "source", "user_id/.id"],
            [["Imported burr", "audit", str(self.qa_manager.id)]],
        )
        self.assertFalse(result["ids"])
        self.assertEqual(self.Nonconformance.search_count([]), count)

    def test_detection_ahead_refused(self):
        count = self.Nonconformance.search_count([])
        tomorrow = fields.Datetime.now() + timedelta(days=1)
        with self.assertRaisesRegex(UserError, "detected in the future"):
            self._record(date=tomorrow)
        with self.assertRaisesRegex(UserError, "detected in the future"):
            self.Nonconformance.with_user(self.qa_manager).with_context(
                default_date=fields.Datetime.to_string(tomorrow), med_reason=REASON
            ).create({"description": "Burr", "source": "audit"})
        self.assertEqual(self.Nonconformance.search_count([]), count)

    def test_qa_manager_names_another_reporter_with_a_reason(self):
        record = self._record(self.qa_manager, REASON, user_id=self.inspector.id)
        self.assertEqual(record.user_id, self.inspector)
        self.env.flush_all()
        created = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("field_name", "=", "user_id"),
            ]
        )
        self.assertEqual(created.operation, "create")
        self.assertEqual(created.reason, REASON)
        self.assertEqual(created.user_id, self.qa_manager)

    def test_qa_manager_corrects_the_finding_with_a_reason(self):
        record = self._record()
        found = (fields.Datetime.now() - timedelta(hours=5)).replace(microsecond=0)
        record.with_user(self.qa_manager).write(
            {
                "user_id": self.qa_manager_2.id,
                "date": found,
                "med_change_reason": REASON,
            }
        )
        self.assertEqual(_finding(record), (self.qa_manager_2, found))
        entries = self._write_entries(record)
        self.assertEqual(set(entries.mapped("field_name")), {"user_id", "date"})
        self.assertEqual(set(entries.mapped("reason")), {REASON})
        self.assertEqual(entries.user_id, self.qa_manager)

    def test_correction_refused(self):
        record = self._record()
        before = _finding(record)
        found = fields.Datetime.now() - timedelta(hours=5)
        for user in (self.inspector, self.auditor, self.warehouse):
            with (
                self.subTest(user=user.login),
                self.assertRaises(UserError),
            ):
                record.with_user(user).with_context(med_reason=REASON).write(
                    {"user_id": user.id, "date": found}
                )
        manager = record.with_user(self.qa_manager)
        with self.assertRaisesRegex(UserError, "give the reason"):
            manager.write({"user_id": self.qa_manager.id})
        with self.assertRaisesRegex(UserError, "detected in the future"):
            manager.with_context(med_reason=REASON).write(
                {"date": fields.Datetime.now() + timedelta(days=1)}
            )
        with self.assertRaisesRegex(UserError, "keeps its detection date"):
            manager.with_context(med_reason=REASON).write({"date": False})
        self.assertEqual(_finding(record), before)
        self.assertFalse(self._write_entries(record))
        # the same values saved again (a form) are no change
        record.with_user(self.inspector).write(
            {"user_id": self.inspector.id, "date": record.date, "quantity": 2}
        )
        self.assertEqual(record.quantity, 2)

    def test_finding_frozen_once_dispositioned(self):
        record = self._record(quantity=3)
        record.with_user(self.qa_manager).disposition = "use_as_is"
        self._sign(
            record.with_user(self.qa_manager).action_disposition(), self.qa_manager
        )
        before = _finding(record)
        with self.assertRaisesRegex(UserError, "dispositioned"):
            record.with_user(self.qa_manager).with_context(med_reason=REASON).write(
                {"user_id": self.qa_manager.id}
            )
        self.assertEqual(_finding(record), before)

    def test_copy_is_a_new_finding_of_whoever_copies_it(self):
        found = fields.Datetime.now() - timedelta(days=3)
        record = self._record(
            self.qa_manager, REASON, user_id=self.qa_manager_2.id, date=found
        )
        copy = record.with_user(self.inspector).copy()
        self.assertEqual(copy.user_id, self.inspector)
        self.assertGreater(copy.date, found)
        with self.assertRaisesRegex(UserError, "reported by whoever records it"):
            record.with_user(self.inspector).copy({"user_id": self.qa_manager.id})

    def test_rules_name_the_inspector_who_recorded_the_failure(self):
        lot = self._lot(self.barrel, "BRL-FINDING", 10)
        self._fail(self._inspect_lot(lot), approver=self.qa_manager)
        record = self._records("med.nonconformance", lot)
        self.assertEqual(record.user_id, self.inspector)


@tagged("post_install", "-at_install")
class TestNonconformanceFindingOverRpc(JsonRpcMixin, HttpCase):
    """Over JSON-RPC, no context key lets an inspector name another reporter or
    move the detection date; a QA manager with a reason corrects them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inspector = cls._rpc_user(
            "nc_rpc_inspector", "med_audit_export.group_med_qa_inspector"
        )
        cls.qa_manager = cls._rpc_user(
            "nc_rpc_qa", "med_audit_export.group_med_qa_manager"
        )
        cls.record = (
            cls.env["med.nonconformance"]
            .with_user(cls.inspector)
            .create({"description": "Cracked hub", "source": "audit"})
        )

    def test_inspector_refused_with_any_context(self):
        before = _finding(self.record)
        earlier = fields.Datetime.to_string(fields.Datetime.now() - timedelta(days=1))
        answer = self._call_as(
            self.inspector,
            "med.nonconformance",
            "write",
            [self.record.ids, {"user_id": self.qa_manager.id, "date": earlier}],
            {"context": HOSTILE_CONTEXT},
        )
        self.assertIn("only a QA manager", self._refusal(answer))
        self.assertEqual(_finding(self.record), before)
        count = self.env["med.nonconformance"].search_count([])
        answer = self._call_as(
            self.inspector,
            "med.nonconformance",
            "create",
            [{"description": "Cracked hub", "source": "audit"}],
            {"context": dict(HOSTILE_CONTEXT, default_user_id=self.qa_manager.id)},
        )
        self.assertIn("reported by whoever records it", self._refusal(answer))
        self.assertEqual(self.env["med.nonconformance"].search_count([]), count)

    def test_qa_manager_without_reason_refused_with_reason_allowed(self):
        earlier = fields.Datetime.now().replace(microsecond=0) - timedelta(days=1)
        vals = {"date": fields.Datetime.to_string(earlier)}
        answer = self._call_as(
            self.qa_manager,
            "med.nonconformance",
            "write",
            [self.record.ids, vals],
            {"context": {"med_protected_write": True}},
        )
        self.assertIn("give the reason", self._refusal(answer))
        self.assertNotEqual(_finding(self.record)[1], earlier)
        answer = self._call_as(
            self.qa_manager,
            "med.nonconformance",
            "write",
            [self.record.ids, dict(vals, med_change_reason=REASON)],
        )
        self.assertIs(answer.get("result"), True, answer)
        self.assertEqual(_finding(self.record), (self.inspector, earlier))
