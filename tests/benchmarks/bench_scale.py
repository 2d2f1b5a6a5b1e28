"""The suite at ten times the history (issue 21, part 4).

In the benchmark's transaction (rolled back at the end), at --scale 9.1 (the default):
genealogy_data.py's sterile-syringe history with ~10 million move lines, --quants
stock_quant rows (10,000,000) spread over the lots in stock, and an audit trail of
--audit-entries rows (50,000,000) over five years, 50 users and the lots, written
by one INSERT ... SELECT (content only, not hash-chained: only searched here).
Then, median of --rounds (5), ORM cache emptied before each call:

- scale_move_lines, scale_quants, scale_audit_entries: the rows there are;
- scale_recall_scope_ms: stock.lot.med_recall_scope() of the needle lot used by 2%
  of the syringe orders; scale_cte_overhead: that / the recursive query alone;
- scale_expiry_s: the daily expiry check (stock.lot._cron_med_expiry(), undone
  after each round);
- scale_audit_filter_ms: the Auditor's list as the web client loads it (a page of
  80, newest first, and the count up to 10,001) as an auditor, worst of three
  filters: one record (model and id), one user over a month, and record + user +
  month together; each filter's figure and the query plan of the worst are printed.
The machine may be shared: the load average is printed at each step, and the
generation, the expiry check and the audit trail print their CPU time (this process
and its PostgreSQL backend) beside the wall-clock time, so that a slow figure tells
load from code.
Extra options: --scale, --quants, --audit-entries, --explain, and --keep: the
generated history and audit trail are committed (in the database of this benchmark
alone, which bench.sh then updates in place when the code changes) and the next run
with the same sizes measures them again without generating them; generating the full
size takes longer than measuring it.
"""
# bench-by-name-only
# bench-keeps-data
# bench-addons: med_lot_trace

import argparse
import contextlib
import datetime
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import genealogy_data
from benchlib import bench, odoo_env, parse_args, timed

from odoo import Command

AUDIT_USERS = 50
AUDIT_YEARS = 5
AUDIT_COUNT_LIMIT = 10001  # the web client's list count limit (10,000 + 1)


def parse_all_args():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--scale", type=float, default=9.1)
    parser.add_argument("--quants", type=int, default=10_000_000)
    parser.add_argument("--audit-entries", type=int, default=50_000_000)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--keep", action="store_true")
    ours, sys.argv[1:] = parser.parse_known_args()
    args = parse_args(__doc__)
    for name, value in vars(ours).items():
        setattr(args, name, value)
    return args


def cpu_seconds(cr):
    """CPU time so far of this process and of its PostgreSQL backend (same machine;
    parallel workers not included)."""
    ticks = os.sysconf("SC_CLK_TCK")
    with open(f"/proc/{cr._cnx.get_backend_pid()}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return time.process_time() + (int(fields[11]) + int(fields[12])) / ticks


@contextlib.contextmanager
def clock(cr, what):
    """Prints the block's wall-clock and CPU time, and the load average after it."""
    wall, cpu = time.perf_counter(), cpu_seconds(cr)
    yield
    wall, cpu = time.perf_counter() - wall, cpu_seconds(cr) - cpu
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{what}: {wall:.1f} s wall, {cpu:.1f} s CPU; load average {load}")


def count(cr, table):
    cr.execute(f"SELECT count(*) FROM {table}")
    return cr.fetchone()[0]


def median_ms(function, env, rounds):
    return medians_ms([function], env, rounds)[0]


def medians_ms(functions, env, rounds):
    """The median wall-clock and CPU time (ms) of each function, the functions
    taking turns round by round: a change of the machine's load then weighs on each
    alike, where rounds of one and then of the other made their ratio swing on a
    shared machine. CPU time well below wall-clock time is waiting for the CPU (or
    the disk), not work."""
    times = [([], []) for _function in functions]
    for _round in range(rounds):
        for function, (walls, cpus) in zip(functions, times, strict=True):
            env.invalidate_all()
            cpu = cpu_seconds(env.cr)
            walls.append(timed(function) * 1000)
            cpus.append((cpu_seconds(env.cr) - cpu) * 1000)
    return [
        (statistics.median(walls), statistics.median(cpus)) for walls, cpus in times
    ]


def audit_trail(env, entries):
    """``entries`` rows over AUDIT_YEARS years, newest now, spread over the users
    and the lots as a plant's daily work spreads them (a lot changes a few times,
    users work every day). Returns the users."""
    users = env["res.users"].create(
        [
            {"name": f"Scale user {i + 1:02d}", "login": f"scale_user_{i + 1:02d}"}
            for i in range(AUDIT_USERS)
        ]
    )
    env.flush_all()
    now = datetime.datetime.utcnow().replace(microsecond=0)
    step = AUDIT_YEARS * 365 * 86400 / max(entries, 1)
    with (
        clock(env.cr, f"audit trail: {entries} entries"),
        genealogy_data.bulk_load(env.cr, ["med_audit_entry"], print),
    ):
        env.cr.execute(
            """
            INSERT INTO med_audit_entry (timestamp, user_id, operation, res_model,
                                         res_id, res_name, field_name, field_label,
                                         old_value, new_value, reason, company_id)
            SELECT %(now)s - make_interval(secs => (%(n)s - g) * %(step)s),
                   (%(users)s::int[])[(1 + (g * 7919) %% %(n_users)s)::int],
                   'write',
                   CASE WHEN g %% 10 < 7 THEN 'stock.lot' ELSE 'stock.picking' END,
                   lots.ids[(1 + (g * 104729) %% lots.n)::int],
                   'LOT-' || g,
                   'med_state', 'Lot Status', 'Quarantine', 'Released',
                   'Released after review', %(company)s
              FROM generate_series(1, %(n)s::bigint) g,
                   (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n
                      FROM stock_lot) lots
            """,
            {
                "now": now,
                "n": entries,
                "step": step,
                "users": users.ids,
                "n_users": len(users),
                "company": env.company.id,
            },
        )
    with clock(env.cr, "audit trail analyzed"):
        env.cr.execute("ANALYZE med_audit_entry")
    return users


def auditor_list(entries, domain):
    """What the list view asks for: a page of 80 and the count, as web_search_read."""
    return lambda: entries.web_search_read(
        domain,
        {"timestamp": {}, "user_id": {}, "res_name": {}, "new_value": {}},
        limit=80,
        count_limit=AUDIT_COUNT_LIMIT,
    )


def explain(env, entries, domain):
    query = entries._search(domain, limit=80, order=entries._order)
    sql = query.select()
    env.cr.execute(
        f"EXPLAIN (ANALYZE, BUFFERS) {sql.code}",
        sql.params,
    )
    for (row,) in env.cr.fetchall():
        print("   ", row)


KEPT_PARAMETER = "med_bench_scale.kept"


def kept(env, part, size):
    """What an earlier --keep run committed of ``part`` at ``size`` (a dict), or None.
    Data of another size is in the way: the database must be dropped first."""
    value = json.loads(env["ir.config_parameter"].get_param(KEPT_PARAMETER) or "{}")
    if part not in value:
        return None
    if value[part]["size"] != size:
        sys.exit(
            f"{env.cr.dbname} keeps {part} of size {value[part]['size']}, not {size}:"
            f" drop the database (setup/bench.sh rebuilds it) or run with that size"
        )
    return value[part]


def keep(env, part, size, **found):
    """Commit what was generated of ``part``, and where to find it again."""
    Parameter = env["ir.config_parameter"]
    value = json.loads(Parameter.get_param(KEPT_PARAMETER) or "{}")
    value[part] = {"size": size, **found}
    Parameter.set_param(KEPT_PARAMETER, json.dumps(value))
    env.cr.commit()
    print(f"kept for later runs: {part} at size {size}")


def genealogy(env, args):
    """The needle lot of the generated history, generated now unless kept."""
    size = [args.scale, args.quants]
    found = args.keep and kept(env, "genealogy", size)
    if found:
        print(f"generated earlier and kept: scale {args.scale}, {args.quants} quants")
        return env["stock.lot"].browse(found["raw_lot"])
    with clock(env.cr, f"generated at scale {args.scale}"):
        data = genealogy_data.generate(env, args.scale, quants=args.quants, log=print)
    print(f"generated: {data.counts}")
    if args.keep:
        keep(env, "genealogy", size, raw_lot=data.raw_lot.id)
    return data.raw_lot


def main():
    args = parse_all_args()
    with odoo_env(args.config, args.database) as env:
        cr = env.cr
        raw = genealogy(env, args)
        bench("scale_move_lines", count(cr, "stock_move_line"), "rows")
        bench("scale_quants", count(cr, "stock_quant"), "rows")

        (recall_ms, recall_cpu_ms), (cte_ms, cte_cpu_ms) = medians_ms(
            [raw.med_recall_scope, lambda: raw._med_trace_ids("downstream")],
            env,
            args.rounds,
        )
        scope = raw.med_recall_scope()
        print(
            f"recall scope of {raw.name}: {len(scope['lots'])} lots, "
            f"{len(scope['customers'])} customers; {recall_ms:.1f} ms wall, "
            f"{recall_cpu_ms:.1f} ms CPU; the trace alone {cte_ms:.1f} ms wall, "
            f"{cte_cpu_ms:.1f} ms CPU"
        )
        bench("scale_recall_scope_ms", recall_ms, "ms")
        bench("scale_cte_overhead", recall_ms / cte_ms, "ratio")

        Lot = env["stock.lot"]

        def expiry_check():
            with contextlib.closing(cr.savepoint()):
                Lot._cron_med_expiry()
                env.flush_all()

        with clock(cr, "expiry checks"):
            expiry_s = statistics.median(
                timed(expiry_check) for _round in range(max(1, args.rounds // 2))
            )
        env.invalidate_all()
        bench("scale_expiry_s", expiry_s, "s")

        found = args.keep and kept(env, "audit", args.audit_entries)
        if found:
            print(f"audit trail generated earlier and kept: {args.audit_entries}")
            users = env["res.users"].browse(found["users"])
        else:
            users = audit_trail(env, args.audit_entries)
            if args.keep:
                keep(env, "audit", args.audit_entries, users=users.ids)
        bench("scale_audit_entries", count(cr, "med_audit_entry"), "rows")
        auditor = env["res.users"].create(
            {
                "name": "Scale auditor",
                "login": "scale_auditor",
                "groups_id": [
                    Command.set([env.ref("med_audit_export.group_med_auditor").id])
                ],
            }
        )
        entries = env["med.audit.entry"].with_user(auditor)
        month_end = datetime.datetime.utcnow() - datetime.timedelta(days=200)
        month = [
            ("timestamp", ">=", month_end - datetime.timedelta(days=30)),
            ("timestamp", "<", month_end),
        ]
        record = [("res_model", "=", "stock.lot"), ("res_id", "=", raw.id)]
        user = [("user_id", "=", users[7].id)]
        filters = {
            "record": record,
            "user_month": user + month,
            "record_user_month": record + user + month,
        }
        figures = {}
        for name, domain in filters.items():
            figures[name], cpu_ms = median_ms(
                auditor_list(entries, domain), env, args.rounds
            )
            found = entries.search_count(domain, limit=AUDIT_COUNT_LIMIT)
            print(
                f"audit filter {name}: {figures[name]:.1f} ms wall, {cpu_ms:.1f} ms "
                f"CPU, {found} entries"
            )
        worst = max(figures, key=figures.get)
        bench("scale_audit_filter_ms", figures[worst], "ms")
        print(f"worst audit filter: {worst}")
        if args.explain:
            explain(env, entries, filters[worst])


if __name__ == "__main__":
    main()
