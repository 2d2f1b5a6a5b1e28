"""The lot dossier (device history record) at scale (issue: evidence exports).

Generates three years of a sterile-syringe plant (genealogy_data.py, --scale 1), then
takes pallet lots, the finished goods, until their genealogy (the pallets and every
component lot up to the raw materials) reaches --nodes (10,000) lots, and exports
their lot dossier to xlsx through the dossier wizard as an auditor would (every
section: lots, status history, component lots, production, deliveries, on hand,
suppliers when installed, signatures, audit trail). Median of --rounds, with the ORM
cache emptied before each.

dossier_10k_s: seconds for the export (target <= 10 s); dossier_10k_cpu_s: of which
this process's CPU time (PostgreSQL's not counted), to tell a slow export from a
loaded machine; dossier_load: the machine's 1-minute load average meanwhile;
dossier_nodes: lots in the genealogy; dossier_rows: rows written.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import genealogy_data
from benchlib import bench, odoo_env, parse_args


def main():
    # benchlib.parse_args knows the options every benchmark has; ours come first.
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--nodes", type=int, default=10000)
    parser.add_argument(
        "--profile", action="store_true", help="print where one export spends its time"
    )
    ours, sys.argv[1:] = parser.parse_known_args()
    args = parse_args(__doc__)
    with odoo_env(args.config, args.database) as env:
        data = genealogy_data.generate(env, ours.scale, log=print)
        print(f"generated at scale {ours.scale} in {data.seconds:.1f} s")
        pallet = data.finished_lot.product_id
        candidates = env["stock.lot"].search(
            [("product_id", "=", pallet.id)], order="id"
        )
        lots, nodes = env["stock.lot"], env["stock.lot"]
        for lot in candidates:
            lots |= lot
            nodes |= lot | lot.med_trace_upstream()
            if len(nodes) >= ours.nodes:
                break
        print(f"{len(lots)} pallet lots, {len(nodes)} lots in their genealogy")
        bench("dossier_nodes", len(nodes), "lots")
        Wizard = env["med.dossier.wizard"]
        times, cpu_times, loads, rows = [], [], [], 0
        for _round in range(args.rounds):
            env.invalidate_all()
            wizard = Wizard.with_context(
                default_report="lot_dossier", active_ids=lots.ids
            ).create({"file_format": "xlsx", "template_id": False})
            start, cpu_start = time.perf_counter(), time.process_time()
            wizard.action_export()
            env.flush_all()
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
            loads.append(os.getloadavg()[0])
            export = env["med.audit.export"].search([], order="id desc", limit=1)
            rows = export.record_count
        seconds = sorted(times)[len(times) // 2]
        if ours.profile:
            profiler = cProfile.Profile()
            env.invalidate_all()
            wizard = Wizard.with_context(
                default_report="lot_dossier", active_ids=lots.ids
            ).create({"file_format": "xlsx", "template_id": False})
            profiler.runcall(wizard.action_export)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        print(f"lot dossier of {len(lots)} pallets: {seconds:.2f} s, {rows} rows")
        bench("dossier_10k_s", seconds, "s")
        bench("dossier_10k_cpu_s", sorted(cpu_times)[len(cpu_times) // 2], "s")
        bench("dossier_load", sorted(loads)[len(loads) // 2], "load")
        bench("dossier_rows", rows, "rows")


if __name__ == "__main__":
    main()
