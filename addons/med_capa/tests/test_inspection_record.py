from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin

from .common import MedCapaCommon


class InspectionRecordCommon(MedCapaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._lot(cls.barrel, "BRL-REC-001", 200)

    def _entries(self, records, **filters):
        self.env.flush_all()
        domain = [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        domain += [(key, "=", value) for key, value in filters.items()]
        return self.env["med.audit.entry"].search(domain, order="id")


@tagged("post_install", "-at_install")
class TestInspectionRecord(InspectionRecordCommon):
    """A result that passed or failed is a GxP record: audited, final, kept."""

    def test_result_and_its_lines_are_audited(self):
        inspection = self._fail(self._inspect_lot(self.lot))
        states = self._entries(inspection, field_name="state")
        self.assertIn("Quality failed", states.mapped("new_value"))
        self.assertIn(self.qa_manager, states.user_id)  # who approved the failure
        answers = self._entries(
            inspection.inspection_lines, field_name="qualitative_value"
        )
        self.assertIn(self.inspector, answers.user_id)
        self.assertTrue(any("Found" in value for value in answers.mapped("new_value")))

    def test_failed_result_cannot_be_rewritten_reset_or_deleted(self):
        inspection = self._fail(self._inspect_lot(self.lot))
        as_inspector = inspection.with_user(self.inspector)
        line = as_inspector.inspection_lines
        for change in (
            lambda: as_inspector.write({"state": "success"}),
            as_inspector.action_draft,
            as_inspector.action_cancel,
            lambda: line.write({"qualitative_value": self.answer_ok.id}),
            line.unlink,
        ):
            with self.assertRaisesRegex(UserError, "final result"):
                change()
        with self.assertRaises(UserError):
            inspection.with_user(self.qa_manager).unlink()
        # QA cannot rewrite it either
        with self.assertRaisesRegex(UserError, "final result"):
            inspection.with_user(self.qa_manager).write({"state": "draft"})
        inspection.invalidate_recordset()
        self.assertEqual(inspection.state, "failed")
        self.assertEqual(inspection.inspection_lines.qualitative_value, self.answer_ko)
        self.assertTrue(
            self.env["med.retention.rule"]._med_protected(inspection),
            "an inspection with a result is under retention",
        )

    def test_passed_result_is_final_too_notes_stay_open(self):
        inspection = self._pass(self._inspect_lot(self.lot))
        with self.assertRaisesRegex(UserError, "final result"):
            inspection.with_user(self.inspector).write({"qty": 1})
        inspection.with_user(self.inspector).write({"internal_notes": "Reviewed"})
        self.assertEqual(inspection.internal_notes, "Reviewed")

    def test_open_inspection_can_be_corrected_and_deleted(self):
        inspection = self._inspect_lot(self.lot).with_user(self.inspector)
        inspection.inspection_lines.qualitative_value = self.answer_ko
        inspection.inspection_lines.qualitative_value = self.answer_ok
        inspection.write({"qty": 5})
        inspection.action_draft()
        inspection.unlink()
        self.assertFalse(inspection.exists())

    def test_nonconformance_link_is_not_nulled_by_deleting(self):
        inspection = self._inspect_lot(self.lot)
        inspection.action_draft()
        nonconformance = self.Nonconformance.create(
            {
                "description": "Burr found during the inspection",
                "inspection_id": inspection.id,
                "product_id": self.barrel.id,
            }
        )
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            inspection.with_user(self.inspector).unlink()
        self.assertEqual(nonconformance.inspection_id, inspection)


@tagged("post_install", "-at_install")
class TestInspectionRecordOverRpc(JsonRpcMixin, HttpCase, InspectionRecordCommon):
    """The inspector, over JSON-RPC: a failed result stays failed and stays."""

    # MedCapaCommon already puts the registry in test mode.
    registry_test_mode = False

    def test_inspector_cannot_rewrite_or_delete_a_failed_result(self):
        inspection = self._fail(self._inspect_lot(self.lot))
        self.authenticate(self.inspector.login, self.inspector.login)
        hostile = {"context": {"med_protected_write": True, "active_test": False}}
        for model, method, args in (
            ("qc.inspection", "write", [inspection.ids, {"state": "success"}]),
            ("qc.inspection", "action_draft", [inspection.ids]),
            ("qc.inspection", "unlink", [inspection.ids]),
            (
                "qc.inspection.line",
                "write",
                [
                    inspection.inspection_lines.ids,
                    {"qualitative_value": self.answer_ok.id},
                ],
            ),
        ):
            answer = self._call(model, method, args, hostile)
            self.assertIn("error", answer, method)
        inspection.invalidate_recordset()
        self.assertEqual(inspection.state, "failed")
        self.assertEqual(inspection.inspection_lines.qualitative_value, self.answer_ko)
        # the allowed path: a comment on the record
        answer = self._call(
            "qc.inspection", "write", [inspection.ids, {"internal_notes": "Seen"}]
        )
        self.assertNotIn("error", answer)
        inspection.invalidate_recordset()
        self.assertEqual(inspection.internal_notes, "Seen")
