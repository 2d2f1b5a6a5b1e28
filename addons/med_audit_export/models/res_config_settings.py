from odoo import api, fields, models

from odoo.addons.auth_session_timeout.models.ir_config_parameter import DELAY_KEY

from .res_users import DEFAULT_LOGIN_LOCKOUT_MINUTES, DEFAULT_LOGIN_MAX_FAILURES

SIGNING_ADMIN_GROUP = "med_audit_export.group_med_compliance_admin"
SIGNING_FIELDS = (
    "med_signing_certificate",
    "med_signing_certificate_name",
    "med_signing_password",
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    med_sign_max_failures = fields.Integer(
        string="Wrong Passwords Before Lockout",
        config_parameter="med_audit_export.sign_max_failures",
        default=5,
    )
    med_sign_lockout_minutes = fields.Integer(
        string="Signature Lockout (minutes)",
        config_parameter="med_audit_export.sign_lockout_minutes",
        default=15,
    )
    med_login_max_failures = fields.Integer(
        string="Wrong Login Passwords Before Lockout",
        config_parameter="med_audit_export.login_max_failures",
        default=DEFAULT_LOGIN_MAX_FAILURES,
        help="0: the account is never locked (Odoo's per-address cooldown only).",
    )
    med_login_lockout_minutes = fields.Integer(
        string="Login Lockout (minutes)",
        config_parameter="med_audit_export.login_lockout_minutes",
        default=DEFAULT_LOGIN_LOCKOUT_MINUTES,
    )
    # Stored by OCA auth_session_timeout in seconds
    med_session_timeout_minutes = fields.Integer(
        string="Inactive Session Timeout (minutes)",
        help="A session left without a request this long is logged out; 0: never.",
    )
    med_access_review_months = fields.Integer(
        related="company_id.med_access_review_months", readonly=False
    )
    med_tsa_url = fields.Char(
        string="Time-Stamp Authority",
        config_parameter="med_audit_export.tsa_url",
        help="URL of an RFC 3161 time-stamp authority that stamps each audit trail "
        "checkpoint; empty: checkpoints are not time-stamped.",
    )
    med_checkpoint_dir = fields.Char(
        string="Checkpoint Folder",
        config_parameter="med_audit_export.checkpoint_dir",
        help="Folder the audit trail checkpoints are written to (e.g. a WORM share "
        "the database owner cannot write); empty: the filestore's med_checkpoints.",
    )
    med_seal_delay_minutes = fields.Integer(
        string="Unsealed Entries Reported After (minutes)",
        config_parameter="med_audit_export.seal_delay_minutes",
        default=60,
    )
    med_dossier_pdfa = fields.Boolean(
        related="company_id.med_dossier_pdfa", readonly=False
    )
    # Not related fields: a related field writes its value to the company on its
    # own, and the certificate would be checked before its password is there.
    med_signing_certificate = fields.Binary(
        string="Evidence Signing Certificate",
        attachment=False,
        groups=SIGNING_ADMIN_GROUP,
    )
    med_signing_certificate_name = fields.Char(
        string="Certificate File Name", groups=SIGNING_ADMIN_GROUP
    )
    med_signing_password = fields.Char(
        string="Certificate Password", groups=SIGNING_ADMIN_GROUP
    )

    @api.model
    def get_values(self):
        values = super().get_values()
        delay = int(self.env["ir.config_parameter"].sudo().get_param(DELAY_KEY, 0))
        values["med_session_timeout_minutes"] = delay // 60
        if self.env.user.has_group(SIGNING_ADMIN_GROUP):
            company = self.env.company
            values.update({name: company[name] or False for name in SIGNING_FIELDS})
        return values

    def set_values(self):
        super().set_values()
        self.env["ir.config_parameter"].sudo().set_param(
            DELAY_KEY, max(self.med_session_timeout_minutes, 0) * 60
        )
        if not self.env.user.has_group(SIGNING_ADMIN_GROUP):
            return
        values = {name: self[name] or False for name in SIGNING_FIELDS}
        company = self.company_id
        if any(company[name] != value for name, value in values.items()):
            company.write(values)  # certificate and password checked together
