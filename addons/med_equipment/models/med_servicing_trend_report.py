from odoo import fields, models, tools
from odoo.tools import SQL, frozendict

from .repair_order import FAILURE_CATEGORIES


class MedServicingTrendReport(models.Model):
    """Ended repairs per product, failure category and month (21 CFR 820.35(b),
    ISO 13485 8.4 analysis of data): the servicing trends that point at a design or
    production problem, for the pivot, the graph and the dashboards."""

    _name = "med.servicing.trend.report"
    _description = "Servicing Trends"
    _auto = False
    _depends = frozendict(  # flushed before the view is read
        {
            "repair.order": (
                "state",
                "product_id",
                "lot_id",
                "company_id",
                "med_failure_category",
                "med_date_serviced",
            )
        }
    )
    _order = "month desc, repair_count desc"

    month = fields.Date(readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    failure_category = fields.Selection(FAILURE_CATEGORIES, readonly=True)
    repair_count = fields.Integer(string="Repairs", readonly=True, aggregator="sum")
    device_count = fields.Integer(
        string="Devices",
        readonly=True,
        aggregator="sum",
        help="Distinct lots/serials serviced.",
    )
    company_id = fields.Many2one("res.company", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(view)s AS (
                    SELECT min(repair.id) AS id,
                           date_trunc('month', repair.med_date_serviced)::date
                               AS month,
                           repair.product_id,
                           repair.med_failure_category AS failure_category,
                           count(*) AS repair_count,
                           count(DISTINCT repair.lot_id) AS device_count,
                           repair.company_id
                      FROM repair_order repair
                     WHERE repair.state = 'done'
                       AND repair.med_date_serviced IS NOT NULL
                     GROUP BY 2, repair.product_id, repair.med_failure_category,
                              repair.company_id
                )
                """,
                view=SQL.identifier(self._table),
            )
        )
