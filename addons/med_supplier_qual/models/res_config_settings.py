from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    med_supplier_gate_mode = fields.Selection(
        related="company_id.med_supplier_gate_mode", readonly=False
    )
    med_customer_gate_mode = fields.Selection(
        related="company_id.med_customer_gate_mode", readonly=False
    )
    med_first_operation_gate_mode = fields.Selection(
        related="company_id.med_first_operation_gate_mode", readonly=False
    )
    med_allow_conditional_suppliers = fields.Boolean(
        related="company_id.med_allow_conditional_suppliers", readonly=False
    )
    med_require_verified_certificates = fields.Boolean(
        related="company_id.med_require_verified_certificates", readonly=False
    )
    med_suspend_on_expiry = fields.Boolean(
        related="company_id.med_suspend_on_expiry", readonly=False
    )
    med_certificate_responsible_id = fields.Many2one(
        related="company_id.med_certificate_responsible_id", readonly=False
    )
    med_eval_weight_on_time = fields.Float(
        related="company_id.med_eval_weight_on_time", readonly=False
    )
    med_eval_weight_returns = fields.Float(
        related="company_id.med_eval_weight_returns", readonly=False
    )
