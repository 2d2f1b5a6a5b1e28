from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestCapaEntryPoints(MedCapaCommon):
    """A copy of a decided record is a new, undecided one; an inspection's result
    is recorded through the inspection, never set when it is created (values,
    ``default_*`` context keys, import)."""

    def test_copy_of_closed_capa_carries_no_decision(self):
        capa = (
            self.Capa._med_protected_write()
            .create(
                {
                    "title": "Burrs on barrel tips",
                    "state": "closed",
                    "effectiveness_result": "effective",
                    "effectiveness_note": "No burrs in 3 lots",
                    "scar_date_requested": fields.Date.today(),
                    "date_closed": fields.Datetime.now(),
                    "closed_by_id": self.qa_manager.id,
                }
            )
            .with_env(self.env)
        )
        copy = capa.with_user(self.qa_manager).copy()
        self.assertEqual(copy.state, "draft")
        for name in (
            "effectiveness_result",
            "effectiveness_note",
            "scar_date_requested",
            "date_closed",
            "closed_by_id",
        ):
            self.assertFalse(copy[name], name)
        self.assertEqual(capa.effectiveness_result, "effective")

    def test_scar_request_date_set_by_the_request_only(self):
        capa = self.Capa.with_user(self.qa_manager).create(
            {"title": "Supplier flash", "partner_id": self.supplier.id}
        )
        with self.assertRaisesRegex(UserError, "can only be changed through"):
            capa.write({"scar_date_requested": "2020-01-01"})
        self.assertFalse(capa.scar_date_requested)
        with self.assertRaisesRegex(UserError, "not when the record is created"):
            self.Capa.with_user(self.qa_manager).create(
                {"title": "Backdated SCAR", "scar_date_requested": "2020-01-01"}
            )

    def test_risk_level_from_the_matrix_only(self):
        capa = self.Capa.with_user(self.qa_manager).create(
            {"title": "Cracked hub", "risk_severity": "3", "risk_occurrence": "2"}
        )
        level = capa.risk_level
        for vals in ({"risk_level": "low"}, {"risk_score": 1}):
            with self.assertRaisesRegex(UserError, "can only be changed through"):
                capa.write(vals)
        self.assertEqual(capa.risk_level, level)

    def test_copy_of_dispositioned_nonconformance_carries_no_disposition(self):
        finding = (
            self.Nonconformance._med_protected_write()
            .create(
                {
                    "description": "Flash on 40 barrels",
                    "source": "audit",
                    "state": "dispositioned",
                    "disposition": "scrap",
                    "disposition_note": "Cannot be reworked",
                    "disposition_date": fields.Datetime.now(),
                    "disposition_user_id": self.qa_manager.id,
                }
            )
            .with_env(self.env)
        )
        copy = finding.with_user(self.inspector).copy()
        self.assertEqual(copy.state, "open")
        for name in (
            "disposition",
            "disposition_note",
            "disposition_date",
            "disposition_user_id",
        ):
            self.assertFalse(copy[name], name)

    def _inspection_vals(self, lot, **values):
        return dict(
            {
                "object_id": f"stock.lot,{lot.id}",
                "test": self.visual_test.id,
                "qty": 10,
                "inspection_lines": self.env["qc.inspection"]._prepare_inspection_lines(
                    self.visual_test
                ),
            },
            **values,
        )

    def test_inspection_cannot_be_created_with_a_result(self):
        lot = self._lot(self.barrel, "BRL-EP-1", 100)
        Inspection = self.env["qc.inspection"].with_user(self.inspector)
        count = Inspection.search_count([])
        for state in ("success", "failed", "waiting"):
            with self.assertRaisesRegex(UserError, "cannot start as"):
                Inspection.create(self._inspection_vals(lot, state=state))
            with self.assertRaisesRegex(UserError, "cannot start as"):
                Inspection.with_context(default_state=state).create(
                    self._inspection_vals(lot)
                )
        result = Inspection.load(
            ["test/.id", "state"], [[str(self.visual_test.id), "success"]]
        )
        self.assertFalse(result["ids"])
        self.assertIn("cannot start as", result["messages"][0]["message"])
        self.assertEqual(Inspection.search_count([]), count)

    def test_result_recorder_comes_from_the_result(self):
        lot = self._lot(self.barrel, "BRL-EP-2", 100)
        inspection = (
            self.env["qc.inspection"]
            .with_user(self.inspector)
            .with_context(default_med_result_user_id=self.qa_manager.id)
            .create(self._inspection_vals(lot))
        )
        self.assertFalse(inspection.med_result_user_id)
        inspection.action_todo()
        self._pass(inspection)
        self.assertEqual(inspection.med_result_user_id, self.inspector)
        copy = inspection.with_user(self.inspector).copy()
        self.assertEqual(copy.state, "draft")
        self.assertFalse(copy.med_result_user_id)


@tagged("post_install", "-at_install")
class TestInspectionResultOverRpc(JsonRpcMixin, HttpCase):
    """Over JSON-RPC, an inspector's forged context does not create an inspection
    with a final result."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(
            cls.env,
            login="ep_inspector",
            groups="med_audit_export.group_med_qa_inspector",
        )
        cls.test = cls.env["qc.test"].create({"name": "RPC visual check"})

    def test_create_with_forged_state_refused(self):
        self.authenticate("ep_inspector", "ep_inspector")
        Inspection = self.env["qc.inspection"]
        count = Inspection.search_count([])
        answer = self._call(
            "qc.inspection",
            "create",
            [{"test": self.test.id}],
            {
                "context": {
                    "default_state": "success",
                    "med_protected_write": True,
                }
            },
        )
        self.assertIn("cannot start as", answer["error"]["data"]["message"])
        self.assertEqual(Inspection.search_count([]), count)
