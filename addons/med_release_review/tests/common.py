import base64
from datetime import timedelta

from odoo import fields

from odoo.addons.med_capa.tests.common import MedCapaCommon

SCAN = base64.b64encode(b"%PDF-1.4 certificate scan")


class ReleaseReviewCommon(MedCapaCommon):
    """The syringe line of med_lot_trace and med_capa's inspection helpers, with the
    reconciliation checks at hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Result = cls.env["med.release.result"]
        cls.checks = {
            check.code: check for check in cls.env["med.release.check"].search([])
        }

    @classmethod
    def _received(cls, name, user=None):
        """A new lot of 100 barrels received from the supplier by the warehouse (or
        ``user``), waiting for release."""
        picking = cls._transfer(cls.barrel, 100, incoming=True, partner=cls.supplier)
        picking.move_ids.move_line_ids.write({"lot_name": name, "quantity": 100})
        picking.move_ids.picked = True
        picking.with_user(user or cls.warehouse).button_validate()
        return picking.move_line_ids.lot_id

    def _result(self, lot, code):
        return self.Result.search(
            [("lot_id", "=", lot.id), ("check_id", "=", self.checks[code].id)]
        )

    def _assert_pass(self, lot, code):
        result = self._result(lot, code)
        self.assertEqual(result.state, "pass", result.message)
        self.assertFalse(result.message)

    def _assert_fail(self, lot, code, *fragments):
        result = self._result(lot, code)
        self.assertEqual(result.state, "fail")
        for fragment in fragments:
            self.assertIn(fragment, result.message)
        return result

    def _reasons(self, lot):
        return " ".join(lot._med_release_checks().get(lot, []))

    @classmethod
    def _dated_lot(cls, product, name, expiry, qty=100):
        lot = cls._lot(product, name, qty)
        lot.with_context(med_reason="expiry from the label").write(
            {"expiration_date": fields.Datetime.to_datetime(expiry)}
        )
        return lot

    def _certificate(self, partner, expiry, issue=None):
        return self.env["med.supplier.certificate"].create(
            {
                "partner_id": partner.id,
                "type_id": self.env.ref(
                    "med_supplier_qual.certificate_type_iso13485"
                ).id,
                "number": f"ISO-{partner.id}-{expiry}",
                "issuer": "TÜV SÜD",
                "issue_date": issue or fields.Date.today() - timedelta(days=1000),
                "expiry_date": expiry,
                "attachment_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "scan.pdf",
                            "datas": SCAN,
                            "mimetype": "application/pdf",
                        },
                    )
                ],
            }
        )
