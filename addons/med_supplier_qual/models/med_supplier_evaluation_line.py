from odoo import fields, models


class MedSupplierEvaluationLine(models.Model):
    """One score component of a supplier evaluation, as computed from the data."""

    _name = "med.supplier.evaluation.line"
    _description = "Supplier Evaluation Score"
    _order = "evaluation_id, id"

    evaluation_id = fields.Many2one(
        "med.supplier.evaluation", required=True, ondelete="cascade", index=True
    )
    code = fields.Char(required=True, readonly=True)
    name = fields.Char(string="Criterion", required=True, readonly=True)
    score = fields.Float(digits=(5, 1), readonly=True)
    has_data = fields.Boolean(
        readonly=True, help="False when the period has no data for this criterion."
    )
    weight = fields.Float(digits=(5, 1), readonly=True)
    detail = fields.Char(readonly=True)
