from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin


@tagged("post_install", "-at_install")
class TestInstalledBaseOverRpc(JsonRpcMixin, HttpCase):
    """Over JSON-RPC, the warehouse's write of what a delivery recorded, with a
    forged context, changes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(
            cls.env, login="ib_rpc_wh", groups="med_audit_export.group_med_warehouse"
        )
        product = cls.env["product.product"].create(
            {"name": "Pump RPC", "is_storable": True, "tracking": "serial"}
        )
        lot = cls.env["stock.lot"].create(
            {"name": "PMP-RPC-1", "product_id": product.id}
        )
        cls.customer = cls.env["res.partner"].create({"name": "Huashan Hospital"})
        # As a delivery records it.
        cls.record = (
            cls.env["med.installed.base"]
            ._med_protected_write()
            .create(
                {
                    "lot_id": lot.id,
                    "partner_id": cls.customer.id,
                    "quantity": 1,
                    "date_delivered": fields.Datetime.now(),
                    "date_install": fields.Date.today(),
                    "company_id": cls.env.company.id,
                }
            )
            .with_env(cls.env)
        )

    def test_mark_returned_with_forged_context_refused(self):
        self.authenticate("ib_rpc_wh", "ib_rpc_wh")
        answer = self._call(
            "med.installed.base",
            "write",
            [self.record.ids, {"state": "returned"}],
            {"context": {"med_protected_write": True}},
        )
        self.assertIn("can only be changed", answer["error"]["data"]["message"])
        self.record.invalidate_recordset()
        self.assertEqual(self.record.state, "installed")
