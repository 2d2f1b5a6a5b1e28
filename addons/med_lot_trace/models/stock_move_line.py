from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import gs1


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    # Genealogy and recall-scope queries select move lines by lot; Odoo 18 has no index
    # on this column. Most move lines carry no lot, so a partial index stays small.
    lot_id = fields.Many2one(index="btree_not_null")

    med_lot_state = fields.Selection(related="lot_id.med_state", string="Lot Status")
    med_production_date = fields.Date(string="Production Date")
    med_gs1_barcode = fields.Char(
        string="GS1 Barcode",
        store=False,
        help="Scan or paste the UDI (GS1 element string): fills the lot, production "
        "and expiry dates.",
    )

    @api.onchange("med_gs1_barcode")
    def _onchange_med_gs1_barcode(self):
        if self.med_gs1_barcode:
            self.update(self._med_gs1_values(self.med_gs1_barcode))

    def _med_gs1_values(self, text):
        """Move line values read from a GS1 element string, checked against the
        line's product."""
        self.ensure_one()
        try:
            data = gs1.parse(text)
        except gs1.GS1Error as error:
            raise UserError(
                self.env._(
                    "Unreadable UDI %(text)s: %(error)s. (无法识别的 UDI。)",
                    text=text,
                    error=error,
                )
            ) from error
        expected = self.product_id.med_udi_di
        if data.get("gtin") and expected and data["gtin"] != expected:
            raise UserError(
                self.env._(
                    "The UDI is for GTIN %(scanned)s, but %(product)s has UDI-DI "
                    "%(expected)s. (UDI 与产品不符。)",
                    scanned=data["gtin"],
                    product=self.product_id.display_name,
                    expected=expected,
                )
            )
        values = {}
        lot_name = data.get("lot") or data.get("serial")
        if lot_name:
            values["lot_name"] = lot_name
        if data.get("expiry_date"):
            values["expiration_date"] = fields.Datetime.to_datetime(data["expiry_date"])
        if data.get("production_date"):
            values["med_production_date"] = data["production_date"]
        return values

    def _prepare_new_lot_vals(self):
        vals = super()._prepare_new_lot_vals()
        if self.med_production_date:
            vals["med_production_date"] = self.med_production_date
        return vals
