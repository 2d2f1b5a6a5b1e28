from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin

from .common import MedRecallCommon

# What a hostile caller adds: the trusted code marker, default values.
HOSTILE_CONTEXT = {
    "med_protected_write": True,
    "default_state": "submitted",
}


@tagged("post_install", "-at_install")
class TestRecallReportOverRpc(JsonRpcMixin, HttpCase, MedRecallCommon):
    """Over JSON-RPC, the inspector responsible for a recall cannot register its
    report to the authority (reference, date, submission), nor create a report or
    write its state, whatever context it sends; a QA manager registers it."""

    # MedCapaCommon already puts the registry in test mode.
    registry_test_mode = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.recall = cls._open_recall(user_id=cls.inspector.id)

    def setUp(self):
        super().setUp()
        self._launch(self.recall)
        self.report = self.recall.report_ids.filtered(lambda r: r.kind == "fda_806")
        self.assertEqual(self.report.state, "to_submit")

    def _call(self, model, method, args, kwargs=None):
        return super()._call(
            model, method, args, dict(kwargs or {}, context=HOSTILE_CONTEXT)
        )

    def _error(self, answer):
        self.assertIn("error", answer)
        return answer["error"]["data"]["message"]

    def _assert_unregistered(self):
        self.report.invalidate_recordset()
        self.assertEqual(self.report.state, "to_submit")
        self.assertFalse(self.report.reference)
        self.assertFalse(self.report.submitted_by_id)

    def test_inspector_cannot_register_the_report_over_rpc(self):
        self.authenticate(self.inspector.login, self.inspector.login)
        today = str(fields.Date.context_today(self.report.with_user(self.qa_manager)))
        message = self._error(
            self._call(
                "med.recall.report",
                "write",
                [self.report.ids, {"reference": "FDA-1", "date_submitted": today}],
            )
        )
        self.assertIn("Only a QA manager records the reports", message)
        message = self._error(
            self._call("med.recall.report", "action_submit", [self.report.ids])
        )
        self.assertIn("Only a QA manager records the reports", message)
        for vals in (
            {"state": "submitted"},
            {"submitted_by_id": self.inspector.id},
            {"date_deadline": "2099-01-01"},
        ):
            with self.subTest(vals=vals):
                self._error(
                    self._call("med.recall.report", "write", [self.report.ids, vals])
                )
        count = len(self.recall.report_ids)
        self._error(
            self._call(
                "med.recall.report",
                "create",
                [
                    {
                        "recall_id": self.recall.id,
                        "kind": "nmpa_summary",
                        "date_deadline": "2099-01-01",
                    }
                ],
            )
        )
        self.recall.invalidate_recordset()
        self.assertEqual(len(self.recall.report_ids), count)
        self._assert_unregistered()

    def test_qa_manager_registers_the_report_over_rpc(self):
        self.authenticate(self.qa_manager.login, self.qa_manager.login)
        today = str(fields.Date.context_today(self.report.with_user(self.qa_manager)))
        answer = self._call(
            "med.recall.report",
            "write",
            [self.report.ids, {"reference": "FDA-1", "date_submitted": today}],
        )
        self.assertNotIn("error", answer)
        answer = self._call("med.recall.report", "action_submit", [self.report.ids])
        self.assertNotIn("error", answer)
        self.report.invalidate_recordset()
        self.assertEqual(self.report.state, "submitted")
        self.assertEqual(self.report.submitted_by_id, self.qa_manager)
