import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, frozendict

from odoo.addons.med_audit_export.models.base import PROTECTED_WRITE
from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

from ..tools import gs1

# Each row of stock_move_line_consume_rel links an output line (consume_line_id: the
# produced line of a manufacturing order, or a component recovered by an unbuild) to an
# input line (produce_line_id: the consumed component, or the unbuilt product).
_logger = logging.getLogger(__name__)
EXPIRY_LOCK = "med_lot_trace.expiry_check"
MED_STATES = [
    ("quarantine", "Quarantine"),
    ("released", "Released"),
    ("hold", "On Hold"),
    ("rejected", "Rejected"),
]
HOLD_SOURCES = [
    ("manual", "Manual"),
    ("expiry", "Expiry"),
    ("inspection", "Inspection"),
]
TRACE_COLUMNS = {
    "downstream": ("produce_line_id", "consume_line_id"),
    "upstream": ("consume_line_id", "produce_line_id"),
}


class StockLot(models.Model):
    # Lots are signed (release, hold, reject) and their audited changes need a reason:
    # the mixin brings the signatures and the form's "reason for change" field.
    _inherit = ("stock.lot", "med.signable.mixin")
    _name = "stock.lot"

    _med_signature_actions = frozendict(
        {
            "_med_do_release": ("release", QA_MANAGER),
            "_med_do_hold": ("hold", QA_MANAGER),
            "_med_do_unhold": ("approval", QA_MANAGER),
            "_med_do_reject": ("rejection", QA_MANAGER),
        }
    )
    _med_protected_fields = (
        "med_state",
        "med_hold_source",
        "med_hold_reason",
        "med_recorded_by_id",
        "med_release_date",
    )
    # The status of a new lot is decided by create() below, for every caller.
    _med_create_decided_fields = ("med_state",)

    med_state = fields.Selection(
        MED_STATES,
        string="Lot Status",
        default="released",
        required=True,
        index=True,
        copy=False,
        help="Quarantine: waiting for release. Only released lots are shipped or "
        "consumed. Changed only by the signed actions of QA.",
    )
    med_hold_source = fields.Selection(HOLD_SOURCES, string="Hold Source", copy=False)
    med_hold_reason = fields.Text(string="Hold Reason", copy=False)
    med_recorded_by_id = fields.Many2one(
        "res.users",
        string="Received/Produced By",
        readonly=True,
        copy=False,
        help="Who validated the receipt or the production of the lot; this user may "
        "not release it when segregation of duties is on.",
    )
    med_expired = fields.Boolean(
        string="Expired", compute="_compute_med_expired", search="_search_med_expired"
    )
    med_production_date = fields.Date(string="Production Date", copy=False)
    med_release_date = fields.Datetime(
        string="Released On",
        readonly=True,
        copy=False,
        help="When QA first signed the lot's release for distribution.",
    )
    med_end_of_life = fields.Date(
        string="End of Device Life",
        compute="_compute_med_end_of_life",
        help="Production date (else creation) plus the product's expected life: the "
        "lot's records are kept at least until then.",
    )
    med_udi = fields.Char(
        string="UDI",
        compute="_compute_med_udi",
        help="The lot's UDI in GS1 human-readable form: (01) UDI-DI, (11) production "
        "date, (17) expiry date, (10) lot or (21) serial.",
    )
    med_upstream_count = fields.Integer(
        string="Upstream Lots", compute="_compute_med_trace_counts"
    )
    med_downstream_count = fields.Integer(
        string="Downstream Lots", compute="_compute_med_trace_counts"
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

    @api.depends(
        "name", "product_id.med_udi_di", "med_production_date", "expiration_date"
    )
    def _compute_med_udi(self):
        for lot in self:
            serial = lot.product_id.tracking == "serial"
            lot.med_udi = gs1.human_readable(
                gtin=lot.product_id.med_udi_di,
                production_date=lot.med_production_date,
                expiry_date=lot.expiration_date and lot.expiration_date.date(),
                lot=None if serial else lot.name,
                serial=lot.name if serial else None,
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

    def _med_create_forced_values(self):
        # Who recorded a new lot is its creator, never someone the caller names:
        # segregation of duties at release relies on it.
        forced = super()._med_create_forced_values()
        return dict(forced, med_recorded_by_id=self.env.uid)

    @api.model_create_multi
    def create(self, vals_list):
        # The status of a new lot is decided here, never by the caller (UI, import,
        # copy, quick-create or RPC): quarantine when its product requires release.
        # The product may come from the context (``default_product_id``, as the
        # quick-create of a lot from a move line sends it) or a user default: it is
        # resolved first, so that the status follows the product the lot gets.
        without_product = [vals for vals in vals_list if "product_id" not in vals]
        if without_product:
            default = self.default_get(["product_id"]).get("product_id")
            for vals in without_product:
                if default:
                    vals["product_id"] = default
        products = self.env["product.product"].browse(
            {vals["product_id"] for vals in vals_list if vals.get("product_id")}
        )
        self._med_lock_release_requirement(products)
        quarantined = set(products.filtered("med_release_required").ids)
        trusted = self.env.context.get("med_protected_write") is PROTECTED_WRITE
        for vals in vals_list:
            if trusted and "med_state" in vals:
                continue
            vals["med_state"] = (
                "quarantine" if vals.get("product_id") in quarantined else "released"
            )
        return super().create(vals_list)

    def write(self, vals):
        relabelled = self.browse()
        if vals.get("product_id"):
            relabelled = self.filtered(
                lambda lot: lot.product_id.id != vals["product_id"]
            )
        if relabelled:
            self._med_lock_release_requirement(
                self.env["product.product"].browse(vals["product_id"])
            )
        result = super().write(vals)
        # A released lot given a product that requires release was released as
        # something else: it waits for QA again (the product's own release).
        requarantined = relabelled.filtered(
            lambda lot: lot.med_state == "released"
            and lot.product_id.med_release_required
        )
        if requarantined:
            requarantined.with_context(
                med_reason=self.env._(
                    "Product changed to %(product)s, which requires batch release",
                    product=requarantined.product_id[:1].display_name,
                )
            )._med_set_state("quarantine")
        return result

    @api.model
    def _med_lock_release_requirement(self, products):
        """Lock the templates of ``products`` (FOR SHARE) before their release
        requirement decides the status of a lot. The requirement is a stored flag
        that others change in their own transactions (QA on the product, or on its
        category: GxP relevance, med_supplier_qual): under REPEATABLE READ a lot
        created meanwhile would read the old flag and be born released. With the
        lock, a change committed after this transaction's snapshot makes it fail
        with a serialization error, which Odoo retries (the retry reads the new
        flag); a change not yet committed is waited for; a change that comes later
        waits for the lot's transaction."""
        if not products.ids:
            return
        self.env.cr.execute(
            SQL(
                """
                SELECT template.id
                  FROM product_template template
                  JOIN product_product product
                    ON product.product_tmpl_id = template.id
                 WHERE product.id = ANY(%s)
                 ORDER BY template.id
                   FOR SHARE OF template
                """,
                sorted(products.ids),
            )
        )

    def _med_lock_status(self, change=False):
        """Lock these lots' rows for the rest of the transaction, in one query (in id
        order, so that two lockers of the same lots never deadlock).

        Odoo runs REPEATABLE READ: a decision that reads a lot's status must lock it,
        or a status committed after the transaction's snapshot goes unseen. A status
        change is an UPDATE, which takes FOR NO KEY UPDATE on the row:

        - ``change=False`` (a gate, a reservation, a release check reading a
          component): FOR SHARE conflicts with that UPDATE, so a concurrent hold waits
          for this transaction or, committed after its snapshot, makes this lock fail
          with a serialization error that Odoo retries (the retry sees the hold and
          refuses). Gates on the same lot share the lock and do not queue. FOR KEY
          SHARE would not conflict with the UPDATE: it is not enough.
        - ``change=True`` (release, hold, reject, recall, quarantine again): FOR NO KEY
          UPDATE before the status is read, so two changes of one lot queue and the
          second fails with a serialization error (its retry reads the new status);
          two share locks upgraded at once would deadlock instead.
        """
        ids = sorted({lot_id for lot_id in self.ids if isinstance(lot_id, int)})
        if not ids:
            return
        self.env.cr.execute(
            SQL(
                "SELECT id FROM stock_lot WHERE id = ANY(%s) ORDER BY id %s",
                ids,
                SQL("FOR NO KEY UPDATE") if change else SQL("FOR SHARE"),
            )
        )

    def _med_has_stock(self):
        """The ids of these lots with a positive quantity in internal or transit
        locations, in one query."""
        if not self.ids:
            return set()
        self.env["stock.quant"].flush_model(["lot_id", "location_id", "quantity"])
        self.env.cr.execute(
            SQL(
                """
            SELECT quant.lot_id
              FROM stock_quant quant
              JOIN stock_location loc
                ON loc.id = quant.location_id AND loc.usage IN ('internal', 'transit')
             WHERE quant.lot_id = ANY(%s)
             GROUP BY quant.lot_id
            HAVING sum(quant.quantity) > 0
            """,
                list(self.ids),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    # -- status --
    def _med_release_checks(self):
        """{lot: [reasons that block its release]}. Upper addons add their checks
        (open CAPA, failed inspection, expired supplier certificate)."""
        now = fields.Datetime.now()
        # The statuses read below (the lots' and their components') hold until the
        # release commits: a hold or a nonconformance's hold of a component made
        # meanwhile conflicts with it (see _med_lock_status).
        (self | self.browse(self._med_trace_ids("upstream")))._med_lock_status()
        upstream = {lot: lot.med_trace_upstream() for lot in self}
        states = dict(self._fields["med_state"]._description_selection(self.env))
        stocked = self._med_has_stock()
        blocking = {}
        for lot in self:
            reasons = []
            if lot.med_state != "quarantine":
                reasons.append(
                    self.env._("its status is %(state)s", state=states[lot.med_state])
                )
            if lot.id not in stocked:
                reasons.append(
                    self.env._(
                        "it has no stock: a lot is released after it was received or "
                        "produced, not before"
                    )
                )
            if lot.product_id.use_expiration_date and not lot.expiration_date:
                reasons.append(self.env._("it has no expiry date"))
            if lot.expiration_date and lot.expiration_date < now:
                reasons.append(
                    self.env._(
                        "it expired on %(date)s",
                        date=fields.Date.to_string(lot.expiration_date),
                    )
                )
            unreleased = upstream[lot].filtered(lambda c: c.med_state != "released")
            if unreleased:
                reasons.append(
                    self.env._(
                        "component lots are not released: %(lots)s",
                        lots=", ".join(unreleased.mapped("display_name")),
                    )
                )
            if reasons:
                blocking[lot] = reasons
        return blocking

    def _med_raise_blocking(self, blocking, action):
        lines = [
            f"{lot.display_name} ({lot.product_id.display_name}): " + "; ".join(reasons)
            for lot, reasons in blocking.items()
        ]
        raise UserError(
            self.env._(
                "%(action)s refused:\n%(lines)s",
                action=action,
                lines="\n".join(lines),
            )
        )

    def _med_ensure_segregation(self):
        """The user who received or produced a lot may not release it."""
        if not self.env.company.med_release_segregation:
            return
        user = self.env.user
        mine = self.filtered(
            lambda lot: (lot.med_recorded_by_id or lot.create_uid) == user
        )
        if mine:
            raise UserError(
                self.env._(
                    "You received or produced %(lots)s: another QA manager must "
                    "release it (segregation of duties).",
                    lots=", ".join(mine.mapped("display_name")),
                )
            )

    def _med_ensure_qa_manager(self):
        self._med_require_group(
            QA_MANAGER, self.env._("Only a QA manager decides a lot's status.")
        )

    def action_med_release(self):
        self._med_ensure_qa_manager()
        blocking = self._med_release_checks()
        if blocking:
            self._med_raise_blocking(blocking, self.env._("Release"))
        self._med_ensure_segregation()
        return self._med_request_signature(
            "release", "_med_do_release", title=self.env._("Release Lots")
        )

    def _med_do_release(self):
        self._med_ensure_qa_manager()
        # Before the status is read: a second release of the same lot waits, then
        # fails and its retry is refused (one release, one signature).
        self._med_lock_status(change=True)
        blocking = self._med_release_checks()
        if blocking:
            self._med_raise_blocking(blocking, self.env._("Release"))
        self._med_ensure_segregation()
        self._med_protected_write().write(self._prepare_med_release_vals())
        first = self.filtered(lambda lot: not lot.med_release_date)
        if first:
            first._med_protected_write().write(
                {"med_release_date": fields.Datetime.now()}
            )

    def _prepare_med_release_vals(self):
        """Values written on these lots when a signed release passed its checks
        (extension hook: add to what a release records)."""
        return {"med_state": "released"}

    def _prepare_med_hold_vals(self, source, reason):
        """Values written on lots put on hold by ``source`` for ``reason``
        (extension hook, like the release's)."""
        return {
            "med_state": "hold",
            "med_hold_source": source,
            "med_hold_reason": reason,
        }

    def action_med_hold(self):
        self._med_ensure_qa_manager()
        return self._med_request_signature(
            "hold", "_med_do_hold", title=self.env._("Put Lots on Hold")
        )

    def _med_do_hold(self):
        held = self.filtered(lambda lot: lot.med_state == "hold")
        if held:
            # Another hold (a CAPA's, a recall's) keeps its source and reason.
            raise UserError(
                self.env._(
                    "%(lots)s are already on hold: lift that hold first.",
                    lots=", ".join(held.mapped("display_name")),
                )
            )
        self._med_put_on_hold("manual", self.env.context.get("med_reason"))

    def _med_put_on_hold(self, source, reason):
        """Hold these lots (trusted code: crons, CAPA and recall rules use it too).
        For expiry holds, a lot's own reason in the context key
        ``med_expiry_reasons`` ({lot id: text}) replaces ``reason``: one call (one
        run of what reacts to holds, like CAPA rules) still says for each lot
        when it expired. Holds of other sources made meanwhile ignore it."""
        if not reason or not reason.strip():
            raise UserError(self.env._("Say why the lots are put on hold."))
        self._med_lock_status(change=True)
        # Only the status is needed here (the daily check holds thousands of lots at
        # once), and what reacts to a hold reads, in the same query: the old values
        # of the fields it writes (automation rules) and the lot's identity (the
        # event a subscriber gets, med_integration).
        self.fetch(
            [
                "med_state",
                "med_hold_source",
                "med_hold_reason",
                "name",
                "product_id",
                "company_id",
            ]
        )
        to_hold = self.filtered(
            lambda lot: lot.med_state not in ("rejected", "recalled")
        )
        own = (source == "expiry" and self.env.context.get("med_expiry_reasons")) or {}
        by_reason = {}
        for lot in to_hold:
            by_reason.setdefault(own.get(lot.id) or reason, []).append(lot.id)
        for text, lot_ids in by_reason.items():
            self.browse(lot_ids).with_context(
                med_reason=text
            )._med_protected_write().write(self._prepare_med_hold_vals(source, text))

    def action_med_unhold(self):
        self._med_ensure_qa_manager()
        return self._med_request_signature(
            "approval", "_med_do_unhold", title=self.env._("Lift the Hold")
        )

    def _med_do_unhold(self):
        self._med_ensure_qa_manager()
        self._med_lock_status(change=True)
        not_held = self.filtered(lambda lot: lot.med_state != "hold")
        if not_held:
            raise UserError(
                self.env._(
                    "%(lots)s are not on hold.",
                    lots=", ".join(not_held.mapped("display_name")),
                )
            )
        # Back to quarantine: a lot leaves a hold only through a new release.
        self._med_set_state("quarantine", {"med_hold_source": False})

    def action_med_reject(self):
        self._med_ensure_qa_manager()
        return self._med_request_signature(
            "rejection", "_med_do_reject", title=self.env._("Reject Lots")
        )

    def _med_do_reject(self):
        self._med_ensure_qa_manager()
        self._med_set_state("rejected")

    def _med_set_state(self, state, extra=None):
        self._med_lock_status(change=True)
        self._med_protected_write().write(dict(extra or {}, med_state=state))

    def _compute_med_trace_counts(self):
        for lot in self:
            lot.med_upstream_count = len(lot._med_trace_ids("upstream"))
            lot.med_downstream_count = len(lot._med_trace_ids("downstream"))

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
        # quants are the costly part, read once for the holds and the lists, through
        # the lot index and summed per lot and warehouse before the lots are joined.
        cr.execute(
            SQL(
                """
            WITH due AS MATERIALIZED (
                SELECT id FROM stock_lot
                 WHERE alert_date <= %(now)s OR expiration_date < %(now)s
            ), stock AS (
                SELECT quant.lot_id, loc.warehouse_id, sum(quant.quantity) AS quantity
                  FROM stock_quant quant
                  JOIN stock_location loc
                    ON loc.id = quant.location_id AND loc.usage = 'internal'
                 WHERE quant.lot_id IN (SELECT id FROM due) AND quant.quantity > 0
                 GROUP BY quant.lot_id, loc.warehouse_id
            )
            SELECT lot.id, lot.med_state, stock.warehouse_id, lot.product_id, lot.name,
                   lot.expiration_date, lot.alert_date, stock.quantity
              FROM stock
              JOIN stock_lot lot ON lot.id = stock.lot_id
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
        ``rows`` of (product id, lot name, expiry, alert date, quantity there)."""
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
        table = [
            [
                names[product_id],
                lot_name,
                fields.Date.to_string(expiry),
                fields.Date.to_string(alert),
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

    # -- genealogy --
    @api.model
    def _med_genealogy_step_sql(self, direction, lot_column):
        """The one definition of a genealogy link, as JOIN clauses: from the lot id
        in ``lot_column`` (SQL) one step ``direction`` ("downstream": to the lots
        made from it; "upstream": to the lots it is made of) over done move lines
        and their consume/produce links. The linked move line is the alias
        ``linked`` (``linked.lot_id``, never NULL). Every recursive walk of the
        genealogy joins this to its previous step."""
        source, target = TRACE_COLUMNS[direction]
        return SQL(
            """
              JOIN stock_move_line genealogy_line
                ON genealogy_line.lot_id = %(lot)s
               AND genealogy_line.state = 'done'
              JOIN stock_move_line_consume_rel genealogy_rel
                ON genealogy_rel.%(source)s = genealogy_line.id
              JOIN stock_move_line linked
                ON linked.id = genealogy_rel.%(target)s AND linked.state = 'done'
               AND linked.lot_id IS NOT NULL
            """,
            lot=lot_column,
            source=SQL.identifier(source),
            target=SQL.identifier(target),
        )

    def _med_trace_sql(self, direction):
        """The ``trace(lot_id)`` clause of a WITH RECURSIVE query: these lots and
        every lot reachable from them, transitively (``_med_genealogy_step_sql``).
        UNION (not UNION ALL) drops lots already reached, so cycles (an unbuild
        feeding back) end."""
        self.env["stock.move.line"].flush_model(["lot_id", "state"])
        return SQL(
            """
            trace(lot_id) AS (
                SELECT unnest(%(ids)s::int[])
                 UNION
                SELECT linked.lot_id
                  FROM trace
                  %(step)s
            )
            """,
            ids=list(self.ids),
            step=self._med_genealogy_step_sql(
                direction, SQL.identifier("trace", "lot_id")
            ),
        )

    def _med_trace_ids(self, direction):
        """Ids of every lot reachable from these lots, transitively, in one recursive
        query; these lots excluded."""
        if not self.ids:
            return []
        self.env.cr.execute(
            SQL(
                "WITH RECURSIVE %s SELECT lot_id FROM trace WHERE lot_id <> ALL(%s)",
                self._med_trace_sql(direction),
                list(self.ids),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _med_ensure_traceable(self):
        readable = self._filtered_access("read")
        if readable != self:
            raise UserError(
                self.env._(
                    "You cannot trace lots you are not allowed to read: %(lots)s.",
                    lots=", ".join((self - readable).sudo().mapped("display_name")),
                )
            )

    def _med_traced(self, direction):
        self._med_ensure_traceable()
        ids = self._med_trace_ids(direction)
        # Only the lots the user may read (companies, record rules), in one query.
        return self.search([("id", "in", ids)]) if ids else self.browse()

    @api.readonly  # read-only work: served by a replica where one is set
    def med_trace_upstream(self):
        """Every ancestor lot (components, their components, ...), excluding self."""
        return self._med_traced("upstream")

    @api.readonly  # read-only work: served by a replica where one is set
    def med_trace_downstream(self):
        """Every descendant lot (made from these lots, transitively), excluding self."""
        return self._med_traced("downstream")

    @api.readonly  # read-only work: served by a replica where one is set
    def med_recall_scope(self):
        """What a recall of these lots reaches.

        ``lots``: these lots and all their descendants; ``delivered_move_lines``: the
        done move lines of those lots to customer locations; ``customers``: the
        partners of those deliveries; ``on_hand``: quants of those lots still in
        internal locations. Each one as the user may read it (record rules apply).
        """
        self._med_ensure_traceable()
        scope = {
            "lots": self.browse(),
            "customers": self.env["res.partner"],
            "delivered_move_lines": self.env["stock.move.line"],
            "on_hand": self.env["stock.quant"],
        }
        if not self:
            return scope
        # One statement: the trace, then the ORM's own queries of each model (record
        # rules included) as subqueries, so no id list makes a round trip.
        MoveLine, Quant = self.env["stock.move.line"], self.env["stock.quant"]
        # An archived customer still holds what was delivered to it.
        Partner = self.env["res.partner"].with_context(active_test=False)
        lots = self._search([])
        # The trace as one array: the primary key then finds its lots, where a join
        # on the planner's guess of the trace's size (a few hundred) read every lot
        # (a million at ten times the reference history).
        lots.add_where(
            SQL(
                "%s = ANY(ARRAY(SELECT lot_id FROM trace))",
                SQL.identifier(lots.table, "id"),
            )
        )
        # these lots first, then their descendants
        lots.order = SQL(
            "%s = ANY(%s) DESC, %s",
            SQL.identifier(lots.table, "id"),
            list(self.ids),
            self._order_to_sql(self._order, lots),
        )
        delivered = MoveLine._search(
            [("state", "=", "done"), ("location_dest_id.usage", "=", "customer")]
        )
        on_hand = Quant._search(
            [("location_id.usage", "=", "internal"), ("quantity", ">", 0)],
            order=Quant._order,
        )
        # The scope's lots as one array: the lot index then finds their lines and
        # quants in one ordered pass, whatever the planner guessed of the trace's size
        # (it guessed a few hundred lots and scanned every quant).
        for query in (delivered, on_hand):
            query.add_where(
                SQL(
                    "%s = ANY(ARRAY(SELECT id FROM scope_lots))",
                    SQL.identifier(query.table, "lot_id"),
                )
            )
        MoveLine.flush_model(["med_partner_id"])
        customers = Partner._search(
            [("id", "in", SQL("(SELECT med_partner_id FROM deliveries)"))],
            order=Partner._order,
        )

        def ranked(query):
            """The query's ids, with their rank in its order."""
            return query.select(
                SQL.identifier(query.table, "id"),
                SQL("row_number() OVER (ORDER BY %s)", query.order),
            )

        # One row of four id arrays, in the order of ``scope``: cheaper than sorting
        # and sending a row per id.
        [row] = self.env.execute_query(
            SQL(
                """
            WITH RECURSIVE %(trace)s,
            scope_lots AS MATERIALIZED (%(lots)s),
            deliveries AS MATERIALIZED (%(deliveries)s)
            SELECT (SELECT array_agg(id ORDER BY row_number) FROM scope_lots),
                   (SELECT array_agg(id ORDER BY row_number)
                      FROM (%(customers)s) customers),
                   (SELECT array_agg(id ORDER BY id) FROM deliveries),
                   (SELECT array_agg(id ORDER BY row_number)
                      FROM (%(on_hand)s) on_hand)
            """,
                trace=self._med_trace_sql("downstream"),
                lots=ranked(lots),
                deliveries=delivered.select(
                    SQL.identifier(delivered.table, "id"),
                    SQL.identifier(delivered.table, "med_partner_id"),
                ),
                customers=ranked(customers),
                on_hand=ranked(on_hand),
            )
        )
        return {
            key: records.browse(ids or ())
            for (key, records), ids in zip(scope.items(), row, strict=True)
        }

    # -- buttons --
    def _med_lots_action(self, lots, title):
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": "stock.lot",
            "view_mode": "list,form",
            "domain": [("id", "in", lots.ids)],
            "context": {"create": False},
        }

    def action_med_upstream(self):
        self.ensure_one()
        return self._med_lots_action(
            self.med_trace_upstream(),
            self.env._("Upstream of %(lot)s", lot=self.display_name),
        )

    def action_med_genealogy(self):
        """The whole genealogy tree, downstream (or upstream with the context key
        ``med_direction``)."""
        self.ensure_one()
        genealogy = self.env["med.lot.genealogy"].create(
            {
                "lot_id": self.id,
                "direction": self.env.context.get("med_direction", "downstream"),
            }
        )
        return genealogy.action_build()

    def action_med_downstream(self):
        self.ensure_one()
        return self._med_lots_action(
            self.med_trace_downstream(),
            self.env._("Downstream of %(lot)s", lot=self.display_name),
        )
