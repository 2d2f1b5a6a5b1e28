from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import frozendict

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

SUPPLIER_STATES = [
    ("candidate", "Candidate"),
    ("approved", "Approved"),
    ("conditional", "Conditionally Approved"),
    ("suspended", "Suspended"),
    ("disqualified", "Disqualified"),
]


class ResPartner(models.Model):
    # Supplier approval is signed by QA (ISO 13485 7.4.1, 首营企业审核).
    _name = "res.partner"
    _inherit = ("res.partner", "med.signable.mixin")
    _med_signature_actions = frozendict(
        {
            "_med_do_approve": ("approval", QA_MANAGER),
            "_med_do_approve_conditionally": ("approval", QA_MANAGER),
            "_med_do_suspend": ("approval", QA_MANAGER),
            "_med_do_disqualify": ("approval", QA_MANAGER),
        }
    )
    _med_protected_fields = ("med_supplier_state",)

    med_supplier_state = fields.Selection(
        SUPPLIER_STATES,
        string="Supplier Qualification",
        default="candidate",
        required=True,
        copy=False,
        index=True,
        help="Changed only by a QA manager, with a signature and a reason. A new "
        "supplier is a candidate until approved.",
    )
    med_certificate_ids = fields.One2many(
        "med.supplier.certificate", "partner_id", string="Certificates"
    )
    med_certificate_count = fields.Integer(compute="_compute_med_qualification_counts")
    med_approved_supplier_ids = fields.One2many(
        "med.approved.supplier", "partner_id", string="Approved Products"
    )
    med_approved_supplier_count = fields.Integer(
        compute="_compute_med_qualification_counts"
    )
    med_evaluation_count = fields.Integer(compute="_compute_med_qualification_counts")

    def _compute_med_qualification_counts(self):
        counts = {}
        for model in (
            "med.supplier.certificate",
            "med.approved.supplier",
            "med.supplier.evaluation",
        ):
            groups = self.env[model]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
            counts[model] = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.med_certificate_count = counts["med.supplier.certificate"].get(
                partner.id, 0
            )
            partner.med_approved_supplier_count = counts["med.approved.supplier"].get(
                partner.id, 0
            )
            partner.med_evaluation_count = counts["med.supplier.evaluation"].get(
                partner.id, 0
            )

    # -- signed decisions --
    def _med_ensure_qa_manager(self):
        self._med_require_group(
            QA_MANAGER,
            self.env._("Only a QA manager decides a supplier's qualification."),
        )

    def _med_request_state(self, action, title):
        self._med_ensure_qa_manager()
        return self._med_request_signature("approval", action, title=title)

    def action_med_approve(self):
        return self._med_request_state(
            "_med_do_approve", self.env._("Approve Supplier")
        )

    def action_med_approve_conditionally(self):
        return self._med_request_state(
            "_med_do_approve_conditionally",
            self.env._("Approve Supplier Conditionally"),
        )

    def action_med_suspend(self):
        return self._med_request_state(
            "_med_do_suspend", self.env._("Suspend Supplier")
        )

    def action_med_disqualify(self):
        return self._med_request_state(
            "_med_do_disqualify", self.env._("Disqualify Supplier")
        )

    def _med_do_approve(self):
        self._med_decide("approved")

    def _med_do_approve_conditionally(self):
        self._med_decide("conditional")

    def _med_do_suspend(self):
        self._med_decide("suspended")

    def _med_do_disqualify(self):
        self._med_decide("disqualified")

    def _med_decide(self, state):
        """A QA manager's signed decision: the signature comment is its reason."""
        self._med_ensure_qa_manager()
        reason = self.env.context.get("med_signature_comment")
        if not reason:
            raise UserError(
                self.env._(
                    "Give the reason for this decision in the signature comment."
                )
            )
        self._med_set_supplier_state(state, reason)

    def _med_set_supplier_state(self, state, reason):
        """Change the qualification (trusted code: signed decisions, evaluations,
        the certificate job)."""
        # sudo: a QA manager need not edit contacts to decide a qualification; the
        # callers checked who decides, and the trail keeps the real user and reason.
        self.sudo().with_context(med_reason=reason)._med_protected_write().write(
            {"med_supplier_state": state}
        )

    @api.model
    def _med_allowed_supplier_states(self, company):
        if company.med_allow_conditional_suppliers:
            return ("approved", "conditional")
        return ("approved",)

    # -- smart buttons --
    def _med_open(self, model, title):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": model,
            "view_mode": "list,form",
            "domain": [("partner_id", "=", self.id)],
            "context": {"default_partner_id": self.id},
        }

    def action_med_open_certificates(self):
        return self._med_open("med.supplier.certificate", self.env._("Certificates"))

    def action_med_open_approved_products(self):
        return self._med_open("med.approved.supplier", self.env._("Approved Products"))

    def action_med_open_evaluations(self):
        return self._med_open("med.supplier.evaluation", self.env._("Evaluations"))
