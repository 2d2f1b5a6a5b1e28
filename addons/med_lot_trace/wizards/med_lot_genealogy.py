from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

MAX_LINES = 10000


class MedLotGenealogy(models.TransientModel):
    """The whole genealogy tree of a lot at once: upstream (what it is made of, down to
    the supplier receipts) or downstream (what was made from it, down to the
    customers), one line per link with product, lot, quantity, date, document and
    partner, in tree order."""

    _name = "med.lot.genealogy"
    _description = "Lot Genealogy"

    lot_id = fields.Many2one("stock.lot", required=True)
    direction = fields.Selection(
        [
            ("downstream", "Downstream (made from it)"),
            ("upstream", "Upstream (made of)"),
        ],
        required=True,
        default="downstream",
    )
    line_ids = fields.One2many("med.lot.genealogy.line", "genealogy_id")

    def _med_links(self):
        """(parent lot, linked move line) for every manufacturing link reachable
        from the lot, in one recursive query."""
        Lot = self.env["stock.lot"]
        self.env["stock.move.line"].flush_model(["lot_id", "state"])
        self.env.cr.execute(
            SQL(
                """
            WITH RECURSIVE links(parent_lot, line_id, lot_id) AS (
                SELECT start.lot_id, linked.id, linked.lot_id
                  FROM (SELECT %(lot)s AS lot_id) start
                  %(first_step)s
                 UNION
                SELECT links.lot_id, linked.id, linked.lot_id
                  FROM links
                  %(next_step)s
            )
            SELECT DISTINCT parent_lot, line_id FROM links
            """,
                first_step=Lot._med_genealogy_step_sql(
                    self.direction, SQL.identifier("start", "lot_id")
                ),
                next_step=Lot._med_genealogy_step_sql(
                    self.direction, SQL.identifier("links", "lot_id")
                ),
                lot=self.lot_id.id,
            )
        )
        return self.env.cr.fetchall()

    def _med_edge_lines(self, lots):
        """The move lines at the ends of the tree: deliveries to customers
        (downstream) or receipts from suppliers (upstream), per lot."""
        usage = "customer" if self.direction == "downstream" else "supplier"
        location = (
            "location_dest_id" if self.direction == "downstream" else "location_id"
        )
        lines = self.env["stock.move.line"].search(
            [
                ("lot_id", "in", lots.ids),
                ("state", "=", "done"),
                (f"{location}.usage", "=", usage),
            ]
        )
        by_lot = defaultdict(list)
        for line in lines:
            by_lot[line.lot_id.id].append(line)
        return by_lot

    def action_build(self):
        self.ensure_one()
        self.lot_id._med_ensure_traceable()
        children = defaultdict(list)
        MoveLine = self.env["stock.move.line"]
        links = self._med_links()
        linked_lines = MoveLine.browse([line_id for _parent, line_id in links])
        linked_lines.fetch(["lot_id", "product_id", "quantity", "date", "reference"])
        for parent_lot, line_id in links:
            children[parent_lot].append(MoveLine.browse(line_id))
        lots = self.lot_id | linked_lines.lot_id
        edges = self._med_edge_lines(lots)
        # The traced lot is the root; every line knows its parent line by its index
        # in ``vals`` (tree order), replaced by the parent's id once it is created.
        vals = [self._med_root_vals()]
        parents = [None]

        def visit(lot_id, level, ancestors, parent):
            for line in edges.get(lot_id, []):
                vals.append(self._med_line_vals(line, level, "edge"))
                parents.append(parent)
            for line in sorted(
                children.get(lot_id, []), key=lambda ml: (ml.date, ml.lot_id.name)
            ):
                if len(vals) > MAX_LINES:
                    raise UserError(
                        self.env._(
                            "The genealogy has more than %(max)s links: use the recall "
                            "simulation or the xlsx export instead.",
                            max=MAX_LINES,
                        )
                    )
                vals.append(self._med_line_vals(line, level, "link"))
                parents.append(parent)
                if line.lot_id.id not in ancestors:  # an unbuild can loop back
                    visit(
                        line.lot_id.id,
                        level + 1,
                        ancestors | {line.lot_id.id},
                        len(vals) - 1,
                    )

        visit(self.lot_id.id, 1, {self.lot_id.id}, 0)
        self.line_ids.unlink()
        # Level by level, one create each: a parent line exists before its children.
        created = [None] * len(vals)
        for level in sorted({line_vals["level"] for line_vals in vals}):
            indexes = [
                i for i, line_vals in enumerate(vals) if line_vals["level"] == level
            ]
            for i in indexes:
                vals[i]["sequence"] = i
                vals[i]["parent_id"] = parents[i] is not None and created[parents[i]]
            lines = self.env["med.lot.genealogy.line"].create(
                [vals[i] for i in indexes]
            )
            for i, line_id in zip(indexes, lines.ids, strict=True):
                created[i] = line_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Genealogy of %(lot)s", lot=self.lot_id.display_name),
            "res_model": "med.lot.genealogy.line",
            "view_mode": "list,hierarchy",
            "domain": [("genealogy_id", "=", self.id)],
            "context": {"create": False, "search_default_group_level": 0},
        }

    def _med_root_vals(self):
        lot = self.lot_id
        return {
            "genealogy_id": self.id,
            "level": 0,
            "kind": "lot",
            "lot_id": lot.id,
            "product_id": lot.product_id.id,
            "quantity": lot.product_qty,
            "uom_id": lot.product_uom_id.id,
        }

    @api.model
    def _med_line_vals(self, line, level, kind):
        partner = line.med_partner_id
        return {
            "genealogy_id": self.id,
            "level": level,
            "kind": kind,
            "move_line_id": line.id,
            "lot_id": line.lot_id.id,
            "product_id": line.product_id.id,
            "quantity": line.quantity,
            "uom_id": line.product_uom_id.id,
            "date": line.date,
            "reference": line.reference,
            "partner_id": partner.id,
        }
