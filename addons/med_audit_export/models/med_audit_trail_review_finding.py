from odoo import fields, models

FINDING_KINDS = [
    ("after_release", "Changed after release or approval"),
    ("deletion", "Record deleted"),
    ("refused_deletion", "Deletion refused"),
    ("repeated_reason", "Same reason repeated"),
    ("signature_changed", "Signed record changed since"),
]


class MedAuditTrailReviewFinding(models.Model):
    """One entry (or group of entries) of the audit trail that a review found to
    matter."""

    _name = "med.audit.trail.review.finding"
    _description = "Audit Trail Review Finding"
    _order = "review_id, kind, timestamp, id"

    review_id = fields.Many2one(
        "med.audit.trail.review", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="review_id.company_id", store=True)
    kind = fields.Selection(FINDING_KINDS, required=True, readonly=True)
    entry_id = fields.Many2one("med.audit.entry", readonly=True)
    signature_id = fields.Many2one("med.signature", readonly=True)
    user_id = fields.Many2one("res.users", readonly=True)
    timestamp = fields.Datetime(string="When", readonly=True)
    res_id = fields.Integer(string="Record ID", readonly=True)
    res_name = fields.Char(string="Record", readonly=True)
    count = fields.Integer(string="Times", readonly=True, default=1)
    description = fields.Char(readonly=True)
