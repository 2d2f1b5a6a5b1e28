from collections import defaultdict

from odoo import models


class MedSalesRecordExport(models.TransientModel):
    """The sales record also names the buyer's licence (购货者许可证号), as the
    distribution GSP asks: the customer certificates valid on the day of each line."""

    _inherit = "med.sales.record.export"

    def _med_labels(self):
        return [*super()._med_labels(), self.env._("Customer Licence No.")]

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
            yield [*row, numbers[key]]

    def _med_customer_certificates(self, lines):
        """{commercial partner: its certificates of customer types} of the company."""
        _types, certificates = self.env["med.supplier.gate"]._med_customer_certificates(
            self.company_id, lines.med_partner_id.commercial_partner_id
        )
        held = defaultdict(lambda: certificates.browse())
        for certificate in certificates:
            held[certificate.partner_id] |= certificate
        return held
