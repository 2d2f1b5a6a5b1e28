"""The trail's indexes: every index is paid for by each entry written, so none is
kept that another one already serves."""

import importlib.util
import os

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged

OLD_USER_INDEX = "med_audit_entry__user_id_index"


@tagged("post_install", "-at_install")
class TestLedgerIndexes(TransactionCase):
    def _indexes(self):
        self.env.cr.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'med_audit_entry'"
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _plan(self, query, params):
        cr = self.env.cr
        with cr.savepoint(flush=False):
            # the test trail is small: without this the planner reads the table
            cr.execute("SET LOCAL enable_seqscan = off")
            cr.execute("EXPLAIN " + query, params)
            plan = "\n".join(row[0] for row in cr.fetchall())
            cr.execute("SET LOCAL enable_seqscan = on")
        return plan

    def test_user_lookup_served_by_user_timestamp_index(self):
        self.assertNotIn(OLD_USER_INDEX, self._indexes())
        plan = self._plan(
            "SELECT id FROM med_audit_entry WHERE user_id = %s", [self.env.uid]
        )
        self.assertIn("med_audit_entry_user_timestamp_index", plan)

    def test_migration_drops_the_single_user_index(self):
        cr = self.env.cr
        cr.execute(f"CREATE INDEX {OLD_USER_INDEX} ON med_audit_entry (user_id)")
        path = os.path.join(
            get_module_path("med_audit_export"),
            "migrations",
            "18.0.1.6.0",
            "post-ledger2.py",
        )
        spec = importlib.util.spec_from_file_location("post_ledger2", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(cr, "18.0.1.5.0")
        self.assertNotIn(OLD_USER_INDEX, self._indexes())
        migration.migrate(cr, "18.0.1.5.0")  # run again: nothing to do
        self.assertNotIn(OLD_USER_INDEX, self._indexes())
