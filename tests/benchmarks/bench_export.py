"""Audit trail export at scale (issue 8: med_audit_export).

Makes sure the benchmark database holds at least --entries (1,000,000) audit trail
entries: the missing ones are appended to the hash chain with the engine's own bulk
path (med.audit.entry._med_chain_insert, COPY) and committed, so the chain stays valid
and later runs reuse them (bench.sh rebuilds the database when the addons change).
Generation is not measured. Then the whole trail is exported to xlsx, --rounds (3)
times, each side in a fresh process so that their peak memory compares:

- ours: med.audit.export._med_export_audit_trail, the method the export wizard and
  the background job run: chunked SQL reads, xlsxwriter in constant_memory mode into
  a temporary file, the file streamed into the filestore with its SHA-256, the export
  record and its trail entry (in a transaction rolled back afterwards);
- bare: xlsxwriter alone, same options, writing the same cells with write_row; the
  cells are dumped beforehand from our row iterator into a pickle file (not measured).

Prints the medians: audit_export_1m_s (ours, seconds), audit_export_vs_xlsxwriter
(ours / bare of each round, the two sides run one after the other, each first in
turn; target <= 2) and audit_export_1m_mb (peak resident memory, VmHWM, of the whole
Odoo process, registry included; target < 200 MB).
"""

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(__file__))

from benchlib import bench, odoo_env, parse_args

ENTRIES = 1_000_000
BATCH = 50_000
DUMP_CHUNK = 5_000
# The bare side: xlsxwriter alone writing the dumped cells (argv: cells, options).
BARE = """
import json, os, pickle, sys, tempfile, time
import xlsxwriter

with tempfile.TemporaryDirectory() as folder:
    start = time.perf_counter()
    path = os.path.join(folder, "bare.xlsx")
    workbook = xlsxwriter.Workbook(path, json.loads(sys.argv[2]))
    sheet = workbook.add_worksheet()
    row = 0
    with open(sys.argv[1], "rb") as cells:
        while True:
            try:
                chunk = pickle.load(cells)
            except EOFError:
                break
            for values in chunk:
                sheet.write_row(row, 0, values)
                row += 1
    workbook.close()
    seconds = time.perf_counter() - start
with open("/proc/self/status") as status:
    hwm = next(line for line in status if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "mb": int(hwm.split()[1]) / 1024, "rows": row}))
"""


def parse_all_args():
    # benchlib.parse_args knows the options every benchmark has; ours come first.
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--entries", type=int, default=ENTRIES)
    parser.add_argument("--side", choices=["ours"])
    ours, sys.argv[1:] = parser.parse_known_args()
    # a round is two 1M-row exports: minutes, not seconds
    args = parse_args(__doc__, rounds=3)
    args.entries, args.side = ours.entries, ours.side
    return args


def peak_mb():
    """Peak resident memory of this process (VmHWM), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def ensure_entries(env, count):
    """Append entries to the chain until it holds ``count``; committed."""
    cr = env.cr
    cr.execute("SELECT count(*) FROM med_audit_entry")
    missing = count - cr.fetchone()[0]
    if missing <= 0:
        return
    print(f"appending {missing} audit trail entries (once)", flush=True)
    Entry = env["med.audit.entry"].sudo()
    start = datetime(2024, 1, 1)
    admin, company = env.ref("base.user_admin").id, env.company.id
    done = 0
    while done < missing:
        size = min(BATCH, missing - done)
        rows = [
            {
                "timestamp": start + timedelta(seconds=30 * (done + i)),
                "user_id": admin,
                "operation": "write",
                "res_model": "stock.lot",
                "res_id": done + i + 1,
                "res_name": f"BRL-{done + i + 1:07d}",
                "field_name": "ref",
                "field_label": "Internal Reference",
                "old_value": f"REF-{done + i:07d}",
                "new_value": f"REF-{done + i + 1:07d}",
                "reason": "批次参考号更正 (reference corrected)",
                "company_id": company,
            }
            for i in range(size)
        ]
        Entry._med_chain_insert(rows)
        cr.commit()  # kept for later runs: odoo_env rolls back only the rest
        done += size


def dump_cells(env, path):
    """The cells our export writes, in chunks, for the bare side."""
    with open(path, "wb") as dump:
        chunk = []
        for row in env["med.audit.export"]._med_iter_entry_rows([]):
            chunk.append(row)
            if len(chunk) == DUMP_CHUNK:
                pickle.dump(chunk, dump)
                chunk = []
        pickle.dump(chunk, dump)


def run_ours(args):
    with odoo_env(args.config, args.database) as env:
        Export = env["med.audit.export"]
        start = time.perf_counter()
        export = Export._med_export_audit_trail("xlsx", [], "All entries")
        seconds = time.perf_counter() - start
        size = export.attachment_id.file_size
        rows = export.record_count
        # the transaction is rolled back: the file must not stay in the filestore
        os.remove(export.attachment_id._full_path(export.attachment_id.store_fname))
    return {"seconds": seconds, "mb": peak_mb(), "rows": rows, "size": size}


def side(args, name, cells):
    """One export in a fresh process; its figures as a dict."""
    if name == "ours":
        command = [sys.executable, __file__, "--side", "ours"]
        command += ["--config", args.config, "--database", args.database]
    else:
        from odoo.addons.med_audit_export.models.med_audit_export import XLSX_OPTIONS

        # plain Python: the bare side's memory is xlsxwriter's, not Odoo's imports
        command = [sys.executable, "-c", BARE, cells, json.dumps(XLSX_OPTIONS)]
    output = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main():
    args = parse_all_args()
    if args.side:
        print(json.dumps(run_ours(args)), flush=True)
        return
    with tempfile.TemporaryDirectory() as folder:
        cells = os.path.join(folder, "cells.pickle")
        with odoo_env(args.config, args.database) as env:
            ensure_entries(env, args.entries)
            dump_cells(env, cells)
        ours, bare = [], []
        for number in range(args.rounds):
            # each side goes first in turn: the load of the machine drifts
            if number % 2:
                bare.append(side(args, "bare", cells))
                ours.append(side(args, "ours", cells))
            else:
                ours.append(side(args, "ours", cells))
                bare.append(side(args, "bare", cells))
            print(f"round: ours {ours[-1]}, bare {bare[-1]}", flush=True)
    ours_s = statistics.median(result["seconds"] for result in ours)
    bare_s = statistics.median(result["seconds"] for result in bare)
    # the ratio of each round's pair, as both sides ran under the same load
    ratio = statistics.median(
        mine["seconds"] / theirs["seconds"]
        for mine, theirs in zip(ours, bare, strict=True)
    )
    ours_mb = statistics.median(result["mb"] for result in ours)
    bare_mb = statistics.median(result["mb"] for result in bare)
    print(
        f"entries: {ours[0]['rows']}, rounds: {args.rounds} (median), xlsx "
        f"{ours[0]['size'] / 1e6:.1f} MB; ours {ours_s:.1f} s, {ours_mb:.0f} MB "
        f"peak; bare xlsxwriter {bare_s:.1f} s, {bare_mb:.0f} MB peak"
    )
    bench("audit_export_1m_s", ours_s, "s")
    bench("audit_export_vs_xlsxwriter", ratio, "ratio")
    bench("audit_export_1m_mb", ours_mb, "MB")
    bench("audit_export_xlsxwriter_mb", bare_mb, "MB")


if __name__ == "__main__":
    main()
