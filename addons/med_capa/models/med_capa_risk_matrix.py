from odoo import api, fields, models

RATINGS = [
    ("1", "1 - Negligible / Improbable"),
    ("2", "2 - Minor / Remote"),
    ("3", "3 - Serious / Occasional"),
    ("4", "4 - Critical / Probable"),
    ("5", "5 - Catastrophic / Frequent"),
]
RISK_LEVELS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]


class MedCapaRiskMatrix(models.Model):
    """One cell of the risk matrix (ISO 14971 style): severity × occurrence gives the
    risk level of a CAPA. A company may have its own matrix; cells without a company
    apply to every company."""

    _name = "med.capa.risk.matrix"
    _description = "CAPA Risk Matrix Cell"
    _order = "severity desc, occurrence desc"

    severity = fields.Selection(RATINGS, required=True)
    occurrence = fields.Selection(RATINGS, required=True)
    level = fields.Selection(RISK_LEVELS, string="Risk Level", required=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty for a cell that applies to every company."
    )

    _sql_constraints = (
        (
            "cell_unique",
            "UNIQUE NULLS NOT DISTINCT(severity, occurrence, company_id)",
            "Each severity and occurrence has one risk level per company.",
        ),
    )

    @api.depends("severity", "occurrence")
    def _compute_display_name(self):
        for cell in self:
            cell.display_name = f"S{cell.severity} × O{cell.occurrence}"

    @api.model
    def _med_level(self, severity, occurrence, company):
        """The risk level of ``severity`` × ``occurrence`` for ``company``; without a
        configured cell, by the product of the two (≥ 15 high, ≥ 6 medium)."""
        if not severity or not occurrence:
            return False
        # sudo: the matrix is configuration that every CAPA reader applies.
        cells = self.sudo().search(
            [
                ("severity", "=", severity),
                ("occurrence", "=", occurrence),
                ("company_id", "in", (company.id, False)),
            ]
        )
        cell = cells.filtered("company_id")[:1] or cells[:1]
        if cell:
            return cell.level
        score = int(severity) * int(occurrence)
        return "high" if score >= 15 else "medium" if score >= 6 else "low"
