from odoo import api, models

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
        attachments._med_verified_certificates()._med_void_verification(
            attachments.sudo().mapped("name"), "added"
        )
        return attachments

    def write(self, vals):
        if not SCAN_KEYS.intersection(vals):
            return super().write(vals)
        before = self._med_verified_certificates()
        result = super().write(vals)
        (before | self._med_verified_certificates())._med_void_verification(
            self.sudo().mapped("name"), "changed"
        )
        return result

    def unlink(self):
        certificates = self._med_verified_certificates()
        names = self.sudo().mapped("name")  # sudo: read before they are gone
        result = super().unlink()
        certificates._med_void_verification(names, "deleted")
        return result

    def _med_verified_certificates(self):
        """The verified certificates these attachments belong to: by their owner,
        or as scans of the certificate."""
        if not self:
            return self.env[CERTIFICATE]
        # sudo: the verification concerns every certificate, whoever edits the file.
        attachments = self.sudo()
        owner_ids = attachments.filtered(lambda a: a.res_model == CERTIFICATE).mapped(
            "res_id"
        )
        return (
            self.env[CERTIFICATE]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("verified_by_id", "!=", False),
                    "|",
                    ("id", "in", owner_ids),
                    ("attachment_ids", "in", attachments.ids),
                ]
            )
        )
