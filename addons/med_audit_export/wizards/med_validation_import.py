import base64

from odoo import fields, models
from odoo.exceptions import UserError


class MedValidationImport(models.TransientModel):
    """Imports a validation package of setup/validate.sh (its zip) as a validation
    run, once every file matches the SHA-256 of its manifest."""

    _name = "med.validation.import"
    _description = "Import Validation Package"

    package_file = fields.Binary(string="Package (zip)", attachment=False)
    package_filename = fields.Char()

    def action_import(self):
        self.ensure_one()
        if not self.package_file:
            raise UserError(
                self.env._("Choose the zip of the package that setup/validate.sh made.")
            )
        run = self.env["med.validation.run"]._med_import_package(
            base64.b64decode(self.package_file)
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "med.validation.run",
            "res_id": run.id,
            "view_mode": "form",
        }
