from odoo import api, fields, models

MEANINGS = [
    ("approval", "Approval"),
    ("review", "Review"),
    ("responsibility", "Responsibility"),
    ("authorship", "Authorship"),
    ("verification", "Verification"),
    ("release", "Release"),
    ("rejection", "Rejection"),
    ("hold", "Hold"),
    ("disposition", "Disposition"),
    ("closure", "Closure"),
    ("evaluation", "Evaluation"),
]


class MedSignature(models.Model):
    """An electronic signature (21 CFR 11.50, 11.70): who, when, meaning, bound to the
    record by a digest of its content. Hash-chained and append-only."""

    _name = "med.signature"
    _description = "Electronic Signature"
    _inherit = ("med.hash.chain.mixin",)
    _order = "id desc"
    _log_access = False  # timestamp and signer_id say who and when, hashed
    _rec_name = "signer_name"
    _med_hash_fields = (
        "timestamp",
        "signer_id",
        "signer_name",
        "signer_login",
        "meaning",
        "comment",
        "res_model",
        "res_id",
        "res_name",
        "content_digest",
        "company_id",
    )

    timestamp = fields.Datetime(string="Signed On", readonly=True, index=True)
    signer_id = fields.Many2one("res.users", readonly=True, index=True)
    signer_name = fields.Char(string="Printed Name", readonly=True)
    signer_login = fields.Char(string="Login", readonly=True)
    meaning = fields.Selection(MEANINGS, readonly=True, index=True)
    comment = fields.Text(readonly=True)
    res_model = fields.Char(string="Model", readonly=True, index=True)
    res_id = fields.Integer(string="Record ID", readonly=True, index=True)
    res_name = fields.Char(string="Signed Record", readonly=True)
    content_digest = fields.Char(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    content_changed = fields.Boolean(
        string="Changed Since Signature",
        compute="_compute_content_changed",
        help="The signed record's content no longer matches what was signed.",
    )

    @api.depends("content_digest")
    def _compute_content_changed(self):
        for signature in self:
            record = self.env[signature.res_model].browse(signature.res_id).exists()
            signature.content_changed = bool(
                record
                and hasattr(record, "_med_content_digest")
                # sudo: the digest covers the whole record, readable or not.
                and record.sudo()._med_content_digest() != signature.content_digest
            )

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
