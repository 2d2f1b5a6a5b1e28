from odoo import fields, models


class StockLot(models.Model):
    """The recall scope a CAPA rule files on the CAPA or nonconformance it opens:
    where the lots, and the lots made from them, went or still are."""

    _name = "stock.lot"
    _inherit = "stock.lot"

    def _med_dossier_sections(self, report):
        if report != "recall_scope":
            return super()._med_dossier_sections(report)
        # The scope, not the lots' own history: no signatures or audit trail.
        return [
            {
                "code": "recall_scope",
                "label": self.env._("Recall scope"),
                "sequence": 10,
                "columns": [
                    ("lot", self.env._("Lot")),
                    ("product", self.env._("Product")),
                    ("customer", self.env._("Customer or Location")),
                    ("quantity", self.env._("Quantity")),
                    ("date", self.env._("Date")),
                    ("transfer", self.env._("Transfer")),
                ],
                "rows": self._med_recall_scope_rows(),
            }
        ]

    def _med_recall_scope_rows(self):
        if not self:
            return
        scope = self.med_recall_scope()
        for line in scope["delivered_move_lines"]:
            yield [
                line.lot_id.name,
                line.product_id.display_name,
                (line.picking_id.partner_id or line.move_id.partner_id).display_name,
                line.quantity,
                fields.Datetime.to_string(line.date),
                line.picking_id.name or "",
            ]
        for quant in scope["on_hand"]:
            yield [
                quant.lot_id.name,
                quant.product_id.display_name,
                self.env._(
                    "In stock: %(location)s", location=quant.location_id.display_name
                ),
                quant.quantity,
                "",
                "",
            ]
