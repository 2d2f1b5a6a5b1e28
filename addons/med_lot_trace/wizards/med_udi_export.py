import base64
import csv
import io
from xml.etree import ElementTree

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import udi_export

TARGETS = [
    ("nmpa", "NMPA UDI database"),
    ("eudamed", "EUDAMED UDI/Device module"),
]


class MedUdiExport(models.TransientModel):
    """The UDI-DI data of the products as a file for the UDI databases: NMPA's
    UDID (XML, its published element names) and EUDAMED's UDI/Device module (CSV
    of the MDR Annex VI Part B core data elements); see tools/udi_export.py."""

    _name = "med.udi.export"
    _description = "UDI-DI Data Export"

    target = fields.Selection(TARGETS, required=True, default="nmpa")
    product_ids = fields.Many2many(
        "product.product",
        string="Products",
        domain=[("med_udi_di", "!=", False)],
        help="Empty: every product with a UDI-DI.",
    )
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    def _med_products(self):
        products = self.product_ids or self.env["product.product"].search(
            [("med_udi_di", "!=", False)], order="default_code, id"
        )
        return products.filtered("med_udi_di")

    @api.model
    def _med_manufacturer(self, product):
        # The registrant (注册人/备案人): the device's manufacturer, else this company.
        return product.med_manufacturer_id or self.env.company.partner_id

    def _med_ensure_complete(self, products, required, values_of):
        missing = []
        for product in products:
            values = values_of(product)
            empty = [name for name in required if not (values.get(name) or "").strip()]
            if empty:
                missing.append(f"{product.display_name} ({', '.join(empty)})")
        if missing:
            raise UserError(
                self.env._(
                    "These products lack data the UDI database requires: "
                    "%(products)s. Complete them, nothing was exported.",
                    products="; ".join(missing),
                )
            )

    # -- NMPA UDID --
    def _med_nmpa_values(self, product):
        yes, no = udi_export.NMPA_YES, udi_export.NMPA_NO
        manufacturer = self._med_manufacturer(product)
        lots = self.env["stock.lot"].search(
            [("product_id", "=", product.id)], limit=50, order="id desc"
        )
        return {
            "zxxsdycpbs": product.med_udi_di,
            "cpbsbmtxmc": "GS1",
            "zxxsdyzsydydsl": "1",
            "cpmctymc": product.name,
            "spmc": product.name,
            "ggxh": product.default_code or product.display_name,
            "sfwblztlcp": no,
            "cpms": product.description_sale or product.name,
            "cphhhbh": product.default_code or "",
            "qxlb": "器械",  # the published value (a device, not an IVD reagent)
            "tyshxydm": manufacturer.company_registry or manufacturer.vat or "",
            "zczbhhzbapzbh": product.med_registration_number or "",
            "ylqxzcrbarmc": manufacturer.name,
            "scbssfbhph": yes if product.tracking == "lot" else no,
            "scbssfbhxlh": yes if product.tracking == "serial" else no,
            "scbssfbhscrq": yes if any(lots.mapped("med_production_date")) else no,
            "scbssfbhsxrq": yes if product.use_expiration_date else no,
        }

    def _med_nmpa_file(self, products):
        root = ElementTree.Element("udid")
        devices = ElementTree.SubElement(root, "devices")
        for product in products:
            device = ElementTree.SubElement(devices, "device")
            values = self._med_nmpa_values(product)
            for name in udi_export.NMPA_DEVICE_FIELDS:
                ElementTree.SubElement(device, name).text = values[name]
        ElementTree.indent(root)
        return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)

    # -- EUDAMED --
    def _med_eudamed_values(self, product):
        identifiers = []
        if product.tracking == "lot":
            identifiers.append("BATCH_NUMBER")
        if product.tracking == "serial":
            identifiers.append("SERIALISATION_NUMBER")
        if product.use_expiration_date:
            identifiers.append("EXPIRATION_DATE")
        return {
            "basicUDIIdentifier": "",
            "DICode": product.med_udi_di,
            "issuingEntityCode": "GS1",
            "tradeName": product.name,
            "referenceNumber": product.default_code or "",
            "riskClass": "",
            "productionIdentifier": "|".join(identifiers),
            "implantable": "true" if product.med_implantable else "false",
            "manufacturerName": self._med_manufacturer(product).name,
            "quantityOfDevice": "1",
            "status": udi_export.EUDAMED_STATUS_ON_MARKET,
        }

    def _med_eudamed_file(self, products):
        output = io.StringIO()
        writer = csv.writer(output, lineterminator="\n")
        writer.writerow(udi_export.EUDAMED_COLUMNS)
        for product in products:
            values = self._med_eudamed_values(product)
            writer.writerow([values[name] for name in udi_export.EUDAMED_COLUMNS])
        return output.getvalue().encode("utf-8")

    def action_export(self):
        self.ensure_one()
        products = self._med_products()
        if not products:
            raise UserError(
                self.env._(
                    "No product has a UDI-DI: give the products their GTIN first."
                )
            )
        if self.target == "nmpa":
            self._med_ensure_complete(
                products, udi_export.NMPA_REQUIRED, self._med_nmpa_values
            )
            content, name = self._med_nmpa_file(products), "udid_devices.xml"
        else:
            self._med_ensure_complete(
                products, udi_export.EUDAMED_REQUIRED, self._med_eudamed_values
            )
            content, name = self._med_eudamed_file(products), "eudamed_udi_di.csv"
        self.write({"file_data": base64.b64encode(content), "file_name": name})
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/?model={self._name}&id={self.id}&field=file_data"
            f"&filename_field=file_name&download=true",
            "target": "self",
        }
