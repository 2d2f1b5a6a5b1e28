"""Shared helpers of the benchmarks: an Odoo environment on the benchmark database,
timing, and the `BENCH <name> <value> <unit>` lines setup/bench.sh promises."""

import argparse
import contextlib
import statistics
import time

import odoo
from odoo import SUPERUSER_ID, api


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--database", required=True, help="benchmark database")
    parser.add_argument("--rounds", type=int, default=5, help="repetitions per figure")
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
