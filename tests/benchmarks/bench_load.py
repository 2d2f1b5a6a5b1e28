"""Many users at once (issue 21): the suite against stock Odoo under load.

Two databases with the same generated history (genealogy_data.py at --scale 0.09:
~10,000 lots and ~100,000 move lines): this benchmark's database (all the suite's
addons) and one with stock Odoo only (stock, purchase, mrp, product_expiry and OCA
quality control). For each, one after the other, a real Odoo server with worker
processes (--workers 4, one cron worker) on 127.0.0.1:--port, and Locust
(load_locustfile.py, odoolocust's JSON-RPC client, run from .local/bench-venv) for
--duration seconds with 20 warehouse users (receipts creating lots, deliveries,
internal moves), 5 inspectors (inspections, 15% failing), 3 QA managers (lot
lookups; signed releases and holds on our side) and 2 auditors (lot histories;
audit-trail searches and lot dossier exports on our side), times --users-scale.
Meanwhile the cron worker runs, every minute, stock's scheduler (product_expiry's
alert check) on both sides and, on ours, the daily expiry check, the release
reconciliation and the audit chain verification.

Prints per transaction type the count, p50/p95 and throughput of both sides (the
transactions only the suite has apart), then:
- load_p95_ratio: ours / stock Odoo, worst over the transaction types both have;
- load_throughput_ratio: transactions per second of those types, ours / stock Odoo;
- load_errors: failed transactions a user sees (server errors, access errors,
  timeouts), both sides; gate refusals (UserError, ValidationError) are printed
  apart as load_refusals;
- load_retries: serialization failures Odoo retried (its log), our side;
- load_chain_broken: audit entries and signatures whose hash chain is broken;
- load_gated_lot_shipped: move lines of the run that delivered or consumed a lot
  while it was quarantined, on hold, rejected or recalled (its status at the line's
  date, from the audit trail).
Locust's HTML reports and CSV files land in --out (.local/bench-load/<time>/).
Extra options: --users-scale (1.0), --duration (300 s), --scale (0.09), --port
(8180), --workers (4), --out.
"""
# bench-by-name-only
# bench-addons: all
# bench-odoo-addons: stock purchase mrp product_expiry quality_control_stock_oca
# bench-requirements: tests/benchmarks/requirements-load.txt

import argparse
import concurrent.futures
import csv
import datetime
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))

import genealogy_data
from benchlib import bench

import odoo
from odoo import SUPERUSER_ID, Command, api

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PASSWORD = "load-bench-7Hq"
ROLES = {  # role: (users at scale 1, stock Odoo groups, the suite's group)
    "warehouse": (20, ["stock.group_stock_user"], "group_med_warehouse"),
    "inspector": (
        5,
        ["stock.group_stock_user", "quality_control_oca.group_quality_control_user"],
        "group_med_qa_inspector",
    ),
    "qa_manager": (
        3,
        ["stock.group_stock_user", "quality_control_oca.group_quality_control_user"],
        "group_med_qa_manager",
    ),
    "auditor": (2, ["stock.group_stock_user"], "group_med_auditor"),
}
SUITE_CRONS = (
    "med_lot_trace.ir_cron_lot_expiry",
    "med_lot_trace.ir_cron_med_reconcile",
    "med_audit_export.ir_cron_verify_audit_chain",
)
GATED = ("Quarantine", "On Hold", "Rejected", "Recalled")
# transactions only the suite has: reported on their own, left out of the ratios
SUITE_ONLY = {"release_signed", "hold_signed", "audit_search", "dossier_export"}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True, help="the suite's database")
    parser.add_argument("--odoo-database", required=True, help="stock Odoo's")
    parser.add_argument("--bench-venv", required=True, help="venv with Locust")
    parser.add_argument("--users-scale", type=float, default=1.0)
    parser.add_argument("--duration", type=int, default=300)
    parser.add_argument("--scale", type=float, default=0.09)
    parser.add_argument("--port", type=int, default=8180)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--out")
    parser.add_argument("--rounds", type=int, help="ignored (one run per side)")
    args = parser.parse_args()
    if not 8180 <= args.port <= 8198:
        parser.error("--port: 8180-8198 (the gevent port is the next one)")
    return args


def environment(database):
    registry = odoo.modules.registry.Registry(database)
    return registry


def prepare(registry, args, side):
    """Generates the history once (committed: the server must see it), creates the
    users and the inspection test, and returns what the locustfile needs."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        parameter = env["ir.config_parameter"]
        if parameter.get_param("med_bench_load.scale") != str(args.scale):
            if parameter.get_param("med_bench_load.scale"):
                sys.exit(
                    f"{cr.dbname} holds data of another --scale: drop it "
                    "(setup/bench.sh rebuilds it)"
                )
            data = genealogy_data.generate(env, args.scale, log=print)
            print(f"{side}: generated {data.counts} in {data.seconds:.1f} s")
            parameter.set_param("med_bench_load.scale", str(args.scale))
            _users(env, side)
            _qc_test(env)
            cr.commit()
        setup = _setup(env, side)
        _cron_every_minute(env, side)
        cr.commit()
    return setup


def _users(env, side):
    for role, (count, groups, med_group) in ROLES.items():
        group_ids = [env.ref(xmlid).id for xmlid in groups]
        if side == "med":
            group_ids.append(env.ref(f"med_audit_export.{med_group}").id)
        for i in range(count):
            env["res.users"].with_context(no_reset_password=True).create(
                {
                    "name": f"Load {role} {i + 1}",
                    "login": f"load_{role}_{i + 1}",
                    "password": PASSWORD,
                    "groups_id": [Command.set(group_ids)],
                }
            )


def _qc_test(env):
    env["qc.test"].create(
        {
            "name": "Load bench: barrel length",
            "test_lines": [
                Command.create(
                    {
                        "name": "Length (mm)",
                        "type": "quantitative",
                        "min_value": 59.5,
                        "max_value": 60.5,
                        "uom_id": env.ref("uom.product_uom_unit").id,
                    }
                )
            ],
        }
    )


def _setup(env, side):
    warehouse = env.ref("stock.warehouse0")
    products = {
        key: env["product.product"].search([("default_code", "=", code)], limit=1)
        for key, (_name, code, _lots) in genealogy_data.PRODUCTS.items()
    }
    test = env["qc.test"].search([("name", "=", "Load bench: barrel length")])
    question = test.test_lines
    users = env["res.users"].search([("login", "=like", "load\\_%")])
    bins = env["stock.location"].search(
        [("location_id", "=", warehouse.lot_stock_id.id), ("name", "=like", "Bin %")]
    )
    if not bins:
        bins = env["stock.location"].create(
            [
                {"name": f"Bin {i:03d}", "location_id": warehouse.lot_stock_id.id}
                for i in range(1, 11)
            ]
        )
    suppliers = env["res.partner"].search(
        [("name", "=like", "Medical Components Supplier %")]
    )
    customers = env["res.partner"].search([("name", "=like", "Hospital %")], limit=200)
    return {
        "side": side,
        "database": env.cr.dbname,
        "password": PASSWORD,
        "logins": {
            role: sorted(u.login for u in users if u.login.startswith(f"load_{role}_"))
            for role in ROLES
        },
        "user_ids": users.ids,
        "products": {key: p.id for key, p in products.items()},
        "uoms": {key: p.uom_id.id for key, p in products.items()},
        "raw": ["barrel", "plunger", "stopper", "needle", "needle_cap"],
        "raw_ids": [products[k].id for k in ("barrel", "plunger", "stopper", "needle")],
        "lot_prefixes": [code for _n, code, _l in genealogy_data.PRODUCTS.values()],
        "stock": warehouse.lot_stock_id.id,
        "suppliers": env.ref("stock.stock_location_suppliers").id,
        "customers": env.ref("stock.stock_location_customers").id,
        "bins": bins.ids,
        "picking_types": {
            "in": warehouse.in_type_id.id,
            "out": warehouse.out_type_id.id,
            "int": warehouse.int_type_id.id,
        },
        "suppliers_ids": suppliers.ids,
        "customer_ids": customers.ids,
        "qc_test": test.id,
        "qc_question": {
            "id": question.id,
            "name": question.name,
            "min": question.min_value,
            "max": question.max_value,
            "uom": question.uom_id.id,
        },
    }


def _cron_every_minute(env, side):
    xmlids = ["stock.ir_cron_scheduler_action"]
    if side == "med":
        xmlids += SUITE_CRONS
    for xmlid in xmlids:
        env.ref(xmlid).write(
            {
                "active": True,
                "interval_number": 1,
                "interval_type": "minutes",
                "nextcall": datetime.datetime.utcnow(),
            }
        )


def serve(args, database, log):
    """An Odoo server with worker processes on 127.0.0.1, ready."""
    command = [
        sys.executable,
        os.path.join(odoo.tools.config["root_path"], "..", "odoo-bin"),
        "-c",
        args.config,
        "-d",
        database,
        f"--db-filter=^{database}$",
        "--http-interface=127.0.0.1",
        f"--http-port={args.port}",
        f"--gevent-port={args.port + 1}",
        f"--workers={args.workers}",
        "--max-cron-threads=1",
        "--limit-time-real=600",
        "--limit-time-cpu=300",
        "--log-level=info",
        f"--logfile={log}",
    ]
    server = subprocess.Popen(command, start_new_session=True)
    deadline = time.monotonic() + 300
    url = f"http://127.0.0.1:{args.port}/web/login"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the Odoo server stopped; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(2)
    stop(server)
    sys.exit(f"the Odoo server did not answer in 300 s; see {log}")


def stop(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def warm_up(args, setup):
    """Every worker loads the registry at its first request (tens of seconds on a
    busy machine): each user logs in and reads once, several at a time, before the
    measured run."""

    def rpc(service, method, *call_args):
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"service": service, "method": method, "args": call_args},
            }
        ).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{args.port}/jsonrpc",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.load(response).get("result")

    def user(login):
        uid = rpc("common", "login", setup["database"], login, PASSWORD)
        rpc(
            "object",
            "execute_kw",
            setup["database"],
            uid,
            PASSWORD,
            "stock.lot",
            "search_count",
            [[]],
        )

    logins = [login for logins in setup["logins"].values() for login in logins]
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(args.workers * 2) as pool:
        list(pool.map(user, logins))
    print(f"warm-up: {len(logins)} logins in {time.perf_counter() - start:.0f} s")


def run_locust(args, setup, side, out):
    setup_file = os.path.join(out, f"{side}-setup.json")
    with open(setup_file, "w", encoding="utf-8") as f:
        json.dump(dict(setup, port=args.port), f)
    users = sum(
        max(1, round(count * args.users_scale)) for count, _g, _m in ROLES.values()
    )
    command = [
        os.path.join(args.bench_venv, "bin", "locust"),
        "-f",
        os.path.join(HERE, "load_locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{args.duration}s",
        "--stop-timeout",
        "60",
        "--csv",
        os.path.join(out, side),
        "--html",
        os.path.join(out, f"{side}.html"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = dict(
        os.environ,
        MED_LOAD_SETUP=setup_file,
        MED_LOAD_USERS_SCALE=str(args.users_scale),
    )
    print(f"{side}: {users} users for {args.duration} s", flush=True)
    subprocess.run(command, env=env, check=False, timeout=args.duration + 600, cwd=out)
    return read_stats(os.path.join(out, f"{side}_stats.csv"))


def read_stats(path):
    """{(request type, name): row} of Locust's CSV statistics."""
    with open(path, encoding="utf-8") as f:
        return {
            (row["Type"], row["Name"]): row
            for row in csv.DictReader(f)
            if row["Name"] != "Aggregated"
        }


def transactions(stats, kind="txn"):
    return {
        name: {
            "count": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50": float(row["50%"]),
            "p95": float(row["95%"]),
            "per_s": float(row["Requests/s"]),
        }
        for (row_kind, name), row in stats.items()
        if row_kind == kind
    }


def retries(log):
    with open(log, encoding="utf-8", errors="replace") as f:
        return sum("tries left, try again" in line for line in f)


def final_checks(registry, start):
    """Chain breaks and gated lots that left, from the final data."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        verification = env["med.audit.verification"].action_verify()
        broken = len(verification.broken_entry_ids) + len(
            verification.broken_signature_ids
        )
        # A lot's status when the line was done: the last status change before it
        # in the audit trail, else the status the first change after it left,
        # else the status it has now.
        cr.execute(
            """
            SELECT count(*)
              FROM stock_move_line line
              JOIN stock_location src ON src.id = line.location_id
              JOIN stock_location dest ON dest.id = line.location_dest_id
              JOIN stock_lot lot ON lot.id = line.lot_id
              LEFT JOIN LATERAL (
                    SELECT entry.new_value FROM med_audit_entry entry
                     WHERE entry.res_model = 'stock.lot' AND entry.res_id = lot.id
                       AND entry.field_name = 'med_state'
                       AND entry.timestamp <= line.date
                     ORDER BY entry.timestamp DESC, entry.id DESC LIMIT 1
              ) before ON TRUE
              LEFT JOIN LATERAL (
                    SELECT entry.old_value FROM med_audit_entry entry
                     WHERE entry.res_model = 'stock.lot' AND entry.res_id = lot.id
                       AND entry.field_name = 'med_state'
                       AND entry.timestamp > line.date
                     ORDER BY entry.timestamp, entry.id LIMIT 1
              ) after ON TRUE
             WHERE line.state = 'done' AND line.date >= %s
               AND src.usage = 'internal'
               AND dest.usage IN ('customer', 'production')
               AND COALESCE(
                    before.new_value, after.old_value,
                    CASE lot.med_state WHEN 'released' THEN 'Released'
                    ELSE 'Quarantine' END
               ) IN %s
            """,
            [start, GATED],
        )
        shipped = cr.fetchone()[0]
        cr.rollback()
    return broken, shipped


def main():
    args = parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = os.path.abspath(args.out or os.path.join(ROOT, ".local", "bench-load", stamp))
    os.makedirs(out, exist_ok=True)
    sides = {"odoo": args.odoo_database, "med": args.database}
    registries = {side: environment(db) for side, db in sides.items()}
    setups = {side: prepare(registries[side], args, side) for side in sides}
    results, logs = {}, {}
    start = datetime.datetime.utcnow().replace(microsecond=0)
    for side, database in sides.items():
        logs[side] = os.path.join(out, f"{side}-server.log")
        server = serve(args, database, logs[side])
        try:
            warm_up(args, setups[side])
            results[side] = run_locust(args, setups[side], side, out)
        finally:
            stop(server)
    broken, shipped = final_checks(registries["med"], start)

    ours, stock = transactions(results["med"]), transactions(results["odoo"])
    print(
        f"{'transaction':<16}{'side':<6}{'count':>7}{'fail':>6}{'p50 ms':>9}"
        f"{'p95 ms':>9}{'per s':>8}"
    )
    for name in sorted(set(ours) | set(stock)):
        for side, table in (("odoo", stock), ("med", ours)):
            if name in table:
                row = table[name]
                print(
                    f"{name:<16}{side:<6}{row['count']:>7}{row['failures']:>6}"
                    f"{row['p50']:>9.0f}{row['p95']:>9.0f}{row['per_s']:>8.2f}"
                    + ("  (suite only)" if name in SUITE_ONLY else "")
                )
    common = sorted((set(ours) & set(stock)) - SUITE_ONLY)
    print("suite-only transactions:", ", ".join(sorted(SUITE_ONLY & set(ours))))
    missing = (set(ours) ^ set(stock)) - SUITE_ONLY
    if missing:
        print("not compared (ran on one side only):", ", ".join(sorted(missing)))
    ratios = {
        name: ours[name]["p95"] / stock[name]["p95"]
        for name in common
        if stock[name]["p95"]
    }
    if ratios:
        worst = max(ratios, key=ratios.get)
        print(f"worst p95 ratio: {worst}")
        bench("load_p95_ratio", ratios[worst], "ratio")
        ours_rate = sum(ours[name]["per_s"] for name in common)
        stock_rate = sum(stock[name]["per_s"] for name in common)
        bench("load_throughput_ratio", ours_rate / stock_rate, "ratio")
    else:
        print("no transaction type ran on both sides: no ratio (run longer)")
    errors = sum(row["failures"] for table in (ours, stock) for row in table.values())
    refusals = {
        side: sum(r["count"] for r in transactions(results[side], "refused").values())
        for side in sides
    }
    bench("load_errors", errors, "transactions")
    bench("load_refusals", refusals["med"], "transactions")
    bench("load_refusals_odoo", refusals["odoo"], "transactions")
    bench("load_retries", retries(logs["med"]), "retries")
    bench("load_retries_odoo", retries(logs["odoo"]), "retries")
    bench("load_chain_broken", broken, "records")
    bench("load_gated_lot_shipped", shipped, "move lines")
    print(f"Locust reports: {out}/odoo.html, {out}/med.html")


if __name__ == "__main__":
    main()
