from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# A genealogy link (med.lot.link) goes from the lot of an input line (the consumed
# component, or the unbuilt product) to the lot of an output line (the produced line
# of a manufacturing order, or a component recovered by an unbuild). Per direction:
# the link's column of the lot a step starts from, of the lot it reaches, and of the
# move line that reached lot comes with.
TRACE_COLUMNS = {
    "downstream": ("parent_lot_id", "child_lot_id", "consume_line_id"),
    "upstream": ("child_lot_id", "parent_lot_id", "produce_line_id"),
}


class StockLot(models.Model):
    """A lot's genealogy: the lots it is made of (upstream), the lots made from
    it (downstream), and what a recall of it reaches; one recursive query over
    done move lines each."""

    _name = "stock.lot"
    _inherit = "stock.lot"

    med_upstream_count = fields.Integer(
        string="Upstream Lots", compute="_compute_med_trace_counts"
    )
    med_downstream_count = fields.Integer(
        string="Downstream Lots", compute="_compute_med_trace_counts"
    )

    def _compute_med_trace_counts(self):
        for lot in self:
            lot.med_upstream_count = len(lot._med_trace_ids("upstream"))
            lot.med_downstream_count = len(lot._med_trace_ids("downstream"))

    # -- genealogy --
    @api.model
    def _med_genealogy_step_sql(self, direction, lot_column):
        """The one definition of a genealogy link, as a JOIN clause: from the lot id
        in ``lot_column`` (SQL) one step ``direction`` ("downstream": to the lots
        made from it; "upstream": to the lots it is made of) over the links between
        done move lines (med.lot.link, kept from the consume links by triggers). The
        linked move line is the alias ``linked``: ``linked.id`` the line,
        ``linked.lot_id`` its lot (never NULL). Every recursive walk of the genealogy
        joins this to its previous step."""
        source, target, line = TRACE_COLUMNS[direction]
        # A plain subquery, flattened by the planner into an index-only scan of the
        # link's index for the direction.
        return SQL(
            """
              JOIN (SELECT %(source)s AS genealogy_lot_id, %(target)s AS lot_id,
                           %(line)s AS id
                      FROM med_lot_link) linked
                ON linked.genealogy_lot_id = %(lot)s
            """,
            lot=lot_column,
            source=SQL.identifier(source),
            target=SQL.identifier(target),
            line=SQL.identifier(line),
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
                    "%s = ANY((SELECT ids FROM scope_lots)::int[])",
                    SQL.identifier(query.table, "lot_id"),
                )
            )
        MoveLine.flush_model(["med_partner_id"])
        customers = Partner._search(
            [("id", "in", SQL("(SELECT unnest(partner_ids) FROM deliveries)"))],
            order=Partner._order,
        )

        def ids_in_order(query):
            """The query's ids as one array in its order: one sort, where ranking
            the rows and then aggregating them sorted twice."""
            order, query.order = query.order, None
            return query.select(
                SQL(
                    "array_agg(%s ORDER BY %s) AS ids",
                    SQL.identifier(query.table, "id"),
                    order,
                )
            )

        # One row of four id arrays, in the order of ``scope``; the deliveries are
        # read once, for their ids and their customers.
        [row] = self.env.execute_query(
            SQL(
                """
            WITH RECURSIVE %(trace)s,
            scope_lots AS MATERIALIZED (%(lots)s),
            deliveries AS MATERIALIZED (
                SELECT array_agg(id ORDER BY id) AS ids,
                       array_agg(DISTINCT med_partner_id) AS partner_ids
                  FROM (%(deliveries)s) delivered
            )
            SELECT (SELECT ids FROM scope_lots), (%(customers)s),
                   (SELECT ids FROM deliveries), (%(on_hand)s)
            """,
                trace=self._med_trace_sql("downstream"),
                lots=ids_in_order(lots),
                deliveries=delivered.select(
                    SQL.identifier(delivered.table, "id"),
                    SQL.identifier(delivered.table, "med_partner_id"),
                ),
                customers=ids_in_order(customers),
                on_hand=ids_in_order(on_hand),
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
