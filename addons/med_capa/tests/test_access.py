from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestCapaAccess(MedCapaCommon):
    """Inspector records nonconformances; QA manager manages CAPA, rules and
    dispositions; auditor reads everything and changes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._lot(cls.barrel, "BRL-ACL", 10)
        cls.nonconformance = cls.env["med.nonconformance"].create(
            {"description": "Burrs", "product_id": cls.barrel.id, "source": "audit"}
        )
        cls.capa = cls.env["med.capa"].create(
            {
                "title": "Burrs",
                "user_id": cls.qa_manager.id,
                "action_ids": [
                    Command.create(
                        {
                            "name": "Sort the stock",
                            "user_id": cls.inspector.id,
                            "date_deadline": "2999-01-01",
                        }
                    )
                ],
            }
        )

    def test_inspector_records_nonconformances_not_capas(self):
        record = self.Nonconformance.with_user(self.inspector).create(
            {"description": "Bent needles", "product_id": self.needle.id}
        )
        record.write({"quantity": 4})
        self.assertEqual(record.quantity, 4)
        self.assertEqual(self.capa.with_user(self.inspector).title, "Burrs")
        with self.assertRaises(AccessError):
            self.Capa.with_user(self.inspector).create({"title": "Mine"})
        with self.assertRaises(AccessError):
            self.capa.with_user(self.inspector).write({"title": "Changed"})
        with self.assertRaises(AccessError):
            self.rule_inspection.with_user(self.inspector).write({"hold_lots": False})

    def test_inspector_completes_own_actions_only(self):
        action = self.capa.action_ids
        action.with_user(self.inspector).write({"result": "Sorted 500 barrels"})
        self.assertEqual(action.result, "Sorted 500 barrels")
        other = self.env["med.capa.action"].create(
            {
                "capa_id": self.capa.id,
                "name": "Audit supplier",
                "user_id": self.qa_manager.id,
                "date_deadline": "2999-01-01",
            }
        )
        with self.assertRaises(AccessError):
            other.with_user(self.inspector).write({"result": "done by someone else"})
        self.assertFalse(other.result)

    def test_qa_manager_manages_capas_and_rules(self):
        capa = self.Capa.with_user(self.qa_manager).create({"title": "New"})
        capa.write({"title": "New CAPA"})
        rule = self.Rule.with_user(self.qa_manager).create(
            {"name": "Hold only", "trigger": "manual", "hold_lots": True}
        )
        self.assertEqual(rule.trigger, "manual")
        with self.assertRaises(AccessError):
            capa.unlink()

    def test_auditor_reads_everything_changes_nothing(self):
        for record in (
            self.nonconformance,
            self.capa,
            self.capa.action_ids,
            self.rule_inspection,
            self.env.ref("med_capa.risk_matrix_s1_o1"),
        ):
            as_auditor = record.with_user(self.auditor)
            self.assertTrue(as_auditor.read(["display_name"]))
            with self.assertRaises(AccessError):
                as_auditor.write({"display_name": "tampered"})
            with self.assertRaises(AccessError):
                as_auditor.copy()
        with self.assertRaises(AccessError):
            self.Nonconformance.with_user(self.auditor).create({"description": "x"})
        with self.assertRaises(UserError):
            self.capa.with_user(self.auditor).action_close()

    def test_warehouse_user_sees_no_nonconformance(self):
        with self.assertRaises(AccessError):
            self.nonconformance.with_user(self.warehouse).read(["name"])
        # the lot form stays readable: the CAPA fields are not loaded for them
        lot = self.lot.with_user(self.warehouse)
        self.assertEqual(lot.read(["name"])[0]["name"], "BRL-ACL")
        self.assertNotIn("med_capa_count", lot.fields_get())

    def test_other_company_records_invisible(self):
        other = self.env["res.company"].create({"name": "Syringe Plant 2"})
        foreign = self.Nonconformance.create(
            {"description": "Elsewhere", "company_id": other.id}
        )
        inspector_2 = new_test_user(
            self.env,
            login="med_inspector_2",
            groups="med_audit_export.group_med_qa_inspector",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(
            self.Nonconformance.with_user(self.inspector).search(
                [("id", "=", foreign.id)]
            )
        )
        self.assertEqual(self.Nonconformance.with_user(inspector_2).search([]), foreign)
