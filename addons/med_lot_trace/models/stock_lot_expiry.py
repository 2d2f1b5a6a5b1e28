import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

_logger = logging.getLogger(__name__)
EXPIRY_LOCK = "med_lot_trace.expiry_check"


class StockLot(models.Model):
    """A lot's dates (production, expiry, end of device life) and the daily
    expiry check: expired lots in stock are put on hold, and QA hears of the lots
    past their alert date."""

    _name = "stock.lot"
    _inherit = "stock.lot"

    med_expired = fields.Boolean(
        string="Expired", compute="_compute_med_expired", search="_search_med_expired"
    )
    med_production_date = fields.Date(string="Production Date", copy=False)
    med_end_of_life = fields.Date(
        string="End of Device Life",
        compute="_compute_med_end_of_life",
        help="Production date (else creation) plus the product's expected life: the "
        "lot's records are kept at least until then.",
    )

    @api.depends(
        "product_id.med_expected_life_years", "med_production_date", "create_date"
    )
    def _compute_med_end_of_life(self):
        for lot in self:
            years = lot.product_id.med_expected_life_years
            start = lot.med_production_date or (
                lot.create_date and lot.create_date.date()
            )
            lot.med_end_of_life = (
                start + relativedelta(years=years) if years and start else False
            )

    @api.constrains("med_production_date", "expiration_date")
    def _check_med_dates(self):
        for lot in self:
            if (
                lot.med_production_date
                and lot.expiration_date
                and lot.expiration_date.date() < lot.med_production_date
            ):
                raise ValidationError(
                    self.env._(
                        "Lot %(lot)s expires (%(expiry)s) before it was produced "
                        "(%(production)s).",
                        lot=lot.name,
                        expiry=fields.Date.to_string(lot.expiration_date),
                        production=fields.Date.to_string(lot.med_production_date),
                    )
                )

    def _compute_med_expired(self):
        now = fields.Datetime.now()
        for lot in self:
            lot.med_expired = bool(lot.expiration_date and lot.expiration_date < now)

    def _search_med_expired(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Expired."))
        expired = [("expiration_date", "<", fields.Datetime.now())]
        return expired if (operator == "=") == value else ["!"] + expired

    # -- expiry monitoring --
    @api.model
    def _cron_med_expiry(self):
        """Daily: hold the expired lots still in stock, and tell QA, once per warehouse
        and day, which lots in stock are past their alert date (with an xlsx list).
        Set-based (one query finds both) and safe to run twice at once or again."""
        cr = self.env.cr
        cr.execute(SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s))", EXPIRY_LOCK))
        if not cr.fetchone()[0]:
            _logger.info("lot expiry check already running: skipped")
            return
        now = fields.Datetime.now()
        self.env.flush_all()
        # One pass over the stock of the lots past their alert or expiry date: the
        # quants are the costly part, read once for the holds and the lists. Each
        # lot's quants are found through the lot index and summed per warehouse on
        # the spot: one hash over all of them (over half of the generated history's
        # quants) spilled to disk, and joining the lots back read every lot again.
        cr.execute(
            SQL(
                """
            SELECT lot.id, lot.med_state, stock.warehouse_id, lot.product_id, lot.name,
                   lot.expiration_date, lot.alert_date, stock.quantity
              FROM stock_lot lot
             CROSS JOIN LATERAL (
                   SELECT loc.warehouse_id, sum(quant.quantity) AS quantity
                     FROM stock_quant quant
                     JOIN stock_location loc
                       ON loc.id = quant.location_id AND loc.usage = 'internal'
                    WHERE quant.lot_id = lot.id AND quant.quantity > 0
                    GROUP BY loc.warehouse_id
                   ) stock
             WHERE lot.alert_date <= %(now)s OR lot.expiration_date < %(now)s
             ORDER BY stock.warehouse_id, lot.expiration_date, lot.id
            """,
                now=now,
            )
        )
        expired, near = {}, {}
        for lot_id, state, warehouse_id, *row in cr.fetchall():
            expiry = row[2]
            if expiry and expiry < now:
                if state in ("quarantine", "released"):
                    expired[lot_id] = expiry.date()
            elif warehouse_id and expiry:
                near.setdefault(warehouse_id, []).append(row)
        # Each lot's hold names its own expiry date, in one call, so that what reacts
        # to expiry holds (CAPA rules) runs once.
        texts = {
            day: self.env._("Expired on %(date)s", date=fields.Date.to_string(day))
            for day in set(expired.values())
        }
        reasons = {lot_id: texts[day] for lot_id, day in sorted(expired.items())}
        if reasons:
            try:
                with cr.savepoint():
                    self.browse(list(reasons)).with_context(
                        med_expiry_reasons=reasons
                    )._med_put_on_hold(
                        "expiry",
                        self.env._("Expired while in stock (found by the daily check)"),
                    )
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                # A lot's status changed after this run read it (a release, a hold):
                # holding on the old status would be wrong, and a failed cron waits
                # for its next day. Run again at once, on a fresh snapshot.
                _logger.info("lot expiry check met a concurrent status change: rerun")
                self._med_rerun_expiry_check()
                return
        try:
            with cr.savepoint():
                for warehouse_id, rows in near.items():
                    self._med_notify_near_expiry(
                        self.env["stock.warehouse"].browse(warehouse_id), rows
                    )
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            # Another run decided about a warehouse after this run's snapshot: what
            # it sent is invisible here. The rerun sees it.
            _logger.info("lot expiry check met a concurrent notice: rerun")
            self._med_rerun_expiry_check()

    @api.model
    def _med_rerun_expiry_check(self):
        # sudo: the check is the cron's own; whoever runs it may trigger it.
        self.env.ref("med_lot_trace.ir_cron_lot_expiry").sudo()._trigger()

    @api.model
    def _med_notify_near_expiry(self, warehouse, rows):
        """One activity per warehouse and day for QA, with the near-expiry list:
        ``rows`` of (product id, lot name, expiry and alert datetimes, quantity)."""
        today = fields.Date.context_today(self)
        summary = self.env._("Lots near expiry")
        # Before deciding: a run whose snapshot predates another run's notice does
        # not see that activity, but its write of the same row conflicts with the
        # other's (a serialization error; a lock alone would not, once the other
        # has committed).
        self.env.cr.execute(
            SQL(
                "UPDATE stock_warehouse SET med_date_near_expiry_check = %s"
                " WHERE id = %s",
                fields.Datetime.now(),
                warehouse.id,
            )
        )
        warehouse.invalidate_recordset(["med_date_near_expiry_check"])
        Activity = self.env["mail.activity"]
        if Activity.search_count(
            [
                ("res_model", "=", "stock.warehouse"),
                ("res_id", "=", warehouse.id),
                ("summary", "=", summary),
                ("date_deadline", "=", today),
            ]
        ):
            return
        Export = self.env["med.audit.export"]
        title = self.env._("Near-expiry lots %(warehouse)s", warehouse=warehouse.code)
        products = self.env["product.product"].browse({row[0] for row in rows})
        names = dict(zip(products.ids, products.mapped("display_name"), strict=True))
        # isoformat: the same text as fields.Date.to_string, a sixth of its time over
        # the tens of thousands of rows of a large plant's list.
        table = [
            [
                names[product_id],
                lot_name,
                expiry.date().isoformat(),
                alert.date().isoformat(),
                quantity,
            ]
            for product_id, lot_name, expiry, alert, quantity in rows
        ]
        labels = [self.env._("Product"), self.env._("Lot"), self.env._("Expiry Date")]
        labels += [self.env._("Alert Date"), self.env._("Quantity")]
        data = {"title": title, "filter_description": warehouse.display_name}
        content = Export._med_render_table("xlsx", data, labels, table)
        export = Export._med_record_export(
            title, "xlsx", content, warehouse.display_name, len(table)
        )
        qa = self.env.ref("med_audit_export.group_med_qa_manager").users.filtered(
            lambda user: warehouse.company_id in user.company_ids and not user.share
        )
        warehouse.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=today,
            summary=summary,
            note=self.env._(
                "%(count)s lots in stock are past their alert date: see %(file)s in "
                "Medical Compliance, Evidence Exports.",
                count=len(table),
                file=export.name,
            ),
            user_id=(qa[:1] or self.env.ref("base.user_admin")).id,
        )
