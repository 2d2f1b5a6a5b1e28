import psycopg2

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MedAuditCommon


@tagged("post_install", "-at_install")
class TestAppendOnly(MedAuditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for number in range(3):
            cls.lot.with_context(med_reason=f"change {number}").write(
                {"ref": f"R{number}"}
            )
        cls.env.flush_all()
        cls.Entry._med_seal()  # what the sealer does after commit
        cls.entries = cls.Entry.search([("res_id", "=", cls.lot.id)], order="id")

    def test_nobody_changes_or_deletes_entries_through_the_orm(self):
        entry = self.entries[-1]
        for env in (self.env, self.env(su=True), self.compliance_admin.env):
            with self.assertRaises(UserError):
                entry.with_env(env).write({"new_value": "forged"})
            with self.assertRaises(UserError):
                entry.with_env(env).unlink()
            with self.assertRaises(UserError):
                self.Entry.with_env(env).create({"res_model": "stock.lot"})
        self.assertEqual(entry.new_value, "R2")

    def test_auditor_reads_entries(self):
        self.assertEqual(
            self.Entry.with_user(self.auditor).search([("res_id", "=", self.lot.id)]),
            self.entries,
        )
        with self.assertRaises(AccessError):
            self.Entry.with_user(self.warehouse).search([]).read(["new_value"])

    @mute_logger("odoo.sql_db")
    def test_database_trigger_refuses_sql_update_and_delete(self):
        entry = self.entries[-1]
        with self.assertRaises(psycopg2.Error), self.env.cr.savepoint():
            self.env.cr.execute(
                "UPDATE med_audit_entry SET new_value = 'forged' WHERE id = %s",
                [entry.id],
            )
        with self.assertRaises(psycopg2.Error), self.env.cr.savepoint():
            self.env.cr.execute("DELETE FROM med_audit_entry WHERE id = %s", [entry.id])

    def test_chain_intact(self):
        self.assertFalse(self.Entry.verify_chain())

    def _tamper(self, statement, params):
        """What a database administrator could do: switch the trigger off, edit rows."""
        cr = self.env.cr
        cr.execute(
            "ALTER TABLE med_audit_entry DISABLE TRIGGER med_audit_entry_append_only"
        )
        cr.execute(statement, params)
        cr.execute(
            "ALTER TABLE med_audit_entry ENABLE TRIGGER med_audit_entry_append_only"
        )
        self.env.invalidate_all()

    def test_sql_edit_of_one_entry_detected(self):
        target = self.entries[1]
        self._tamper(
            "UPDATE med_audit_entry SET new_value = 'R-forged' WHERE id = %s",
            [target.id],
        )
        self.assertEqual(self.Entry.verify_chain(), target)

    def test_sql_delete_of_one_entry_detected(self):
        target, successor = self.entries[1], self.entries[2]
        self._tamper("DELETE FROM med_audit_entry WHERE id = %s", [target.id])
        self.assertEqual(self.Entry.verify_chain(), successor)

    def test_verification_run_alerts_compliance_admins(self):
        intact = self.env["med.audit.verification"].action_verify()
        self.assertEqual(intact.state, "intact")
        self.assertGreaterEqual(intact.entry_count, len(self.entries))
        self._tamper(
            "UPDATE med_audit_entry SET reason = 'edited' WHERE id = %s",
            [self.entries[0].id],
        )
        broken = self.env["med.audit.verification"].action_verify()
        self.assertEqual(broken.state, "broken")
        self.assertEqual(broken.broken_entry_ids, self.entries[0])
        self.assertIn(self.compliance_admin, broken.activity_ids.user_id)
        with self.assertRaises(UserError):
            broken.write({"state": "intact"})
