from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# Each row of stock_move_line_consume_rel links an output line (consume_line_id: the
# produced line of a manufacturing order, or a component recovered by an unbuild) to an
# input line (produce_line_id: the consumed component, or the unbuilt product).
TRACE_COLUMNS = {
    "downstream": ("produce_line_id", "consume_line_id"),
    "upstream": ("consume_line_id", "produce_line_id"),
}


class StockLot(models.Model):
    # Lots are signed (release, hold, reject) and their audited changes need a reason:
    # the mixin brings the signatures and the form's "reason for change" field.
    _inherit = ("stock.lot", "med.signable.mixin")
    _name = "stock.lot"

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
    def _med_trace_ids(self, direction):
        """Ids of every lot reachable from these lots, transitively, in one recursive
        query over done move lines and their consume/produce links. UNION (not UNION
        ALL) drops lots already reached, so cycles (an unbuild feeding back) end."""
        if not self.ids:
            return []
        source, target = TRACE_COLUMNS[direction]
        self.env["stock.move.line"].flush_model(["lot_id", "state"])
        self.env.cr.execute(
            SQL(
                """
            WITH RECURSIVE trace(lot_id) AS (
                SELECT unnest(%(ids)s::int[])
                 UNION
                SELECT linked.lot_id
                  FROM trace
                  JOIN stock_move_line line
                    ON line.lot_id = trace.lot_id AND line.state = 'done'
                  JOIN stock_move_line_consume_rel rel ON rel.%(source)s = line.id
                  JOIN stock_move_line linked
                    ON linked.id = rel.%(target)s AND linked.state = 'done'
                 WHERE linked.lot_id IS NOT NULL
            )
            SELECT lot_id FROM trace WHERE lot_id <> ALL(%(ids)s::int[])
            """,
                ids=list(self.ids),
                source=SQL.identifier(source),
                target=SQL.identifier(target),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _med_check_traceable(self):
        readable = self._filtered_access("read")
        if readable != self:
            raise UserError(
                self.env._(
                    "You cannot trace lots you are not allowed to read: %(lots)s. "
                    "(无权查看的批号不能追溯。)",
                    lots=", ".join((self - readable).sudo().mapped("display_name")),
                )
            )

    def _med_traced(self, direction):
        self._med_check_traceable()
        ids = self._med_trace_ids(direction)
        # Only the lots the user may read (companies, record rules), in one query.
        return self.search([("id", "in", ids)]) if ids else self.browse()

    def med_trace_upstream(self):
        """Every ancestor lot (components, their components, ...), excluding self."""
        return self._med_traced("upstream")

    def med_trace_downstream(self):
        """Every descendant lot (made from these lots, transitively), excluding self."""
        return self._med_traced("downstream")

    def med_recall_scope(self):
        """What a recall of these lots reaches.

        ``lots``: these lots and all their descendants; ``delivered_move_lines``: the
        done move lines of those lots to customer locations; ``customers``: the
        partners of those deliveries; ``on_hand``: quants of those lots still in
        internal locations.
        """
        lots = self | self.med_trace_downstream()
        delivered = self.env["stock.move.line"].search(
            [
                ("lot_id", "in", lots.ids),
                ("state", "=", "done"),
                ("location_dest_id.usage", "=", "customer"),
            ]
        )
        customers = delivered.picking_partner_id | delivered.move_id.partner_id
        on_hand = self.env["stock.quant"].search(
            [
                ("lot_id", "in", lots.ids),
                ("location_id.usage", "=", "internal"),
                ("quantity", ">", 0),
            ]
        )
        return {
            "lots": lots,
            "customers": customers,
            "delivered_move_lines": delivered,
            "on_hand": on_hand,
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
