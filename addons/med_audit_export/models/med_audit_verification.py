from odoo import api, fields, models
from odoo.tools import frozendict

from .med_hash_chain_mixin import refuse_change
from .med_signable_mixin import QA_MANAGER


class MedAuditVerification(models.Model):
    """One run of the chain verification of the audit trail and the signatures."""

    _name = "med.audit.verification"
    _description = "Audit Trail Verification"
    _inherit = ("mail.thread", "mail.activity.mixin", "med.signable.mixin")
    _med_signature_actions = frozendict({"_med_post_review": ("review", QA_MANAGER)})
    _mail_post_access = "read"
    _order = "id desc"
    _rec_name = "date"

    date = fields.Datetime(readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user
    )
    entry_count = fields.Integer(string="Entries Checked", readonly=True)
    signature_count = fields.Integer(string="Signatures Checked", readonly=True)
    broken_entry_ids = fields.Many2many(
        "med.audit.entry", string="Broken Entries", readonly=True
    )
    broken_signature_ids = fields.Many2many(
        "med.signature", string="Broken Signatures", readonly=True
    )
    state = fields.Selection(
        [("intact", "Intact"), ("broken", "Tampering Detected")], readonly=True
    )

    def write(self, vals):  # pylint: disable=method-required-super
        refuse_change(self)  # append-only: no path may reach the ORM's write

    def unlink(self):  # pylint: disable=method-required-super
        refuse_change(self, deletion=True)

    @api.model
    def action_verify(self):
        """Verify both chains now, store the result, alert on tampering."""
        entries = self.env["med.audit.entry"].sudo()
        signatures = self.env["med.signature"].sudo()
        broken_entries = entries.verify_chain()
        broken_signatures = signatures.verify_chain()
        # sudo: a verification is a system record; any auditor may start one.
        verification = self.sudo().create(
            {
                "entry_count": entries.search_count([]),
                "signature_count": signatures.search_count([]),
                "broken_entry_ids": [fields.Command.set(broken_entries.ids)],
                "broken_signature_ids": [fields.Command.set(broken_signatures.ids)],
                "state": "broken" if broken_entries or broken_signatures else "intact",
            }
        )
        if verification.state == "broken":
            verification._med_alert()
        return verification

    def action_verify_now(self):
        verification = self.action_verify()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": verification.id,
            "view_mode": "form",
        }

    def _med_alert(self):
        admins = self.env.ref("med_audit_export.group_med_compliance_admin").users
        admins = admins.filtered(lambda u: not u.share and u.active and u.id != 1)
        summary = self.env._("Audit trail tampering detected (审计追踪被篡改)")
        note = self.env._(
            "%(entries)s audit entries and %(signatures)s signatures do not match "
            "their hash chain. Investigate before the next audit.",
            entries=len(self.broken_entry_ids),
            signatures=len(self.broken_signature_ids),
        )
        for admin in admins:
            self.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=summary,
                note=note,
                user_id=admin.id,
            )
        self.message_post(body=note, subject=summary)

    def action_med_review(self):
        """Sign the review of this verification (EU GMP Annex 11 §9: audit trails are
        reviewed regularly)."""
        return self._med_request_signature(
            "review",
            "_med_post_review",
            title=self.env._("Sign the Audit Trail Review"),
        )

    def _med_post_review(self):
        for verification in self:
            verification.message_post(
                body=self.env._(
                    "Audit trail review signed by %(user)s.", user=self.env.user.name
                )
            )

    @api.model
    def _cron_verify(self):
        self.action_verify()
