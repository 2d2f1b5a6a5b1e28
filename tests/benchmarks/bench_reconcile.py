# bench-addons: med_release_review
"""The nightly release reconciliation at scale (issue 11: med_release_review).

Generates the sterile-syringe history of genealogy_data.py in the benchmark's
transaction (at --scale 1, the default, 111,500 lots and ~1.1 million move lines),
then gives it the quality data the checks look at:

- the lots made or received in the last --pending-days days (10) wait for release
  (quarantine); the others were released two days after they were made;
- a quality trigger requires an inspection of barrels at receipt (none was made);
- --nonconformances open nonconformances (30) on lots picked at random, detected the
  day after the lot was made: every lot made from them later and released meanwhile
  was released while one was open;
- one supplier's ISO 13485 certificate lapsed for --lapse-days days (30) a year ago:
  its receipts of those days, and every lot made from them, are flagged.

Then measures, each run inside a savepoint rolled back afterwards so that every run
finds the same data:

- reconcile_s: med.release.result._cron_med_reconcile() (every check over every lot,
  one statement each), median of --rounds;
- reconcile_lot_ms: the checks of one lot waiting for release, as a release runs them
  (stock.lot._med_release_checks()), median of --rounds.
Extra options: --scale (1.0), --pending-days, --nonconformances, --lapse-days.
"""

import argparse
import contextlib
import datetime
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))

import genealogy_data
from benchlib import bench, median_time, odoo_env, parse_args

from odoo import Command, fields


def parse_all_args():
    # benchlib.parse_args knows the options every benchmark has; ours come first.
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--pending-days", type=int, default=10)
    parser.add_argument("--nonconformances", type=int, default=30)
    parser.add_argument("--lapse-days", type=int, default=30)
    ours, sys.argv[1:] = parser.parse_known_args()
    args = parse_args(__doc__)
    for name, value in vars(ours).items():
        setattr(args, name, value)
    return args


def in_savepoint(env, function):
    """Runs ``function`` flushed to the database, then undoes all it did."""
    env.invalidate_all()
    with contextlib.closing(env.cr.savepoint()):
        function()
        env.flush_all()


def quality_data(env, data, args):
    """Lot states, release dates, a receipt trigger, nonconformances and a lapsed
    certificate, as described above."""
    cr = env.cr
    cutoff = fields.Datetime.now() - datetime.timedelta(days=args.pending_days)
    cr.execute(
        """
        UPDATE stock_lot
           SET med_ready_date = create_date,
               med_state = CASE WHEN create_date > %(cutoff)s
                                THEN 'quarantine' ELSE 'released' END,
               med_release_date = CASE WHEN create_date > %(cutoff)s THEN NULL
                                       ELSE create_date + interval '2 days' END
        """,
        {"cutoff": cutoff},
    )
    env.invalidate_all()
    # A receipt inspection of barrels is required (none was recorded).
    receipts = env.ref("stock.warehouse0").in_type_id
    trigger = env["qc.trigger"].search([("picking_type_id", "=", receipts.id)], limit=1)
    test = env["qc.test"].create(
        {
            "name": "Barrel incoming check",
            "test_lines": [
                Command.create(
                    {
                        "name": "Dimensions within drawing",
                        "type": "qualitative",
                        "ql_values": [
                            Command.create({"name": "Yes", "ok": True}),
                            Command.create({"name": "No", "ok": False}),
                        ],
                    }
                )
            ],
        }
    )
    data.products["barrel"].qc_triggers = [
        Command.create({"trigger": trigger.id, "test": test.id, "timing": "after"})
    ]
    # Open nonconformances, each detected the day after its lot was made.
    rng = random.Random(13485)
    cr.execute("SELECT id FROM stock_lot ORDER BY id")
    lot_ids = [row[0] for row in cr.fetchall()]
    lots = env["stock.lot"].browse(rng.sample(lot_ids, args.nonconformances))
    env["med.nonconformance"].create(
        [
            {
                "description": f"Found on {lot.name}",
                "source": "audit",
                "product_id": lot.product_id.id,
                "lot_ids": [Command.set(lot.ids)],
                "quantity": 1,
                "date": lot.create_date + datetime.timedelta(days=1),
            }
            for lot in lots
        ]
    )
    # One supplier's certificate lapsed for a while a year ago.
    cr.execute(
        """
        SELECT picking.partner_id FROM stock_picking picking
          JOIN stock_picking_type ptype ON ptype.id = picking.picking_type_id
         WHERE ptype.code = 'incoming' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1
        """
    )
    supplier = env["res.partner"].browse(cr.fetchone()[0])
    today = fields.Date.today()
    lapse_start = today - datetime.timedelta(days=365)
    iso = env.ref("med_supplier_qual.certificate_type_iso13485")
    scan = {"name": "scan.pdf", "datas": "JVBERi0xLjQ=", "mimetype": "application/pdf"}
    certificates = env["med.supplier.certificate"].create(
        [
            {
                "partner_id": supplier.id,
                "type_id": iso.id,
                "number": number,
                "issuer": "TÜV SÜD",
                "issue_date": issue,
                "expiry_date": expiry,
                "attachment_ids": [Command.create(dict(scan))],
            }
            for number, issue, expiry in (
                ("ISO-2019-001", today - datetime.timedelta(days=5 * 365), lapse_start),
                (
                    "ISO-2024-002",
                    lapse_start + datetime.timedelta(days=args.lapse_days),
                    today + datetime.timedelta(days=700),
                ),
            )
        ]
    )
    env.flush_all()
    cr.execute(
        "SELECT count(*) FILTER (WHERE med_state = 'quarantine'), count(*)"
        " FROM stock_lot"
    )
    pending, total = cr.fetchone()
    print(
        f"quality data: {pending} of {total} lots waiting for release, "
        f"{args.nonconformances} open nonconformances, certificate of "
        f"{supplier.name} lapsed {args.lapse_days} days ({certificates[0].number})"
    )
    return env["stock.lot"].search([("med_state", "=", "quarantine")], limit=1)


def main():
    args = parse_all_args()
    with odoo_env(args.config, args.database) as env:
        data = genealogy_data.generate(env, args.scale, log=print)
        print(f"generated at scale {args.scale} in {data.seconds:.1f} s: {data.counts}")
        cr = env.cr
        cr.execute("SELECT count(*) FROM stock_move_line")
        bench("move_lines", cr.fetchone()[0], "rows")
        pending_lot = quality_data(env, data, args)
        Result = env["med.release.result"]

        found = {}

        def reconcile_and_look():
            Result._cron_med_reconcile()
            env.flush_all()
            cr.execute(
                """
                SELECT check_.code, count(*) FILTER (WHERE result.state = 'fail'),
                       count(*)
                  FROM med_release_result result
                  JOIN med_release_check check_ ON check_.id = result.check_id
                 GROUP BY 1 ORDER BY 1
                """
            )
            found["rows"] = cr.fetchall()

        in_savepoint(env, reconcile_and_look)
        for code, failed, total in found["rows"]:
            print(f"  {code}: {failed} failed of {total} results")
        bench(
            "reconcile_s",
            median_time(
                lambda: in_savepoint(env, Result._cron_med_reconcile), args.rounds
            ),
            "s",
        )
        lot_s = median_time(
            lambda: in_savepoint(env, pending_lot._med_release_checks), args.rounds
        )
        bench("reconcile_lot_ms", lot_s * 1000, "ms")


if __name__ == "__main__":
    main()
