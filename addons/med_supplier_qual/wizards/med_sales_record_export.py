from collections import defaultdict

from odoo import models


class MedSalesRecordExport(models.TransientModel):
    """The sales record also names the buyer's licence (购货者许可证号), as the
    distribution GSP asks: the customer certificates valid on the day of each line."""

    _inherit = "med.sales.record.export"

    def _med_labels(self):
        return [
            *super()._med_labels(),
            self.env._("Customer Licence No."),
            self.env._("Unit Price (untaxed)"),
            self.env._("Amount (untaxed)"),
            self.env._("Currency"),
        ]

    def _med_rows(self, lines):
        held = self._med_customer_certificates(lines)
        numbers = {}
        for row, line in zip(super()._med_rows(lines), lines, strict=True):
            key = (line.med_partner_id.commercial_partner_id, line.date.date())
            if key not in numbers:
                partner, day = key
                numbers[key] = ", ".join(
                    held[partner]
                    ._med_valid_on(day, require_verified=False)
                    .mapped("number")
                )
            yield [*row, numbers[key], *self._med_price_cells(line)]

    def _med_price_cells(self, line):
        """The unit price (in the line's unit, after discount, untaxed), the amount
        (negative for a return) and the currency of the sales order line the lot
        was delivered for; empty for deliveries made without a sales order."""
        move = line.move_id
        sale_line = move.sale_line_id or move.origin_returned_move_id.sale_line_id
        if not sale_line:
            return ["", "", ""]
        unit_price = sale_line.product_uom._compute_price(
            sale_line.price_reduce_taxexcl, line.product_uom_id
        )
        currency = sale_line.currency_id
        delivered = line.location_dest_id.usage == "customer"
        quantity = line.quantity if delivered else -line.quantity
        return [
            f"{unit_price:.{currency.decimal_places}f}",
            f"{currency.round(unit_price * quantity):.{currency.decimal_places}f}",
            currency.name,
        ]

    def _med_customer_certificates(self, lines):
        """{commercial partner: its certificates of customer types} of the company."""
        _types, certificates = self.env["med.supplier.gate"]._med_customer_certificates(
            self.company_id, lines.med_partner_id.commercial_partner_id
        )
        held = defaultdict(lambda: certificates.browse())
        for certificate in certificates:
            held[certificate.partner_id] |= certificate
        return held
