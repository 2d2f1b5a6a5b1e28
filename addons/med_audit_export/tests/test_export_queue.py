import base64
import hashlib

from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_export import ExportCommon

THRESHOLD = "med_audit_export.export_queue_threshold"


@tagged("post_install", "-at_install")
class TestExportQueue(ExportCommon):
    """Exports over the threshold are written by the cron job, as their user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref("med_audit_export.ir_cron_run_queued_exports")
        cls.Params = cls.env["ir.config_parameter"]

    def _triggers(self):
        return self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])

    def _table(self, content):
        """The entry rows of an xlsx export: between the labels and the footer."""
        rows = self._xlsx_rows(content)
        start = next(i for i, row in enumerate(rows) if row[1] == "When (UTC)")
        return rows[start + 1 : -2]

    def test_default_threshold(self):
        self.assertEqual(self.env["med.audit.export"]._med_queue_threshold(), 200000)

    def test_small_export_immediate(self):
        self.Params.set_param(THRESHOLD, 3)  # the lot has 3 entries: not over
        triggers = self._triggers()
        action = self._wizard(self.auditor, "xlsx").action_export()
        export = self.env["med.audit.export"].search([], limit=1)
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(export.state, "done")
        self.assertEqual(export.record_count, 3)
        self.assertEqual(self._triggers(), triggers)

    def test_large_export_queued_then_written_by_cron(self):
        _immediate, immediate_content = self._export(self.auditor, "xlsx")
        self.Params.set_param(THRESHOLD, 2)
        action = self._wizard(self.auditor, "xlsx").action_export()
        export = self.env["med.audit.export"].search([], limit=1)
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn(export.name, action["params"]["message"])
        self.assertEqual(export.state, "queued")
        self.assertEqual(export.user_id, self.auditor)
        self.assertFalse(export.attachment_id)
        self.assertFalse(export.verification_code)
        self.assertTrue(self._triggers())
        self.assertFalse(self._entries(export, operation="export"))

        self.env["med.audit.export"]._cron_run_queued()  # as the cron: superuser

        self.assertEqual(export.state, "done")
        self.assertEqual(export.record_count, 3)
        content = base64.b64decode(export.attachment_id.datas)
        self.assertEqual(hashlib.sha256(content).hexdigest(), export.file_sha256)
        self.assertEqual(self._table(content), self._table(immediate_content))
        rows = self._xlsx_rows(content)
        self.assertIn(self.auditor.login, rows[3][1])  # exported as its user
        self.assertIn(export.verification_code, rows[-1][0])
        entry = self._entries(export, operation="export")
        self.assertEqual(entry.user_id, self.auditor)
        self.assertIn(export.file_sha256, entry.new_value)
        message = self.env["mail.message"].search(
            [("model", "=", export._name), ("res_id", "=", export.id)]
        )
        self.assertIn(export.name, message.subject)
        self.assertIn(export.verification_code, message.body)
        self.assertEqual(message.partner_ids, self.auditor.partner_id)
        with self.assertRaises(UserError):  # done: append-only again
            export._med_protected_write().write({"record_count": 0})

    def test_csv_queued_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.auditor.lang = "zh_CN"
        self.Params.set_param(THRESHOLD, 2)
        self._wizard(self.auditor, "csv").action_export()
        export = self.env["med.audit.export"].search([], limit=1)
        self.env["med.audit.export"]._cron_run_queued()
        text = base64.b64decode(export.attachment_id.datas).decode("utf-8-sig")
        self.assertTrue(text.startswith("公司,"))
        self.assertIn("中文原因", text)
        self.assertIn(export.verification_code, text.strip().splitlines()[-1])

    def test_queued_export_fails_when_its_user_lost_the_right(self):
        self.Params.set_param(THRESHOLD, 2)
        self._wizard(self.auditor, "xlsx").action_export()
        export = self.env["med.audit.export"].search([], limit=1)
        self.auditor.groups_id = [
            (3, self.env.ref("med_audit_export.group_med_auditor").id)
        ]
        self.env["med.audit.export"]._cron_run_queued()
        self.assertEqual(export.state, "failed")
        self.assertFalse(export.attachment_id)
        self.assertTrue(export.error)
        message = self.env["mail.message"].search(
            [("model", "=", export._name), ("res_id", "=", export.id)]
        )
        self.assertIn("failed", message.subject)
