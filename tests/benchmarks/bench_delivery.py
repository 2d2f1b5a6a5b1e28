"""What the lot gates cost when a delivery is validated (issue: med_lot_trace).

A delivery to a hospital with a minimum remaining shelf life, of --lines moves (200),
each of its own lot-tracked product with expiry dates and one released lot in stock,
reserved and picked, is validated with button_validate(): with med_lot_trace's gates,
and as stock Odoo does it (the same code with the gates' check replaced by "nothing to
report", by this script only: production code has no way to skip them). Each
validation runs in a savepoint rolled back afterwards, so every round validates the
same delivery from the same stock; the two sides alternate, median of --rounds.

delivery_gate_ratio = gated time / ungated time. The query counts of both sides are
printed for 20 and for --lines lines: the gates' share must not grow with the lines.
"""

import argparse
import contextlib
import os
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(__file__))

from benchlib import compare_gates, odoo_env, parse_args

from odoo import Command, fields


@contextlib.contextmanager
def gates_off(env):
    """Stock Odoo's behaviour: the gate check finds nothing, without looking. Set on
    the registry's class of stock.move, which comes first in its method order."""
    moves = type(env["stock.move"])
    moves._med_gate_violations = lambda self: {}
    try:
        yield
    finally:
        del moves._med_gate_violations


class Delivery:
    def __init__(self, env, lines):
        self.env = env
        now = fields.Datetime.now()
        self.warehouse = env.ref("stock.warehouse0")
        stock = self.warehouse.lot_stock_id
        self.products = env["product.product"].create(
            [
                {
                    "name": f"Bench catheter {i:03d}",
                    "is_storable": True,
                    "tracking": "lot",
                    "use_expiration_date": True,
                    "expiration_time": 730,
                    "med_min_shelf_life_days": 90,
                }
                for i in range(lines)
            ]
        )
        lots = env["stock.lot"].create(
            [
                {
                    "name": f"BENCH-GATE-{i:03d}",
                    "product_id": product.id,
                    "expiration_date": now + timedelta(days=400),
                }
                for i, product in enumerate(self.products)
            ]
        )
        lots.with_context(med_reason="benchmark")._med_set_state("released")
        for product, lot in zip(self.products, lots, strict=True):
            env["stock.quant"]._update_available_quantity(
                product, stock, 100, lot_id=lot
            )
        self.partner = env["res.partner"].create(
            {"name": "Bench Hospital", "med_min_shelf_life_days": 180}
        )
        env.flush_all()

    def picking(self, lines):
        """A reserved, picked delivery of the first ``lines`` products."""
        out = self.warehouse.out_type_id
        picking = self.env["stock.picking"].create(
            {
                "partner_id": self.partner.id,
                "picking_type_id": out.id,
                "location_id": out.default_location_src_id.id,
                "location_dest_id": out.default_location_dest_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": 2,
                            "location_id": out.default_location_src_id.id,
                            "location_dest_id": out.default_location_dest_id.id,
                        }
                    )
                    for product in self.products[:lines]
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.move_ids.picked = True
        assert picking.state == "assigned", picking.state
        self.env.flush_all()
        return picking

    def validate(self, lines):
        """(seconds, queries) of validating a fresh delivery of ``lines`` lines;
        everything is undone afterwards."""
        env, cr = self.env, self.env.cr
        with contextlib.closing(cr.savepoint()):
            picking = self.picking(lines)
            env.invalidate_all()
            queries = cr.sql_log_count
            start = time.perf_counter()
            picking.button_validate()
            env.flush_all()
            seconds = time.perf_counter() - start
            queries = cr.sql_log_count - queries
            assert picking.state == "done", picking.state
        return seconds, queries


def main():
    # benchlib.parse_args knows the options every benchmark has; ours come first.
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--lines", type=int, default=200)
    ours, sys.argv[1:] = parser.parse_known_args()
    args = parse_args(__doc__)
    lines = ours.lines
    with odoo_env(args.config, args.database) as env:
        delivery = Delivery(env, lines)
        compare_gates(
            "delivery", delivery.validate, lambda: gates_off(env), lines, args.rounds
        )


if __name__ == "__main__":
    main()
