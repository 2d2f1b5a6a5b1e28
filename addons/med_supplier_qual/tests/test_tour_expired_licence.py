from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import SupplierQualCommon


@tagged("post_install", "-at_install")
class TestTourExpiredLicence(HttpCase, SupplierQualCommon):
    """In the browser, the purchase user cannot confirm an order to a supplier whose
    business licence has expired, and is told which supplier and licence."""

    # SupplierQualCommon already puts the registry in test mode (the signature
    # wizard's own cursor); entering it twice fails.
    registry_test_mode = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.expired_on = cls.today - timedelta(days=1)
        cls.licence.write({"expiry_date": cls.expired_on})
        # re-verified by QA: the order is refused for the expiry, not the edit
        cls.licence.with_user(cls.qa_manager)._med_do_verify()

    def test_purchase_user_is_refused_on_expired_licence(self):
        order = self._order(self.product_lot)
        self.assertEqual(order.state, "draft")
        self.start_tour(
            "/odoo",
            "med_supplier_qual_expired_licence",
            login=self.purchase.login,
        )
        # The refusal rolled everything back: no order, no receipt.
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.picking_ids)
        # The tour reads the message; the exact date is checked here, where it is known.
        with self.assertRaisesRegex(UserError, f"expired on {self.expired_on}"):
            order.with_user(self.purchase).button_confirm()
