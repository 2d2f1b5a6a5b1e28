import base64
import hashlib

from odoo import api, fields, models
from odoo.exceptions import UserError


class MedValidationFile(models.Model):
    """A file of an imported validation package, kept with its SHA-256."""

    _name = "med.validation.file"
    _description = "Validation Package File"
    _order = "run_id desc, name"

    run_id = fields.Many2one(
        "med.validation.run", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    name = fields.Char(readonly=True, required=True)
    sha256 = fields.Char(string="SHA-256", readonly=True, required=True)
    file_size = fields.Integer(string="Size (bytes)", readonly=True)
    datas = fields.Binary(string="File", attachment=True, readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not self._med_trusted():
            raise UserError(
                self.env._("The files of a validation run come from its package.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self._med_trusted():
            raise UserError(
                self.env._("The files of a validation run are evidence: not edited.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_evidence(self):
        raise UserError(
            self.env._("The files of a validation run are evidence and are kept.")
        )

    def _med_intact(self):
        """Does the stored file still match the SHA-256 it was imported with?"""
        self.ensure_one()
        # sudo: the attachment behind the field is read whoever checks it.
        data = base64.b64decode(self.sudo().datas or b"")
        return hashlib.sha256(data).hexdigest() == self.sha256
