import base64
import contextlib
import csv
import io
from datetime import date, datetime
from xml.etree import ElementTree

from PIL import Image, ImageOps

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.med_lot_trace.tools import gs1, gs1_barcode, udi_export

from .common import MedGenealogyCommon

GTIN = "06901234567892"


@contextlib.contextmanager
def _gs1_decoder():
    """libdmtx reports FNC1 as the GS character once told so (as a scanner in GS1
    mode does); pylibdmtx does not expose that property, so its decoder is wrapped."""
    from pylibdmtx import pylibdmtx
    from pylibdmtx.wrapper import DmtxProperty

    original = pylibdmtx._decoder

    @contextlib.contextmanager
    def decoder_with_fnc1(image, shrink):
        with original(image, shrink) as decoder:
            pylibdmtx.dmtxDecodeSetProp(decoder, DmtxProperty.DmtxPropFnc1, 29)
            yield decoder

    pylibdmtx._decoder = decoder_with_fnc1
    try:
        yield pylibdmtx.decode
    finally:
        pylibdmtx._decoder = original


@tagged("post_install", "-at_install")
class TestUdiCarriers(MedGenealogyCommon):
    """GS1 DataMatrix and GS1-128 of a lot's UDI, drawn by Odoo's barcode renderer
    and read back by the suite's GS1 parser; UDI-DI data files for NMPA's UDID and
    EUDAMED."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.syringe.write(
            {
                "med_udi_di": GTIN,
                "default_code": "SYR-5ML",
                "med_registration_number": "国械注准20233140456",
                "use_expiration_date": True,
            }
        )
        cls.lot = cls._lot(cls.syringe, "SYR-2601a", 10)
        cls.lot.with_context(med_reason="printed on the label").write(
            {
                "med_production_date": date(2026, 1, 5),
                "expiration_date": datetime(2029, 1, 4, 12, 0),
            }
        )
        cls.pump = cls.env["product.product"].create(
            {
                "name": "Infusion pump",
                "is_storable": True,
                "tracking": "serial",
                "med_udi_di": "06901234567809",
            }
        )
        cls.serial = cls._lot(cls.pump, "SN0042", 1)

    def _decode_datamatrix(self, png):
        image = Image.open(io.BytesIO(png)).convert("L")
        # a printed label leaves white space around the symbol (its quiet zone)
        image = ImageOps.expand(image, border=40, fill=255)
        with _gs1_decoder() as decode:
            results = decode(image, timeout=10000, max_count=1)
        self.assertEqual(len(results), 1, "the DataMatrix could not be read")
        return results[0].data.decode()

    def test_element_string_fixed_fields_first(self):
        self.assertEqual(
            self.lot.med_udi_element_string,
            f"01{GTIN}11260105172901041" + "0SYR-2601a",
        )
        self.assertEqual(
            self.serial.med_udi_element_string, "0106901234567809" + "21SN0042"
        )
        # lot and serial both: the lot ends with FNC1
        self.assertEqual(
            gs1.element_string(gtin=GTIN, lot="L1", serial="S1"),
            f"01{GTIN}10L1\x1d21S1",
        )

    def test_datamatrix_round_trip(self):
        for lot in (self.lot, self.serial):
            png = base64.b64decode(lot._med_udi_barcode("datamatrix"))
            scanned = self._decode_datamatrix(png)
            self.assertTrue(scanned.startswith("\x1d"), "GS1: FNC1 first")
            parsed = gs1.parse(scanned)
            self.assertEqual(parsed, gs1.parse(lot.med_udi))
        parsed = gs1.parse(
            self._decode_datamatrix(base64.b64decode(self.lot._med_udi_barcode()))
        )
        self.assertEqual(
            parsed,
            {
                "gtin": GTIN,
                "production_date": date(2026, 1, 5),
                "expiry_date": date(2029, 1, 4),
                "lot": "SYR-2601a",
            },
        )

    def test_datamatrix_with_lot_and_serial_keeps_the_separator(self):
        value = gs1.element_string(gtin=GTIN, lot="AB12", serial="0007")
        png = self.env["ir.actions.report"].barcode(
            gs1_barcode.DATAMATRIX, value, width=300, height=300
        )
        self.assertEqual(
            gs1.parse(self._decode_datamatrix(png)),
            {"gtin": GTIN, "lot": "AB12", "serial": "0007"},
        )

    def test_gs1_128_carries_fnc1(self):
        value = gs1_barcode.code128_value(self.lot.med_udi_element_string)
        self.assertTrue(value.startswith(gs1_barcode.CODE128_FNC1))
        # the string a scanner transmits: FNC1 first dropped, the others as GS
        scanned = value[1:].replace(gs1_barcode.CODE128_FNC1, gs1.GROUP_SEPARATOR)
        self.assertEqual(gs1.parse(scanned), gs1.parse(self.lot.med_udi))
        png = base64.b64decode(self.lot._med_udi_barcode("gs1_128"))
        self.assertEqual(png[:4], b"\x89PNG")
        # Odoo falls back to plain Code 128 on a value it cannot draw: not here
        from reportlab.graphics.barcode.code128 import Code128

        codes = Code128(value=value)
        codes.validate()
        self.assertTrue(codes.valid)
        self.assertEqual(codes.encode()[1], 102, "FNC1 right after the start code")

    def test_no_udi_di_no_carrier(self):
        lot = self._lot(self.barrel, "BRL-NO-UDI", 1)
        self.assertFalse(lot.med_udi_element_string)
        self.assertEqual(lot._med_udi_barcode(), "")

    def _image_after(self, html, marker):
        """The PNG of the first inline image after ``marker`` in ``html``."""
        start = html.index(marker)
        data = html[html.index("data:image/png;base64,", start) :].split(",", 1)[1]
        return base64.b64decode(data[: data.index('"')])

    def test_label_and_delivery_slip_carry_the_datamatrix(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("stock.action_report_lot_label", self.lot.ids)[0]
            .decode()
        )
        png = self._image_after(html, 'name="med_udi_datamatrix"')
        self.assertEqual(
            gs1.parse(self._decode_datamatrix(png)), gs1.parse(self.lot.med_udi)
        )
        # Odoo prints lots on delivery slips when the setting says so
        self.env.user.groups_id |= self.env.ref("stock.group_lot_on_delivery_slip")
        picking = self._deliver(self.hospital, [(self.lot, 2)])
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("stock.action_report_delivery", picking.ids)[0]
            .decode()
        )
        self.assertIn(self.lot.med_udi, html)
        png = self._image_after(html, 'name="med_udi_carrier"')
        self.assertEqual(
            gs1.parse(self._decode_datamatrix(png)), gs1.parse(self.lot.med_udi)
        )
        # the customer who asks for GS1-128 gets a linear barcode
        self.hospital.med_udi_symbology = "gs1_128"
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("stock.action_report_delivery", picking.ids)[0]
            .decode()
        )
        png = Image.open(io.BytesIO(self._image_after(html, 'name="med_udi_carrier"')))
        self.assertGreater(png.width, 4 * png.height)

    # -- UDI-DI data files --
    def _export(self, target, products, user=None):
        wizard = (
            self.env["med.udi.export"]
            .with_user(user or self.qa_manager)
            .create({"target": target, "product_ids": [(6, 0, products.ids)]})
        )
        wizard.action_export()
        return base64.b64decode(wizard.file_data), wizard.file_name

    def test_nmpa_export_follows_the_udid_layout(self):
        content, name = self._export("nmpa", self.syringe | self.pump)
        self.assertEqual(name, "udid_devices.xml")
        root = ElementTree.fromstring(content)
        devices = root.findall("./devices/device")
        self.assertEqual(len(devices), 2)
        for device in devices:
            self.assertEqual(
                [child.tag for child in device], list(udi_export.NMPA_DEVICE_FIELDS)
            )
            for name in udi_export.NMPA_REQUIRED:
                self.assertTrue(device.findtext(name), name)
            for flag in ("sfwblztlcp", "scbssfbhph", "scbssfbhxlh", "scbssfbhsxrq"):
                self.assertIn(device.findtext(flag), ("是", "否"))
            self.assertTrue(gs1.is_valid_gtin(device.findtext("zxxsdycpbs")))
        syringe = next(d for d in devices if d.findtext("zxxsdycpbs") == GTIN)
        self.assertEqual(syringe.findtext("cpbsbmtxmc"), "GS1")
        self.assertEqual(syringe.findtext("zczbhhzbapzbh"), "国械注准20233140456")
        self.assertEqual(syringe.findtext("ggxh"), "SYR-5ML")
        self.assertEqual(
            [syringe.findtext(f) for f in ("scbssfbhph", "scbssfbhxlh")], ["是", "否"]
        )
        self.assertEqual(syringe.findtext("scbssfbhscrq"), "是")
        self.assertEqual(syringe.findtext("scbssfbhsxrq"), "是")

    def test_eudamed_export_follows_the_udi_di_layout(self):
        content, name = self._export("eudamed", self.syringe | self.pump)
        self.assertEqual(name, "eudamed_udi_di.csv")
        rows = list(csv.DictReader(io.StringIO(content.decode())))
        self.assertEqual(len(rows), 2)
        self.assertEqual(list(rows[0]), list(udi_export.EUDAMED_COLUMNS))
        for row in rows:
            for column in udi_export.EUDAMED_REQUIRED:
                self.assertTrue(row[column], column)
            self.assertEqual(row["issuingEntityCode"], "GS1")
            self.assertTrue(gs1.is_valid_gtin(row["DICode"]))
            for identifier in row["productionIdentifier"].split("|"):
                self.assertIn(identifier, udi_export.EUDAMED_PRODUCTION_IDENTIFIERS)
        pump = next(r for r in rows if r["DICode"] == "06901234567809")
        self.assertEqual(pump["productionIdentifier"], "SERIALISATION_NUMBER")
        syringe = next(r for r in rows if r["DICode"] == GTIN)
        self.assertEqual(
            syringe["productionIdentifier"], "BATCH_NUMBER|EXPIRATION_DATE"
        )

    def test_export_refused_when_data_is_missing(self):
        self.pump.default_code = False
        self.pump.name = " "
        with self.assertRaisesRegex(UserError, "Infusion|lack data"):
            self._export("eudamed", self.pump)
        with self.assertRaisesRegex(UserError, "No product has a UDI-DI"):
            self._export("nmpa", self.barrel)

    def test_export_refused_to_a_warehouse_user(self):
        with self.assertRaises(UserError):
            self._export("nmpa", self.syringe, user=self.warehouse)
