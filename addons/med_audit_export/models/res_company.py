import base64
import binascii

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.signature import SigningKey

ADMIN_GROUP = "med_audit_export.group_med_compliance_admin"


class ResCompany(models.Model):
    """The certificate that signs the company's evidence files (PAdES for PDFs, a
    detached .p7s for xlsx and csv). Only compliance administrators read or set it;
    the export engine uses it for whoever exports."""

    _inherit = "res.company"

    med_signing_certificate = fields.Binary(
        string="Evidence Signing Certificate",
        attachment=False,
        groups=ADMIN_GROUP,
        help="PKCS#12 file (.p12, .pfx) with the private key and certificate that "
        "sign evidence files; empty: files are not signed.",
    )
    med_signing_certificate_name = fields.Char(
        string="Certificate File Name", groups=ADMIN_GROUP
    )
    med_signing_password = fields.Char(
        string="Certificate Password", groups=ADMIN_GROUP
    )
    med_access_review_months = fields.Integer(
        string="Access Review Every (months)",
        default=6,
        help="Every this many months a review of the users and their roles is due "
        "(EU GMP Annex 11 §12); 0: no review is scheduled.",
    )
    # Written by each run of the daily job alert before it decides which alerts to
    # send: two runs deciding for the same company then write the same row and
    # cannot both commit, whatever their snapshots.
    med_date_job_alert_check = fields.Datetime(
        string="Job Alert Check", readonly=True, copy=False
    )

    @api.constrains("med_signing_certificate", "med_signing_password")
    def _check_med_signing_certificate(self):
        for company in self:
            if company.med_signing_certificate:
                company._med_signing_key()

    def _med_signing_key(self):
        """The company's signing key, or None when it has no certificate. Raises
        ValidationError when the file or its password is wrong."""
        self.ensure_one()
        # sudo: the exporter signs with the company's key without reading it.
        company = self.sudo()
        if not company.med_signing_certificate:
            return None
        try:
            return SigningKey(
                base64.b64decode(company.med_signing_certificate),
                company.med_signing_password,
            )
        except (ValueError, TypeError, binascii.Error) as error:
            raise ValidationError(
                self.env._(
                    "The evidence signing certificate of %(company)s cannot be "
                    "opened: a PKCS#12 file (.p12, .pfx) with its private key and "
                    "the right password is needed (%(error)s).",
                    company=self.name,
                    error=error,
                )
            ) from error
