from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.med_lot_trace.tests.test_working_days import add_public_holiday

from .common import MedRecallCommon

# Launched on Friday 20 November 2026 at 02:00 UTC (10:00 in Shanghai).
LAUNCH = "2026-11-20 02:00:00"


@tagged("post_install", "-at_install")
class TestRecallAuthorityReports(MedRecallCommon):
    """The reports a recall owes the authorities, each a dated obligation with its
    reminder and overdue flag: FDA 21 CFR 806.10 within 10 working days of the
    launch, NMPA progress reports at the level's period while the recall runs, the
    NMPA summary assessment within 10 working days of the closure."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["med.recall.report"]
        cls.recall = cls._open_recall(user_id=cls.inspector.id)

    def _launch_at(self, moment=LAUNCH):
        with freeze_time(moment):
            self._launch(self.recall)

    def _report(self, kind, state="to_submit"):
        return self.recall.report_ids.filtered(
            lambda r: r.kind == kind and r.state == state
        )

    def _submit(self, report, day, user=None, reference="REF-1"):
        report = report.with_user(user or self.qa_manager)
        report.write({"reference": reference, "date_submitted": day})
        with freeze_time(f"{day} 04:00:00"):
            report.action_submit()

    def test_launch_plans_the_fda_and_nmpa_reports_with_reminders(self):
        self._launch_at()
        fda, progress = self._report("fda_806"), self._report("nmpa_progress")
        # 10 working days from Friday 20 November: Friday 4 December
        self.assertEqual(fda.date_deadline, date(2026, 12, 4))
        # a level II recall reports its progress every 3 days
        self.assertEqual(self.recall.progress_report_days, 3)
        self.assertEqual(progress.date_deadline, date(2026, 11, 23))
        for report in fda | progress:
            activity = report.activity_ids
            self.assertEqual(activity.date_deadline, report.date_deadline)
            # the recall's responsible person is reminded
            self.assertEqual(activity.user_id, self.inspector)
        self.assertFalse(self._report("nmpa_summary"))

    def test_fda_report_deadline_skips_a_public_holiday(self):
        add_public_holiday(self.recall.company_id, date(2026, 11, 26), "Thanksgiving")
        self._launch_at()
        # 10 working days from Friday 20 November without Thursday 26: Monday 7
        self.assertEqual(self._report("fda_806").date_deadline, date(2026, 12, 7))

    def test_overdue_flag_and_search_agree(self):
        self._launch_at()
        progress = self._report("nmpa_progress")
        for moment, overdue in (
            ("2026-11-23 10:00:00", False),
            ("2026-11-24 10:00:00", True),
        ):
            with self.subTest(moment=moment), freeze_time(moment):
                progress.invalidate_recordset()
                self.recall.invalidate_recordset()
                self.assertEqual(progress.is_overdue, overdue)
                self.assertEqual(self.recall.report_overdue, overdue)
                found = self.Report.search(
                    [("is_overdue", "=", True), ("id", "=", progress.id)]
                )
                self.assertEqual(bool(found), overdue)
                recalls = self.Recall.search(
                    [("report_overdue", "=", True), ("id", "=", self.recall.id)]
                )
                self.assertEqual(bool(recalls), overdue)

    def test_submitted_progress_report_brings_the_next_one(self):
        self._launch_at()
        progress = self._report("nmpa_progress")
        self._submit(progress, "2026-11-23")
        self.assertEqual(progress.state, "submitted")
        self.assertEqual(progress.submitted_by_id, self.qa_manager)
        self.assertFalse(progress.activity_ids)  # the reminder is done
        following = self._report("nmpa_progress")
        self.assertEqual(following.date_deadline, date(2026, 11, 26))
        # a submitted report no longer changes
        with self.assertRaisesRegex(UserError, "no longer changes"):
            progress.with_user(self.qa_manager).reference = "OTHER"

    def test_submission_refused_to_others_and_without_reference(self):
        self._launch_at()
        fda = self._report("fda_806")
        with self.assertRaisesRegex(UserError, "Only a QA manager records"):
            fda.with_user(self.inspector).write(
                {"reference": "Z-1", "date_submitted": "2026-11-25"}
            )
        with self.assertRaisesRegex(UserError, "Only a QA manager records"):
            fda.with_user(self.inspector).action_submit()
        with self.assertRaisesRegex(UserError, "give the authority's reference"):
            fda.with_user(self.qa_manager).action_submit()
        self.assertEqual(fda.state, "to_submit")
        # the deadline, the state and the recall are the application's
        with self.assertRaises(UserError):
            fda.with_user(self.qa_manager).date_deadline = "2027-01-31"
        with self.assertRaises(UserError):
            fda.with_user(self.qa_manager).state = "submitted"
        with self.assertRaises(UserError):
            self.Report.with_user(self.qa_manager).create(
                {
                    "recall_id": self.recall.id,
                    "kind": "fda_806",
                    "date_deadline": "2027-01-31",
                }
            )
        self.assertEqual(fda.date_deadline, date(2026, 12, 4))
        self.assertEqual(fda.state, "to_submit")

    def test_closure_ends_progress_reports_and_plans_the_summary(self):
        self._launch_at()
        self.recall.with_user(self.qa_manager).action_send_notifications()
        self.recall.with_user(self.qa_manager).closure_justification = "All used."
        with freeze_time("2026-12-10 03:00:00"):  # Thursday
            self._sign(
                self.recall.with_user(self.qa_manager).action_close(), self.qa_manager
            )
        self.assertEqual(self._report("nmpa_progress", "cancelled").state, "cancelled")
        self.assertFalse(self._report("nmpa_progress"))
        summary = self._report("nmpa_summary")
        # 10 working days from Thursday 10 December: Thursday 24 December
        self.assertEqual(summary.date_deadline, date(2026, 12, 24))
        self.assertTrue(summary.activity_ids)
        # the FDA report is still owed
        self.assertTrue(self._report("fda_806"))
