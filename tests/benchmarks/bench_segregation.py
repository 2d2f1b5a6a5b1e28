"""Physical segregation of a hold of many lots (issue 21, part 4).

In the benchmark's transaction (rolled back at the end): the main warehouse gets a
quarantine location, --lots lots (2,000) of four lot-tracked products each have a
quant on each of --quants-per-lot shelves (3). Then, once,
stock.lot._med_bring_to_quarantine() of all the lots, as a hold by the daily expiry
check does: one internal transfer per shelf, a move line per quant, reserved on it.

- segregation_lines: the move lines made;
- segregation_s: its wall-clock time; its CPU time (this process and its PostgreSQL
  backend), its statements and the load average are printed beside it;
- segregation_statements_per_line.

It checks that every quant's reserved quantity is the sum of its move lines'.
Extra options: --lots, --quants-per-lot.
"""
# bench-by-name-only

import argparse
import os
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(__file__))

from bench_scale import cpu_seconds
from benchlib import bench, odoo_env, parse_args


def parse_all_args():
    # benchlib.parse_args knows the options every benchmark has; ours come first.
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--lots", type=int, default=2_000)
    parser.add_argument("--quants-per-lot", type=int, default=3)
    ours, sys.argv[1:] = parser.parse_known_args()
    args = parse_args(__doc__)
    for name, value in vars(ours).items():
        setattr(args, name, value)
    return args


def held_stock(env, lots_count, quants_per_lot):
    warehouse = env.ref("stock.warehouse0")
    Location = env["stock.location"]
    stock = warehouse.lot_stock_id
    shelves = Location.create(
        [
            {"name": f"Bench shelf {n}", "location_id": stock.id, "usage": "internal"}
            for n in range(quants_per_lot)
        ]
    )
    products = env["product.product"].create(
        [
            {"name": f"Bench device {n}", "is_storable": True, "tracking": "lot"}
            for n in range(4)
        ]
    )
    lots = env["stock.lot"].create(
        [
            {"name": f"BENCH-SEG-{n:06}", "product_id": products[n % 4].id}
            for n in range(lots_count)
        ]
    )
    for lot in lots:
        for shelf in shelves:
            env["stock.quant"]._update_available_quantity(
                lot.product_id, shelf, 5.0, lot_id=lot
            )
    warehouse.med_quarantine_location_id = Location.create(
        {"name": "Bench quarantine", "location_id": stock.id, "usage": "internal"}
    )
    env.flush_all()
    env.invalidate_all()
    return lots


def main():
    args = parse_all_args()
    with odoo_env(args.config, args.database) as env:
        lots = held_stock(env, args.lots, args.quants_per_lot)
        cr = env.cr
        statements, cpu = cr.sql_log_count, cpu_seconds(cr)
        wall = time.perf_counter()
        transfers = lots._med_bring_to_quarantine()
        env.flush_all()
        wall = time.perf_counter() - wall
        cpu = cpu_seconds(cr) - cpu
        statements = cr.sql_log_count - statements
        lines = transfers.move_line_ids
        load = " ".join(f"{value:.1f}" for value in os.getloadavg())
        print(
            f"{len(lots)} lots, {len(lines)} lines in {len(transfers)} transfers: "
            f"{wall:.1f} s wall, {cpu:.1f} s CPU, {statements} statements; "
            f"load average {load}"
        )
        reserved_by_lines = defaultdict(float)
        for line in lines:
            reserved_by_lines[line.location_id, line.lot_id] += line.quantity
        quants = env["stock.quant"].search([("lot_id", "in", lots.ids)])
        wrong = quants.filtered(
            lambda quant: abs(
                quant.reserved_quantity
                - reserved_by_lines[quant.location_id, quant.lot_id]
            )
            > 1e-6
        )
        if wrong or set(transfers.mapped("state")) != {"assigned"}:
            sys.exit(f"reservations wrong on {len(wrong)} quants")
        bench("segregation_lines", len(lines), "lines")
        bench("segregation_s", wall, "s")
        bench(
            "segregation_statements_per_line", statements / max(len(lines), 1), "stmt"
        )


if __name__ == "__main__":
    main()
