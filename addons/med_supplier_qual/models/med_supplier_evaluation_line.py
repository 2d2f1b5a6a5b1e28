from odoo import api, fields, models


class MedSupplierEvaluationLine(models.Model):
    """One score component of a supplier evaluation, as computed from the data."""

    _name = "med.supplier.evaluation.line"
    _description = "Supplier Evaluation Score"
    _order = "evaluation_id, id"
    # Computed from the period's data by the evaluation (action_med_compute) only.
    _med_protected_fields = (
        "evaluation_id",
        "code",
        "name",
        "score",
        "has_data",
        "weight",
        "detail",
    )

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

    @api.model_create_multi
    def create(self, vals_list):
        evaluations = self.env["med.supplier.evaluation"].browse(
            [vals["evaluation_id"] for vals in vals_list if vals.get("evaluation_id")]
        )
        evaluations.exists()._med_ensure_scores_open()
        return super().create(vals_list)

    def write(self, vals):
        self.evaluation_id._med_ensure_scores_open()
        return super().write(vals)

    def unlink(self):
        with self._med_refused_deletion_recorder():
            self.evaluation_id._med_ensure_scores_open()
        return super().unlink()
