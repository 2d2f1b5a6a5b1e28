from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import frozendict

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

KINDS = [
    ("supplier", "First-operation supplier"),
    ("customer", "First-operation customer"),
    ("product", "First-operation device"),
]
STATES = [("draft", "Draft"), ("approved", "Approved"), ("revoked", "Revoked")]
# What the QA manager approved: it no longer changes once signed.
REVIEWED_FIELDS = {"kind", "partner_id", "product_tmpl_id", "company_id", "review"}


class MedFirstOperation(models.Model):
    """The review of a first operation (首营审核, 医疗器械经营质量管理规范): before the
    company first buys from a supplier, sells to a customer or trades a device, QA
    reviews its licences and registration and approves it with a signature. The
    first-operation gate asks for an approved review at purchase and sales order
    confirmation, when the company turns it on."""

    _name = "med.first.operation"
    _description = "First-Operation Approval"
    _inherit = ("mail.thread", "mail.activity.mixin", "med.signable.mixin")
    _order = "id desc"
    _check_company_auto = True
    _med_signature_actions = frozendict(
        {
            "_med_do_approve": ("approval", QA_MANAGER),
            "_med_do_revoke": ("approval", QA_MANAGER),
        }
    )
    _med_protected_fields = ("state", "approved_by_id", "date_approved")

    kind = fields.Selection(KINDS, required=True, default="supplier", tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Company Reviewed",
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
        check_company=True,
    )
    product_tmpl_id = fields.Many2one(
        "product.template",
        string="Device Reviewed",
        index=True,
        tracking=True,
        check_company=True,
    )
    review = fields.Text(
        string="What Was Reviewed",
        tracking=True,
        help="The documents checked and their conclusion: business licence, "
        "production or distribution licence or filing, registration certificate, "
        "quality agreement, the seller's authorisation of its representative.",
    )
    state = fields.Selection(
        STATES, default="draft", required=True, readonly=True, tracking=True
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_approved = fields.Datetime(string="Approved On", readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )

    @api.depends("kind", "partner_id", "product_tmpl_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for record in self:
            subject = record.partner_id
            if record.kind == "product":
                subject = record.product_tmpl_id
            kind = kinds.get(record.kind, "")
            record.display_name = f"{kind}: {subject.display_name}"

    @api.constrains("kind", "partner_id", "product_tmpl_id")
    def _check_subject(self):
        for record in self:
            wanted = record.partner_id
            if record.kind == "product":
                wanted = record.product_tmpl_id
            if not wanted:
                raise ValidationError(
                    self.env._(
                        "A first-operation review of a product names the device, one "
                        "of a supplier or customer names the company."
                    )
                )

    def write(self, vals):
        signed = self.filtered(lambda r: r.state != "draft")
        if signed and REVIEWED_FIELDS.intersection(vals):
            raise UserError(
                self.env._(
                    "%(records)s is signed: what was reviewed no longer changes. "
                    "Revoke it and review again.",
                    records=", ".join(signed.mapped("display_name")),
                )
            )
        return super().write(vals)

    # -- signed decisions --
    def _med_ensure_qa_manager(self):
        self._med_require_group(
            QA_MANAGER,
            self.env._("Only a QA manager approves or revokes a first operation."),
        )

    def _med_ensure_state(self, state):
        for record in self:
            if record.state != state:
                raise UserError(
                    self.env._(
                        "%(record)s is not in the state this decision needs.",
                        record=record.display_name,
                    )
                )

    def action_approve(self):
        self._med_ensure_qa_manager()
        self._med_ensure_state("draft")
        self._med_require_fields(["review"], self.env._("approving it"))
        return self._med_request_signature(
            "approval", "_med_do_approve", title=self.env._("Approve First Operation")
        )

    def action_revoke(self):
        self._med_ensure_qa_manager()
        self._med_ensure_state("approved")
        return self._med_request_signature(
            "approval", "_med_do_revoke", title=self.env._("Revoke First Operation")
        )

    def _med_do_approve(self):
        self._med_ensure_qa_manager()
        self._med_ensure_state("draft")
        self._med_protected_write().write(
            {
                "state": "approved",
                "approved_by_id": self.env.uid,
                "date_approved": fields.Datetime.now(),
            }
        )

    def _med_do_revoke(self):
        self._med_ensure_qa_manager()
        self._med_ensure_state("approved")
        reason = self.env.context.get("med_signature_comment")
        if not reason:
            raise UserError(
                self.env._("Give the reason for revoking in the signature comment.")
            )
        self.with_context(med_reason=reason)._med_protected_write().write(
            {"state": "revoked"}
        )
