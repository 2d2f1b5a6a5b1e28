"""Lot genealogy and recall scope at scale (issue: med_lot_trace).

Generates three years of a sterile-syringe plant in the benchmark's transaction
(genealogy_data.py: at --scale 1, the default, 111,500 lots and ~1.1 million move
lines), then measures, median of --rounds (21) with the ORM cache emptied before
each call, the calls taking turns round after round:

- recall_scope_ms: stock.lot.med_recall_scope() of a needle lot used by 2% of the
  syringe orders (its downstream reaches ~1,500 lots and ~800 customers at scale 1);
- upstream_trace_ms: med_trace_upstream() of a pallet lot (six levels);
- raw_cte_ms: the recursive query alone (_med_trace_ids("downstream")) of the same
  needle lot, and cte_overhead = recall_scope_ms / raw_cte_ms;
- recall_scope_qa_manager_ms and cte_overhead_qa_manager: the recall scope of the
  same lot called by a QA manager, record rules applied (the figures above are the
  superuser's);
- odoo_report_ms (one round): Odoo's Traceability report unfolded downstream from that
  lot as a user would: the lot's report, the "used in" report of each line that is
  used, the report of each lot found there, and so on; capped at --report-cap seconds.
  recall_speedup = odoo_report_ms / recall_scope_ms.

It also checks that our downstream lots are the lots Odoo's report reaches (on an
ordinary barrel lot when the full unfolding hit the cap).
Extra options: --scale (1.0), --report-cap (300 s), --explain (print the query plans).
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import genealogy_data
from benchlib import bench, odoo_env, parse_args, timed

from odoo import Command


def parse_all_args():
    # benchlib.parse_args knows the options every benchmark has; ours come first.
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--report-cap", type=float, default=300.0)
    parser.add_argument("--explain", action="store_true")
    ours, sys.argv[1:] = parser.parse_known_args()
    args = parse_args(__doc__, rounds=21)
    args.scale, args.report_cap, args.explain = (
        ours.scale,
        ours.report_cap,
        ours.explain,
    )
    return args


def odoo_report_downstream(env, lot, deadline):
    """Lot ids Odoo's traceability report reaches from ``lot``, unfolding every "used
    in" link (get_lines as the report's client calls it), and the report lines built;
    lot ids is None when ``deadline`` (perf_counter) passed first."""
    report = env["stock.traceability.report"]
    seen, todo, shown = {lot.id}, [lot.id], 0
    while todo:
        if time.perf_counter() > deadline:
            return None, shown
        lines = report.with_context(active_id=todo.pop(), model="stock.lot").get_lines()
        shown += len(lines)
        for line in lines:
            if not line["is_used"]:
                continue
            used = report.with_context(
                active_id=line["model_id"],
                model="stock.move.line",
                lot_name=line["lot_name"],
            ).get_lines()
            shown += len(used)
            for linked in used:
                if linked["lot_id"] and linked["lot_id"] not in seen:
                    seen.add(linked["lot_id"])
                    todo.append(linked["lot_id"])
    return seen - {lot.id}, shown


def explain(env, lot):
    """The plans of the recursive query and of the recall scope's move line search."""
    cr = env.cr
    statements = []
    execute = cr.execute

    def record(query, params=None, log_exceptions=True):
        start = time.perf_counter()
        result = execute(query, params, log_exceptions)
        statements.append((query, params, (time.perf_counter() - start) * 1000))
        return result

    cr.execute = record
    try:
        env.invalidate_all()
        lot.med_recall_scope()
    finally:
        cr.execute = execute
    sql_ms = sum(ms for _query, _params, ms in statements)
    print(f"recall scope: {len(statements)} queries, {sql_ms:.1f} ms in PostgreSQL")
    for query, params, ms in statements:
        text = query.code if hasattr(query, "code") else str(query)
        params = query.params if hasattr(query, "params") else params
        print(f"-- {ms:.1f} ms:", " ".join(text.split())[:150])
        if not text.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        cr.execute(f"EXPLAIN (ANALYZE, BUFFERS) {text}", params)
        for (row,) in cr.fetchall():
            print("   ", row if len(row) < 150 else row[:150] + "...")


def main():
    args = parse_all_args()
    with odoo_env(args.config, args.database) as env:
        data = genealogy_data.generate(env, args.scale, log=print)
        print(f"generated at scale {args.scale} in {data.seconds:.1f} s: {data.counts}")
        env.cr.execute("SELECT count(*) FROM stock_move_line")
        bench("move_lines", env.cr.fetchone()[0], "rows")

        raw, finished = data.raw_lot, data.finished_lot
        scope = raw.med_recall_scope()
        print(
            f"recall scope of {raw.name}: {len(scope['lots'])} lots, "
            f"{len(scope['customers'])} customers, "
            f"{len(scope['delivered_move_lines'])} delivered move lines, "
            f"{len(scope['on_hand'])} quants on hand"
        )
        upstream = finished.med_trace_upstream()
        print(
            f"upstream of {finished.name}: {len(upstream)} lots of "
            f"{len(upstream.product_id)} products"
        )

        # A user of the QA manager role: the same calls with record rules applied.
        qa_manager = env["res.users"].create(
            {
                "name": "Benchmark QA manager",
                "login": "bench_trace_qa",
                "groups_id": [
                    Command.set([env.ref("med_audit_export.group_med_qa_manager").id])
                ],
            }
        )
        raw_as_qa = raw.with_user(qa_manager)
        figures = {
            "recall_scope_ms": raw.med_recall_scope,
            "upstream_trace_ms": finished.med_trace_upstream,
            "raw_cte_ms": lambda: raw._med_trace_ids("downstream"),
            "recall_scope_qa_manager_ms": raw_as_qa.med_recall_scope,
        }
        times = {name: [] for name in figures}
        # Round after round of each call in turn, so that a busy moment of the
        # machine weighs on every figure alike and not on one ratio's side.
        for _round in range(args.rounds):
            for name, function in figures.items():
                env.invalidate_all()
                times[name].append(timed(function) * 1000)
        ms = {name: statistics.median(values) for name, values in times.items()}
        for name, value in ms.items():
            bench(name, value, "ms")
        bench("cte_overhead", ms["recall_scope_ms"] / ms["raw_cte_ms"], "ratio")
        bench(
            "cte_overhead_qa_manager",
            ms["recall_scope_qa_manager_ms"] / ms["raw_cte_ms"],
            "ratio",
        )
        recall_ms = ms["recall_scope_ms"]

        env.invalidate_all()
        start = time.perf_counter()
        reached, shown = odoo_report_downstream(env, raw, start + args.report_cap)
        report_s = time.perf_counter() - start
        if reached is None:
            print(
                f"odoo report: capped at {args.report_cap:.0f} s "
                f"({shown} report lines built)"
            )
        else:
            print(f"odoo report: {len(reached)} lots, {shown} report lines built")
        bench("odoo_report_ms", report_s * 1000, "ms")
        bench("recall_speedup", report_s * 1000 / recall_ms, "ratio")

        checked = raw
        if reached is None:  # compare on an ordinary lot instead
            checked = data.typical_raw_lot
            reached, _shown = odoo_report_downstream(
                env, checked, time.perf_counter() + args.report_cap
            )
        ours = set(checked._med_trace_ids("downstream"))
        if reached is None:
            print(f"lot sets vs Odoo's report: not compared ({checked.name}: capped)")
        else:
            print(
                f"lot sets vs Odoo's report from {checked.name}: "
                + ("agree" if ours == reached else "DIFFER")
                + f" ({len(ours)} ours, {len(reached)} Odoo's, "
                f"{len(ours - reached)} only ours, {len(reached - ours)} only Odoo's)"
            )
        if args.explain:
            explain(env, raw)


if __name__ == "__main__":
    main()
