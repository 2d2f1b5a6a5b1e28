from odoo import Command
from odoo.tests import Form, tagged

from .common import MedCapaCommon

VIEWS = {
    "med.nonconformance": ["list", "kanban", "form", "search", "pivot", "graph"],
    "med.capa": ["list", "kanban", "form", "search", "pivot", "graph"],
    "med.capa.action": ["list", "form", "search"],
    "med.capa.rule": ["list", "form", "search"],
    "med.capa.risk.matrix": ["list", "pivot"],
}


@tagged("post_install", "-at_install")
class TestCapaViews(MedCapaCommon):
    def test_every_role_opens_the_screens_it_may_read(self):
        for user in (self.inspector, self.qa_manager, self.auditor):
            for model, kinds in VIEWS.items():
                views = (
                    self.env[model]
                    .with_user(user)
                    .get_views([(False, kind) for kind in kinds])
                )
                self.assertEqual(len(views["views"]), len(kinds), model)
        # lots, inspections and suppliers stay open to the warehouse user, without
        # the CAPA smart buttons
        for model in ("stock.lot", "res.partner"):
            arch = (
                self.env[model]
                .with_user(self.warehouse)
                .get_views([(False, "form")])["views"]["form"]["arch"]
            )
            self.assertNotIn("med_capa_count", arch)

    def test_capa_through_the_form(self):
        form = Form(self.Capa.with_user(self.qa_manager))
        form.title = "Needle tips bent in transit"
        form.user_id = self.qa_manager_2
        form.partner_id = self.supplier
        form.risk_severity = "5"
        form.risk_occurrence = "3"
        with form.action_ids.new() as action:
            action.name = "Stiffer needle caps"
            action.action_type = "preventive"
            action.user_id = self.inspector
            action.date_deadline = "2999-01-01"
        capa = form.save()
        self.assertEqual(capa.risk_level, "high")
        self.assertEqual(capa.action_ids.activity_id.user_id, self.inspector)
        capa.action_start_investigation()
        self.assertEqual(capa.state, "investigation")

    def test_closed_capa_leaves_no_open_activity(self):
        capa = self._capa_ready_to_close(owner=self.qa_manager)
        capa.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.qa_manager.id
        )
        capa.effectiveness_result = "effective"
        self._sign(capa.with_user(self.qa_manager_2).action_close(), self.qa_manager_2)
        self.assertFalse(capa.activity_ids)
        self.assertIn("CAPA closed", " ".join(capa.message_ids.mapped("body")))

    def test_inspection_shows_its_nonconformances(self):
        lot = self._lot(self.barrel, "BRL-VIEW", 10)
        inspection = self._fail(self._inspect_lot(lot))
        self.assertEqual(inspection.with_user(self.auditor).med_nonconformance_count, 1)
        self.assertEqual(lot.with_user(self.auditor).med_capa_count, 1)
        nonconformance = inspection.med_nonconformance_ids
        action = nonconformance.action_open_inspection()
        self.assertEqual(action["res_id"], inspection.id)
        capa = nonconformance.capa_id
        action = capa.action_open_nonconformances()
        self.assertEqual(self.Nonconformance.search(action["domain"]), nonconformance)
        self.assertEqual(capa.nonconformance_ids, nonconformance)
        capa.with_user(self.qa_manager).write(
            {"lot_ids": [Command.link(self._lot(self.barrel, "BRL-V2").id)]}
        )
        self.assertEqual(len(capa.lot_ids), 2)
