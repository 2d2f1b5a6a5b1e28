from contextlib import contextmanager

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestRefusedLineDeletion(MedCapaCommon):
    """A result line refuses its deletion in its own unlink() (the inspection is
    final), before the audit engine's: the refusal is in the trail all the same,
    committed by a transaction of its own; an allowed deletion records none. These
    tests commit entries (append-only) for records of their own transaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._lot(cls.barrel, "BRL-DEL-001", 50)

    @contextmanager
    def _committed_env(self):
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})
            cr.rollback()

    def _refused_entries(self, env, records):
        return env["med.audit.entry"].search(
            [
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("operation", "=", "unlink_refused"),
            ]
        )

    def test_refused_deletion_of_a_final_result_line_in_the_trail(self):
        inspection = self._fail(self._inspect_lot(self.lot))
        line = inspection.inspection_lines.with_user(self.inspector)
        with self.assertRaisesRegex(UserError, "final result"):
            line.with_context(med_reason="Wrong answer").unlink()
        self.assertTrue(line.exists())
        with self._committed_env() as env:
            refused = self._refused_entries(env, line)
            self.assertEqual(len(refused), 1)
            self.assertEqual(
                refused.user_id, env["res.users"].browse(self.inspector.id)
            )
            self.assertEqual(refused.reason, "Wrong answer")
            self.assertIn("final result", refused.new_value)
            self.assertEqual(refused.res_name, line.sudo().display_name)
            result = env["med.audit.entry"]._med_verify(incremental=True)
            self.assertEqual(result["broken"], [])

    def test_allowed_deletion_of_an_open_result_line_not_refused(self):
        inspection = self._inspect_lot(self.lot).with_user(self.inspector)
        inspection.action_draft()
        line = inspection.inspection_lines
        line.unlink()
        self.assertFalse(line.exists())
        with self._committed_env() as env:
            self.assertFalse(self._refused_entries(env, line))
