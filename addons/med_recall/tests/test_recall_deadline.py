from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedRecallCommon

# The launch is signed at 20:00 UTC on 20 November 2026 (04:00 on the 21st in
# Shanghai, the test users' time zone).
LAUNCH = "2026-11-20 20:00:00"


@tagged("post_install", "-at_install")
class TestRecallDeadline(MedRecallCommon):
    """NMPA 医疗器械召回管理办法 art. 16: consignees notified within 1 / 3 / 7 days of
    the decision for a level I / II / III recall."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activity_type = cls.env.ref("med_recall.mail_activity_type_recall_notify")
        cls.recall = cls._open_recall(user_id=cls.inspector.id)

    def _launch_at(self, moment=LAUNCH):
        with freeze_time(moment):
            self._launch(self.recall)

    def _overdue_at(self, moment):
        with freeze_time(moment):
            self.recall.invalidate_recordset(["notification_overdue"])
            overdue = self.recall.notification_overdue
            found = self.Recall.search(
                [("notification_overdue", "=", True), ("id", "=", self.recall.id)]
            )
            not_found = self.Recall.search(
                [("notification_overdue", "=", False), ("id", "=", self.recall.id)]
            )
        # the search filter agrees with the field, both ways
        self.assertEqual(bool(found), overdue)
        self.assertEqual(bool(not_found), not overdue)
        return overdue

    def _notification(self, partner):
        return self.recall.notification_ids.filtered(lambda n: n.partner_id == partner)

    def _send(self, notifications, moment):
        with freeze_time(moment):
            notifications.with_user(self.qa_manager).action_send()

    def test_deadline_per_level(self):
        for level, deadline in (
            ("1", datetime(2026, 11, 21, 20, 0)),
            ("2", datetime(2026, 11, 23, 20, 0)),
            ("3", datetime(2026, 11, 27, 20, 0)),
        ):
            with self.subTest(level=level):
                recall = self.Recall.new({"nmpa_level": level, "date_launched": LAUNCH})
                self.assertEqual(recall.notification_deadline, deadline)
        self.assertFalse(self.recall.notification_deadline)  # a draft has none

    def test_deadline_set_at_launch_and_follows_a_reclassification(self):
        self._launch_at()
        self.assertEqual(self.recall.date_launched, datetime(2026, 11, 20, 20, 0))
        self.assertEqual(
            self.recall.notification_deadline, datetime(2026, 11, 23, 20, 0)
        )
        self.recall.with_user(self.qa_manager).with_context(
            med_reason="Reassessed: serious injury possible"
        ).write({"nmpa_level": "1"})
        self.assertEqual(
            self.recall.notification_deadline, datetime(2026, 11, 21, 20, 0)
        )

    def test_overdue_when_a_letter_is_missing_after_the_deadline(self):
        self._launch_at()
        self._send(self._notification(self.hospital), "2026-11-21 09:00:00")
        self.assertTrue(self._overdue_at("2026-11-23 20:01:00"))
        # the form warns (the alert shows on notification_overdue)
        self.assertIn(
            "notification_overdue",
            self.recall.get_views([(False, "form")])["views"]["form"]["arch"],
        )

    def test_not_overdue_before_the_deadline(self):
        self._launch_at()
        self.assertFalse(self._overdue_at("2026-11-23 19:59:00"))

    def test_not_overdue_when_every_letter_was_sent_in_time(self):
        self._launch_at()
        self._send(self.recall.notification_ids, "2026-11-22 10:00:00")
        self.assertEqual(
            set(self.recall.notification_ids.mapped("date_sent")),
            {datetime(2026, 11, 22, 10, 0)},
        )
        self.assertFalse(self._overdue_at("2026-11-30 10:00:00"))

    def test_reminder_scheduled_at_launch_and_done_with_the_last_letter(self):
        self._launch_at()
        activity = self.recall._med_notification_activities()
        self.assertEqual(len(activity), 1)
        # for the responsible person, not the launcher
        self.assertEqual(activity.user_id, self.inspector)
        # 2026-11-23 20:00 UTC is 2026-11-24 04:00 in Shanghai
        self.assertEqual(activity.date_deadline, date(2026, 11, 24))
        self.assertIn("2026-11-24 04:00", activity.summary)
        self.assertIn("Notify every consignee by", activity.summary)
        # a recompute of the scope does not schedule a second reminder
        self.recall._med_schedule_notification_activity()
        self.assertEqual(len(self.recall._med_notification_activities()), 1)
        self._send(self._notification(self.hospital), "2026-11-21 09:00:00")
        self.assertTrue(activity.exists())  # one letter still to send
        self._send(self._notification(self.distributor), "2026-11-21 10:00:00")
        self.assertFalse(self.recall._med_notification_activities())
        self.assertTrue(
            self.recall.message_ids.filtered(
                lambda m: "Every consignee notified" in (m.body or "")
            )
        )

    def test_customer_found_after_every_letter_was_sent_is_reminded(self):
        """A new reminder, to the launcher when nobody is responsible any more."""
        pharmacy = self.env["res.partner"].create(
            {"name": "Huashan Pharmacy", "email": "p@example.com"}
        )
        self._deliver(pharmacy, [(self.syringe_lot, 2)])  # missed by the frozen scope
        self._launch_at()
        self._send(self.recall.notification_ids, "2026-11-21 09:00:00")
        self.assertFalse(self.recall._med_notification_activities())
        # the responsible person left (a change of the launch's decision, with a
        # reason): the launcher is reminded
        self.recall.with_user(self.qa_manager).with_context(
            med_reason="The responsible person left the company"
        ).user_id = False
        with freeze_time("2026-11-25 09:00:00"):
            action = self.recall.with_user(self.qa_manager).action_recompute_scope()
            self.env["med.recall.recompute"].browse(action["res_id"]).with_user(
                self.qa_manager
            ).action_accept()
        activity = self.recall._med_notification_activities()
        self.assertEqual(activity.user_id, self.qa_manager)
        # the deadline stays the launch's: the new customer is overdue at once
        self.assertEqual(activity.date_deadline, date(2026, 11, 24))
        self.assertTrue(self._overdue_at("2026-11-25 09:01:00"))

    def test_launch_refused_without_a_responsible(self):
        self.recall.user_id = False
        with self.assertRaisesRegex(UserError, "Responsible"):
            self.recall.with_user(self.qa_manager).action_launch()
        self.assertEqual(self.recall.state, "draft")
        self.assertFalse(self.recall.activity_ids)

    def test_no_reminder_without_consignees(self):
        lot = self.env["stock.lot"].create(
            {"name": "NDL-X", "product_id": self.needle.id}
        )
        recall = self._open_recall(lots=lot)
        self.assertFalse(recall.line_ids)
        with freeze_time(LAUNCH):
            self._launch(recall)
        self.assertTrue(recall.notification_deadline)
        self.assertFalse(recall._med_notification_activities())
        recall.invalidate_recordset(["notification_overdue"])
        with freeze_time("2026-12-31 00:00:00"):
            self.assertFalse(recall.notification_overdue)
