import datetime

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import frozendict

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

REPORT = "gsp_self_inspection"


class MedGspSelfInspection(models.Model):
    """The annual self-inspection report of a medical device distributor (年度自查报告,
    医疗器械经营质量管理规范 2023): drafted from the year's data (first-operation
    approvals, certificates, customers supplied, sales, gate overrides), concluded
    and signed by QA, printed as PDF through the evidence report engine."""

    _name = "med.gsp.self.inspection"
    _description = "Annual GSP Self-Inspection"
    _inherit = (
        "mail.thread",
        "mail.activity.mixin",
        "med.signed.record.mixin",
        "med.dossier.mixin",
    )
    _order = "year desc, id desc"
    _check_company_auto = True
    _med_signature_actions = frozendict({"_med_do_sign": ("approval", QA_MANAGER)})
    # Written by the QA manager before signing; frozen after.
    _med_frozen_fields = frozenset({"year", "company_id", "conclusion"})

    year = fields.Integer(
        required=True,
        tracking=True,
        default=lambda self: fields.Date.context_today(self).year - 1,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    conclusion = fields.Text(
        tracking=True,
        help="What the self-inspection found and the corrective actions decided.",
    )

    _sql_constraints = (
        (
            "year_company_unique",
            "unique(year, company_id)",
            "One self-inspection report per company and year.",
        ),
    )

    @api.depends("year", "company_id")
    def _compute_display_name(self):
        for report in self:
            report.display_name = self.env._(
                "Self-inspection %(year)s, %(company)s",
                year=report.year,
                company=report.company_id.name,
            )

    @api.constrains("year")
    def _check_year(self):
        this_year = fields.Date.context_today(self).year
        for report in self:
            if not 2000 <= report.year <= this_year:
                raise ValidationError(
                    self.env._(
                        "%(year)s is not a past or current year.",
                        year=report.year,
                    )
                )

    # -- signature --
    def _med_sign_title(self):
        return self.env._("Sign the Self-Inspection")

    def _med_check_signable(self):
        self._med_require_group(
            QA_MANAGER,
            self.env._("Only a QA manager signs the self-inspection report."),
        )
        self._med_require_fields(["conclusion"], self.env._("signing"))
        return super()._med_check_signable()

    def action_print(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Print the Self-Inspection Report"),
            "res_model": "med.dossier.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_report": REPORT,
                "default_res_model": self._name,
                "default_res_ids": str(self.id),
                "default_file_format": "pdf",
            },
        }

    # -- the year's data --
    def _med_period(self):
        """The year as UTC datetimes [start, end)."""
        self.ensure_one()
        start = datetime.datetime(self.year, 1, 1)
        return start, start.replace(year=self.year + 1)

    def _med_year_deliveries(self):
        """The done move lines of lots delivered to customers during the year."""
        self.ensure_one()
        start, end = self._med_period()
        return self.env["stock.move.line"].search(
            [
                ("state", "=", "done"),
                ("company_id", "=", self.company_id.id),
                ("location_dest_id.usage", "=", "customer"),
                ("date", ">=", start),
                ("date", "<", end),
            ]
        )

    def _med_year_sales(self):
        """The sales order lines of the orders confirmed during the year."""
        self.ensure_one()
        start, end = self._med_period()
        # sudo: the report totals the year's sales for the auditors and QA managers
        # who print it (the dossier wizard checks they are), who need not be
        # salespeople; it shows counts and sums, no order.
        return (
            self.env["sale.order.line"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("state", "=", "sale"),
                    ("order_id.date_order", ">=", start),
                    ("order_id.date_order", "<", end),
                    ("display_type", "=", False),
                ]
            )
        )

    def _med_year_approvals(self):
        self.ensure_one()
        start, end = self._med_period()
        return self.env["med.first.operation"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("date_approved", ">=", start),
                ("date_approved", "<", end),
            ],
            order="date_approved, id",
        )

    def _med_year_certificates(self):
        """The certificates of the company that expired during the year."""
        self.ensure_one()
        return self.env["med.supplier.certificate"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("expiry_date", ">=", datetime.date(self.year, 1, 1)),
                ("expiry_date", "<=", datetime.date(self.year, 12, 31)),
            ]
        )

    def _med_year_overrides(self):
        self.ensure_one()
        start, end = self._med_period()
        # sudo: the overrides are evidence the report lists; the auditor and QA
        # manager who print it read them anyway.
        return (
            self.env["med.gate.override"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("create_date", ">=", start),
                    ("create_date", "<", end),
                ],
                order="create_date, id",
            )
        )

    # -- evidence report --
    def _med_dossier_sections(self, report):
        sections = super()._med_dossier_sections(report)
        if report != REPORT:
            return sections
        return [
            {
                "code": "summary",
                "label": self.env._("Summary of the year"),
                "sequence": 10,
                "columns": [
                    ("item", self.env._("Item")),
                    ("value", self.env._("Value")),
                ],
                "rows": self._med_summary_rows(),
            },
            {
                "code": "first_operations",
                "label": self.env._("First-operation approvals"),
                "sequence": 20,
                "columns": [
                    ("kind", self.env._("Kind")),
                    ("subject", self.env._("Company or Device")),
                    ("approved_by", self.env._("Approved By")),
                    ("date", self.env._("Approved On (UTC)")),
                    ("state", self.env._("Status")),
                ],
                "rows": self._med_approval_rows(),
            },
            {
                "code": "certificates",
                "label": self.env._("Certificates expired during the year"),
                "sequence": 30,
                "columns": [
                    ("partner", self.env._("Partner")),
                    ("type", self.env._("Certificate Type")),
                    ("number", self.env._("Number")),
                    ("expiry", self.env._("Expiry Date")),
                ],
                "rows": self._med_certificate_rows(),
            },
            {
                "code": "overrides",
                "label": self.env._("Gate warnings confirmed"),
                "sequence": 40,
                "columns": [
                    ("date", self.env._("Date (UTC)")),
                    ("user", self.env._("User")),
                    ("document", self.env._("Document")),
                    ("reason", self.env._("Reason")),
                ],
                "rows": self._med_override_rows(),
            },
        ]

    def _med_summary_rows(self):
        for report in self:
            deliveries = report._med_year_deliveries()
            sales = report._med_year_sales()
            currency = report.company_id.currency_id
            amount = sum(
                line.currency_id._convert(
                    line.price_subtotal,
                    currency,
                    report.company_id,
                    line.order_id.date_order,
                )
                for line in sales
            )
            approvals = report._med_year_approvals()
            yield [self.env._("Year"), str(report.year)]
            yield [self.env._("Company"), report.company_id.name]
            yield [
                self.env._("Sales orders confirmed"),
                str(len(sales.order_id)),
            ]
            yield [
                self.env._("Sales amount (untaxed)"),
                f"{currency.round(amount):.2f} {currency.name}",
            ]
            yield [self.env._("Lot deliveries to customers"), str(len(deliveries))]
            yield [
                self.env._("Customers supplied"),
                str(len(deliveries.med_partner_id.commercial_partner_id)),
            ]
            yield [self.env._("First-operation approvals signed"), str(len(approvals))]
            yield [
                self.env._("Certificates expired during the year"),
                str(len(report._med_year_certificates())),
            ]
            yield [
                self.env._("Gate warnings confirmed"),
                str(len(report._med_year_overrides())),
            ]
            yield [self.env._("Conclusion"), report.conclusion or ""]

    def _med_approval_rows(self):
        for report in self:
            approvals = report._med_year_approvals()
            kinds = dict(approvals._fields["kind"]._description_selection(self.env))
            states = dict(approvals._fields["state"]._description_selection(self.env))
            for approval in approvals:
                subject = approval.partner_id
                if approval.kind == "product":
                    subject = approval.product_tmpl_id
                yield [
                    kinds[approval.kind],
                    subject.display_name,
                    approval.approved_by_id.name or "",
                    fields.Datetime.to_string(approval.date_approved),
                    states[approval.state],
                ]

    def _med_certificate_rows(self):
        for report in self:
            for certificate in report._med_year_certificates():
                yield [
                    certificate.partner_id.display_name,
                    certificate.type_id.name,
                    certificate.number,
                    fields.Date.to_string(certificate.expiry_date),
                ]

    def _med_override_rows(self):
        for report in self:
            for override in report._med_year_overrides():
                yield [
                    fields.Datetime.to_string(override.create_date),
                    override.user_id.name,
                    override.document_name or "",
                    override.reason,
                ]
