from odoo import fields, models


class StockLot(models.Model):
    """Adds to the lot dossier the suppliers of the lot and of its components, with
    the certificates that were valid on the day each lot was received."""

    _inherit = "stock.lot"

    def _med_dossier_sections(self, report):
        sections = super()._med_dossier_sections(report)
        if report != "lot_dossier":
            return sections
        return sections + [
            {
                "code": "suppliers",
                "label": self.env._("Suppliers and certificates"),
                "sequence": 50,
                "columns": [
                    ("lot", self.env._("Lot/Serial")),
                    ("product", self.env._("Product")),
                    ("supplier", self.env._("Supplier")),
                    ("receipt", self.env._("Receipt")),
                    ("date", self.env._("Received on (UTC)")),
                    ("certificates", self.env._("Certificates valid that day")),
                ],
                "rows": self._med_supplier_rows(),
            }
        ]

    def _med_supplier_rows(self):
        lots = self._med_dossier_records().get("stock.lot", self)
        lines = self.env["stock.move.line"].search(
            [
                ("lot_id", "in", lots.ids),
                ("state", "=", "done"),
                ("location_id.usage", "=", "supplier"),
            ],
            order="date, id",
        )
        suppliers = lines.picking_partner_id.commercial_partner_id
        # sudo: the dossier shows the certificates of the suppliers of lots the
        # auditor can read, whoever recorded them.
        certificates = (
            self.env["med.supplier.certificate"]
            .sudo()
            .search([("partner_id", "in", suppliers.ids)])
        )
        for line in lines:
            supplier = line.picking_partner_id.commercial_partner_id
            day = line.date.date()
            valid = certificates.filtered(
                lambda c, s=supplier: c.partner_id == s
            )._med_valid_on(day, require_verified=False)
            yield [
                line.lot_id.name,
                line.product_id.display_name,
                supplier.display_name or "",
                line.reference or "",
                fields.Datetime.to_string(line.date),
                "; ".join(
                    f"{c.type_id.name} {c.number} "
                    f"({fields.Date.to_string(c.expiry_date) or '∞'})"
                    for c in valid
                ),
            ]
