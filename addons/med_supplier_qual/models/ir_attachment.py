from odoo import api, models
from odoo.tools import SQL

CERTIFICATE = "med.supplier.certificate"
# What makes an attachment the scan QA checked: its content and its owner.
SCAN_KEYS = {"name", "datas", "raw", "db_datas", "url", "type", "res_model", "res_id"}


class IrAttachment(models.Model):
    """A verified certificate's scan cannot change behind QA's back: adding,
    replacing or deleting an attachment of a verified certificate (its scans, or
    any file attached to it) voids the verification, in the trail with the file
    named, as editing the certificate itself does. QA verifies the new scan."""

    _inherit = "ir.attachment"

    @api.model_create_multi
    def create(self, vals_list):
        attachments = super().create(vals_list)
        # a new file is no certificate's scan yet: only its owner may be one
        attachments._med_verified_certificates(owners_only=True)._med_void_verification(
            attachments.sudo().mapped("name"), "added"
        )
        return attachments

    def write(self, vals):
        if not SCAN_KEYS.intersection(vals):
            return super().write(vals)
        before = {
            att.id: (att._med_scan_identity(), att._med_verified_certificates())
            for att in self.sudo()
        }
        result = super().write(vals)
        # Moving the same content to another storage changes nothing QA checked.
        changed = self.sudo().filtered(
            lambda att: att._med_scan_identity() != before[att.id][0]
        )
        certificates = changed._med_verified_certificates().union(
            *(before[att.id][1] for att in changed)
        )
        certificates._med_void_verification(changed.mapped("name"), "changed")
        return result

    def _med_scan_identity(self):
        return (self.checksum, self.url, self.name, self.res_model, self.res_id)

    def unlink(self):
        certificates = self._med_verified_certificates()
        names = self.sudo().mapped("name")  # sudo: read before they are gone
        result = super().unlink()
        certificates._med_void_verification(names, "deleted")
        return result

    def _med_verified_certificates(self, owners_only=False):
        """The verified certificates these attachments belong to: by their owner,
        or as scans of the certificate."""
        if not self:
            return self.env[CERTIFICATE]
        # sudo: the verification concerns every certificate, whoever edits the file.
        attachments = self.sudo()
        owner_ids = attachments.filtered(lambda a: a.res_model == CERTIFICATE).mapped(
            "res_id"
        )
        if owners_only and not owner_ids:
            return self.env[CERTIFICATE]
        domain = [("id", "in", owner_ids)]
        if not owners_only:
            domain = ["|", *domain, ("attachment_ids", "in", attachments.ids)]
        certificates = self.env[CERTIFICATE].sudo().search(domain)
        if not certificates:
            return certificates
        # Locked: a verification committed meanwhile makes this transaction retry
        # and void it (REPEATABLE READ).
        self.env.cr.execute(
            SQL(
                "SELECT id FROM med_supplier_certificate WHERE id = ANY(%s) FOR SHARE",
                certificates.ids,
            )
        )
        return certificates.filtered("verified_by_id")
