import uuid

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestInspectionResultRace(TransactionCase):
    """Two real transactions (committed, unique data left in the database): an
    inspector edits a result line while the result is recorded as final in
    another transaction. The inspector's transaction saw the inspection open; it
    must not write on the now final result."""

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
        inspector_cr = self.registry.cursor()
        try:
            inspector = api.Environment(inspector_cr, SUPERUSER_ID, {})
            line = inspector["qc.inspection"].browse(inspection_id).inspection_lines
            line.read(["notes"])  # the inspector's snapshot: still open
            with self.registry.cursor() as approver_cr:
                approver = api.Environment(approver_cr, SUPERUSER_ID, {})
                approver["qc.inspection"].browse(inspection_id).action_confirm()
            refused = None
            with mute_logger("odoo.sql_db"):
                try:
                    line.write({"notes": "Seal looked fine"})
                    inspector.flush_all()
                except (SerializationFailure, UserError) as error:
                    refused = error
            self.assertTrue(refused, "the edit of a final result went through")
        finally:
            inspector_cr.rollback()
            inspector_cr.close()
        with self.registry.cursor() as cr:
            inspection = api.Environment(cr, SUPERUSER_ID, {})["qc.inspection"].browse(
                inspection_id
            )
            self.assertEqual(inspection.state, "success")
            self.assertFalse(inspection.inspection_lines.notes)
