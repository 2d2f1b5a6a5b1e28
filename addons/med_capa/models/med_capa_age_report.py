from odoo import fields, models, tools
from odoo.tools import SQL, frozendict

from odoo.addons.med_lot_trace.models.med_lot_status_report import (
    AGE_BUCKETS,
    TODAY_UTC,
    age_bucket_case,
)

from .med_capa import OPEN_STATES, STATES
from .med_capa_rule import SEVERITIES


class MedCapaAgeReport(models.Model):
    """CAPAs with their age counted from today and their overdue actions, for the
    QA manager's and the auditor's dashboards."""

    _name = "med.capa.age.report"
    _description = "CAPA Age"
    _auto = False
    _depends = frozendict(  # flushed before the view is read
        {
            "med.capa": (
                "create_date",
                "company_id",
                "product_id",
                "partner_id",
                "severity",
                "state",
                "date_closed",
            ),
            "med.capa.action": ("capa_id", "state", "date_deadline"),
        }
    )
    _order = "date_opened desc"
    _rec_name = "capa_id"

    capa_id = fields.Many2one("med.capa", string="CAPA", readonly=True)
    date_opened = fields.Datetime(string="Opened On", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Supplier", readonly=True)
    severity = fields.Selection(SEVERITIES, readonly=True)
    state = fields.Selection(STATES, string="Status", readonly=True)
    is_open = fields.Boolean(string="Open", readonly=True)
    age_days = fields.Integer(
        string="Age (days)",
        readonly=True,
        aggregator="avg",
        help="Days from opening to closure, or to today while open.",
    )
    age_bucket = fields.Selection(AGE_BUCKETS, string="Age", readonly=True)
    overdue_action_count = fields.Integer(
        string="Overdue Actions",
        readonly=True,
        help="Open actions past their due date.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        age = SQL(
            "(COALESCE(capa.date_closed::date, %s) - capa.create_date::date)",
            TODAY_UTC,
        )
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(view)s AS (
                    SELECT capa.id AS id,
                           capa.id AS capa_id,
                           capa.create_date AS date_opened,
                           capa.company_id,
                           capa.product_id,
                           capa.partner_id,
                           capa.severity,
                           capa.state,
                           capa.state IN %(open_states)s AS is_open,
                           %(age)s AS age_days,
                           %(bucket)s AS age_bucket,
                           (SELECT COUNT(*)
                              FROM med_capa_action action
                             WHERE action.capa_id = capa.id
                               AND action.state = 'open'
                               AND action.date_deadline < %(today)s
                           ) AS overdue_action_count
                      FROM med_capa capa
                )
                """,
                view=SQL.identifier(self._table),
                open_states=OPEN_STATES,
                today=TODAY_UTC,
                age=age,
                bucket=age_bucket_case(age),
            )
        )
