from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin

from .common import MedRecallCommon

# Launched on Friday 20 November 2026 at 02:00 UTC (10:00 in Shanghai): a level II
# recall reports its progress every 3 days, first on Monday 23 November.
LAUNCH = "2026-11-20 02:00:00"
REASON = "NMPA asked for daily progress reports (letter 2026-118)"


class ProgressPeriodCommon(MedRecallCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.recall = cls._open_recall(user_id=cls.inspector.id)

    def _progress(self, state="to_submit"):
        return self.recall.report_ids.filtered(
            lambda r: r.kind == "nmpa_progress" and r.state == state
        )

    def _period_entries(self):
        self.env.flush_all()
        return self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "med.recall"),
                ("res_id", "=", self.recall.id),
                ("field_name", "=", "progress_report_days"),
                ("operation", "=", "write"),
            ],
            order="id",
        )


@tagged("post_install", "-at_install")
class TestRecallProgressPeriod(ProgressPeriodCommon):
    """The NMPA progress report period dates obligations to the authority: while
    the recall is a draft it follows the level; once launched, only a QA manager
    changes it, with a reason kept in the audit trail, and the progress report still
    to submit is re-dated to the new period."""

    def _launch_at(self, moment=LAUNCH):
        with freeze_time(moment):
            self._launch(self.recall)

    def _assert_unchanged(self, first):
        self.recall.invalidate_recordset()
        self.assertEqual(self.recall.progress_report_days, 3)
        self.assertEqual(self._progress(), first)
        self.assertEqual(first.date_deadline, date(2026, 11, 23))
        self.assertFalse(self._progress("cancelled"))
        self.assertFalse(self._period_entries())

    def test_changed_with_reason_redates_the_next_report(self):
        self._launch_at()
        first = self._progress()
        with freeze_time("2026-11-21 03:00:00"):
            self.recall.with_user(self.qa_manager).write(
                {"progress_report_days": 1, "med_change_reason": REASON}
            )
        self.assertEqual(self.recall.progress_report_days, 1)
        # the old obligation stays, no longer due; the new one counts from the launch
        self.assertEqual(first.state, "cancelled")
        following = self._progress()
        self.assertEqual(following.date_deadline, date(2026, 11, 21))
        self.assertEqual(following.activity_ids.date_deadline, date(2026, 11, 21))
        self.assertEqual(following.activity_ids.user_id, self.inspector)
        entry = self._period_entries()
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.reason, REASON)
        self.assertEqual((entry.old_value, entry.new_value), ("3", "1"))
        self.assertEqual(entry.user_id, self.qa_manager)

    def test_changed_after_a_submission_counts_from_it(self):
        self._launch_at()
        submitted = self._progress()
        submitted.with_user(self.qa_manager).write(
            {"reference": "NMPA-P-1", "date_submitted": "2026-11-23"}
        )
        with freeze_time("2026-11-23 04:00:00"):
            submitted.with_user(self.qa_manager).action_submit()
        pending = self._progress()
        self.assertEqual(pending.date_deadline, date(2026, 11, 26))
        with freeze_time("2026-11-24 04:00:00"):
            self.recall.with_user(self.qa_manager).with_context(
                med_reason="Stock recovered: weekly reports agreed with NMPA"
            ).write({"progress_report_days": 7})
        self.assertEqual(pending.state, "cancelled")
        self.assertEqual(submitted.state, "submitted")
        self.assertEqual(self._progress().date_deadline, date(2026, 11, 30))

    def test_refused_without_a_reason(self):
        self._launch_at()
        first = self._progress()
        recall = self.recall.with_user(self.qa_manager)
        with self.assertRaisesRegex(UserError, "give the reason"):
            recall.write({"progress_report_days": 1})
        with self.assertRaisesRegex(UserError, "give the reason"):
            recall.write({"progress_report_days": 1, "med_change_reason": "  "})
        with self.assertRaises(UserError):
            recall.with_context(med_reason="").write({"progress_report_days": 1})
        self._assert_unchanged(first)

    def test_refused_to_the_roles_that_do_not_decide_recalls(self):
        self._launch_at()
        first = self._progress()
        for user in (self.auditor, self.warehouse, self.inspector):
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(UserError, "Only a QA manager"),
            ):
                self.recall.with_user(user).write(
                    {"progress_report_days": 1, "med_change_reason": REASON}
                )
        self._assert_unchanged(first)

    def test_new_level_after_launch_keeps_the_period(self):
        """A reassessed level does not move the obligations by itself: the QA
        manager changes the period explicitly, with its own reason."""
        self._launch_at()
        first = self._progress()
        self.recall.with_user(self.qa_manager).with_context(
            med_reason="Reassessed: serious injury possible"
        ).write({"nmpa_level": "1"})
        self.env.flush_all()
        self._assert_unchanged(first)

    def test_draft_period_follows_the_level_without_a_reason(self):
        recall = self.recall.with_user(self.qa_manager)
        recall.write({"nmpa_level": "1"})
        self.assertEqual(recall.progress_report_days, 1)
        recall.write({"progress_report_days": 2})
        self.assertEqual(recall.progress_report_days, 2)
        self.assertFalse(recall.report_ids)

    def test_closed_recall_period_refused(self):
        self._launch_at()
        self.recall.with_user(self.qa_manager).action_send_notifications()
        self.recall.with_user(self.qa_manager).closure_justification = "All used."
        with freeze_time("2026-12-10 03:00:00"):
            self._sign(
                self.recall.with_user(self.qa_manager).action_close(), self.qa_manager
            )
        with self.assertRaisesRegex(UserError, "closed or cancelled"):
            self.recall.with_user(self.qa_manager).write(
                {"progress_report_days": 1, "med_change_reason": REASON}
            )
        self.assertEqual(self.recall.progress_report_days, 3)


@tagged("post_install", "-at_install")
class TestRecallProgressPeriodJsonRpc(JsonRpcMixin, HttpCase, ProgressPeriodCommon):
    """Over JSON-RPC, as integrations and the web client call it: no context key
    lets the period of a launched recall move without a reason or by another role."""

    # MedCapaCommon already puts the registry in test mode (the signature wizard's
    # own cursor); entering it twice fails.
    registry_test_mode = False

    def _write(self, login, vals, context=None):
        self.authenticate(login, login)
        answer = self._call(
            "med.recall",
            "write",
            [self.recall.ids, vals],
            {"context": context or {}},
        )
        self.env.invalidate_all()
        return answer

    def test_refused_without_reason_or_to_the_auditor(self):
        self._launch(self.recall)
        first = self._progress()
        deadline = first.date_deadline
        answer = self._write(
            self.qa_manager.login,
            {"progress_report_days": 1},
            {"med_protected_write": True, "med_skip_audit": True},
        )
        self.assertIn("give the reason", answer["error"]["data"]["message"])
        answer = self._write(
            self.auditor.login,
            {"progress_report_days": 1},
            {"med_reason": REASON, "med_protected_write": True},
        )
        self.assertIn("Only a QA manager", answer["error"]["data"]["message"])
        self.assertEqual(self.recall.progress_report_days, 3)
        self.assertEqual(self._progress(), first)
        self.assertEqual(first.date_deadline, deadline)

    def test_changed_by_the_qa_manager_with_a_reason(self):
        self._launch(self.recall)
        first = self._progress()
        answer = self._write(
            self.qa_manager.login, {"progress_report_days": 1}, {"med_reason": REASON}
        )
        self.assertTrue(answer.get("result"), answer)
        self.assertEqual(self.recall.progress_report_days, 1)
        self.assertEqual(first.state, "cancelled")
        launched = fields.Date.context_today(
            self.recall.with_user(self.qa_manager), self.recall.date_launched
        )
        self.assertEqual(self._progress().date_deadline, launched + timedelta(days=1))
        self.assertEqual(self._period_entries().reason, REASON)
