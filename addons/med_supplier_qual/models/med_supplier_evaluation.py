from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, frozendict

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

EVALUATION_STATES = [("draft", "Draft"), ("done", "Signed")]
DECISIONS = [
    ("approved", "Keep or make approved"),
    ("conditional", "Approve conditionally"),
    ("suspended", "Suspend"),
    ("disqualified", "Disqualify"),
]


class MedSupplierEvaluation(models.Model):
    """A periodic supplier evaluation (ISO 13485 7.4.1): scores computed from the
    receipts of the period, a decision signed by the QA manager."""

    _name = "med.supplier.evaluation"
    _description = "Supplier Evaluation"
    _inherit = ("mail.thread", "med.signable.mixin")
    _order = "date_to desc, id desc"
    _med_signature_actions = frozendict({"_med_do_sign": ("evaluation", QA_MANAGER)})
    # The score and rating are the period's data, computed from the score lines.
    _med_protected_fields = ("state", "signed_by_id", "signed_date", "score", "rating")

    name = fields.Char(
        required=True, readonly=True, copy=False, default=lambda self: self.env._("New")
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Supplier",
        required=True,
        index=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    state = fields.Selection(
        EVALUATION_STATES, default="draft", required=True, readonly=True, copy=False
    )
    line_ids = fields.One2many(
        "med.supplier.evaluation.line", "evaluation_id", string="Scores", copy=False
    )
    score = fields.Float(
        compute="_compute_score",
        store=True,
        digits=(5, 1),
        aggregator="avg",
        help="Weighted mean of the scores that have data (0-100).",
    )
    rating = fields.Selection(
        [("a", "A (≥ 80)"), ("b", "B (60-79)"), ("c", "C (< 60)")],
        compute="_compute_score",
        store=True,
    )
    # A copy is a new evaluation: its decision is taken, and signed, again.
    decision = fields.Selection(DECISIONS, copy=False)
    conclusion = fields.Text(copy=False)
    signed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    signed_date = fields.Datetime(readonly=True, copy=False)

    @api.depends("line_ids.score", "line_ids.weight", "line_ids.has_data")
    def _compute_score(self):
        for evaluation in self:
            lines = evaluation.line_ids.filtered("has_data")
            weight = sum(lines.mapped("weight"))
            score = (
                sum(line.score * line.weight for line in lines) / weight
                if weight
                else 0.0
            )
            evaluation.score = score
            evaluation.rating = (
                (score >= 80 and "a") or (score >= 60 and "b") or "c"
                if weight
                else False
            )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for evaluation in self:
            if evaluation.date_to < evaluation.date_from:
                raise ValidationError(
                    self.env._("The evaluation period ends before it starts.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "med.supplier.evaluation"
                ) or self.env._("New")
        return super().create(vals_list)

    # -- scores --
    def action_med_compute(self):
        """(Re)compute the score lines from the period's real data."""
        for evaluation in self:
            if evaluation.state != "draft":
                raise UserError(
                    self.env._(
                        "%(evaluation)s is signed: its scores are final.",
                        evaluation=evaluation.name,
                    )
                )
            # The scores are the data's, written by this computation only.
            evaluation._med_protected_write().line_ids = [fields.Command.clear()] + [
                fields.Command.create(
                    {
                        "code": component["code"],
                        "name": component["label"],
                        "score": component["score"] or 0.0,
                        "has_data": component["score"] is not None,
                        "weight": component["weight"],
                        "detail": component.get("detail"),
                    }
                )
                for component in evaluation._med_score_components()
            ]
        return True

    def _med_score_components(self):
        """The score components of this evaluation: a list of dicts with ``code``,
        ``label``, ``score`` (0-100, or None when the period has no data), ``weight``
        and an optional ``detail``. Upper addons append theirs (inspection results,
        CAPA against the supplier)."""
        self.ensure_one()
        company = self.company_id
        received, on_time, returned = self._med_receipt_figures()
        return [
            {
                "code": "on_time",
                "label": self.env._("On-time receipts"),
                "score": 100.0 * on_time / received if received else None,
                "weight": company.med_eval_weight_on_time,
                "detail": self.env._(
                    "%(on_time)s of %(count)s receipt lines on or before the "
                    "promised date",
                    on_time=on_time,
                    count=received,
                ),
            },
            {
                "code": "returns",
                "label": self.env._("Quantity not returned to the supplier"),
                "score": (
                    max(0.0, 100.0 * (1 - returned["qty"] / returned["received"]))
                    if returned["received"]
                    else None
                ),
                "weight": company.med_eval_weight_returns,
                "detail": self.env._(
                    "%(returned)s returned of %(received)s received",
                    returned=returned["qty"],
                    received=returned["received"],
                ),
            },
        ]

    def _med_receipt_figures(self):
        """(receipt lines done, of them on time, {qty returned, qty received}) for the
        supplier in the period, in one query over the done moves."""
        self.ensure_one()
        self.env["stock.move"].flush_model()
        self.env["purchase.order.line"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT
                    count(*) FILTER (WHERE src.usage = 'supplier'),
                    count(*) FILTER (
                        WHERE src.usage = 'supplier'
                          AND move.date::date <= pol.date_planned::date
                    ),
                    coalesce(sum(move.product_qty)
                             FILTER (WHERE dest.usage = 'supplier'), 0),
                    coalesce(sum(move.product_qty)
                             FILTER (WHERE src.usage = 'supplier'), 0)
                  FROM stock_move move
                  JOIN purchase_order_line pol ON pol.id = move.purchase_line_id
                  JOIN purchase_order po ON po.id = pol.order_id
                  JOIN stock_location src ON src.id = move.location_id
                  JOIN stock_location dest ON dest.id = move.location_dest_id
                 WHERE move.state = 'done'
                   AND po.partner_id IN %(partners)s
                   AND move.company_id = %(company)s
                   AND move.date::date BETWEEN %(date_from)s AND %(date_to)s
                """,
                partners=tuple(self.partner_id.commercial_partner_id.child_ids.ids)
                + (self.partner_id.commercial_partner_id.id,),
                company=self.company_id.id,
                date_from=self.date_from,
                date_to=self.date_to,
            )
        )
        received, on_time, returned, received_qty = self.env.cr.fetchone()
        return received, on_time, {"qty": returned, "received": received_qty}

    # -- signature --
    def action_med_sign(self):
        self._med_ensure_signable()
        return self._med_request_signature(
            "evaluation", "_med_do_sign", title=self.env._("Sign the Evaluation")
        )

    def _med_ensure_signable(self):
        self.env["res.partner"]._med_ensure_qa_manager()
        for evaluation in self:
            if evaluation.state != "draft":
                raise UserError(
                    self.env._(
                        "%(evaluation)s is already signed.",
                        evaluation=evaluation.name,
                    )
                )
            if not evaluation.line_ids:
                raise UserError(
                    self.env._(
                        "%(record)s: compute the scores before signing.",
                        record=evaluation.display_name,
                    )
                )
            evaluation._med_require_fields(["decision"], self.env._("signing"))

    def _med_do_sign(self):
        self._med_ensure_signable()
        for evaluation in self:
            evaluation._med_protected_write().write(
                {
                    "state": "done",
                    "signed_by_id": self.env.uid,
                    "signed_date": fields.Datetime.now(),
                }
            )
            partner = evaluation.partner_id.commercial_partner_id
            if partner.med_supplier_state != evaluation.decision:
                partner._med_set_supplier_state(
                    evaluation.decision,
                    self.env._(
                        "Supplier evaluation %(evaluation)s, score %(score)s",
                        evaluation=evaluation.name,
                        score=round(evaluation.score, 1),
                    ),
                )

    def _med_ensure_scores_open(self):
        """Refuse a change of the score lines of a signed evaluation."""
        signed = self.filtered(lambda e: e.state == "done")
        if signed:
            raise UserError(
                self.env._(
                    "The scores of %(evaluations)s are signed: they cannot change.",
                    evaluations=", ".join(signed.mapped("name")),
                )
            )

    def write(self, vals):
        signed = self.filtered(lambda e: e.state == "done")
        if signed and set(vals) - {"message_main_attachment_id"}:
            raise UserError(self.env._("A signed evaluation cannot be changed."))
        return super().write(vals)
