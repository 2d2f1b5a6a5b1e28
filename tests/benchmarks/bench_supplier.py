# bench-addons: med_supplier_qual
"""What the supplier gates cost (issue: med_supplier_qual).

A vendor approved with verified licences and a registration certificate, on the
approved supplier list for each of --lines (200) medical-device products, gets a
purchase order of one line per product. We time button_confirm() of that order, and
button_validate() of its receipt, with med_supplier_qual's gates and as stock Odoo
does it (the same code with the gates' check replaced by "nothing to report", by this
script only: production code has no way to skip them). Each step runs in a savepoint
rolled back afterwards, so every round works on the same data; the two sides
alternate, median of --rounds.

po_gate_ratio and receipt_gate_ratio = gated time / ungated time. The query counts of
both sides are printed for 20 and for --lines lines: the gates' share must not grow
with the lines.
"""

import argparse
import contextlib
import os
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(__file__))

from benchlib import bench, compare_gates, median, odoo_env, parse_args

from odoo import Command, fields

SCAN = "JVBERi0xLjQKJSBiZW5jaAo="


@contextlib.contextmanager
def gates_off(env):
    """Stock Odoo's behaviour: the gates find nothing, without looking. Set on the
    registry's classes, which come first in their models' method order."""
    classes = (type(env["purchase.order"]), type(env["stock.move"]))
    if "_med_supplier_gate_messages" in vars(classes[0]):
        yield  # already off (a step nested in another)
        return
    for cls in classes:
        cls._med_supplier_gate_messages = lambda self, *args, **kwargs: {}
    try:
        yield
    finally:
        for cls in classes:
            del cls._med_supplier_gate_messages


class Purchase:
    def __init__(self, env, lines):
        self.env = env
        today = fields.Date.context_today(env["res.partner"])
        category = env.ref("med_supplier_qual.product_category_medical_device")
        self.products = env["product.product"].create(
            [
                {
                    "name": f"Bench infusion set {i:03d}",
                    "is_storable": True,
                    "categ_id": category.id,
                }
                for i in range(lines)
            ]
        )
        self.vendor = env["res.partner"].create(
            {
                "name": "Bench Device Maker",
                "is_company": True,
                "category_id": [
                    Command.set(
                        env.ref(
                            "med_supplier_qual.partner_category_device_manufacturer"
                        ).ids
                    )
                ],
            }
        )
        types = {kind.code: kind for kind in env["med.certificate.type"].search([])}
        certificates = env["med.supplier.certificate"].create(
            [
                {
                    "partner_id": self.vendor.id,
                    "type_id": types[code].id,
                    "number": f"BENCH-{code}",
                    "issue_date": today - timedelta(days=100),
                    "expiry_date": today + timedelta(days=1000),
                    "attachment_ids": [
                        Command.create({"name": "s.pdf", "datas": SCAN})
                    ],
                    **extra,
                }
                for code, extra in (
                    ("business_licence", {}),
                    ("production_licence", {}),
                    ("registration", {"categ_ids": [Command.set(category.ids)]}),
                )
            ]
        )
        certificates._med_do_verify()
        self.vendor._med_set_supplier_state("approved", "benchmark")
        env["med.approved.supplier"].create(
            [
                {
                    "partner_id": self.vendor.id,
                    "product_id": product.id,
                    "date_start": today - timedelta(days=10),
                }
                for product in self.products
            ]
        )
        env.flush_all()

    def order(self, lines):
        return self.env["purchase.order"].create(
            {
                "partner_id": self.vendor.id,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_qty": 5, "price_unit": 1}
                    )
                    for product in self.products[:lines]
                ],
            }
        )

    def _measure(self, step):
        env, cr = self.env, self.env.cr
        env.flush_all()
        env.invalidate_all()
        queries = cr.sql_log_count
        start = time.perf_counter()
        step()
        env.flush_all()
        return time.perf_counter() - start, cr.sql_log_count - queries

    def confirm(self, lines):
        """(seconds, queries) of confirming a fresh order of ``lines`` lines."""
        with contextlib.closing(self.env.cr.savepoint()):
            order = self.order(lines)
            measured = self._measure(order.button_confirm)
            assert order.state == "purchase", order.state
        return measured

    def receive(self, lines):
        """(seconds, queries) of validating the receipt of a confirmed order."""
        with contextlib.closing(self.env.cr.savepoint()):
            order = self.order(lines)
            with gates_off(self.env):
                order.button_confirm()
            picking = order.picking_ids
            picking.move_ids.picked = True
            measured = self._measure(picking.button_validate)
            assert picking.state == "done", picking.state
        return measured

    def check_only(self, lines):
        """Seconds of the gate check alone on a fresh order (cold record cache)."""
        with contextlib.closing(self.env.cr.savepoint()):
            order = self.order(lines)
            seconds, _queries = self._measure(order._med_supplier_gate_messages)
        return seconds


def main():
    # benchlib.parse_args knows the options every benchmark has; ours come first.
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--lines", type=int, default=200)
    ours, sys.argv[1:] = parser.parse_known_args()
    args = parse_args(__doc__)
    lines = ours.lines
    with odoo_env(args.config, args.database) as env:
        purchase = Purchase(env, lines)
        check = median([purchase.check_only(lines) for _round in range(args.rounds)])
        print(f"the gate check alone, {lines} lines: {check * 1000:.1f} ms")
        bench("po_gate_check_ms", check * 1000, "ms")
        for step, name in ((purchase.confirm, "po"), (purchase.receive, "receipt")):
            compare_gates(name, step, lambda: gates_off(env), lines, args.rounds)


if __name__ == "__main__":
    main()
