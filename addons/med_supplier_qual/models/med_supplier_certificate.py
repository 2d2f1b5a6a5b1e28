import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, frozendict

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

from ..tools import in_categories

_logger = logging.getLogger(__name__)
CERTIFICATE_LOCK = "med_supplier_qual.certificate_check"
# Changing any of these voids the QA verification: QA checked the old content.
VERIFIED_CONTENT = {
    "partner_id",
    "type_id",
    "number",
    "issuer",
    "issue_date",
    "expiry_date",
    "product_ids",
    "categ_ids",
    "business_scope",
    "attachment_ids",
}
CERTIFICATE_STATES = [
    ("valid", "Valid"),
    ("expiring", "Expiring"),
    ("expired", "Expired"),
]


class MedSupplierCertificate(models.Model):
    """A supplier's licence or certificate, with its scan, validity and QA check."""

    _name = "med.supplier.certificate"
    _description = "Supplier Certificate"
    _inherit = ("mail.thread", "mail.activity.mixin", "med.signable.mixin")
    _order = "expiry_date, id"
    _rec_names_search = ("number", "partner_id", "type_id")
    _med_signature_actions = frozendict(
        {"_med_do_verify": ("verification", QA_MANAGER)}
    )
    # The state follows the dates (the nightly job refreshes it), and the job's
    # reminder check date is its own: never typed.
    _med_protected_fields = (
        "verified_by_id",
        "verified_date",
        "state",
        "reminder_check_date",
    )

    partner_id = fields.Many2one(
        "res.partner",
        string="Supplier",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
    )
    type_id = fields.Many2one("med.certificate.type", required=True, tracking=True)
    scope = fields.Selection(related="type_id.scope")
    number = fields.Char(required=True, tracking=True)
    issuer = fields.Char(tracking=True, help="The authority or body that issued it.")
    issue_date = fields.Date(tracking=True)
    expiry_date = fields.Date(tracking=True, index=True)
    product_ids = fields.Many2many(
        "product.product", string="Products Covered", check_company=True
    )
    categ_ids = fields.Many2many("product.category", string="Categories Covered")
    business_scope = fields.Char(
        string="Business Scope Codes",
        tracking=True,
        help="The device classification codes the licence covers (its business "
        "scope), separated by commas or spaces, e.g. 14, 6815, 07-01. A code covers "
        "itself and the codes below it (14 covers 14-01-02). A customer's licence "
        "must cover the classification code of each device sold or delivered to it.",
    )
    attachment_ids = fields.Many2many("ir.attachment", string="Scans")
    state = fields.Selection(
        CERTIFICATE_STATES,
        compute="_compute_state",
        store=True,
        index=True,
        help="From the dates: valid, expiring within the type's reminder window, or "
        "expired. Refreshed every night.",
    )
    verified_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    verified_date = fields.Datetime(readonly=True, copy=False)
    # Written by each run of the daily job before it decides on the reminder: two
    # runs deciding about the same certificate then write the same row and cannot
    # both commit, whatever their snapshots.
    reminder_check_date = fields.Datetime(
        string="Reminder Check", readonly=True, copy=False
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    note = fields.Text()

    @api.depends("expiry_date", "type_id.reminder_days", "type_id.permanent")
    def _compute_state(self):
        for certificate in self:
            certificate.state = certificate._med_state_on(certificate._med_today())

    def _med_today(self):
        self.ensure_one()
        return self._med_company_today(self.company_id)

    @api.model
    def _med_company_today(self, company):
        """Today where ``company`` is (the time zone of its address), so a licence
        expires at that company's midnight, whoever runs the job."""
        tz = company.partner_id.tz or self.env.user.tz or "UTC"
        # to_date: a date also when context_today is patched to give a string (as
        # Odoo's own tests do)
        return fields.Date.to_date(fields.Date.context_today(self.with_context(tz=tz)))

    def _med_state_on(self, day):
        self.ensure_one()
        if self.type_id.permanent or not self.expiry_date:
            return "valid"
        if self.expiry_date < day:
            return "expired"
        if self.expiry_date <= day + timedelta(days=self.type_id.reminder_days):
            return "expiring"
        return "valid"

    @api.depends("type_id", "number", "partner_id")
    def _compute_display_name(self):
        for certificate in self:
            certificate.display_name = " ".join(
                part for part in (certificate.type_id.name, certificate.number) if part
            )

    # -- validation --
    @api.constrains("issue_date", "expiry_date", "type_id")
    def _check_dates(self):
        for certificate in self:
            if certificate.type_id.permanent:
                continue
            if not certificate.expiry_date:
                raise ValidationError(
                    self.env._(
                        "%(type)s %(number)s needs an expiry date: only permanent "
                        "types have none.",
                        type=certificate.type_id.name,
                        number=certificate.number,
                    )
                )
            if certificate.issue_date and certificate.expiry_date < (
                certificate.issue_date
            ):
                raise ValidationError(
                    self.env._(
                        "%(type)s %(number)s expires before it was issued.",
                        type=certificate.type_id.name,
                        number=certificate.number,
                    )
                )

    @api.constrains("number", "issuer", "type_id")
    def _check_number_unique(self):
        for certificate in self:
            number = (certificate.number or "").strip()
            if not number:
                raise ValidationError(self.env._("A certificate needs its number."))
            # sudo: a duplicate may sit in another company the user cannot read.
            twins = (
                self.sudo()
                .search(
                    [
                        ("id", "!=", certificate.id),
                        ("type_id", "=", certificate.type_id.id),
                        ("number", "=ilike", number),
                    ]
                )
                .filtered(
                    lambda other, c=certificate: (other.issuer or "").strip().lower()
                    == (c.issuer or "").strip().lower()
                )
            )
            if twins:
                raise ValidationError(
                    self.env._(
                        "There is already a %(type)s numbered %(number)s from this "
                        "issuer.",
                        type=certificate.type_id.name,
                        number=number,
                    )
                )

    @api.constrains("attachment_ids", "type_id")
    def _check_attachment(self):
        for certificate in self:
            if certificate.type_id.attachment_required and not (
                certificate.attachment_ids
            ):
                raise ValidationError(
                    self.env._(
                        "Attach the scan of %(type)s %(number)s: this type requires "
                        "it.",
                        type=certificate.type_id.name,
                        number=certificate.number,
                    )
                )

    @api.constrains("product_ids", "categ_ids", "type_id")
    def _check_scope(self):
        for certificate in self:
            if certificate.type_id.scope == "product" and not (
                certificate.product_ids or certificate.categ_ids
            ):
                raise ValidationError(
                    self.env._(
                        "%(type)s %(number)s covers products: name them or their "
                        "categories.",
                        type=certificate.type_id.name,
                        number=certificate.number,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        certificates = super().create(vals_list)
        certificates._med_link_attachments()
        return certificates

    def write(self, vals):
        verified = (
            self.filtered("verified_by_id") if VERIFIED_CONTENT & set(vals) else None
        )
        result = super().write(vals)
        if verified:
            verified._med_protected_write().write(
                {"verified_by_id": False, "verified_date": False}
            )
        if "attachment_ids" in vals:
            self._med_link_attachments()
        return result

    def _med_link_attachments(self):
        """Scans uploaded in the form belong to the certificate, so they are kept and
        readable with it."""
        for certificate in self:
            loose = certificate.attachment_ids.filtered(lambda a: not a.res_id)
            if loose:
                loose.write({"res_model": self._name, "res_id": certificate.id})

    def _med_void_verification(self, file_names, change):
        """QA checked other files than these have now: the verification is void,
        and the trail says which file changed."""
        certificates = self.filtered("verified_by_id")
        if not certificates:
            return
        files = ", ".join(name or "?" for name in file_names)
        if change == "added":
            reason = self.env._(
                "Verification voided: file added (%(files)s)", files=files
            )
        elif change == "changed":
            reason = self.env._(
                "Verification voided: file replaced (%(files)s)", files=files
            )
        else:
            reason = self.env._(
                "Verification voided: file deleted (%(files)s)", files=files
            )
        # sudo: whoever may edit the file, the system voids the verification.
        certificates.sudo().with_context(
            med_reason=reason
        )._med_protected_write().write(
            {"verified_by_id": False, "verified_date": False}
        )

    # -- coverage --
    def _med_valid_on(self, day, require_verified=True):
        """Certificates of these that are valid on ``day`` (a date). Its SQL twin,
        for queries over many receipts, is ``_med_valid_on_sql``; a test proves
        that both agree."""
        return self.filtered(
            lambda c: (not require_verified or c.verified_by_id)
            and (not c.issue_date or c.issue_date <= day)
            and (c.type_id.permanent or (c.expiry_date and c.expiry_date >= day))
        )

    @api.model
    def _med_valid_on_sql(self, certificate, certificate_type, day, require_verified):
        """The SQL condition of ``_med_valid_on``: the certificate of table alias
        ``certificate``, of the type of alias ``certificate_type``, is valid on
        ``day`` (an SQL expression of a date). Never NULL, so that it can be
        negated."""
        issued = SQL.identifier(certificate, "issue_date")
        expiry = SQL.identifier(certificate, "expiry_date")
        condition = SQL(
            "((%(issued)s IS NULL OR %(issued)s <= %(day)s)"
            " AND (COALESCE(%(permanent)s, FALSE)"
            " OR COALESCE(%(expiry)s >= %(day)s, FALSE)))",
            issued=issued,
            expiry=expiry,
            day=day,
            permanent=SQL.identifier(certificate_type, "permanent"),
        )
        if require_verified:
            verified = SQL.identifier(certificate, "verified_by_id")
            condition = SQL("(%s AND %s IS NOT NULL)", condition, verified)
        return condition

    def _med_scope_codes(self):
        """The classification codes of this licence's business scope."""
        self.ensure_one()
        return {
            code.strip()
            for code in (self.business_scope or "").replace("，", ",").split(",")
            for code in code.split()
            if code.strip()
        }

    def _med_scope_covers(self, classification_code):
        """Does the business scope of one of these licences list ``classification_code``
        or a code above it in the catalogue (14 covers 14-01-02)?"""
        code = (classification_code or "").strip()
        return any(
            code == scope or code.startswith(f"{scope}-")
            for certificate in self
            for scope in certificate._med_scope_codes()
        )

    def _med_covers(self, product):
        """Does this products-scope certificate cover ``product``?"""
        self.ensure_one()
        return product in self.product_ids or in_categories(
            product.categ_id, self.categ_ids
        )

    # -- QA verification --
    def action_med_verify(self):
        self._med_ensure_qa_manager()
        return self._med_request_signature(
            "verification", "_med_do_verify", title=self.env._("Verify Certificates")
        )

    def _med_do_verify(self):
        self._med_ensure_qa_manager()
        self._med_protected_write().write(self._prepare_verification_vals())

    def _prepare_verification_vals(self):
        """Values written on certificates by QA's signed verification (extension
        hook)."""
        return {"verified_by_id": self.env.uid, "verified_date": fields.Datetime.now()}

    def _med_ensure_qa_manager(self):
        self._med_require_group(
            QA_MANAGER, self.env._("Only a QA manager verifies certificates.")
        )

    # -- reminders --
    @api.model
    def _cron_med_certificates(self):
        """Daily: refresh the states that the date changed, tell QA of certificates
        entering their reminder window (once each), and let upper addons react to
        the certificates that just expired. A second run at the same time skips."""
        cr = self.env.cr
        cr.execute(
            SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s))", CERTIFICATE_LOCK)
        )
        if not cr.fetchone()[0]:
            _logger.info("certificate check already running: skipped")
            return
        changed = self.browse()
        newly_expired = self.browse()
        # Set-based: per company (its own today) and certificate type (its own
        # window), one search per state the date may have moved certificates into.
        types = self.env["med.certificate.type"].search([("permanent", "=", False)])
        companies = [
            company
            for (company,) in self._read_group(
                [("type_id.permanent", "=", False)], ["company_id"]
            )
        ]
        for company in companies:
            today = self._med_company_today(company)
            for kind in types:
                window_end = today + timedelta(days=kind.reminder_days)
                base = [("company_id", "=", company.id), ("type_id", "=", kind.id)]
                expired = self.search(
                    base + [("expiry_date", "<", today), ("state", "!=", "expired")]
                )
                expiring = self.search(
                    base
                    + [
                        ("expiry_date", ">=", today),
                        ("expiry_date", "<=", window_end),
                        ("state", "!=", "expiring"),
                    ]
                )
                # a longer window or a renewal may make an expiring one valid again
                valid = self.search(
                    base + [("expiry_date", ">", window_end), ("state", "!=", "valid")]
                )
                changed |= expired | expiring | valid
                newly_expired |= expired
        if changed:
            self.env.add_to_compute(self._fields["state"], changed)
            changed.with_context(
                med_reason=self.env._("Validity date reached")
            ).flush_recordset(["state"])
        self.search([("state", "=", "expiring")])._med_remind()
        if newly_expired:
            newly_expired._med_certificates_expired()

    def _med_remind(self):
        """The reminders of these certificates, decided once whatever the
        interleaving of two runs: a run whose snapshot predates another run's
        reminders does not see them, but its write of the same rows conflicts with
        the other's (a lock alone would not, once the other has committed); it then
        leaves the reminders to a rerun on a fresh snapshot."""
        if not self:
            return
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "UPDATE med_supplier_certificate SET reminder_check_date = %s"
                        " WHERE id = ANY(%s)",
                        fields.Datetime.now(),
                        self.ids,
                    )
                )
                self.invalidate_recordset(["reminder_check_date"])
                self._med_schedule_reminders()
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            _logger.info("certificate check met concurrent reminders: rerun")
            # sudo: the job is the check's own; whoever runs it may trigger it.
            self.env.ref("med_supplier_qual.ir_cron_med_certificates").sudo()._trigger()

    def _med_schedule_reminders(self):
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        already = {
            activity.res_id
            for activity in self.env["mail.activity"].search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
        }
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = []
        for certificate in self.filtered(lambda c: c.id not in already):
            user = certificate.company_id._med_certificate_responsible()
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": certificate.id,
                    "activity_type_id": activity_type.id,
                    "user_id": user.id,
                    "date_deadline": certificate.expiry_date,
                    "summary": self.env._(
                        "%(type)s of %(supplier)s expires on %(date)s: get the renewal",
                        type=certificate.type_id.name,
                        supplier=certificate.partner_id.display_name,
                        date=fields.Date.to_string(certificate.expiry_date),
                    ),
                }
            )
        if vals_list:
            self.env["mail.activity"].create(vals_list)

    def _med_certificates_expired(self):
        """These certificates have just expired (called once for each, by the daily
        job). Suspends their suppliers when the company asks for it and a mandatory
        certificate lapsed; upper addons add their reactions (CAPA rules)."""
        to_suspend = self.env["res.partner"]
        for certificate in self:
            if (
                certificate.company_id.med_suspend_on_expiry
                and certificate.type_id.mandatory
                and certificate.type_id.applies_to != "customer"
                and certificate.partner_id.med_supplier_state
                in ("approved", "conditional")
            ):
                to_suspend |= certificate.partner_id
        if to_suspend:
            to_suspend._med_set_supplier_state(
                "suspended",
                self.env._(
                    "A mandatory certificate expired: %(certificates)s",
                    certificates=", ".join(self.mapped("display_name")),
                ),
            )
