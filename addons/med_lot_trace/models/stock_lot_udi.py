import base64

from odoo import api, fields, models

from ..tools import gs1, gs1_barcode


class StockLot(models.Model):
    """The UDI of a lot/serial, in GS1 human-readable form, and its carrier: its GS1
    element string drawn as a GS1 DataMatrix (or GS1-128 where a customer asks for
    it) on lot labels and delivery documents."""

    _name = "stock.lot"
    _inherit = "stock.lot"

    med_udi = fields.Char(
        string="UDI",
        compute="_compute_med_udi",
        help="The lot's UDI in GS1 human-readable form: (01) UDI-DI, (11) production "
        "date, (17) expiry date, (10) lot or (21) serial.",
    )
    med_udi_element_string = fields.Char(
        string="UDI Element String",
        compute="_compute_med_udi_element_string",
        help="The UDI as the barcode encodes it: (01)(11)(17) then (10) or (21), "
        "variable-length fields ended by FNC1.",
    )

    @api.depends(
        "name", "product_id.med_udi_di", "med_production_date", "expiration_date"
    )
    def _compute_med_udi(self):
        for lot in self:
            serial = lot.product_id.tracking == "serial"
            lot.med_udi = gs1.human_readable(
                gtin=lot.product_id.med_udi_di,
                production_date=lot.med_production_date,
                expiry_date=lot.expiration_date and lot.expiration_date.date(),
                lot=None if serial else lot.name,
                serial=lot.name if serial else None,
            )

    def _compute_med_udi_element_string(self):
        for lot in self:
            serial = lot.product_id.tracking == "serial"
            lot.med_udi_element_string = (
                gs1.element_string(
                    gtin=lot.product_id.med_udi_di,
                    production_date=lot.med_production_date,
                    expiry_date=lot.expiration_date and lot.expiration_date.date(),
                    lot=None if serial else lot.name,
                    serial=lot.name if serial else None,
                )
                if lot.product_id.med_udi_di
                else False
            )

    def _med_udi_barcode(self, symbology="datamatrix", width=None, height=None):
        """The lot's UDI carrier as a base64 PNG (empty without a UDI-DI), through
        Odoo's barcode renderer."""
        self.ensure_one()
        value = self.med_udi_element_string
        if not value:
            return ""
        report = self.env["ir.actions.report"]
        if symbology == "gs1_128":
            png = report.barcode(
                "Code128",
                gs1_barcode.code128_value(value),
                width=width or 600,
                height=height or 100,
                humanreadable=0,
            )
        else:
            png = report.barcode(
                gs1_barcode.DATAMATRIX,
                value,
                width=width or 300,
                height=height or 300,
                quiet=0,
            )
        return base64.b64encode(png).decode()
