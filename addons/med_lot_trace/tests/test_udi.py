from datetime import date, datetime

from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, tagged

from odoo.addons.med_lot_trace.tools import gs1

from .common import MedGenealogyCommon

GTIN = "06901234567892"  # valid check digit


@tagged("post_install", "-at_install")
class TestGS1Parsing(TransactionCase):
    def test_parse_table(self):
        cases = [
            (
                f"(01){GTIN}(11)250101(17)271231(10)SYR2511",
                {
                    "gtin": GTIN,
                    "production_date": date(2025, 1, 1),
                    "expiry_date": date(2027, 12, 31),
                    "lot": "SYR2511",
                },
            ),
            (  # scanned: FNC1 after the variable-length lot, symbology identifier
                f"]d201{GTIN}10ABC-12\x1d17280630",
                {"gtin": GTIN, "lot": "ABC-12", "expiry_date": date(2028, 6, 30)},
            ),
            (  # day 00: last day of the month; serial last
                f"01{GTIN}17290200" + "21SN0001",
                {"gtin": GTIN, "expiry_date": date(2029, 2, 28), "serial": "SN0001"},
            ),
            ("(10)LOT-ONLY", {"lot": "LOT-ONLY"}),
        ]
        for text, expected in cases:
            with self.subTest(text=text):
                self.assertEqual(gs1.parse(text), expected)

    def test_malformed_strings_refused(self):
        for text, reason in [
            ("", "empty"),
            ("(01)06901234567891", "check digit"),
            ("(01)069012345678", "needs 14"),
            ("(17)271332", "does not exist"),
            ("(99)ABC", "unknown application identifier"),
            ("(10)" + "X" * 21, "1 to 20"),
            ("(10)A(10)B", "twice"),
            ("01069012345678", "needs 14"),
            ("garbage(01)x", "unknown application identifier"),
            ("(01)x(garbage", "malformed"),
        ]:
            with self.subTest(text=text), self.assertRaisesRegex(gs1.GS1Error, reason):
                gs1.parse(text)

    def test_human_readable(self):
        self.assertEqual(
            gs1.human_readable(GTIN, date(2025, 1, 1), date(2027, 12, 31), "L1"),
            f"(01){GTIN}(11)250101(17)271231(10)L1",
        )


@tagged("post_install", "-at_install")
class TestUdi(MedGenealogyCommon):
    def test_udi_di_check_digit(self):
        self.syringe.med_udi_di = GTIN
        self.assertEqual(self.syringe.med_udi_di, GTIN)
        for wrong in ("06901234567891", "6901234567892"):  # check digit, 13 digits
            with self.assertRaisesRegex(ValidationError, "check digit"):
                self.env["product.template"].create(
                    {"name": "Bad UDI", "tracking": "lot", "med_udi_di": wrong}
                )

    def test_expiry_before_production_refused(self):
        lot = self._lot(self.syringe, "UDI-1")
        with self.assertRaisesRegex(ValidationError, "before it was produced"):
            lot.with_context(med_reason="dates").write(
                {
                    "med_production_date": date(2026, 1, 1),
                    "expiration_date": datetime(2025, 1, 1),
                }
            )

    def test_lot_udi_and_receipt_scan(self):
        self.syringe.write({"med_udi_di": GTIN, "use_expiration_date": True})
        receipt = self._transfer(self.syringe, 10, incoming=True)
        line = receipt.move_ids.move_line_ids
        values = line._med_gs1_values(f"(01){GTIN}(11)251001(17)281001(10)SYR-UDI")
        line.write(dict(values, quantity=10))
        receipt.move_ids.picked = True
        receipt.button_validate()
        lot = line.lot_id
        self.assertEqual(lot.name, "SYR-UDI")
        self.assertEqual(lot.med_production_date, date(2025, 10, 1))
        self.assertEqual(lot.expiration_date.date(), date(2028, 10, 1))
        self.assertEqual(lot.med_udi, f"(01){GTIN}(11)251001(17)281001(10)SYR-UDI")

    def test_scan_for_another_product_refused(self):
        self.syringe.med_udi_di = GTIN
        line = self.env["stock.move.line"].new({"product_id": self.syringe.id})
        with self.assertRaisesRegex(UserError, "UDI is for GTIN 04012345678901"):
            line._med_gs1_values("(01)04012345678901(10)X")
        with self.assertRaisesRegex(UserError, "Unreadable UDI"):
            line._med_gs1_values("(01)123")
