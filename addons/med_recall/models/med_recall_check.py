from odoo import fields, models


class MedRecallCheck(models.Model):
    """An effectiveness check of a recall (21 CFR 7.42(b)(3)): customers reached
    and quantity recovered against the target, as recorded at a date."""

    _name = "med.recall.check"
    _description = "Recall Effectiveness Check"
    _order = "recall_id, date desc, id desc"

    recall_id = fields.Many2one(
        "med.recall", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Checked By", default=lambda s: s.env.user, readonly=True
    )
    reached_percent = fields.Float(string="Customers Reached (%)", readonly=True)
    recovered_percent = fields.Float(string="Recovered (%)", readonly=True)
    target_recovery_percent = fields.Float(string="Target (%)", readonly=True)
    outstanding_qty = fields.Float(
        string="Outstanding", digits="Product Unit of Measure", readonly=True
    )
    target_met = fields.Boolean(readonly=True)
