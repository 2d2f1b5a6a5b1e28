from odoo import fields, models, tools
from odoo.tools import SQL, frozendict

from odoo.addons.med_lot_trace.models.med_lot_status_report import (
    AGE_BUCKETS,
    TODAY_UTC,
    age_bucket_case,
)

from .med_capa_rule import SEVERITIES
from .med_nonconformance import SOURCES, STATES


class MedNcTrendReport(models.Model):
    """Nonconformances for data analysis (ISO 13485 8.4): counted per month, supplier,
    product, source and severity, with the age of the open ones counted from today."""

    _name = "med.nc.trend.report"
    _description = "Nonconformance Trend"
    _auto = False
    _depends = frozendict(  # flushed before the view is read
        {
            "med.nonconformance": (
                "date",
                "company_id",
                "product_id",
                "partner_id",
                "source",
                "severity",
                "state",
                "capa_id",
                "disposition_date",
            )
        }
    )
    _order = "date desc"
    _rec_name = "nonconformance_id"

    nonconformance_id = fields.Many2one("med.nonconformance", readonly=True)
    date = fields.Datetime(string="Detected On", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Supplier", readonly=True)
    source = fields.Selection(SOURCES, readonly=True)
    severity = fields.Selection(SEVERITIES, readonly=True)
    state = fields.Selection(STATES, string="Status", readonly=True)
    is_open = fields.Boolean(string="Open", readonly=True)
    capa_id = fields.Many2one("med.capa", string="CAPA", readonly=True)
    age_days = fields.Integer(
        string="Age (days)",
        readonly=True,
        aggregator="avg",
        help="Days from detection to disposition, or to today while open.",
    )
    age_bucket = fields.Selection(AGE_BUCKETS, string="Age", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        age = SQL(
            "(COALESCE(nc.disposition_date::date, %s) - nc.date::date)", TODAY_UTC
        )
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(view)s AS (
                    SELECT nc.id AS id,
                           nc.id AS nonconformance_id,
                           nc.date,
                           nc.company_id,
                           nc.product_id,
                           nc.partner_id,
                           nc.source,
                           nc.severity,
                           nc.state,
                           nc.state = 'open' AS is_open,
                           nc.capa_id,
                           %(age)s AS age_days,
                           %(bucket)s AS age_bucket
                      FROM med_nonconformance nc
                )
                """,
                view=SQL.identifier(self._table),
                age=age,
                bucket=age_bucket_case(age),
            )
        )
