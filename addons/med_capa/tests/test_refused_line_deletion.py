from contextlib import contextmanager

from odoo import SUPERUSER_ID, Command, api
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

    def _nonconformance_of_two_lots(self):
        other = self._lot(self.barrel, "BRL-DEL-002", 50)
        lots = self.lot | other
        record = self.Nonconformance.with_user(self.inspector).create(
            {
                "description": "Flash on two lots",
                "source": "audit",
                "product_id": self.barrel.id,
                "lot_ids": [Command.set(lots.ids)],
                "quantity": 5,
                "lot_quantity_ids": [
                    Command.create({"lot_id": self.lot.id, "quantity": 3}),
                    Command.create({"lot_id": other.id, "quantity": 2}),
                ],
            }
        )
        return record

    def test_refused_deletion_of_a_dispositioned_lot_quantity_in_the_trail(self):
        record = self._nonconformance_of_two_lots()
        record.with_user(self.qa_manager).disposition = "use_as_is"
        self._sign(
            record.with_user(self.qa_manager).action_disposition(), self.qa_manager
        )
        line = record.lot_quantity_ids[0].with_user(self.qa_manager)
        with self.assertRaisesRegex(UserError, "dispositioned"):
            line.with_context(med_reason="Counted twice").unlink()
        self.assertTrue(line.exists())
        with self._committed_env() as env:
            refused = self._refused_entries(env, line)
            self.assertEqual(len(refused), 1)
            self.assertEqual(
                refused.user_id, env["res.users"].browse(self.qa_manager.id)
            )
            self.assertEqual(refused.reason, "Counted twice")
            self.assertIn("dispositioned", refused.new_value)
            result = env["med.audit.entry"]._med_verify(incremental=True)
            self.assertEqual(result["broken"], [])

    def test_allowed_deletion_of_an_open_lot_quantity_logged_not_refused(self):
        record = self._nonconformance_of_two_lots()
        line = record.lot_quantity_ids[0].with_user(self.inspector)
        line.unlink()
        self.assertFalse(line.exists())
        self.env.flush_all()
        deleted = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", line._name),
                ("res_id", "=", line.id),
                ("operation", "=", "unlink"),
            ]
        )
        self.assertEqual(
            set(deleted.mapped("field_name")),
            {"lot_id", "quantity", "nonconformance_id"},
        )
        with self._committed_env() as env:
            self.assertFalse(self._refused_entries(env, line))
