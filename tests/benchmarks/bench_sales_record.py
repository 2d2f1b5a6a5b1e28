"""The sales record (销售记录) of a year at scale (med_lot_trace).

Generates three years of a sterile-syringe plant (genealogy_data.py, --scale 1:
~450,000 delivery orders to 800 customers), then exports the sales record of the
last --days (365) as xlsx through the wizard, as an auditor would, against what stock
Odoo offers for the same question: the done move lines to customers of the period,
exported from the list view (``export_data`` of date, reference, partner, product,
internal reference, lot, expiry, quantity, unit, then an xlsx sheet written cell by
cell as web's ExportXlsxWriter does). Ours has more columns (registration number,
manufacturer, UDI-DI, production date, customer address and phone). The two sides
alternate, median of --rounds (3), ORM cache emptied before each.

sales_record_s, odoo_export_s, sales_record_ratio (ours / Odoo's), sales_record_lines.
"""

import argparse
import datetime
import io
import os
import statistics
import sys
import time

import xlsxwriter

sys.path.insert(0, os.path.dirname(__file__))

import genealogy_data
from benchlib import bench, odoo_env, parse_args

ODOO_FIELDS = [
    "date",
    "reference",
    "picking_partner_id",
    "product_id",
    "product_id/default_code",
    "lot_id",
    "lot_id/expiration_date",
    "quantity",
    "product_uom_id",
]


def odoo_export(lines):
    """Stock Odoo's list export of ``lines`` to xlsx bytes."""
    rows = lines.export_data(ODOO_FIELDS)["datas"]
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet()
    styles = {
        datetime.datetime: workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        float: workbook.add_format({"num_format": "#,##0.00"}),
    }
    for column, name in enumerate(ODOO_FIELDS):
        sheet.write(0, column, name)
    for row_index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            sheet.write(row_index, column, value, styles.get(type(value)))
    workbook.close()
    return output.getvalue()


def main():
    # benchlib.parse_args knows the options every benchmark has; ours come first.
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--days", type=int, default=365)
    ours, sys.argv[1:] = parser.parse_known_args()
    args = parse_args(__doc__, rounds=3)
    with odoo_env(args.config, args.database) as env:
        data = genealogy_data.generate(env, ours.scale, log=print)
        print(f"generated at scale {ours.scale} in {data.seconds:.1f} s")
        today = datetime.date.today()
        wizard = env["med.sales.record.export"].create(
            {
                "date_from": today - datetime.timedelta(days=ours.days),
                "date_to": today,
                "include_returns": False,
            }
        )
        lines = env["stock.move.line"].search(wizard._med_domain(), order="date, id")
        bench("sales_record_lines", len(lines), "lines")
        Export = env["med.audit.export"]

        def run_ours():
            env.invalidate_all()
            wizard._med_export("xlsx")

        def run_odoo():
            env.invalidate_all()
            odoo_export(lines.browse(lines.ids))

        times = {"ours": [], "odoo": []}
        for _round in range(args.rounds):
            for side, function in (("ours", run_ours), ("odoo", run_odoo)):
                start = time.perf_counter()
                function()
                times[side].append(time.perf_counter() - start)
            print(
                f"round {_round + 1}: ours {times['ours'][-1]:.1f} s, "
                f"Odoo {times['odoo'][-1]:.1f} s"
            )
        export = Export.search([("report_name", "=", "Sales Record")], limit=1)
        print(f"our file: {export.name}, {len(export.attachment_id.raw) / 1e6:.1f} MB")
        ours_s, odoo_s = (statistics.median(times[side]) for side in ("ours", "odoo"))
        bench("sales_record_s", ours_s, "s")
        bench("odoo_export_s", odoo_s, "s")
        bench("sales_record_ratio", ours_s / odoo_s, "ratio")


if __name__ == "__main__":
    main()
