from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin

from .common import ReleaseReviewCommon

# What a caller sends to make a new lot look reviewed and ready for release.
FORGED_REVIEW = {
    "default_med_review_state": "green",
    "default_med_ready_date": "2020-01-01 00:00:00",
    "default_med_release_date": "2020-01-02 00:00:00",
}


@tagged("post_install", "-at_install")
class TestReviewEntryPoints(ReleaseReviewCommon):
    """The review state and the release times of a lot are the reconciliation's and
    the receipt's: no ``default_*`` context key, quick-create or import sets them."""

    def test_context_defaults_do_not_review_a_new_lot(self):
        Lot = (
            self.env["stock.lot"]
            .with_user(self.warehouse)
            .with_context(**FORGED_REVIEW)
        )
        created = Lot.create({"name": "BRL-CTX-1", "product_id": self.barrel.id})
        quick_id, __ = Lot.with_context(default_product_id=self.barrel.id).name_create(
            "BRL-CTX-2"
        )
        for lot in created | self.env["stock.lot"].browse(quick_id):
            self.assertFalse(lot.med_review_state)
            self.assertFalse(lot.med_ready_date)
            self.assertFalse(lot.med_release_date)

    def test_import_of_review_columns_refused(self):
        Lot = self.env["stock.lot"].with_user(self.warehouse)
        result = Lot.load(
            ["name", "product_id/.id", "med_review_state"],
            [["BRL-IMP-1", str(self.barrel.id), "green"]],
        )
        self.assertFalse(result["ids"])
        self.assertIn(
            "not when the record is created", result["messages"][0]["message"]
        )
        self.assertFalse(Lot.search([("name", "=", "BRL-IMP-1")]))

    def test_receipt_records_ready_date(self):
        lot = self._received("BRL-READY")
        self.assertTrue(lot.med_ready_date)
        with self.assertRaisesRegex(UserError, "can only be changed through"):
            lot.with_user(self.warehouse).write({"med_ready_date": False})
        self.assertTrue(lot.med_ready_date)


@tagged("post_install", "-at_install")
class TestReviewEntryPointsRpc(JsonRpcMixin, HttpCase):
    """Over JSON-RPC, the warehouse's quick-create of a lot with a forged context
    makes a lot without review or release."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(
            cls.env, login="rr_rpc_wh", groups="med_audit_export.group_med_warehouse"
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Barrel RPC", "is_storable": True, "tracking": "lot"}
        )

    def test_name_create_with_forged_context(self):
        self.authenticate("rr_rpc_wh", "rr_rpc_wh")
        context = dict(
            FORGED_REVIEW, med_protected_write=True, default_product_id=self.product.id
        )
        answer = self._call(
            "stock.lot", "name_create", ["BRL-RPC-1"], {"context": context}
        )
        lot = self.env["stock.lot"].browse(answer["result"][0])
        self.assertEqual(lot.name, "BRL-RPC-1")
        self.assertFalse(lot.med_review_state)
        self.assertFalse(lot.med_ready_date)
        self.assertFalse(lot.med_release_date)
