from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestCapaWorkflow(MedCapaCommon):
    def _draft(self, **values):
        return self.Capa.with_user(self.qa_manager).create(
            dict({"title": "Leaking plungers", "user_id": self.qa_manager.id}, **values)
        )

    def test_new_capa_is_numbered_draft_whatever_the_caller_says(self):
        capa = self._draft(
            state="closed", recall_risk=True, closed_by_id=self.qa_manager.id
        )
        self.assertEqual(capa.state, "draft")
        self.assertFalse(capa.recall_risk or capa.closed_by_id)
        self.assertTrue(capa.name.startswith("CAPA/"))
        with self.assertRaisesRegex(UserError, "Status"):
            capa.write({"state": "closed"})
        self.assertEqual(capa.state, "draft")

    def test_steps_refused_until_their_records_are_filled(self):
        capa = self._draft(user_id=False)
        with self.assertRaisesRegex(UserError, "Owner"):
            capa.action_start_investigation()
        self.assertEqual(capa.state, "draft")
        capa.user_id = self.qa_manager
        capa.action_start_investigation()
        with self.assertRaisesRegex(UserError, "Root Cause"):
            capa.action_plan_actions()
        self.assertEqual(capa.state, "investigation")
        capa.write(
            {
                "root_cause_method": "fishbone",
                "root_cause_category": "machine",
                "root_cause": "Worn assembly jig",
                "risk_severity": "4",
                "risk_occurrence": "3",
            }
        )
        capa.action_plan_actions()
        with self.assertRaisesRegex(UserError, "at least one"):
            capa.action_implement()
        self.assertEqual(capa.state, "action_plan")

    def test_full_cycle_closed_by_another_qa_manager_with_signature(self):
        capa = self._capa_ready_to_close(owner=self.qa_manager)
        self.assertEqual(capa.state, "effectiveness")
        check = capa.activity_ids.filtered(lambda a: a.user_id == self.qa_manager)
        self.assertIn("Check the effectiveness", check.summary)
        self.assertEqual(check.date_deadline, capa.effectiveness_date_deadline)
        capa.effectiveness_result = "effective"
        action = capa.with_user(self.qa_manager_2).action_close()
        self._sign(action, self.qa_manager_2)
        self.assertEqual(capa.state, "closed")
        self.assertEqual(capa.closed_by_id, self.qa_manager_2)
        self.assertFalse(capa.activity_ids)
        self.assertEqual(capa.med_signature_ids.meaning, "closure")
        states = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "med.capa"),
                ("res_id", "=", capa.id),
                ("field_name", "=", "state"),
            ],
            order="id",
        )
        self.assertEqual(
            states.mapped("new_value"),
            [
                "Draft",
                "Investigation",
                "Action Plan",
                "Implementation",
                "Effectiveness Check",
                "Closed",
            ],
        )
        with self.assertRaisesRegex(UserError, "closed or cancelled"):
            capa.write({"title": "rewritten"})
        self.assertEqual(capa.title, "Burrs on barrels")

    def test_closing_without_effectiveness_result_refused(self):
        capa = self._capa_ready_to_close()
        with self.assertRaisesRegex(UserError, "effectiveness check"):
            capa.with_user(self.qa_manager_2).action_close()
        capa.effectiveness_result = "not_effective"
        with self.assertRaisesRegex(UserError, "effectiveness check"):
            capa.with_user(self.qa_manager_2).action_close()
        self.assertEqual(capa.state, "effectiveness")
        capa.action_reopen_plan()
        self.assertEqual(
            (capa.state, capa.effectiveness_result), ("action_plan", False)
        )

    def test_owner_cannot_close_own_capa_with_segregation(self):
        capa = self._capa_ready_to_close(owner=self.qa_manager)
        capa.effectiveness_result = "effective"
        with self.assertRaisesRegex(UserError, "segregation of duties"):
            capa.with_user(self.qa_manager).action_close()
        # nor through the signature wizard called directly
        action = capa.with_user(self.qa_manager_2).action_close()
        with self.assertRaisesRegex(UserError, "segregation of duties"):
            self._sign(action, self.qa_manager)
        self.assertEqual(capa.state, "effectiveness")
        self.assertFalse(capa.med_signature_ids)

    def test_owner_closes_own_capa_without_segregation(self):
        self.env.company.med_capa_segregation = False
        capa = self._capa_ready_to_close(owner=self.qa_manager)
        capa.effectiveness_result = "effective"
        self._sign(capa.with_user(self.qa_manager).action_close(), self.qa_manager)
        self.assertEqual(capa.state, "closed")

    def test_only_qa_managers_close(self):
        capa = self._capa_ready_to_close()
        capa.effectiveness_result = "effective"
        with self.assertRaisesRegex(UserError, "Only a QA manager"):
            capa.with_user(self.inspector).action_close()
        self.assertEqual(capa.state, "effectiveness")

    def test_wrong_password_does_not_close(self):
        capa = self._capa_ready_to_close()
        capa.effectiveness_result = "effective"
        action = capa.with_user(self.qa_manager_2).action_close()
        with self.assertRaisesRegex(UserError, "Wrong password"):
            self._sign(action, self.qa_manager_2, password="wrong")
        self.assertEqual(capa.state, "effectiveness")

    def test_cancel_needs_a_reason(self):
        capa = self._draft()
        wizard = Form(
            self.env["med.capa.cancel"]
            .with_user(self.qa_manager)
            .with_context(**capa.action_cancel()["context"])
        )
        wizard.reason = "  "
        with self.assertRaisesRegex(UserError, "why the CAPA is cancelled"):
            wizard.save().action_confirm()
        self.assertEqual(capa.state, "draft")
        wizard.reason = "Duplicate of the barrel CAPA"
        wizard.save().action_confirm()
        self.assertEqual(
            (capa.state, capa.cancel_reason),
            ("cancelled", "Duplicate of the barrel CAPA"),
        )
        entry = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "med.capa"),
                ("res_id", "=", capa.id),
                ("new_value", "=", "Cancelled"),
            ]
        )
        self.assertEqual(entry.reason, "Duplicate of the barrel CAPA")

    # -- actions --
    def test_action_due_in_the_past_refused(self):
        capa = self._draft()
        yesterday = fields.Date.context_today(capa) - timedelta(days=1)
        with self.assertRaisesRegex(UserError, "cannot be in the past"):
            capa.write(
                {
                    "action_ids": [
                        Command.create(
                            {
                                "name": "Retrain operators",
                                "user_id": self.inspector.id,
                                "date_deadline": yesterday,
                            }
                        )
                    ]
                }
            )
        self.assertFalse(capa.action_ids)
        with self.assertRaisesRegex(UserError, "cannot be in the past"):
            self._draft(effectiveness_date_deadline=yesterday)

    def test_action_owner_gets_activity_and_overdue_is_shown(self):
        capa = self._draft()
        today = fields.Date.context_today(capa)
        capa.write(
            {
                "action_ids": [
                    Command.create(
                        {
                            "name": "Retrain operators",
                            "action_type": "preventive",
                            "user_id": self.inspector.id,
                            "date_deadline": today,
                        }
                    )
                ]
            }
        )
        action = capa.action_ids
        self.assertEqual(action.activity_id.user_id, self.inspector)
        self.assertEqual(action.activity_id.res_id, capa.id)
        self.assertFalse(action.is_overdue)
        # the deadline passes (moved back here: no timed test)
        action.date_deadline = today - timedelta(days=3)
        self.assertEqual(action.activity_id.date_deadline, action.date_deadline)
        self.assertTrue(action.is_overdue)
        self.assertEqual(capa.overdue_action_count, 1)
        self.assertEqual(self.Capa.search([("overdue_action_count", ">", 0)]), capa)
        self.assertNotIn(capa, self.Capa.search([("overdue_action_count", "=", 0)]))

    def test_action_done_needs_result_and_closes_activity(self):
        capa = self._capa_ready_to_close()
        action = capa.action_ids
        self.assertEqual(action.state, "done")
        self.assertFalse(action.activity_id.exists())
        self.assertIn("Cavity replaced", capa.message_ids.mapped("body")[0] or "")

    def test_action_done_refused_without_result(self):
        capa = self._draft()
        capa.action_start_investigation()
        capa.write(
            {
                "root_cause_method": "other",
                "root_cause": "Supplier change",
                "risk_severity": "2",
                "risk_occurrence": "2",
            }
        )
        capa.action_plan_actions()
        capa.write(
            {
                "action_ids": [
                    Command.create(
                        {
                            "name": "Audit the supplier",
                            "user_id": self.inspector.id,
                            "date_deadline": "2999-01-01",
                        }
                    )
                ]
            }
        )
        capa.action_implement()
        with self.assertRaisesRegex(UserError, "Say what was done"):
            capa.action_ids.with_user(self.inspector).action_done()
        self.assertEqual(capa.action_ids.state, "open")
        with self.assertRaisesRegex(UserError, "not done yet"):
            capa.action_check_effectiveness()

    # -- risk --
    def test_risk_level_from_the_configurable_matrix(self):
        capa = self._draft(risk_severity="3", risk_occurrence="2")
        self.assertEqual((capa.risk_score, capa.risk_level), (6, "medium"))
        cell = self.env.ref("med_capa.risk_matrix_s3_o2")
        cell.with_user(self.qa_manager).level = "high"
        capa_2 = self._draft(risk_severity="3", risk_occurrence="2")
        self.assertEqual(capa_2.risk_level, "high")
        capa.risk_occurrence = "1"
        self.assertEqual(capa.risk_level, "low")

    # -- supplier corrective action request --
    def test_scar_request(self):
        capa = self._draft(partner_id=self.supplier.id)
        with self.assertRaisesRegex(UserError, "response due date"):
            capa.action_request_scar()
        capa.scar_date_deadline = fields.Date.context_today(capa) + timedelta(days=30)
        capa.action_request_scar()
        self.assertEqual(capa.scar_date_requested, fields.Date.context_today(capa))
        activity = capa.activity_ids.filtered(lambda a: "SCAR" in a.summary)
        self.assertEqual(activity.date_deadline, capa.scar_date_deadline)
        self.assertEqual(self.supplier.with_user(self.qa_manager).med_capa_count, 1)
        action = self.supplier.action_med_open_capas()
        self.assertEqual(self.Capa.search(action["domain"]), capa)

    def test_scar_refused_without_supplier(self):
        capa = self._draft(scar_date_deadline="2999-01-01")
        with self.assertRaisesRegex(UserError, "no supplier"):
            capa.action_request_scar()
        self.assertFalse(capa.scar_date_requested)
