from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin

from .common import MedCapaCommon


class InspectionApprovalCommon(MedCapaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._lot(cls.barrel, "BRL-APR-001", 100)

    def _waiting(self):
        inspection = self._inspect_lot(self.lot).with_user(self.inspector)
        inspection.inspection_lines.qualitative_value = self.answer_ko
        inspection.action_confirm()
        self.assertEqual(inspection.state, "waiting")
        return inspection


@tagged("post_install", "-at_install")
class TestInspectionApproval(InspectionApprovalCommon):
    """A failed result waits for a QA manager; nobody turns it into a pass."""

    def test_qa_manager_approves_the_failure(self):
        inspection = self._waiting()
        inspection.with_user(self.qa_manager).action_approve()
        self.assertEqual(inspection.state, "failed")
        self.assertTrue(
            self.Nonconformance.search([("inspection_id", "=", inspection.id)])
        )

    def test_inspector_cannot_approve_the_failure(self):
        inspection = self._waiting()
        for call in (
            lambda: inspection.action_approve(),
            lambda: inspection.write({"state": "failed"}),
            lambda: inspection.write({"state": "success"}),
        ):
            with self.assertRaisesRegex(UserError, "QA manager"):
                call()
            self.assertEqual(inspection.state, "waiting")
        self.assertFalse(
            self.Nonconformance.search([("inspection_id", "=", inspection.id)])
        )

    def test_failed_result_never_written_as_passed(self):
        inspection = self._waiting().with_user(self.qa_manager)
        with self.assertRaisesRegex(UserError, "cannot be recorded as passed"):
            inspection.write({"state": "success"})
        self.assertEqual(inspection.state, "waiting")

    def test_passed_result_recorded_by_the_inspector(self):
        inspection = self._pass(self._inspect_lot(self.lot))
        self.assertEqual(inspection.state, "success")


@tagged("post_install", "-at_install")
class TestInspectionApprovalRpc(JsonRpcMixin, HttpCase, InspectionApprovalCommon):
    # MedCapaCommon already puts the registry in test mode.
    registry_test_mode = False

    def test_inspector_approval_over_json_rpc_refused(self):
        inspection = self._waiting()
        self.authenticate(self.inspector.login, self.inspector.login)
        for method, args in (
            ("action_approve", [inspection.ids]),
            ("write", [inspection.ids, {"state": "success"}]),
        ):
            answer = self._call(
                "qc.inspection",
                method,
                args,
                {"context": {"med_protected_write": True}},
            )
            self.assertIn("error", answer, method)
        inspection.invalidate_recordset()
        self.assertEqual(inspection.state, "waiting")
