from odoo import fields, models

from odoo.addons.med_lot_trace.models.med_gate import GATE_MODES


class ResCompany(models.Model):
    _inherit = "res.company"

    med_supplier_gate_mode = fields.Selection(
        GATE_MODES,
        string="Supplier Gates",
        default="block",
        required=True,
        help="What happens when a purchase order or a receipt involves a supplier that "
        "is not approved for the product or lacks a valid certificate. Installed into "
        "a running company, the gates start in warn mode: see the go-live dry run.",
    )
    med_customer_gate_mode = fields.Selection(
        GATE_MODES,
        string="Customer Licence Check",
        default="off",
        required=True,
        help="What happens when a sales order is confirmed, or a delivery done, for "
        "lot- or serial-tracked devices and a customer without a valid qualification "
        "certificate (medical institution licence, device trading licence or filing "
        "certificate) on that day, or whose licence's business scope does not cover "
        "the device's classification code.",
    )
    med_first_operation_gate_mode = fields.Selection(
        GATE_MODES,
        string="First-Operation Approvals",
        default="off",
        required=True,
        help="What happens when a purchase or sales order is confirmed with a "
        "supplier, customer or device that has no first-operation review approved "
        "by QA.",
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

    def _auto_init(self):
        # see med_lot_trace: a running company starts in warn mode, new ones block
        self._med_start_gate_in_warn_mode("med_supplier_gate_mode")
        return super()._auto_init()

    def _med_certificate_responsible(self):
        self.ensure_one()
        if self.med_certificate_responsible_id:
            return self.med_certificate_responsible_id
        qa_group = self.env.ref("med_audit_export.group_med_qa_manager")
        managers = qa_group.users.filtered(
            lambda user: self in user.company_ids and not user.share
        )
        return managers[:1] or self.env.user
