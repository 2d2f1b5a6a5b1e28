from odoo import api, fields, models
from odoo.exceptions import UserError

GATE_MODES = [("block", "Block"), ("warn", "Warn and confirm")]
CUSTOMER_GATE_MODES = [("off", "Off"), ("warn", "Warn and confirm"), ("block", "Block")]


class ResCompany(models.Model):
    _inherit = "res.company"

    med_supplier_gate_mode = fields.Selection(
        GATE_MODES,
        string="Supplier Gates",
        default="block",
        required=True,
        help="What happens when a purchase order or a receipt involves a supplier that "
        "is not approved for the product or lacks a valid certificate.",
    )
    med_customer_gate_mode = fields.Selection(
        CUSTOMER_GATE_MODES,
        string="Customer Licence Check at Delivery",
        default="off",
        required=True,
        help="What happens when a delivery of lot- or serial-tracked devices goes to a "
        "customer without a valid qualification certificate (医疗机构执业许可证, "
        "医疗器械经营许可证 or 备案凭证) on the day of delivery (购货者资格审核).",
    )
    med_allow_conditional_suppliers = fields.Boolean(
        string="Buy from Conditionally Approved Suppliers",
        help="Conditionally approved suppliers (and approved supplier list entries) "
        "pass the gates like approved ones.",
    )
    med_require_verified_certificates = fields.Boolean(
        string="Only QA-Verified Certificates Count",
        default=True,
        help="A certificate counts at the gates only once a QA manager verified it.",
    )
    med_suspend_on_expiry = fields.Boolean(
        string="Suspend Suppliers on Expired Mandatory Certificates",
        help="The daily job suspends an approved supplier when one of its mandatory "
        "certificates expires.",
    )
    med_certificate_responsible_id = fields.Many2one(
        "res.users",
        string="Certificate Reminders To",
        help="Who gets the reminders of expiring certificates; empty: a QA manager.",
    )
    med_eval_weight_on_time = fields.Float(
        string="Weight: On-Time Receipts", default=60.0
    )
    med_eval_weight_returns = fields.Float(
        string="Weight: Quantity Not Returned", default=40.0
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(
            vals.get("med_customer_gate_mode", "off") != "off" for vals in vals_list
        ):
            self._med_check_gate_manager()
        return super().create(vals_list)

    def write(self, vals):
        if "med_customer_gate_mode" in vals and any(
            company.med_customer_gate_mode != vals["med_customer_gate_mode"]
            for company in self
        ):
            self._med_check_gate_manager()
        return super().write(vals)

    def _med_check_gate_manager(self):
        """Turning the customer gate off or on is a QA decision."""
        if self.env.su or self.env.user.has_group(
            "med_audit_export.group_med_qa_manager"
        ):
            return
        raise UserError(
            self.env._(
                "Only a QA manager changes the customer licence check at delivery. "
                "(仅质量负责人可修改购货者资格审核设置。)"
            )
        )

    def _med_qualification_gate_mode(self, gate):
        """The mode of the supplier gates or of the customer gate of deliveries."""
        self.ensure_one()
        if gate == "customer":
            return self.med_customer_gate_mode
        return self.med_supplier_gate_mode

    def _med_certificate_responsible(self):
        self.ensure_one()
        if self.med_certificate_responsible_id:
            return self.med_certificate_responsible_id
        qa_group = self.env.ref("med_audit_export.group_med_qa_manager")
        managers = qa_group.users.filtered(
            lambda user: self in user.company_ids and not user.share
        )
        return managers[:1] or self.env.user
