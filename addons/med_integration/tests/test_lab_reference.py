from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin

from .common import MedIntegrationCommon


@tagged("post_install", "-at_install")
class TestLabReference(MedIntegrationCommon):
    """The lab reference of an inspection is the LIMS import's: it makes the import
    idempotent, so no caller sets, clears or claims it (values, ``default_*``
    context keys, write)."""

    def _inspections(self):
        return self.env["qc.inspection"].search([("lot_id", "=", self.barrel_lot.id)])

    def _hand_inspection_vals(self):
        return {
            "object_id": f"stock.lot,{self.barrel_lot.id}",
            "test": self.lab_test.id,
        }

    def test_waiting_import_cannot_be_cleared_and_imported_again(self):
        Import = self.Import.with_user(self.inspector)
        Import.med_api_import_results(self._results(length="63.4"))
        inspection = self._inspections().with_user(self.inspector)
        self.assertEqual(
            (inspection.state, inspection.med_lab_ref), ("waiting", "LAB-1")
        )
        with self.assertRaisesRegex(UserError, "can only be changed through"):
            inspection.write({"med_lab_ref": False})
        self.assertEqual(inspection.med_lab_ref, "LAB-1")
        with self.assertRaisesRegex(UserError, "already imported"):
            Import.med_api_import_results(self._results(length="63.4"))
        self.assertEqual(len(self._inspections()), 1)

    def test_hand_inspection_cannot_claim_a_lab_reference(self):
        Inspection = self.env["qc.inspection"].with_user(self.inspector)
        with self.assertRaisesRegex(UserError, "not when the record is created"):
            Inspection.create(dict(self._hand_inspection_vals(), med_lab_ref="LAB-1"))
        typed = Inspection.with_context(default_med_lab_ref="LAB-1").create(
            self._hand_inspection_vals()
        )
        self.assertFalse(typed.med_lab_ref)
        with self.assertRaisesRegex(UserError, "can only be changed through"):
            typed.write({"med_lab_ref": "LAB-1"})
        # The laboratory's own result is still taken in.
        [answer] = self.Import.with_user(self.qa_manager).med_api_import_results(
            self._results()
        )
        self.assertEqual(answer["lab_ref"], "LAB-1")


@tagged("post_install", "-at_install")
class TestLabReferenceOverRpc(JsonRpcMixin, HttpCase):
    """Over JSON-RPC, an inspector's forged context does not clear the lab reference
    of an imported result still open."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(
            cls.env,
            login="lab_rpc_insp",
            groups="med_audit_export.group_med_qa_inspector",
        )
        test = cls.env["qc.test"].create({"name": "RPC lab test"})
        # As the import leaves it: a result of the laboratory, not approved yet.
        cls.inspection = (
            cls.env["qc.inspection"]
            ._med_protected_write()
            .create({"test": test.id, "med_lab_ref": "LAB-RPC-1"})
            .with_env(cls.env)
        )

    def test_clear_lab_reference_with_forged_context_refused(self):
        self.authenticate("lab_rpc_insp", "lab_rpc_insp")
        answer = self._call(
            "qc.inspection",
            "write",
            [self.inspection.ids, {"med_lab_ref": False}],
            {"context": {"med_protected_write": True}},
        )
        self.assertIn("can only be changed", answer["error"]["data"]["message"])
        self.inspection.invalidate_recordset()
        self.assertEqual(self.inspection.med_lab_ref, "LAB-RPC-1")
