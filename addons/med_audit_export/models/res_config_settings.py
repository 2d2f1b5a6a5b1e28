from odoo import fields, models


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
    med_signing_certificate = fields.Binary(
        related="company_id.med_signing_certificate",
        readonly=False,
        groups="med_audit_export.group_med_compliance_admin",
    )
    med_signing_certificate_name = fields.Char(
        related="company_id.med_signing_certificate_name",
        readonly=False,
        groups="med_audit_export.group_med_compliance_admin",
    )
    med_signing_password = fields.Char(
        related="company_id.med_signing_password",
        readonly=False,
        groups="med_audit_export.group_med_compliance_admin",
    )
