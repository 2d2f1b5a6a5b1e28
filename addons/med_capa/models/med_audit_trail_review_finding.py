from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER


class MedAuditTrailReviewFinding(models.Model):
    """A finding of an audit trail review opens a nonconformance (an audit
    finding) for the QA manager to evaluate and disposition."""

    _inherit = "med.audit.trail.review.finding"

    nonconformance_id = fields.Many2one("med.nonconformance", readonly=True, index=True)

    def action_med_open_nonconformance(self):
        self.ensure_one()
        if not self.nonconformance_id:
            if not self.env.user.has_group(QA_MANAGER):
                raise UserError(
                    self.env._(
                        "Only a QA manager opens a nonconformance from an audit "
                        "trail review."
                    )
                )
            kind = dict(self._fields["kind"]._description_selection(self.env))
            nonconformance = self.env["med.nonconformance"].create(
                {
                    "source": "audit",
                    "company_id": self.company_id.id,
                    "description": self.env._(
                        "Audit trail review %(review)s: %(kind)s. %(record)s "
                        "%(description)s",
                        review=self.review_id.name,
                        kind=kind.get(self.kind, self.kind),
                        record=self.res_name or "",
                        description=self.description or "",
                    ),
                }
            )
            # sudo: findings are the review's records, read-only for everyone; the
            # link to the nonconformance is the one thing written on them.
            self.sudo().nonconformance_id = nonconformance
        return {
            "type": "ir.actions.act_window",
            "res_model": "med.nonconformance",
            "res_id": self.nonconformance_id.id,
            "view_mode": "form",
        }
