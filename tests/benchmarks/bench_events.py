# bench-addons: med_integration
"""Trusted events (issue 29: med_integration): what recording events costs the
transactions that cause them, and how fast the sender drains a backlog.

- events_producer_overhead_ms: lots put on hold one call at a time (--lots, 200, in a
  savepoint rolled back after each round), with the event rules active and a
  subscription to lot_held against the same with the event rules inactive; the
  difference per event, median of --rounds. Its parts: events_record_ms (recording
  the event: subscription against none, rules active) and
  events_idle_rule_overhead_ms (the rules active without a subscription against
  inactive, per hold); events_producer_queries: the queries an event adds.
- events_1000_drain_s: 1,000 deliveries committed (1,000 lots held in one
  transaction), then the sender (_cron_send_events, one committed transaction per
  delivery, as the cron worker runs it) posts them all to a receiver on 127.0.0.1 that
  answers 200 at once; wall time until none is pending.
- events_producer_txn_idle_ms / events_producer_txn_during_drain_ms: a user's
  transaction that holds one lot (and records its event), median of --probe (20),
  while nothing else runs and while the sender drains: producers never wait for the
  sender or the receiver.
The drain's data is committed (events are sent after commit only), under a tag of its
own, and its subscription and deliveries are deleted at the end.
"""

import argparse
import contextlib
import os
import statistics
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(__file__))

from benchlib import bench, odoo_env, parse_args

import odoo
from odoo import SUPERUSER_ID, Command, api

Delivery = "med.event.delivery"
EVENT_RULES = [
    f"med_integration.automation_event_{name}"
    for name in ("lot_released", "lot_held", "lot_recalled")
]


class Receiver(BaseHTTPRequestHandler):
    count = 0

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.count += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def parse_all_args():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--lots", type=int, default=200)
    parser.add_argument("--drain", type=int, default=1000)
    parser.add_argument("--probe", type=int, default=20)
    ours, sys.argv[1:] = parser.parse_known_args()
    args = parse_args(__doc__)
    for name, value in vars(ours).items():
        setattr(args, name, value)
    return args


def subscribe(env, url, tag):
    return env["med.event.subscription"].create(
        {
            "name": f"Bench {tag}",
            "url": url,
            "event_type_ids": [
                Command.set(env.ref("med_integration.event_type_lot_held").ids)
            ],
        }
    )


def new_lots(env, tag, count):
    product = env["product.product"].create(
        {"name": f"Bench events {tag}", "is_storable": True, "tracking": "lot"}
    )
    return env["stock.lot"].create(
        [{"name": f"EVB-{tag}-{n:05d}", "product_id": product.id} for n in range(count)]
    )


def set_rules(env, active):
    for xmlid in EVENT_RULES:
        env.ref(xmlid).active = active


def hold_one_by_one(env, lots):
    """(seconds, queries) to hold each lot in its own call, flushed, then undone."""
    env.invalidate_all()
    with contextlib.closing(env.cr.savepoint()):
        queries = env.cr.sql_log_count
        start = time.perf_counter()
        for lot in lots:
            lot._med_put_on_hold("manual", "Bench")
            env.flush_all()
        seconds = time.perf_counter() - start
        queries = env.cr.sql_log_count - queries
    env.invalidate_all()
    return seconds, queries


def producer_overhead(args):
    with odoo_env(args.config, args.database) as env:
        tag = uuid.uuid4().hex[:6].upper()
        lots = new_lots(env, tag, args.lots)
        env.flush_all()
        hold_one_by_one(env, lots)  # warms the caches
        runs = {"off": [], "idle": [], "on": []}
        for _round in range(args.rounds):
            set_rules(env, False)
            runs["off"].append(hold_one_by_one(env, lots))
            set_rules(env, True)
            runs["idle"].append(hold_one_by_one(env, lots))
            subscription = subscribe(env, "https://qms.example.com/in", tag)
            runs["on"].append(hold_one_by_one(env, lots))
            subscription.active = False
        seconds = {
            name: statistics.median(run[0] for run in values)
            for name, values in runs.items()
        }
        queries = {name: values[-1][1] for name, values in runs.items()}
        count = len(lots)
        print(
            f"{count} holds, median of {args.rounds}: rules off {seconds['off']:.3f} s"
            f" ({queries['off']} queries), rules on without subscription "
            f"{seconds['idle']:.3f} s ({queries['idle']}), with a subscription "
            f"{seconds['on']:.3f} s ({queries['on']}); load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        per_event_ms = (seconds["on"] - seconds["off"]) / count * 1000
        bench("events_producer_overhead_ms", per_event_ms, "ms")
        record_ms = (seconds["on"] - seconds["idle"]) / count * 1000
        bench("events_record_ms", record_ms, "ms")
        idle_ms = (seconds["idle"] - seconds["off"]) / count * 1000
        bench("events_idle_rule_overhead_ms", idle_ms, "ms")
        bench(
            "events_producer_queries",
            (queries["on"] - queries["off"]) / count,
            "queries",
        )


@contextlib.contextmanager
def committed(registry):
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


def probe(registry, lot_ids):
    """Median milliseconds of a transaction holding one lot, each committed."""
    times = []
    for lot_id in lot_ids:
        start = time.perf_counter()
        with committed(registry) as env:
            env["stock.lot"].browse(lot_id)._med_put_on_hold("manual", "Bench probe")
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def drain(args):
    registry = odoo.modules.registry.Registry(args.database)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/events"
    tag = uuid.uuid4().hex[:6].upper()
    with committed(registry) as env:
        subscription_id = subscribe(env, url, tag).id
        lots = new_lots(env, tag, args.drain + 2 * args.probe)
        backlog = lots[: args.drain]
        idle_probe = lots[args.drain : args.drain + args.probe].ids
        busy_probe = lots[args.drain + args.probe :].ids
    try:
        idle_ms = probe(registry, idle_probe)
        with committed(registry) as env:
            backlog.with_env(env)._med_put_on_hold("manual", "Bench backlog")
        with committed(registry) as env:
            pending = env[Delivery].search_count(
                [("subscription_id", "=", subscription_id), ("state", "=", "pending")]
            )
        busy = {}
        start = time.perf_counter()

        def producer():
            busy["ms"] = probe(registry, busy_probe)

        thread = threading.Thread(target=producer)
        thread.start()
        while True:
            with committed(registry) as env:
                env[Delivery]._cron_send_events(run_seconds=60)
                left = env[Delivery].search_count(
                    [
                        ("subscription_id", "=", subscription_id),
                        ("state", "=", "pending"),
                    ]
                )
            if not left and not thread.is_alive():
                break
        seconds = time.perf_counter() - start
        thread.join()
        print(
            f"{pending} pending deliveries (+{len(busy_probe)} made meanwhile) "
            f"drained in {seconds:.2f} s; the receiver got {Receiver.count}"
        )
        bench(f"events_{args.drain}_drain_s", seconds, "s")
        bench("events_producer_txn_idle_ms", idle_ms, "ms")
        bench("events_producer_txn_during_drain_ms", busy["ms"], "ms")
    finally:
        with committed(registry) as env:
            env[Delivery].search([("subscription_id", "=", subscription_id)]).unlink()
            env["med.event.subscription"].browse(subscription_id).unlink()
        server.shutdown()


def main():
    args = parse_all_args()
    producer_overhead(args)
    drain(args)


if __name__ == "__main__":
    main()
