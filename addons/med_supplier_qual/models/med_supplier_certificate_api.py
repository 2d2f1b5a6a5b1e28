from odoo import api, fields, models
from odoo.exceptions import UserError


class MedSupplierCertificate(models.Model):
    """The public API of supplier certificates (docs/api.md)."""

    _inherit = "med.supplier.certificate"

    @api.model
    @api.readonly  # read-only work: served by a replica where one is set
    def med_partner_certificates_valid_on(self, partner_id, date, product_id=None):
        """Is supplier ``partner_id`` qualified on ``date`` (YYYY-MM-DD), for
        ``product_id`` when given? The answer of the purchase and receipt gates
        (``med.supplier.gate``) for the current company, with each certificate's
        validity on that day (``_med_valid_on``, ``_med_state_on``): the very
        calculation the gates and the certificate list use."""
        self.check_access("read")
        try:
            day = fields.Date.to_date(date)
        except ValueError:
            day = None
        if not day:
            raise UserError(
                self.env._(
                    "Give the date as YYYY-MM-DD, not %(date)s.",
                    date=date,
                )
            )
        partner = self.env["res.partner"].browse(partner_id).exists()
        product = self.env["product.product"].browse(product_id or []).exists()
        if not partner or (product_id and not product):
            raise UserError(
                self.env._(
                    "No supplier %(partner)s or product %(product)s.",
                    partner=partner_id,
                    product=product_id or "-",
                )
            )
        partner.check_access("read")
        partner = partner.commercial_partner_id
        company = self.env.company
        Gate = self.env["med.supplier.gate"]
        if product:
            problems = Gate._med_violations(company, [(partner, product)], day)
        else:
            evidence = Gate._med_evidence(company, partner, day)
            problems = Gate._med_supplier_messages(
                partner, self.env["product.product"], evidence
            )
        require_verified = company.med_require_verified_certificates
        certificates = self.search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        )
        if product:
            certificates = certificates.filtered(
                lambda c: c.scope != "product" or c._med_covers(product)
            )
        states = dict(self._fields["state"]._description_selection(self.env))
        return {
            "partner_id": partner.id,
            "partner": partner.display_name,
            "product_id": product.id or False,
            "date": fields.Date.to_string(day),
            "qualified": not problems,
            "problems": [str(problem) for problem in problems],
            "certificates": [
                {
                    "id": certificate.id,
                    "type": certificate.type_id.name,
                    "number": certificate.number,
                    "issue_date": fields.Date.to_string(certificate.issue_date)
                    or False,
                    "expiry_date": fields.Date.to_string(certificate.expiry_date)
                    or False,
                    "verified": bool(certificate.verified_by_id),
                    "valid_on_date": bool(
                        certificate._med_valid_on(day, require_verified)
                    ),
                    "state_on_date": certificate._med_state_on(day),
                    "state_on_date_label": states[certificate._med_state_on(day)],
                }
                for certificate in certificates
            ],
        }
