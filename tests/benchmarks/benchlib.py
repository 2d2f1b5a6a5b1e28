"""Shared helpers of the benchmarks: an Odoo environment on the benchmark database,
timing, and the `BENCH <name> <value> <unit>` lines setup/bench.sh promises."""

import argparse
import contextlib
import statistics
import time

import odoo
from odoo import SUPERUSER_ID, api


def parse_args(description, rounds=5):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--database", required=True, help="benchmark database")
    parser.add_argument(
        "--rounds", type=int, default=rounds, help="repetitions per figure"
    )
    return parser.parse_args()


@contextlib.contextmanager
def odoo_env(config, database):
    """A superuser environment in a transaction that is rolled back at the end, so a
    benchmark leaves the database as it found it."""
    odoo.tools.config.parse_config(["-c", config, "-d", database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(database)
    with registry.cursor() as cr:
        try:
            yield api.Environment(cr, SUPERUSER_ID, {})
        finally:
            cr.rollback()


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def median_time(function, rounds):
    return statistics.median(timed(function) for _round in range(rounds))


def bench(name, value, unit):
    print(
        f"BENCH {name} {value:.3f} {unit}"
        if isinstance(value, float)
        else f"BENCH {name} {value} {unit}",
        flush=True,
    )


def median(values):
    return sorted(values)[len(values) // 2]


def compare_gates(name, step, gates_off, lines, rounds):
    """Our gates against stock Odoo on the same step: ``step(size)`` does the work
    for ``size`` lines and returns (seconds, queries); within ``gates_off()`` it runs
    as stock Odoo would. The sides alternate, median of ``rounds``; queries are
    counted for 20 and ``lines`` lines. Prints ``<name>_gated_s``, ``<name>_odoo_s``,
    ``<name>_gate_ratio`` and ``<name>_queries_<size>_gated|odoo``."""
    step(lines)  # warms the caches of both sides
    with gates_off():
        step(lines)
    gated, plain = [], []
    for _round in range(rounds):
        gated.append(step(lines)[0])
        with gates_off():
            plain.append(step(lines)[0])
    counts = {}
    for size in (20, lines):
        with_gates = step(size)[1]
        with gates_off():
            counts[size] = with_gates, step(size)[1]
    gated_s, plain_s = median(gated), median(plain)
    print(
        f"{name}, {lines} lines, median of {rounds}: gated {gated_s:.3f} s, "
        f"stock Odoo {plain_s:.3f} s"
    )
    for size, (ours, stock) in counts.items():
        print(
            f"{name} queries for {size} lines: gated {ours}, stock Odoo {stock}, "
            f"gates {ours - stock}"
        )
    bench(f"{name}_gated_s", gated_s, "s")
    bench(f"{name}_odoo_s", plain_s, "s")
    bench(f"{name}_gate_ratio", gated_s / plain_s, "ratio")
    for size, (ours, stock) in counts.items():
        bench(f"{name}_queries_{size}_gated", ours, "queries")
        bench(f"{name}_queries_{size}_odoo", stock, "queries")
