import base64

from odoo import fields, models

RESULTS = [("valid", "Recorded export"), ("unknown", "Not recognised")]


class MedAuditExportVerify(models.TransientModel):
    """Checks an evidence file, or the verification code in its footer, against the
    exports recorded in this database."""

    _name = "med.audit.export.verify"
    _description = "Verify Evidence File"

    code = fields.Char(string="Verification Code", help="As in the file's last line.")
    file = fields.Binary(attachment=False)
    filename = fields.Char()
    result = fields.Selection(RESULTS, readonly=True)
    export_id = fields.Many2one("med.audit.export", readonly=True)
    message = fields.Text(readonly=True)

    def action_verify(self):
        self.ensure_one()
        Export = self.env["med.audit.export"]
        by_code = Export._med_verify_code(self.code) if self.code else Export
        by_file = (
            Export._med_verify_file(base64.b64decode(self.file))
            if self.file
            else Export
        )
        export = by_file or by_code
        if self.file and not by_file:
            message = self.env._(
                "This file is not an export recorded in this database, or it was "
                "changed after it was exported (its SHA-256 matches no export)."
            )
            export = Export
        elif self.code and not by_code:
            message = self.env._(
                "No export of this database has the verification code %(code)s.",
                code=self.code,
            )
        elif self.file and self.code and by_file != by_code:
            message = self.env._(
                "The file is export %(file)s but the code belongs to export %(code)s.",
                file=by_file.name,
                code=by_code.name,
            )
            export = Export
        elif export:
            message = self.env._(
                "%(name)s: exported by %(user)s on %(date)s UTC, %(count)s rows, "
                "SHA-256 %(digest)s, verification code %(code)s.",
                name=export.name,
                user=export.user_id.name,
                date=fields.Datetime.to_string(export.date),
                count=export.record_count,
                digest=export.file_sha256,
                code=export.verification_code,
            )
            if not self.file:
                message += " " + self.env._(
                    "Upload the file too to check that it is unchanged."
                )
        else:
            message = self.env._("Enter a verification code or upload a file.")
        self.write(
            {
                "result": "valid" if export else "unknown",
                "export_id": export.id,
                "message": message,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
