from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.med_lot_trace.tests.common import MedGenealogyCommon


class MedCapaCommon(MedGenealogyCommon):
    """The syringe line of med_lot_trace with a visual inspection test (one
    qualitative question), a second QA manager, and helpers that fail real
    quality_control_oca inspections and sign as a role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the signature wizard counts failures from a cursor of its own
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.qa_manager_2 = new_test_user(
            cls.env,
            login="med_qa_manager_2",
            groups="med_audit_export.group_med_qa_manager",
        )
        cls.visual_test = cls.env["qc.test"].create(
            {
                "name": "Barrel visual check",
                "test_lines": [
                    Command.create(
                        {
                            "name": "Burrs or flash on the barrel tip",
                            "type": "qualitative",
                            "ql_values": [
                                Command.create({"name": "None", "ok": True}),
                                Command.create({"name": "Found", "ok": False}),
                            ],
                        }
                    )
                ],
            }
        )
        cls.answer_ok, cls.answer_ko = cls.visual_test.test_lines.ql_values
        cls.supplier = cls.env["res.partner"].create(
            {"name": "Weigao Components Co.", "is_company": True}
        )
        cls.Rule = cls.env["med.capa.rule"]
        cls.Nonconformance = cls.env["med.nonconformance"]
        cls.Capa = cls.env["med.capa"]
        cls.rule_inspection = cls.env.ref("med_capa.capa_rule_inspection_failed")

    # -- inspections --
    @classmethod
    def _inspect_lot(cls, lot, qty=10.0, user=None):
        """An inspection started by hand on a lot, ready to be answered."""
        inspection = (
            cls.env["qc.inspection"]
            .with_user(user or cls.inspector)
            .create(
                {
                    "object_id": f"stock.lot,{lot.id}",
                    "test": cls.visual_test.id,
                    "qty": qty,
                    "inspection_lines": cls.env[
                        "qc.inspection"
                    ]._prepare_inspection_lines(cls.visual_test),
                }
            )
        )
        inspection.action_todo()
        return inspection

    def _fail(self, inspection, inspector=None, approver=None):
        """The inspector records a defect; the QA manager approves the failure."""
        inspection = inspection.with_user(inspector or self.inspector)
        inspection.inspection_lines.qualitative_value = self.answer_ko
        inspection.action_confirm()
        self.assertEqual(inspection.state, "waiting")
        inspection.with_user(approver or self.qa_manager).action_approve()
        self.assertEqual(inspection.state, "failed")
        return inspection

    def _pass(self, inspection):
        inspection = inspection.with_user(self.inspector)
        inspection.inspection_lines.qualitative_value = self.answer_ok
        inspection.action_confirm()
        self.assertEqual(inspection.state, "success")
        return inspection

    def _trigger_on(self, picking_type, product, timing):
        trigger = self.env["qc.trigger"].search(
            [("picking_type_id", "=", picking_type.id)], order="id", limit=1
        )
        product.qc_triggers = [
            Command.create(
                {"trigger": trigger.id, "test": self.visual_test.id, "timing": timing}
            )
        ]

    def _receive(self, product, lot_name, qty, partner=None):
        """A validated receipt of ``qty`` of a new lot from ``partner``."""
        picking = self._transfer(
            product, qty, incoming=True, partner=partner or self.supplier
        )
        picking.move_ids.move_line_ids.write({"lot_name": lot_name, "quantity": qty})
        picking.move_ids.picked = True
        picking.with_user(self.warehouse).button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    # -- records --
    def _records(self, model, lots):
        return self.env[model].search([("lot_ids", "in", lots.ids)])

    def _capa_ready_to_close(self, owner=None, **values):
        """A CAPA walked through its steps to the effectiveness check."""
        capa = self.Capa.with_user(self.qa_manager).create(
            dict(
                {
                    "title": "Burrs on barrels",
                    "user_id": (owner or self.qa_manager).id,
                    "partner_id": self.supplier.id,
                },
                **values,
            )
        )
        capa.action_start_investigation()
        capa.write(
            {
                "root_cause_method": "five_whys",
                "root_cause": "Worn mould cavity 3 at the supplier",
                "risk_severity": "3",
                "risk_occurrence": "2",
            }
        )
        capa.action_plan_actions()
        capa.write(
            {
                "action_ids": [
                    Command.create(
                        {
                            "name": "Replace mould cavity 3",
                            "user_id": self.inspector.id,
                            "date_deadline": "2999-01-01",
                        }
                    )
                ]
            }
        )
        capa.action_implement()
        capa.action_ids.with_user(self.inspector).write(
            {"result": "Cavity replaced, first-article OK"}
        )
        capa.action_ids.with_user(self.inspector).action_done()
        capa.write(
            {
                "effectiveness_criteria": "No burr in the next 5 receipts",
                "effectiveness_date_deadline": "2999-06-01",
            }
        )
        capa.action_check_effectiveness()
        return capa
