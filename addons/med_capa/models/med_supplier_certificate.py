from odoo import fields, models


class MedSupplierCertificate(models.Model):
    _inherit = "med.supplier.certificate"

    def _med_certificates_expired(self):
        result = super()._med_certificates_expired()
        self.env["med.capa.rule"]._med_fire(
            "certificate_expired",
            [certificate._med_expiry_event() for certificate in self],
        )
        return result

    def _med_expiry_event(self):
        self.ensure_one()
        return {
            "origin": self,
            "partner": self.partner_id,
            # one product only: a certificate of several products concerns the supplier
            "product": self.product_ids if len(self.product_ids) == 1 else None,
            "company": self.company_id,
            "description": self.env._(
                "%(type)s %(number)s of %(supplier)s expired on %(date)s.",
                type=self.type_id.name,
                number=self.number,
                supplier=self.partner_id.display_name,
                date=fields.Date.to_string(self.expiry_date),
            ),
        }
