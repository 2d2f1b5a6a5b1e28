import uuid

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.med_audit_export.tests.common import RacingTransaction, committed


@tagged("post_install", "-at_install")
class TestInspectionResultRace(TransactionCase):
    """Two real transactions (``RacingTransaction``; committed, unique data left in
    the database): an inspector edits a result line while the result is recorded as
    final in another transaction. The inspector's transaction saw the inspection
    open; it must not write on the now final result, nor its retry."""

    def _committed_ready_inspection(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            test = env["qc.test"].create(
                {
                    "name": f"Race check {uuid.uuid4().hex[:8]}",
                    "test_lines": [
                        Command.create(
                            {
                                "name": "Seal intact",
                                "type": "qualitative",
                                "ql_values": [
                                    Command.create({"name": "Yes", "ok": True}),
                                    Command.create({"name": "No", "ok": False}),
                                ],
                            }
                        )
                    ],
                }
            )
            Inspection = env["qc.inspection"]
            inspection = Inspection.create(
                {
                    "test": test.id,
                    "qty": 1,
                    "inspection_lines": Inspection._prepare_inspection_lines(test),
                }
            )
            inspection.inspection_lines.qualitative_value = test.test_lines.ql_values[0]
            inspection.action_todo()
            return inspection.id

    def test_line_edit_racing_the_final_result_is_refused(self):
        inspection_id = self._committed_ready_inspection()

        def line(env):
            return env["qc.inspection"].browse(inspection_id).inspection_lines

        edit = RacingTransaction(
            self.registry,
            SUPERUSER_ID,
            lambda env: line(env).write({"notes": "Seal looked fine"}),
            look=lambda env: line(env).read(["notes"]),  # still open
        ).hold_after_snapshot()
        committed(
            self.registry,
            lambda env: env["qc.inspection"].browse(inspection_id).action_confirm(),
        )
        with mute_logger("odoo.sql_db", "odoo.service.model"):
            edit.finish()
        self.assertIsInstance(
            edit.error,
            (SerializationFailure, UserError),
            "the edit of a final result went through",
        )
        with self.registry.cursor() as cr:
            inspection = api.Environment(cr, SUPERUSER_ID, {})["qc.inspection"].browse(
                inspection_id
            )
            self.assertEqual(inspection.state, "success")
            self.assertFalse(inspection.inspection_lines.notes)
