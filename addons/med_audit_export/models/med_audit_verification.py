import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import frozendict

from .med_audit_chain_head import CHAINED_MODELS, job_window_start, mark_run
from .med_hash_chain_mixin import SEAL_DELAY_PARAM, refuse_change
from .med_signable_mixin import QA_MANAGER

_logger = logging.getLogger(__name__)

# The nightly job verifies in full when the last full run is older than this.
FULL_EVERY_DAYS = 7
VERIFICATION_JOB = "med_audit_export.ir_cron_verify_audit_chain"
# The system parameter each run of the job writes before its record (see mark_run).
VERIFICATION_RUN_KEY = "med_audit_export.verification_run"


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
    late_entry_count = fields.Integer(string="Entries Left Unsealed", readonly=True)
    late_signature_count = fields.Integer(
        string="Signatures Left Unsealed", readonly=True
    )
    checkpoint_count = fields.Integer(string="Checkpoints Compared", readonly=True)
    full = fields.Boolean(
        string="Full Verification",
        readonly=True,
        help="Verified from the start of the chains; otherwise from the last "
        "checkpoint that matched.",
    )
    problem_note = fields.Text(string="Findings", readonly=True)
    state = fields.Selection(
        [
            ("intact", "Intact"),
            ("unsealed", "Left Unsealed"),
            ("broken", "Tampering Detected"),
        ],
        readonly=True,
    )

    def write(self, vals):  # pylint: disable=method-required-super
        refuse_change(self)  # append-only: no path may reach the ORM's write

    def unlink(self):  # pylint: disable=method-required-super
        refuse_change(self, deletion=True)

    @api.model
    @api.returns("self", lambda verification: verification.id)  # its id over RPC
    def action_verify(self, full=True):
        """Verify both chains now (in full, or from the last good checkpoint), against
        the checkpoint files; store the result, alert on tampering or late sealing."""
        self.env["med.audit.entry"]._med_ensure_verifier()
        return self._med_verify_and_record(full)

    @api.model
    def _med_verify_and_record(self, full, run_key=None):
        """``action_verify``, for a caller allowed to verify. With ``run_key``, the
        run writes that system parameter before its record (see mark_run)."""
        # sudo: a verification reads the whole trail and is a system record.
        Checkpoint = self.env["med.audit.checkpoint"].sudo()
        files = Checkpoint._med_read_files()
        problems = Checkpoint._med_check_records()
        results = {
            model: self.env[model]
            .sudo()
            ._med_verify(incremental=not full, checkpoints=files)
            for model in CHAINED_MODELS
        }
        entries, signatures = results["med.audit.entry"], results["med.signature"]
        for result in results.values():
            problems += result["problems"]
        tampered = bool(entries["broken"] or signatures["broken"] or problems)
        late = entries["late"] or signatures["late"]
        if late:
            delay = self.env["ir.config_parameter"].sudo().get_param(SEAL_DELAY_PARAM)
            problems.append(
                self.env._(
                    "%(entries)s entries and %(signatures)s signatures were left "
                    "unsealed longer than %(minutes)s minutes: check that the sealing "
                    "job runs.",
                    entries=len(entries["late"]),
                    signatures=len(signatures["late"]),
                    minutes=delay or 60,
                )
            )
        if run_key:
            mark_run(self.env, run_key)
        verification = self.sudo().create(
            {
                "entry_count": entries["count"],
                "signature_count": signatures["count"],
                "broken_entry_ids": [fields.Command.set(entries["broken"])],
                "broken_signature_ids": [fields.Command.set(signatures["broken"])],
                "late_entry_count": len(entries["late"]),
                "late_signature_count": len(signatures["late"]),
                "checkpoint_count": len(files),
                "full": full,
                "problem_note": "\n".join(problems) or False,
                "state": "broken" if tampered else "unsealed" if late else "intact",
            }
        )
        if verification.state != "intact":
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
        if self.state == "broken":
            summary = self.env._("Audit trail tampering detected")
            note = self.env._(
                "%(entries)s audit entries and %(signatures)s signatures do not match "
                "their hash chain. Investigate before the next audit.",
                entries=len(self.broken_entry_ids),
                signatures=len(self.broken_signature_ids),
            )
        else:
            summary = self.env._("Audit trail left unsealed")
            note = self.problem_note
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
        """Nightly: from the last good checkpoint, in full once a week; once per
        period of the job (a second run, e.g. the job run by hand beside the
        scheduler, finds the first one's verification and does nothing). A run that
        meets another one recording at the same time leaves it to a rerun."""
        since = fields.Datetime.now() - timedelta(days=FULL_EVERY_DAYS)
        full = not self.search_count([("full", "=", True), ("date", ">=", since)])
        # the job's own runs, run by its user: an auditor's check does not count
        job = self.env.ref(VERIFICATION_JOB, raise_if_not_found=False)
        done = [
            ("user_id", "=", job.sudo().user_id.id if job else self.env.uid),
            ("date", ">=", job_window_start(self.env, VERIFICATION_JOB)),
        ]
        if self.search_count(done + ([("full", "=", True)] if full else []), limit=1):
            _logger.info("audit trail verified in this period already")
            return
        try:
            with self.env.cr.savepoint():
                self._med_verify_and_record(full, run_key=VERIFICATION_RUN_KEY)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            _logger.info("audit trail verification met a concurrent one: rerun")
            # sudo: the job is the verification's own; whoever runs it may trigger it.
            self.env.ref(VERIFICATION_JOB).sudo()._trigger()
