from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin

from .common import MedGenealogyCommon


@tagged("post_install", "-at_install")
class TestLotProtection(MedGenealogyCommon):
    """Who recorded a lot, its hold and its signatures are the signed actions' only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the signature wizard counts failures from a cursor of its own
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.env.company.med_release_segregation = True

    def _wizard(self, user, lot, meaning, action, comment="QA decision"):
        return (
            self.env["med.signature.wizard"]
            .with_user(user)
            .create(
                {
                    "res_model": "stock.lot",
                    "res_ids": str(lot.id),
                    "meaning": meaning,
                    "action_name": action,
                    "comment": comment,
                    "login": user.login,
                    "password": user.login,
                }
            )
        )

    # -- who recorded the lot --
    def test_recorder_is_the_creating_user(self):
        Lot = self.env["stock.lot"].with_user(self.qa_manager)
        lot = Lot.create(
            {
                "name": "REC-1",
                "product_id": self.barrel.id,
                "med_recorded_by_id": self.warehouse.id,
            }
        )
        self.assertEqual(lot.med_recorded_by_id, self.qa_manager)
        quick = Lot.with_context(
            default_product_id=self.barrel.id,
            default_med_recorded_by_id=self.warehouse.id,
        ).name_create("REC-2")
        self.assertEqual(Lot.browse(quick[0]).med_recorded_by_id, self.qa_manager)
        # segregation of duties holds: the creator may not release the lot
        self.env["stock.quant"]._update_available_quantity(
            self.barrel, self.stock, 10, lot_id=lot
        )
        with self.assertRaisesRegex(UserError, "segregation of duties"):
            lot.with_user(self.qa_manager).action_med_release()

    def test_recorder_cannot_be_rewritten(self):
        lot = self._lot(self.barrel, "REC-3", released=False)
        with self.assertRaisesRegex(UserError, "can only be changed"):
            lot.with_user(self.warehouse).write(
                {"med_recorded_by_id": self.qa_manager.id}
            )

    # -- holds --
    def test_hold_signed_by_qa_manager_only(self):
        lot = self._lot(self.barrel, "HLD-1")
        for user in (self.inspector, self.warehouse, self.auditor):
            with self.assertRaisesRegex(UserError, "Only members of"):
                self._wizard(user, lot, "hold", "_med_do_hold")
        self.assertEqual(lot.med_state, "released")
        self.assertFalse(lot.sudo().med_signature_ids)
        self._wizard(self.qa_manager, lot, "hold", "_med_do_hold").action_sign()
        self.assertEqual((lot.med_state, lot.med_hold_source), ("hold", "manual"))

    def test_hold_of_another_source_kept(self):
        lot = self._lot(self.barrel, "HLD-2")
        lot._med_put_on_hold("capa", "CAPA-0001: particles")
        with self.assertRaisesRegex(UserError, "lift that hold first"):
            self._wizard(self.qa_manager, lot, "hold", "_med_do_hold").action_sign()
        with self.assertRaisesRegex(UserError, "can only be changed"):
            lot.with_user(self.inspector).write({"med_hold_reason": "nothing"})
        self.assertEqual(
            (lot.med_hold_source, lot.med_hold_reason), ("capa", "CAPA-0001: particles")
        )

    def test_release_signed_with_its_own_meaning_only(self):
        lot = self._lot(self.barrel, "MNG-1", released=False)
        with self.assertRaisesRegex(UserError, "meaning Release"):
            self._wizard(self.qa_manager, lot, "review", "_med_do_release")
        self.assertEqual(lot.med_state, "quarantine")


@tagged("post_install", "-at_install")
class TestLotSigningRpc(JsonRpcMixin, HttpCase, MedGenealogyCommon):
    """The auditor and the inspector cannot hold or sign a lot over JSON-RPC."""

    def test_auditor_and_inspector_cannot_hold_or_sign(self):
        lot = self._lot(self.barrel, "RPC-HLD-1")
        for user in (self.auditor, self.inspector):
            self.authenticate(user.login, user.login)
            for meaning, action in (
                ("hold", "_med_do_hold"),
                ("review", "_med_do_hold"),
                ("review", False),
                ("release", "_med_do_release"),
            ):
                answer = self._call(
                    "med.signature.wizard",
                    "create",
                    [
                        {
                            "res_model": "stock.lot",
                            "res_ids": str(lot.id),
                            "meaning": meaning,
                            "action_name": action,
                            "comment": "forged",
                            "login": user.login,
                            "password": user.login,
                        }
                    ],
                    {"context": {"med_protected_write": True}},
                )
                self.assertIn("error", answer, (user.login, meaning, action))
            answer = self._call("stock.lot", "action_med_hold", [lot.ids])
            self.assertIn("QA manager", answer["error"]["data"]["message"])
        lot.invalidate_recordset()
        self.assertEqual(lot.med_state, "released")
        self.assertFalse(lot.sudo().med_signature_ids)
