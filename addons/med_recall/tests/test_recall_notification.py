from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedRecallCommon


@tagged("post_install", "-at_install")
class TestRecallNotification(MedRecallCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.distributor.lang = False
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.distributor.lang = "zh_CN"
        cls.recall = cls._open_recall()

    def _notification(self, partner):
        return self.recall.notification_ids.filtered(lambda n: n.partner_id == partner)

    def test_letters_refused_before_launch(self):
        with self.assertRaisesRegex(UserError, "Every letter"):
            self.recall.with_user(self.qa_manager).action_send_notifications()

    def test_one_letter_per_customer_sent_from_the_chatter(self):
        self._launch(self.recall)
        hospital = self._notification(self.hospital)
        self.assertEqual(hospital.lang, "en_US")
        self.assertEqual(self._notification(self.distributor).lang, "zh_CN")
        self.recall.with_user(self.qa_manager).action_send_notifications()
        self.assertEqual(set(self.recall.notification_ids.mapped("state")), {"sent"})
        self.assertEqual(hospital.sent_by_id, self.qa_manager)
        messages = self.recall.message_ids.filtered(
            lambda m: m.message_type == "comment" and m.attachment_ids
        )
        self.assertEqual(len(messages), 2)
        to_hospital = messages.filtered(lambda m: self.hospital in m.partner_ids)
        self.assertEqual(len(to_hospital.attachment_ids), 1)
        self.assertTrue(to_hospital.attachment_ids.name.endswith(".pdf"))
        # sent twice: refused
        with self.assertRaisesRegex(UserError, "already sent"):
            hospital.with_user(self.qa_manager).action_send()

    def test_customer_without_email_refused(self):
        self.hospital.email = False
        self._launch(self.recall)
        with self.assertRaisesRegex(UserError, "no email address"):
            self._notification(self.hospital).with_user(self.qa_manager).action_send()
        self.assertEqual(self._notification(self.hospital).state, "to_send")

    def test_acknowledgement_tracking(self):
        self._launch(self.recall)
        notification = self._notification(self.hospital)
        with self.assertRaisesRegex(UserError, "Only a sent letter"):
            notification.with_user(self.qa_manager).action_acknowledge()
        notification.with_user(self.qa_manager).action_send()
        with self.assertRaisesRegex(UserError, "who at"):
            notification.with_user(self.qa_manager).action_acknowledge()
        notification.with_user(self.qa_manager).acknowledged_by = "Dr. Wang, pharmacy"
        notification.with_user(self.qa_manager).action_acknowledge()
        self.assertEqual(notification.state, "acknowledged")
        self.assertTrue(notification.date_acknowledged)
        self.assertEqual(notification.ack_recorded_by_id, self.qa_manager)
        self.assertEqual(self.recall.acknowledged_count, 1)
        self.assertEqual(self.recall.reached_percent, 50.0)
        # the acknowledgement is changed only by the action
        with self.assertRaisesRegex(UserError, "can only be changed"):
            notification.with_user(self.qa_manager).write({"state": "to_send"})

    def test_letter_in_the_customers_language_lists_their_lots(self):
        self._launch(self.recall)
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        for partner, lang, expected in (
            (self.hospital, "en_US", "Urgent: Medical Device Recall Notice"),
            (self.distributor, "zh_CN", "紧急：医疗器械召回通知"),
        ):
            notification = self._notification(partner)
            content, _kind = report.with_context(lang=lang)._render_qweb_pdf(
                "med_recall.action_report_recall_letter", notification.ids
            )
            text = self._pdf_text(content)
            self.assertIn(expected, text)
            self.assertIn("SYR-R1", text)
            self.assertIn(self.recall.name, text)
        hospital_text = self._pdf_text(
            report._render_qweb_pdf(
                "med_recall.action_report_recall_letter",
                self._notification(self.hospital).ids,
            )[0]
        )
        self.assertIn("20.00", hospital_text)
        self.assertNotIn("15.00", hospital_text)

    def test_letter_created_sent_and_acknowledged_refused(self):
        Notification = self.env["med.recall.notification"].with_user(self.qa_manager)
        count = Notification.search_count([])
        with self.assertRaisesRegex(UserError, "not when the record is created"):
            Notification.create(
                {
                    "recall_id": self.recall.id,
                    "partner_id": self.hospital.id,
                    "state": "acknowledged",
                    "date_sent": "2026-01-01 08:00:00",
                    "sent_by_id": self.qa_manager.id,
                    "acknowledged_by": "Dr. Wang",
                    "date_acknowledged": "2026-01-02 08:00:00",
                    "ack_recorded_by_id": self.qa_manager.id,
                }
            )
        self.assertEqual(Notification.search_count([]), count)
