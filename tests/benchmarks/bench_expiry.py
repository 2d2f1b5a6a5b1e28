"""The daily expiry check at scale (issue: med_lot_trace).

Generates the sterile-syringe history of genealogy_data.py in the benchmark's
transaction, with --quants stock_quant rows (1,000,000) spread over the lots in stock
and --past-alert of those lots (20,000) past their alert date, a quarter of them
already expired. Then, each run inside a savepoint rolled back afterwards, so that
every run finds the same lots, quants and (no) activities:

- expiry_cron_s: stock.lot._cron_med_expiry() (holds the expired lots in stock, one
  activity with the near-expiry list per warehouse), median of --rounds;
- product_expiry's own check, stock.lot._alert_date_exceeded() (one activity per lot
  past its alert date; stock.quant has none of its own), one round, stopped after
  --odoo-cap seconds (600) and reported as capped: the speedup is then a lower bound.
  expiry_speedup = product_expiry's time / expiry_cron_s.

It also checks that both sides found the same lots: what the cron holds and lists
together is what product_expiry reminds.
Extra options: --scale (1.0), --quants, --past-alert, --odoo-cap.
"""

import _thread
import argparse
import contextlib
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))

import genealogy_data
import psycopg2.errors
from benchlib import bench, median_time, odoo_env, parse_args


def parse_all_args():
    # benchlib.parse_args knows the options every benchmark has; ours come first.
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--quants", type=int, default=1_000_000)
    parser.add_argument("--past-alert", type=int, default=20_000)
    parser.add_argument("--odoo-cap", type=float, default=600.0)
    ours, sys.argv[1:] = parser.parse_known_args()
    args = parse_args(__doc__)
    for name, value in vars(ours).items():
        setattr(args, name, value)
    return args


class Capped(Exception):
    """The capped side ran out of time."""


@contextlib.contextmanager
def cap(cr, seconds):
    """Stops the block after ``seconds`` and raises :class:`Capped`: the Python code
    is interrupted between two queries, and no single query may run longer."""
    fired = threading.Event()

    def stop():
        fired.set()
        _thread.interrupt_main()

    cr.execute("SET LOCAL statement_timeout = %s", [int(seconds * 1000)])
    timer = threading.Timer(seconds, stop)
    timer.start()
    try:
        try:
            yield
        finally:
            timer.cancel()
            if fired.is_set():  # an interrupt sent as the block ended lands here
                time.sleep(1)
    except (KeyboardInterrupt, psycopg2.errors.QueryCanceled) as error:
        if fired.is_set() or isinstance(error, psycopg2.errors.QueryCanceled):
            raise Capped from error
        raise
    finally:
        cr.execute("SET LOCAL statement_timeout = 0")


def in_savepoint(env, function):
    """Runs ``function`` flushed to the database, then undoes all it did."""
    env.invalidate_all()
    with contextlib.closing(env.cr.savepoint()):
        function()
        env.flush_all()


def lots_in_audit(env, lot_ids):
    env.cr.execute(
        "SELECT count(DISTINCT res_id) FROM med_audit_entry"
        " WHERE res_model = 'stock.lot' AND res_id = ANY(%s)",
        [list(lot_ids)],
    )
    return env.cr.fetchone()[0]


def main():
    args = parse_all_args()
    with odoo_env(args.config, args.database) as env:
        data = genealogy_data.generate(
            env,
            args.scale,
            quants=args.quants,
            past_alert_lots=args.past_alert,
            log=print,
        )
        print(f"generated at scale {args.scale} in {data.seconds:.1f} s: {data.counts}")
        cr = env.cr
        cr.execute("SELECT count(*) FROM stock_quant")
        bench("quants", cr.fetchone()[0], "rows")
        Lot = env["stock.lot"]

        # What the cron did, seen from inside one run (then rolled back).
        found = {}

        def cron_and_look():
            Lot._cron_med_expiry()
            env.flush_all()
            held = Lot.search([("med_hold_source", "=", "expiry")])
            found["held"] = set(held.ids)
            found["audited"] = lots_in_audit(env, held.ids)
            exports = env["med.audit.export"].search([])
            found["listed"] = sum(exports.mapped("record_count"))
            found["activities"] = env["mail.activity"].search_count(
                [("res_model", "=", "stock.warehouse")]
            )

        in_savepoint(env, cron_and_look)
        print(
            f"cron: {len(found['held'])} expired lots put on hold "
            f"({found['audited']} in the audit trail), {found['listed']} lots near "
            f"expiry listed, {found['activities']} activity"
        )
        cron_s = median_time(
            lambda: in_savepoint(env, Lot._cron_med_expiry), args.rounds
        )
        bench("expiry_cron_s", cron_s, "s")

        reminded = {}

        def product_expiry():
            Lot._alert_date_exceeded()
            env.flush_all()
            cr.execute("SELECT id FROM stock_lot WHERE product_expiry_reminded")
            reminded["ids"] = {row[0] for row in cr.fetchall()}

        start = time.perf_counter()
        try:
            with cap(cr, args.odoo_cap):
                in_savepoint(env, product_expiry)
            odoo_s = time.perf_counter() - start
        except Capped:
            env.invalidate_all()
            odoo_s = args.odoo_cap  # at least: the speedup is a lower bound
            print(f"product_expiry: capped at {args.odoo_cap:.0f} s")
        if reminded:
            print(
                f"product_expiry: {len(reminded['ids'])} lots reminded, "
                f"one activity each, in {odoo_s:.1f} s"
            )
        bench("expiry_odoo_s", odoo_s, "s")
        bench("expiry_speedup", odoo_s / cron_s, "ratio")

        near = found["listed"]
        if reminded:
            ours = len(found["held"]) + near
            same = found["held"] <= reminded["ids"] and ours == len(reminded["ids"])
            print(
                "lots vs product_expiry: "
                + ("agree" if same else "DIFFER")
                + f" ({len(found['held'])} held + {near} listed, "
                f"{len(reminded['ids'])} reminded)"
            )


if __name__ == "__main__":
    main()
