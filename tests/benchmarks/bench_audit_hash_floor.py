"""Lower bound of the audit trail's overhead against the floor (issue 20).

bench_audit.py compares our audited writes with a floor: the unaudited write plus bare
entry rows (no hashing, no formatting). Issue 20 requires each entry to carry the hash
of its own canonical values, computed in the writer's transaction: that work comes on
top of the floor whatever the code, so ours / floor >= 1 + hash cost / floor. This
measures that share, on the entries the lot benchmark writes (1,000 lots, `ref`):

- audit_hash_floor_share_batch: the canonical text and SHA-256 of 1,000 entries,
  divided by the batch floor (one write of 1,000 lots, flushed, plus one COPY of
  1,000 bare entry rows);
- audit_hash_floor_share_single: the canonical text and SHA-256 of one entry, hashed
  alone as a single write does, divided by the floor of one write (the unaudited write,
  flushed, plus one INSERT of a bare entry row).

The hashing is measured in Python (the module's content_hash: JSON text, SHA-256) and
in PostgreSQL (the same text spelled by SQL, sha256() in the backend, checked equal to
Python's digest for every row), and the cheaper of the two is the bound. Rounds
interleave floors and hashing; each round's share compares figures measured moments
apart; medians are printed, in CPU time (this process and its database backend, less
sensitive to the machine's load; the _wall lines: wall-clock time), with the load
average.

Beside the bound, audit_entry_row_floor_share_batch: what a COPY of the 1,000 entries
whole (record name, label, old and new value, company, content hash) costs more than
the floor's bare rows, over the batch floor: the rest of what an entry must store;
audit_required_vs_floor_batch: 1 + both shares, the least ours / floor can be for a
batch (CPU).
"""

import contextlib
import hashlib
import io
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from bench_audit import (
    BARE_COLUMNS,
    LOTS,
    bare_rows,
    clocked,
    copy_floor,
    cpu_clock,
)
from benchlib import bench, median, odoo_env, parse_args

from odoo import fields
from odoo.tools import SQL

# The backend's CPU time is counted in clock ticks (10 ms): hashing the 1,000 entries
# this many times per round gives it a resolution of 1 %.
REPEAT = 50

# The canonical text of an entry as content_hash() spells it, in SQL: a JSON array of
# the values in column order, ``null`` for none, texts escaped as JSON does
# (to_json), datetimes as naive UTC text with microseconds, ids as numbers.
SQL_CONTENT_HASH = """
    encode(sha256(convert_to('[' || id
      || ',' || coalesce('"' || to_char(ts, 'FMYYYY-MM-DD HH24:MI:SS.US') || '"',
                         'null')
      || ',' || coalesce(user_id::text, 'null')
      || ',' || coalesce(to_json(operation)::text, 'null')
      || ',' || coalesce(to_json(res_model)::text, 'null')
      || ',' || coalesce(res_id::text, 'null')
      || ',' || coalesce(to_json(res_name)::text, 'null')
      || ',' || coalesce(to_json(field_name)::text, 'null')
      || ',' || coalesce(to_json(field_label)::text, 'null')
      || ',' || coalesce(to_json(old_value)::text, 'null')
      || ',' || coalesce(to_json(new_value)::text, 'null')
      || ',' || coalesce(to_json(reason)::text, 'null')
      || ',' || coalesce(company_id::text, 'null') || ']', 'UTF8')), 'hex')
"""
ENTRY_TABLE = """
    CREATE TEMPORARY TABLE bench_hashed_entry (
        id integer, ts timestamp, user_id integer, operation varchar,
        res_model varchar, res_id integer, res_name varchar, field_name varchar,
        field_label varchar, old_value text, new_value text, reason text,
        company_id integer) ON COMMIT DROP
"""


def entry_values(env, lots):
    """The canonical values of the entries a batch write of ``ref`` makes, in the
    entry's hashed column order (id first), as _med_chain_insert hashes them."""
    env.cr.execute(
        "SELECT nextval('med_audit_entry_id_seq') FROM generate_series(1, %s)",
        [len(lots)],
    )
    ids = [row[0] for row in env.cr.fetchall()]
    now = fields.Datetime.now()
    label = env["stock.lot"]._fields["ref"].string
    return [
        [
            ids[position],
            now,
            env.uid,
            "write",
            "stock.lot",
            lot.id,
            lot.display_name,
            "ref",
            label,
            f"B{position}",
            f"B{position + 1}",
            None,
            lot.company_id.id or env.company.id,
        ]
        for position, lot in enumerate(lots)
    ]


def entry_text(env, values, hashes):
    """The entries whole (the values the issue requires an entry to hold, and their
    content hash) as COPY text, and their column list."""
    columns = ", ".join(
        SQL.identifier(name).code
        for name in (*env["med.audit.entry"]._med_hash_columns(), "content_hash")
    )
    text = "".join(
        "\t".join("\\N" if value is None else str(value) for value in (*row, row_hash))
        + "\n"
        for row, row_hash in zip(values, hashes, strict=True)
    )
    return f"({columns})", text


def copied(env, columns, text, cpu):
    """(wall-clock, CPU) seconds to COPY ``text`` into the entry table, each of
    REPEAT copies rolled back."""
    cr = env.cr

    def copies():
        for _repeat in range(REPEAT):
            with contextlib.closing(cr.savepoint(flush=False)):
                cr._obj.copy_expert(
                    f"COPY med_audit_entry {columns} FROM STDIN", io.StringIO(text)
                )

    return clocked(copies, cpu)


def main():
    args = parse_args(__doc__, rounds=7)
    with odoo_env(args.config, args.database) as env:
        # importable once the configuration is read
        from odoo.addons.med_audit_export.models.med_hash_chain_mixin import (
            CANONICAL_JSON,
            content_hash,
            hashed_text,
        )

        encode, sha256 = CANONICAL_JSON.encode, hashlib.sha256

        cr = env.cr
        product = env["product.product"].create(
            {"name": "Bench barrel", "is_storable": True, "tracking": "lot"}
        )
        lots = env["stock.lot"].create(
            [{"name": f"BENCH-{i:05d}", "product_id": product.id} for i in range(LOTS)]
        )
        env.flush_all()
        # the floor is unaudited: the lot rule, if shipped active, is off here
        rules = env["med.audit.rule"].search([("model_name", "=", "stock.lot")])
        env["ir.model.data"].search(
            [("model", "=", "med.audit.rule"), ("res_id", "in", rules.ids)]
        ).unlink()
        rules.with_context(med_reason="benchmark").write({"active": False})
        counter = iter(range(10**9))

        def batch():
            lots.write({"ref": f"B{next(counter)}"})
            env.flush_all()

        def one_by_one_with_bare_insert():
            with contextlib.closing(cr.savepoint(flush=False)):
                for lot in lots:
                    lot.write({"ref": f"F{next(counter)}"})
                    env.flush_all()
                    cr.execute(
                        f"INSERT INTO med_audit_entry {BARE_COLUMNS} VALUES"
                        " (now(), 1, 'write', 'stock.lot', %s, 'ref')",
                        [lot.id],
                    )
            env.invalidate_all()

        values = entry_values(env, lots)
        cr.execute(ENTRY_TABLE)
        cr.execute(
            "INSERT INTO bench_hashed_entry SELECT * FROM unnest(%s::int[],"
            " %s::timestamp[], %s::int[], %s::varchar[], %s::varchar[], %s::int[],"
            " %s::varchar[], %s::varchar[], %s::varchar[], %s::text[], %s::text[],"
            " %s::text[], %s::int[])",
            [list(column) for column in zip(*values, strict=True)],
        )
        cr.execute(f"SELECT {SQL_CONTENT_HASH} FROM bench_hashed_entry ORDER BY id")
        sql_hashes = [row[0] for row in cr.fetchall()]
        if sql_hashes != [content_hash(row) for row in values]:
            sys.exit("the SQL spelling of the canonical text differs from Python's")
        # the hash in the aggregate's argument: computed for each joined row (in a
        # subquery, the rows hashed once would be materialized and reused)
        repeated = (
            f"SELECT count({SQL_CONTENT_HASH}) FROM generate_series(1, {REPEAT}),"
            " bench_hashed_entry"
        )
        unhashed = (
            f"SELECT count(new_value) FROM generate_series(1, {REPEAT}),"
            " bench_hashed_entry"
        )

        def python_batch():
            # as _med_chain_insert hashes a batch: the values are canonical, the
            # timestamp they share is spelled once
            for _repeat in range(REPEAT):
                stamp = hashed_text(values[0][1])
                for row in values:
                    texts = list(row)
                    texts[1] = stamp
                    sha256(encode(texts).encode()).hexdigest()

        def python_single():
            # one entry per write: each hashed alone, its timestamp spelled
            for _repeat in range(REPEAT):
                for row in values:
                    content_hash(row)

        bare_text = bare_rows(lots)
        whole_entries = entry_text(env, values, sql_hashes)
        copy_keys = ("bare_copy", "entry_copy")
        cpu = cpu_clock(cr)
        figures = []
        for number in range(1, args.rounds + 1):
            figure = {
                "floor_batch": tuple(
                    a + b
                    for a, b in zip(
                        clocked(batch, cpu), copy_floor(env, lots, cpu), strict=True
                    )
                ),
                "floor_single": clocked(one_by_one_with_bare_insert, cpu),
                "python_batch": clocked(python_batch, cpu),
                "python_single": clocked(python_single, cpu),
                # the rows read without hashing are taken off the SQL figure
                "bare_copy": copied(env, BARE_COLUMNS, bare_text, cpu),
                "entry_copy": copied(env, *whole_entries, cpu),
                "sql": tuple(
                    a - b
                    for a, b in zip(
                        clocked(lambda: cr.execute(repeated), cpu),
                        clocked(lambda: cr.execute(unhashed), cpu),
                        strict=True,
                    )
                ),
            }
            # per 1,000 entries; the single floor is per 1,000 writes
            for key in ("python_batch", "python_single", "sql", *copy_keys):
                figure[key] = tuple(value / REPEAT for value in figure[key])
            figures.append(figure)
            print(
                f"round {number} (load {os.getloadavg()[0]:.2f}): "
                + ", ".join(
                    f"{key} {wall * 1000:.1f} ms (CPU {used * 1000:.1f} ms)"
                    for key, (wall, used) in figure.items()
                ),
                flush=True,
            )

        def share(kind, clock):
            """Median over the rounds of the cheaper hashing / the floor."""
            return median(
                [
                    min(f[f"python_{kind}"][clock], f["sql"][clock])
                    / f[f"floor_{kind}"][clock]
                    for f in figures
                ]
            )

        for key in figures[0]:
            wall = median([f[key][0] for f in figures]) * 1000
            used = median([f[key][1] for f in figures]) * 1000
            print(f"{key}: {wall:.1f} ms, CPU {used:.1f} ms (per 1,000)")
        print(f"load average at the end: {os.getloadavg()}")
        bench("audit_hash_floor_share_batch", share("batch", 1), "ratio")
        bench("audit_hash_floor_share_single", share("single", 1), "ratio")
        bench("audit_hash_floor_share_batch_wall", share("batch", 0), "ratio")
        bench("audit_hash_floor_share_single_wall", share("single", 0), "ratio")

        # beside the bound: what storing whole entries instead of bare rows costs,
        # and both together: the least ours / floor can be for a batch
        def row_share(figure):
            stored = figure["entry_copy"][1] - figure["bare_copy"][1]
            return stored / figure["floor_batch"][1]

        bench(
            "audit_entry_row_floor_share_batch",
            median([row_share(f) for f in figures]),
            "ratio",
        )
        bench(
            "audit_required_vs_floor_batch",
            median(
                [
                    1
                    + row_share(f)
                    + min(f["python_batch"][1], f["sql"][1]) / f["floor_batch"][1]
                    for f in figures
                ]
            ),
            "ratio",
        )


if __name__ == "__main__":
    main()
