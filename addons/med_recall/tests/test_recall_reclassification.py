from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin

from ..models.med_recall_launch import LAUNCH_FIELDS
from .common import MedRecallCommon

# Launched at 20:00 UTC on 20 November 2026 (04:00 on the 21st in Shanghai, the
# test users' time zone): a level II recall notifies its consignees within 3 days.
LAUNCH = "2026-11-20 20:00:00"
LEVEL_II_DEADLINE = datetime(2026, 11, 23, 20, 0)
LEVEL_I_DEADLINE = datetime(2026, 11, 21, 20, 0)
REASON = "Reassessed: serious injury possible (HHE 2026-31)"
# A new value for each field the launch required.
NEW_VALUES = {
    "date_discovered": "2026-11-17",
    "nmpa_level": "1",
    "fda_class": "I",
    "reason": "Barrels crack at the luer tip and at the flange.",
    "health_hazard": "Air embolism possible.",
    "depth": "user",
    "date_decision": "2026-11-19",
    "date_target": "2027-01-31",
}


class ReclassificationCommon(MedRecallCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.recall = cls._open_recall(user_id=cls.inspector.id)

    def _launch_at(self, moment=LAUNCH):
        with freeze_time(moment):
            self._launch(self.recall)

    def _decision(self):
        self.recall.invalidate_recordset()
        return {name: self.recall[name] for name in (*LAUNCH_FIELDS, "state")}

    def _decision_entries(self, names=LAUNCH_FIELDS):
        self.env.flush_all()
        return self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "med.recall"),
                ("res_id", "=", self.recall.id),
                ("field_name", "in", list(names)),
                ("operation", "=", "write"),
            ],
            order="id",
        )

    def _assert_unchanged(self, before):
        self.assertEqual(self._decision(), before)
        self.assertEqual(self.recall.notification_deadline, LEVEL_II_DEADLINE)
        self.assertFalse(self._decision_entries())


@tagged("post_install", "-at_install")
class TestRecallReclassification(ReclassificationCommon):
    """After the signed launch, what it decided (the fields the launch required)
    changes only by a QA manager, with a reason kept in the audit trail; a new NMPA
    level re-dates the consignees' notification while it is owed."""

    def test_new_level_with_reason_redates_the_owed_notification(self):
        self._launch_at()
        self.assertEqual(self.recall.notification_deadline, LEVEL_II_DEADLINE)
        with freeze_time("2026-11-21 02:00:00"):
            self.recall.with_user(self.qa_manager).write(
                {"nmpa_level": "1", "med_change_reason": REASON}
            )
        # from the launch, not from the reclassification
        self.assertEqual(self.recall.notification_deadline, LEVEL_I_DEADLINE)
        entry = self._decision_entries()
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.field_name, "nmpa_level")
        self.assertEqual(entry.reason, REASON)
        self.assertEqual(entry.user_id, self.qa_manager)
        self.assertEqual(entry.new_value, "Level I")
        # one reminder, re-dated: 2026-11-21 20:00 UTC is the 22nd in Shanghai
        reminder = self.recall._med_notification_activities()
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.date_deadline, date(2026, 11, 22))
        self.assertIn("2026-11-22 04:00", reminder.summary)
        self.assertEqual(reminder.user_id, self.inspector)
        said = self.recall.message_ids.filtered(
            lambda m: "must now be notified by" in (m.body or "")
        )
        self.assertEqual(len(said), 1)
        self.assertIn(REASON, said.body)
        self.assertIn("2026-11-22 04:00", said.body)

    def test_new_level_leaves_a_completed_notification_alone(self):
        self._launch_at()
        with freeze_time("2026-11-21 09:00:00"):
            self.recall.with_user(self.qa_manager).action_send_notifications()
        self.recall.with_user(self.qa_manager).with_context(med_reason=REASON).write(
            {"nmpa_level": "1"}
        )
        self.assertEqual(self.recall.nmpa_level, "1")
        self.assertEqual(self.recall.notification_deadline, LEVEL_II_DEADLINE)
        self.assertFalse(self.recall._med_notification_activities())
        self.assertTrue(
            self.recall.message_ids.filtered(
                lambda m: "already notified" in (m.body or "")
            )
        )
        self.assertEqual(self._decision_entries().reason, REASON)

    def test_every_decision_field_with_reason_by_the_qa_manager(self):
        self._launch_at()
        self.recall.with_user(self.qa_manager).write(
            dict(NEW_VALUES, user_id=self.qa_manager.id, med_change_reason=REASON)
        )
        entries = self._decision_entries()
        self.assertEqual(set(entries.mapped("field_name")), set(LAUNCH_FIELDS))
        self.assertEqual(set(entries.mapped("reason")), {REASON})
        self.assertEqual(self.recall.depth, "user")
        self.assertEqual(self.recall.user_id, self.qa_manager)

    def test_refused_without_a_reason(self):
        self._launch_at()
        before = self._decision()
        recall = self.recall.with_user(self.qa_manager)
        for name, value in dict(NEW_VALUES, user_id=self.qa_manager.id).items():
            with (
                self.subTest(field=name),
                self.assertRaisesRegex(UserError, "give the reason"),
            ):
                recall.write({name: value})
        with self.assertRaisesRegex(UserError, "give the reason"):
            recall.write({"nmpa_level": "1", "med_change_reason": "  "})
        with self.assertRaises(UserError):
            recall.with_context(med_reason="").write({"nmpa_level": "1"})
        self._assert_unchanged(before)

    def test_refused_to_recall_users_who_are_not_qa_managers(self):
        self._launch_at()
        before = self._decision()
        for user in (self.inspector, self.auditor, self.warehouse):
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(UserError, "Only a QA manager"),
            ):
                self.recall.with_user(user).write(
                    {"nmpa_level": "1", "med_change_reason": REASON}
                )
        self._assert_unchanged(before)

    def test_what_the_launch_required_is_not_emptied(self):
        self._launch_at()
        before = self._decision()
        recall = self.recall.with_user(self.qa_manager).with_context(med_reason=REASON)
        for name in ("nmpa_level", "reason", "date_decision"):
            with (
                self.subTest(field=name),
                self.assertRaisesRegex(UserError, "a launched recall keeps"),
            ):
                recall.write({name: False})
        with self.assertRaisesRegex(UserError, "a launched recall keeps"):
            recall.write({"health_hazard": "   "})
        self._assert_unchanged(before)

    def test_deadline_not_written_directly(self):
        self._launch_at()
        with self.assertRaisesRegex(UserError, "can only be changed"):
            self.recall.with_user(self.qa_manager).with_context(
                med_reason=REASON
            ).write({"notification_deadline": "2026-12-31 00:00:00"})
        self.assertEqual(self.recall.notification_deadline, LEVEL_II_DEADLINE)

    def test_same_values_need_no_reason(self):
        """A form saved with the launch's values unchanged is no reclassification."""
        self._launch_at()
        recall = self.recall.with_user(self.qa_manager)
        recall.write(
            {
                "nmpa_level": "2",
                "date_target": "2026-12-31",
                "user_id": self.inspector.id,
                "title": "Barrel cracks at the tip and flange",
            }
        )
        self.assertEqual(recall.title, "Barrel cracks at the tip and flange")
        self.assertFalse(self._decision_entries())

    def test_draft_changes_freely(self):
        recall = self.recall.with_user(self.qa_manager)
        recall.write(dict(NEW_VALUES))
        self.assertEqual(recall.nmpa_level, "1")
        self.assertFalse(recall.notification_deadline)

    def test_copy_of_a_launched_recall_is_a_draft(self):
        self._launch_at()
        copy = self.recall.with_user(self.qa_manager).copy(
            {"nmpa_level": "3", "reason": "Same defect, lot BRL-R2."}
        )
        self.assertEqual(copy.state, "draft")
        self.assertEqual(copy.nmpa_level, "3")
        self.assertFalse(copy.notification_deadline)
        self.assertEqual(self.recall.nmpa_level, "2")
        self.assertEqual(self.recall.notification_deadline, LEVEL_II_DEADLINE)


@tagged("post_install", "-at_install")
class TestRecallReclassificationJsonRpc(JsonRpcMixin, HttpCase, ReclassificationCommon):
    """Over JSON-RPC, as the web client and integrations call it: no context key
    lets another role, or a QA manager without a reason, reclassify a launched
    recall or move its notification deadline."""

    # MedCapaCommon already puts the registry in test mode.
    registry_test_mode = False

    def _write(self, login, vals, context):
        self.authenticate(login, login)
        answer = self._call(
            "med.recall", "write", [self.recall.ids, vals], {"context": context}
        )
        self.env.invalidate_all()
        return answer["error"]["data"]["message"] if "error" in answer else None

    def test_refused_to_the_inspector_and_without_reason(self):
        self._launch(self.recall)
        self.recall.invalidate_recordset()
        deadline = self.recall.notification_deadline
        before = self._decision()
        hostile = {"med_protected_write": True, "med_skip_audit": True}
        message = self._write(
            self.inspector.login,
            {"nmpa_level": "1", "fda_class": "I"},
            dict(hostile, med_reason=REASON),
        )
        self.assertIn("Only a QA manager", message)
        message = self._write(self.qa_manager.login, {"nmpa_level": "1"}, hostile)
        self.assertIn("give the reason", message)
        message = self._write(
            self.qa_manager.login,
            {"notification_deadline": "2027-01-01 00:00:00"},
            dict(hostile, med_reason=REASON),
        )
        self.assertIn("can only be changed", message)
        self.assertEqual(self._decision(), before)
        self.assertEqual(self.recall.notification_deadline, deadline)
        self.assertFalse(self._decision_entries())

    def test_reclassified_by_the_qa_manager_with_a_reason(self):
        self._launch(self.recall)
        self.assertIsNone(
            self._write(
                self.qa_manager.login, {"nmpa_level": "1"}, {"med_reason": REASON}
            )
        )
        self.assertEqual(self.recall.nmpa_level, "1")
        self.assertEqual(
            self.recall.notification_deadline - self.recall.date_launched,
            LEVEL_I_DEADLINE - datetime.fromisoformat(LAUNCH),
        )
        self.assertEqual(self._decision_entries().reason, REASON)
