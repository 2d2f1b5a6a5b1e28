import base64
import binascii
import hashlib

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.signature import SigningKey

ADMIN_GROUP = "med_audit_export.group_med_compliance_admin"
# The evidence settings an inspector asks about (Annex 11 §10, 21 CFR 11.10(k)): their
# changes are in the audit trail, logged by write() below, the certificate by its
# fingerprint, subject and validity and the password as set or changed: the trail
# never holds the secrets themselves.
EVIDENCE_SETTINGS = (
    "med_signing_certificate",
    "med_signing_certificate_name",
    "med_signing_password",
    "med_dossier_pdfa",
)
PASSWORD_SET = "(set)"
PASSWORD_CHANGED = "(changed)"


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
    med_dossier_pdfa = fields.Boolean(
        string="Dossiers as PDF/A-2b",
        help="PDF evidence reports are exported as PDF/A-2b (archival) unless the "
        "exporter unticks it.",
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

    def _med_audit_config(self):
        config = super()._med_audit_config()
        if config and config.fields.intersection(EVIDENCE_SETTINGS):
            # logged by write(), never by value, whatever the audit rule lists
            return config._replace(fields=config.fields.difference(EVIDENCE_SETTINGS))
        return config

    def write(self, vals):
        audited = [name for name in EVIDENCE_SETTINGS if name in vals]
        if not audited:
            return super().write(vals)
        reason = self._med_reason()
        before = {company.id: company._med_evidence_settings() for company in self}
        result = super().write(vals)
        rows = []
        for company in self:
            old_values, new_values = (
                before[company.id],
                company._med_evidence_settings(),
            )
            for name in audited:
                old, new = old_values[name], new_values[name]
                if old == new:
                    continue
                if name == "med_signing_password":
                    old = PASSWORD_SET if old else ""
                    new = (PASSWORD_CHANGED if old else PASSWORD_SET) if new else ""
                else:
                    old, new = (old[1] if old else ""), (new[1] if new else "")
                row = self._med_entry_row(
                    "write", company.id, name, old, new, self.env.uid, reason
                )
                row["company_id"] = company.id
                rows.append(row)
        self._med_insert_entries(rows)
        return result

    def _med_evidence_settings(self):
        """{setting: value} to compare: the password itself (compared, never
        logged), the others as (raw value, text for the trail)."""
        self.ensure_one()
        # sudo: the settings are compared for the trail, whoever may read them.
        company = self.sudo()
        certificate = company.med_signing_certificate
        return {
            "med_signing_certificate": certificate
            and (certificate, company._med_certificate_description()),
            "med_signing_certificate_name": company.med_signing_certificate_name
            and (
                company.med_signing_certificate_name,
                company.med_signing_certificate_name,
            ),
            "med_signing_password": company.med_signing_password or False,
            "med_dossier_pdfa": (
                company.med_dossier_pdfa,
                self._med_format("med_dossier_pdfa", company.med_dossier_pdfa),
            ),
        }

    def _med_certificate_description(self):
        """The signing certificate as the trail names it: fingerprint, subject,
        issuer and validity (no secret)."""
        try:
            certificate = self._med_signing_key().certificate
        except ValidationError:
            digest = hashlib.sha256(
                base64.b64decode(self.sudo().med_signing_certificate)
            ).hexdigest()
            return f"PKCS#12 file that cannot be opened, file SHA-256 {digest}"
        fingerprint = hashlib.sha256(certificate.dump()).hexdigest().upper()
        validity = certificate["tbs_certificate"]["validity"]
        return (
            f"SHA-256 fingerprint {fingerprint}; subject "
            f"{certificate.subject.human_friendly}; issuer "
            f"{certificate.issuer.human_friendly}; serial "
            f"{certificate.serial_number}; valid from "
            f"{validity['not_before'].native:%Y-%m-%d %H:%M:%S} UTC to "
            f"{validity['not_after'].native:%Y-%m-%d %H:%M:%S} UTC"
        )

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
