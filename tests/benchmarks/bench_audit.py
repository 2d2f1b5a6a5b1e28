"""Audit trail overhead (issue: med_audit_export).

Writes one audited field (stock.lot `ref`) on 1,000 lots: one by one, each write
flushed to the database as separate saves would be ("single"); one by one in one
transaction, flushed once as Odoo does by itself ("loop"); and in one batch write; with:
no audit rule, our rule on that field, and OCA auditlog's "full" rule on lots, all on
the same data in the same run. Prints the median times and the ratios.

Targets: ours <= 1.3x the unaudited time one by one, <= 1.1x in batch, and faster
than auditlog.

The floor: what writing the entries costs at the very least, whatever the code. For the
batch, the unaudited write plus one COPY of 1,000 bare entry rows (no hashing, no
formatting); one by one, the unaudited writes each followed by one INSERT of a bare
entry row (the one extra statement any engine outside the data statement sends).
"""

import contextlib
import io
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from benchlib import bench, median, median_time, odoo_env, parse_args

LOTS = 1000
BARE_COLUMNS = "(timestamp, user_id, operation, res_model, res_id, field_name)"


def bare_rows(lots):
    return "".join(
        f"2026-01-01 00:00:00\t1\twrite\tstock.lot\t{lot_id}\tref\n"
        for lot_id in lots.ids
    )


def copy_floor(env, lots, rounds):
    """Seconds to COPY one bare entry row per lot, median of ``rounds``."""
    cr = env.cr
    times = []
    for _round in range(rounds):
        with contextlib.closing(cr.savepoint(flush=False)):
            buffer = io.StringIO(bare_rows(lots))
            start = time.perf_counter()
            cr._obj.copy_expert(
                f"COPY med_audit_entry {BARE_COLUMNS} FROM STDIN", buffer
            )
            times.append(time.perf_counter() - start)
    return median(times)


def main():
    args = parse_args(__doc__)
    with odoo_env(args.config, args.database) as env:
        product = env["product.product"].create(
            {"name": "Bench barrel", "is_storable": True, "tracking": "lot"}
        )
        lots = env["stock.lot"].create(
            [{"name": f"BENCH-{i:05d}", "product_id": product.id} for i in range(LOTS)]
        )
        env.flush_all()
        Rule = env["med.audit.rule"].with_context(active_test=False)
        med_rule = Rule.search([("model_name", "=", "stock.lot")]) or Rule.create(
            {"name": "bench", "model": "stock.lot"}
        )
        # A shipped rule cannot be narrowed: the benchmark (rolled back) takes it over.
        env["ir.model.data"].search(
            [("model", "=", "med.audit.rule"), ("res_id", "=", med_rule.id)]
        ).unlink()
        med_rule.with_context(med_reason="benchmark").write(
            {"field_names": ["ref"], "reason_required": False, "active": False}
        )
        counter = iter(range(10**9))

        def one_by_one():
            for lot in lots:
                lot.write({"ref": f"R{next(counter)}"})
                env.flush_all()

        def loop():
            for lot in lots:
                lot.write({"ref": f"L{next(counter)}"})
            env.flush_all()

        def batch():
            lots.write({"ref": f"B{next(counter)}"})
            env.flush_all()

        def one_by_one_with_bare_insert():
            with contextlib.closing(env.cr.savepoint(flush=False)):
                for lot in lots:
                    lot.write({"ref": f"F{next(counter)}"})
                    env.flush_all()
                    env.cr.execute(
                        f"INSERT INTO med_audit_entry {BARE_COLUMNS} VALUES"
                        " (now(), 1, 'write', 'stock.lot', %s, 'ref')",
                        [lot.id],
                    )
            env.invalidate_all()  # the cache holds what the rollback undid

        def measure():
            return (
                median_time(one_by_one, args.rounds),
                median_time(batch, args.rounds),
                median_time(loop, args.rounds),
            )

        plain_single, plain_batch, plain_loop = measure()
        floor_single = median_time(one_by_one_with_bare_insert, args.rounds)
        floor_batch = plain_batch + copy_floor(env, lots, args.rounds)
        med_rule.active = True
        ours_single, ours_batch, ours_loop = measure()
        entries = env["med.audit.entry"].search_count(
            [("res_model", "=", "stock.lot"), ("res_id", "in", lots.ids)]
        )
        med_rule.active = False

        auditlog_single = auditlog_batch = None
        if "auditlog.rule" in env:
            rule = env["auditlog.rule"].create(
                {
                    "name": "bench lots",
                    "model_id": env["ir.model"]._get_id("stock.lot"),
                    "log_write": True,
                    "log_create": False,
                    "log_unlink": False,
                    "log_type": "full",
                }
            )
            rule.subscribe()
            auditlog_single, auditlog_batch, _auditlog_loop = measure()
            rule.unsubscribe()

        print(f"lots: {LOTS}, rounds: {args.rounds} (median), our entries: {entries}")
        print(
            f"one by one: unaudited {plain_single:.3f} s, ours {ours_single:.3f} s"
            + (f", auditlog {auditlog_single:.3f} s" if auditlog_single else "")
        )
        print(f"loop:       unaudited {plain_loop:.3f} s, ours {ours_loop:.3f} s")
        print(
            f"batch:      unaudited {plain_batch:.3f} s, ours {ours_batch:.3f} s"
            + (f", auditlog {auditlog_batch:.3f} s" if auditlog_batch else "")
        )
        bench("audit_single_s", ours_single, "s")
        bench("audit_unaudited_single_s", plain_single, "s")
        bench("audit_ratio_single", ours_single / plain_single, "ratio")
        bench("audit_ratio_batch", ours_batch / plain_batch, "ratio")
        bench("audit_ratio_loop", ours_loop / plain_loop, "ratio")
        bench("audit_floor_ratio_single", floor_single / plain_single, "ratio")
        bench("audit_floor_ratio_batch", floor_batch / plain_batch, "ratio")
        if auditlog_single:
            bench("auditlog_single_s", auditlog_single, "s")
            bench("auditlog_ratio_single", auditlog_single / plain_single, "ratio")
            bench("auditlog_ratio_batch", auditlog_batch / plain_batch, "ratio")


if __name__ == "__main__":
    main()
