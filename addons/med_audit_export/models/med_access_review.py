from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import frozendict

from .med_signable_mixin import QA_MANAGER

REVIEW_STATES = [("draft", "To Review"), ("signed", "Signed")]
# Changes of these models are changes of access: accounts and their roles.
ACCESS_MODELS = ("res.users",)


class MedAccessReview(models.Model):
    """A periodic review of who may do what (EU GMP Annex 11 §12, its 2025 draft's
    identity and access management): the users of the company and their roles when
    the review was made, the changes of accounts since the previous review from the
    audit trail, signed by a QA manager."""

    _name = "med.access.review"
    _description = "Periodic Access Review"
    _inherit = ("mail.thread", "mail.activity.mixin", "med.signed.record.mixin")
    _order = "date_review desc, id desc"
    _check_company_auto = True
    _med_signature_actions = frozendict({"_med_do_sign": ("review", QA_MANAGER)})
    _med_protected_fields = ("date_review", "date_from", "line_ids", "change_entry_ids")
    _med_frozen_fields = frozenset({"conclusion"})

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    date_review = fields.Datetime(
        string="Taken On", readonly=True, default=fields.Datetime.now
    )
    date_from = fields.Datetime(
        string="Changes Since",
        readonly=True,
        help="When the previous review was taken; empty: the first review.",
    )
    state = fields.Selection(REVIEW_STATES)
    line_ids = fields.One2many(
        "med.access.review.line", "review_id", string="Users and Roles", readonly=True
    )
    change_entry_ids = fields.Many2many(
        "med.audit.entry",
        string="Changes Since the Last Review",
        readonly=True,
        help="Audit trail entries of user accounts: logins, names, roles, "
        "activation, lockouts.",
    )
    user_count = fields.Integer(compute="_compute_counts")
    change_count = fields.Integer(compute="_compute_counts")
    conclusion = fields.Text(
        help="What the reviewer found and asked to correct (accounts to deactivate, "
        "roles to remove)."
    )

    @api.depends("date_review", "company_id")
    def _compute_name(self):
        for review in self:
            review.name = self.env._(
                "Access review %(date)s",
                date=fields.Date.to_string(fields.Date.to_date(review.date_review))
                if review.date_review
                else "",
            )

    @api.depends("line_ids", "change_entry_ids")
    def _compute_counts(self):
        for review in self:
            review.user_count = len(review.line_ids.user_id)
            review.change_count = len(review.change_entry_ids)

    @api.model_create_multi
    def create(self, vals_list):
        reviews = super().create(vals_list)
        reviews._med_take_snapshot()
        return reviews

    def _med_take_snapshot(self):
        """The company's users and roles now, and the account changes since the
        previous review (its snapshot time)."""
        Line = self.env["med.access.review.line"]
        for review in self:
            previous = self.search(
                [
                    ("company_id", "=", review.company_id.id),
                    ("id", "!=", review.id),
                    ("date_review", "<=", review.date_review),
                ],
                order="date_review desc, id desc",
                limit=1,
            )
            since = previous.date_review or False
            domain = [
                ("res_model", "in", ACCESS_MODELS),
                ("timestamp", "<=", review.date_review),
            ]
            if since:
                domain.append(("timestamp", ">", since))
            # sudo: the review lists every account change, whoever creates it.
            entries = self.env["med.audit.entry"].sudo().search(domain)
            # sudo: the lines are the system's snapshot, not the reviewer's input.
            review.sudo()._med_protected_write().write(
                {
                    "date_from": since,
                    "change_entry_ids": [fields.Command.set(entries.ids)],
                    "line_ids": [fields.Command.clear()]
                    + [
                        fields.Command.create(vals)
                        for vals in Line._med_snapshot_vals(review.company_id)
                    ],
                }
            )

    def _med_sign_title(self):
        return self.env._("Sign the Access Review")

    def _med_do_sign(self):
        result = super()._med_do_sign()
        # sudo: the review's due activities are the QA managers', whoever signs.
        self.sudo().activity_ids.action_feedback(
            feedback=self.env._("Signed by %(user)s", user=self.env.user.name)
        )
        return result

    @api.model
    def _med_review_due(self, company, today):
        """Is an access review of ``company`` due on ``today``?"""
        months = company.med_access_review_months
        if months <= 0:
            return False
        last = self.search(
            [("company_id", "=", company.id)], order="date_review desc", limit=1
        )
        if last.state == "draft":
            return False  # the open one is still to sign
        return not last or (
            fields.Date.to_date(last.date_review) + relativedelta(months=months)
            <= today
        )

    @api.model
    def _cron_schedule_reviews(self):
        """Daily: take the access review of each company whose review is due, and
        give it to its QA managers as an activity."""
        today = fields.Date.context_today(self)
        group = self.env.ref(QA_MANAGER)
        companies = self.env["res.company"].search(
            [("med_access_review_months", ">", 0)]
        )
        for company in companies:
            if not self._med_review_due(company, today):
                continue
            review = self.with_company(company).create({"company_id": company.id})
            managers = group.users.filtered(
                lambda user, c=company: user.active
                and not user.share
                and c in user.company_ids
                and user.id != self.env.ref("base.user_root").id
            )
            for manager in managers:
                review.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=today,
                    user_id=manager.id,
                    summary=self.env._("Periodic access review due"),
                    note=self.env._(
                        "Check that every user still needs each role listed, "
                        "deactivate the accounts nobody uses, then sign the review."
                    ),
                )
