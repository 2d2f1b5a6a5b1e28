from odoo import api, fields, models, tools
from odoo.tools import SQL, frozendict

# Today as Odoo stores dates (UTC), whatever the database server's time zone.
TODAY_UTC = SQL("(NOW() AT TIME ZONE 'UTC')::date")
AGE_BUCKETS = [
    ("0_7", "0-7 days"),
    ("8_30", "8-30 days"),
    ("31_90", "31-90 days"),
    ("over_90", "Over 90 days"),
]


def age_bucket_case(days):
    """The AGE_BUCKETS key of an SQL expression counting days."""
    return SQL(
        "CASE WHEN %(days)s <= 7 THEN '0_7' WHEN %(days)s <= 30 THEN '8_30' "
        "WHEN %(days)s <= 90 THEN '31_90' ELSE 'over_90' END",
        days=days,
    )


class MedLotStatusReport(models.Model):
    """One row per lot: its status, hold source and age. A view, so that ages count
    from today at every read (the release lead time is med_release_review's
    stock.lot.med_release_hours)."""

    _name = "med.lot.status.report"
    _description = "Lot Status and Age"
    _auto = False
    _depends = frozendict(  # flushed before the view is read
        {
            "stock.lot": (
                "product_id",
                "company_id",
                "med_state",
                "med_hold_source",
                "create_date",
            )
        }
    )
    _order = "date_recorded desc"
    _rec_name = "lot_id"

    lot_id = fields.Many2one("stock.lot", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    # the lot's own lists, with the states and hold sources upper addons add
    med_state = fields.Selection(
        "_selection_med_state", string="Lot Status", readonly=True
    )
    med_hold_source = fields.Selection(
        "_selection_med_hold_source", string="Hold Source", readonly=True
    )
    date_recorded = fields.Datetime(
        string="Recorded On",
        readonly=True,
        help="When the lot was received or produced (created in Odoo).",
    )
    age_days = fields.Integer(
        string="Age (days)",
        readonly=True,
        aggregator="avg",
        help="Days since the lot was recorded.",
    )
    age_bucket = fields.Selection(AGE_BUCKETS, string="Age", readonly=True)

    @api.model
    def _selection_med_state(self):
        return (
            self.env["stock.lot"]._fields["med_state"]._description_selection(self.env)
        )

    @api.model
    def _selection_med_hold_source(self):
        field = self.env["stock.lot"]._fields["med_hold_source"]
        return field._description_selection(self.env)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        age = SQL("(%s - lot.create_date::date)", TODAY_UTC)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(view)s AS (
                    SELECT lot.id AS id,
                           lot.id AS lot_id,
                           lot.product_id,
                           lot.company_id,
                           lot.med_state,
                           lot.med_hold_source,
                           lot.create_date AS date_recorded,
                           %(age)s AS age_days,
                           %(bucket)s AS age_bucket
                      FROM stock_lot lot
                )
                """,
                view=SQL.identifier(self._table),
                age=age,
                bucket=age_bucket_case(age),
            )
        )
