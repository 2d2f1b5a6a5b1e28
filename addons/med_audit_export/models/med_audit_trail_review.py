from datetime import datetime, time

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, frozendict

from .med_signable_mixin import QA_MANAGER

REVIEW_STATES = [("draft", "To Review"), ("signed", "Signed")]
# Signatures after which a change of the record matters: it was released or approved.
RELEASING_MEANINGS = ("release", "approval", "disposition", "closure", "evaluation")
DEFAULT_REPEAT_THRESHOLD = 5


class MedAuditTrailReview(models.Model):
    """A review by exception of the audit trail of one GxP record type over a
    period (EU GMP Annex 11 §9, its 2025 draft's audit-trail review): the entries
    that matter are listed as findings (changes after release or approval,
    deletions, the same reason given by the same user many times, signatures whose
    record changed since), the reviewer concludes and signs."""

    _name = "med.audit.trail.review"
    _description = "Audit Trail Review"
    _inherit = ("mail.thread", "mail.activity.mixin", "med.signed.record.mixin")
    _order = "date_to desc, id desc"
    _check_company_auto = True
    _med_signature_actions = frozendict({"_med_do_sign": ("review", QA_MANAGER)})
    _med_protected_fields = ("finding_ids", "entry_count")
    _med_frozen_fields = frozenset(
        {"model_id", "date_from", "date_to", "repeat_threshold", "conclusion"}
    )

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    model_id = fields.Many2one(
        "ir.model",
        string="Record Type",
        required=True,
        ondelete="cascade",
        domain="[('transient', '=', False)]",
    )
    res_model = fields.Char(related="model_id.model", store=True, index=True)
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    repeat_threshold = fields.Integer(
        string="Repeated Reason From",
        default=DEFAULT_REPEAT_THRESHOLD,
        help="The same reason given by the same user this many times in the period "
        "is a finding.",
    )
    state = fields.Selection(REVIEW_STATES)
    entry_count = fields.Integer(string="Entries in the Period", readonly=True)
    finding_ids = fields.One2many(
        "med.audit.trail.review.finding", "review_id", string="Findings", readonly=True
    )
    finding_count = fields.Integer(compute="_compute_finding_count")
    conclusion = fields.Text()

    @api.depends("model_id", "date_from", "date_to")
    def _compute_name(self):
        for review in self:
            review.name = self.env._(
                "%(model)s %(start)s - %(end)s",
                model=review.model_id.name or "",
                start=review.date_from or "",
                end=review.date_to or "",
            )

    @api.depends("finding_ids")
    def _compute_finding_count(self):
        for review in self:
            review.finding_count = len(review.finding_ids)

    @api.constrains("date_from", "date_to", "repeat_threshold")
    def _check_period(self):
        for review in self:
            if review.date_to < review.date_from:
                raise ValidationError(
                    self.env._("The review period ends before it starts.")
                )
            if review.repeat_threshold < 2:
                raise ValidationError(
                    self.env._("A reason repeated means given at least twice.")
                )

    # -- findings --
    def action_med_compute(self):
        """(Re)list the findings of the period from the audit trail and signatures."""
        self.check_access("write")  # the findings are written with sudo below
        for review in self:
            if review.state != "draft":
                raise UserError(
                    self.env._(
                        "%(review)s is signed: its findings are final.",
                        review=review.name,
                    )
                )
            start, end = review._med_period()
            # sudo: a review reads the whole trail of its record type; the findings
            # are the system's, not the reviewer's input.
            review.sudo()._med_protected_write().write(
                {
                    "entry_count": review._med_entry_count(start, end),
                    "finding_ids": [fields.Command.clear()]
                    + [
                        fields.Command.create(vals)
                        for vals in review.sudo()._med_finding_vals(start, end)
                    ],
                }
            )
        return True

    def _med_period(self):
        """The period as UTC datetimes [start, end)."""
        self.ensure_one()
        return (
            datetime.combine(self.date_from, time.min),
            datetime.combine(fields.Date.add(self.date_to, days=1), time.min),
        )

    def _med_entry_count(self, start, end):
        return (
            self.env["med.audit.entry"]
            .sudo()
            .search_count(self._med_entry_domain(start, end))
        )

    def _med_entry_domain(self, start, end):
        return [
            ("res_model", "=", self.res_model),
            ("timestamp", ">=", start),
            ("timestamp", "<", end),
            "|",
            ("company_id", "=", False),
            ("company_id", "=", self.company_id.id),
        ]

    def _med_finding_vals(self, start, end):
        """Finding values of this review: each kind has its own method, so that
        upper addons add kinds of their own."""
        self.ensure_one()
        return (
            self._med_findings_after_release(start, end)
            + self._med_findings_deletions(start, end)
            + self._med_findings_refused_deletions(start, end)
            + self._med_findings_repeated_reasons(start, end)
            + self._med_findings_changed_signatures(end)
        )

    def _med_findings_after_release(self, start, end):
        """Changes of a record written after it was released or approved."""
        Entry = self.env["med.audit.entry"]
        Entry.flush_model()
        self.env["med.signature"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT e.id, max(s.id)
                  FROM med_audit_entry e
                  JOIN med_signature s
                    ON s.res_model = e.res_model AND s.res_id = e.res_id
                   AND s.meaning IN %(meanings)s AND s.timestamp < e.timestamp
                 WHERE e.res_model = %(model)s AND e.operation = 'write'
                   AND e.timestamp >= %(start)s AND e.timestamp < %(end)s
                   AND (e.company_id IS NULL OR e.company_id = %(company)s)
                 GROUP BY e.id
                 ORDER BY e.id
                """,
                meanings=RELEASING_MEANINGS,
                model=self.res_model,
                start=start,
                end=end,
                company=self.company_id.id,
            )
        )
        rows = self.env.cr.fetchall()
        entries = Entry.browse(row[0] for row in rows)
        signatures = dict(rows)
        return [
            {
                "kind": "after_release",
                "entry_id": entry.id,
                "signature_id": signatures[entry.id],
                "user_id": entry.user_id.id,
                "timestamp": entry.timestamp,
                "res_id": entry.res_id,
                "res_name": entry.res_name,
                "description": self.env._(
                    "%(field)s changed from %(old)s to %(new)s after the record was "
                    "signed",
                    field=entry.field_label or entry.field_name or "-",
                    old=entry.old_value or "-",
                    new=entry.new_value or "-",
                ),
            }
            for entry in entries
        ]

    def _med_findings_deletions(self, start, end):
        """Records deleted."""
        entries = self.env["med.audit.entry"].search(
            self._med_entry_domain(start, end) + [("operation", "=", "unlink")]
        )
        return [
            {
                "kind": "deletion",
                "entry_id": entry.id,
                "user_id": entry.user_id.id,
                "timestamp": entry.timestamp,
                "res_id": entry.res_id,
                "res_name": entry.res_name,
                "description": self.env._("Record deleted"),
            }
            for entry in entries
        ]

    def _med_findings_refused_deletions(self, start, end):
        """Deletions refused (a retention rule, an access right, a signed record):
        the attempt, who made it and why it was refused, from the entry its own
        transaction committed when the refusal rolled back the one that asked."""
        entries = self.env["med.audit.entry"].search(
            self._med_entry_domain(start, end) + [("operation", "=", "unlink_refused")]
        )
        return [
            {
                "kind": "refused_deletion",
                "entry_id": entry.id,
                "user_id": entry.user_id.id,
                "timestamp": entry.timestamp,
                "res_id": entry.res_id,
                "res_name": entry.res_name,
                "description": self.env._(
                    "Deletion refused: %(refusal)s",
                    refusal=" ".join((entry.new_value or "").split())[:200],
                ),
            }
            for entry in entries
        ]

    def _med_findings_repeated_reasons(self, start, end):
        """The same reason for change given by the same user many times: a reason
        copied from change to change explains none of them (ALCOA+)."""
        self.env["med.audit.entry"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT user_id, reason, count(*), max(id), max(timestamp)
                  FROM med_audit_entry
                 WHERE res_model = %(model)s AND reason IS NOT NULL AND reason != ''
                   AND operation IN ('write', 'unlink')
                   AND timestamp >= %(start)s AND timestamp < %(end)s
                   AND (company_id IS NULL OR company_id = %(company)s)
                 GROUP BY user_id, reason
                HAVING count(*) >= %(threshold)s
                 ORDER BY count(*) DESC, user_id
                """,
                model=self.res_model,
                start=start,
                end=end,
                company=self.company_id.id,
                threshold=self.repeat_threshold,
            )
        )
        return [
            {
                "kind": "repeated_reason",
                "entry_id": last_id,
                "user_id": user_id,
                "timestamp": last,
                "count": count,
                "description": self.env._(
                    '"%(reason)s" given %(count)s times',
                    reason=reason,
                    count=count,
                ),
            }
            for user_id, reason, count, last_id, last in self.env.cr.fetchall()
        ]

    def _med_findings_changed_signatures(self, end):
        """Signatures of this record type, made up to the end of the period, whose
        record no longer matches what was signed."""
        signatures = self.env["med.signature"].search(
            [
                ("res_model", "=", self.res_model),
                ("timestamp", "<", end),
                "|",
                ("company_id", "=", False),
                ("company_id", "=", self.company_id.id),
            ]
        )
        return [
            {
                "kind": "signature_changed",
                "signature_id": signature.id,
                "user_id": signature.signer_id.id,
                "timestamp": signature.timestamp,
                "res_id": signature.res_id,
                "res_name": signature.res_name,
                "description": self.env._(
                    "Signed (%(meaning)s) by %(signer)s; the record changed since",
                    meaning=dict(
                        signature._fields["meaning"]._description_selection(self.env)
                    ).get(signature.meaning),
                    signer=signature.signer_name,
                ),
            }
            for signature in signatures.filtered("content_changed")
        ]

    # -- signature --
    def _med_sign_title(self):
        return self.env._("Sign the Audit Trail Review")
