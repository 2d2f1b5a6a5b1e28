"""A realistic lot history for benchmarks: three years of a sterile-syringe plant.

``generate(env, scale)`` builds, in the current transaction, six levels of lot
genealogy:

1. raw lots received from suppliers (Vendors -> WH/Stock, done receipts of the incoming
   picking type): barrels, plungers, stoppers, needles, needle caps, and packaging
   (blister pouches, labels, shipper cartons, leaflets, pallets);
2. syringe bodies (barrel + plunger + stopper) and
3. syringes (body + needle + cap), the sub-assemblies;
4. sterile syringes (an EO sterilization load of 3-10 syringe lots, blister, label), the
   finished lots;
5. cartons of 100 and 6. pallets of 40 cartons, delivered to hundreds of customers
   (WH/Stock -> Customers, done pickings of the outgoing type, partner on picking and
   move): hospitals get cartons, distributors pallets and cartons.

Each produced lot comes from one done manufacturing order: components go WH/Stock ->
the product's production location, the finished line production -> WH/Stock, and
stock_move_line_consume_rel links the finished line (consume_line_id) to every
component line (produce_line_id), as Odoo's mrp writes it. Lots are consumed first in,
first out; a running lot ends in the middle of an order now and then (two lines for one
component), so fan-out is what a real line has. One needle lot is a huge supplier lot
used by 2% of all syringe orders (``Genealogy.raw_lot``). Quantities add up: a lot's
received or produced quantity is what was consumed and delivered from it plus what is
left, and what is left lies in stock_quant (WH/Stock, or spread over bins below it by
internal transfers when more quants are asked for).

Products, BoMs, partners and bins are created with the ORM (few rows); lots,
manufacturing orders, pickings, moves, move lines, consume links and quants are loaded
with COPY, with ids and picking/order names reserved from their sequences, so later ORM
inserts do not collide. The COPY runs in chunks as the rows are written (the history at
ten times the reference size does not fit in memory as text), with the tables' plain
indexes and foreign keys dropped meanwhile and recreated as they were once the rows are
in (``bulk_load``): one index build and one validating join per constraint instead of
millions of index insertions and key lookups. Stock valuation layers and accounting are
not generated. Deterministic for a given seed (dates are relative to today).
At scale 1: 111,500 lots, ~1.1 million move lines (~0.9 million moves, ~0.49 million
pickings), 800 customers, ~35,500 lots in stock; ~3 minutes on 2 cores.
"""

import bisect
import contextlib
import datetime
import io
import math
import random
import time
from collections import deque
from dataclasses import dataclass, field

from odoo import fields

# key: (name, internal reference, lots at scale 1)
PRODUCTS = {
    "barrel": ("Barrel 5 ml, PP", "RM-BRL5", 3000),
    "plunger": ("Plunger 5 ml, PP", "RM-PLG5", 3000),
    "stopper": ("Plunger stopper, rubber", "RM-STP5", 2500),
    "needle": ("Hypodermic needle 23G", "RM-NDL23", 2500),
    "needle_cap": ("Needle cap", "RM-CAP23", 2000),
    "blister": ("Blister pouch, Tyvek/PE", "PK-BLS5", 2500),
    "label": ("Blister label", "PK-LBL5", 2000),
    "shipper": ("Shipper carton", "PK-SHP", 1500),
    "ifu": ("Instructions for use leaflet", "PK-IFU", 1500),
    "pallet_base": ("Wooden pallet EPAL", "PK-PAL", 1000),
    "body": ("Syringe body 5 ml", "SA-BODY5", 24000),
    "syringe": ("Syringe 5 ml with needle, non-sterile", "SA-SYR5", 24000),
    "sterile": ("Sterile syringe 5 ml, EO", "FG-SYR5", 18000),
    "carton": ("Carton of 100 sterile syringes 5 ml", "FG-SYR5-C100", 16000),
    "pallet": ("Pallet of 40 cartons, syringe 5 ml", "FG-SYR5-P40", 8000),
}
# product: [(component, quantity per unit, lots one order draws (min, max))], in the
# order the levels are made.
BOMS = {
    "body": [("barrel", 1, (1, 1)), ("plunger", 1, (1, 1)), ("stopper", 1, (1, 1))],
    "syringe": [("body", 1, (1, 1)), ("needle", 1, (1, 1)), ("needle_cap", 1, (1, 1))],
    "sterile": [("syringe", 1, (3, 10)), ("blister", 1, (1, 1)), ("label", 1, (1, 1))],
    "carton": [("sterile", 100, (1, 2)), ("shipper", 1, (1, 1)), ("ifu", 1, (1, 1))],
    "pallet": [("carton", 40, (2, 8)), ("pallet_base", 1, (1, 1))],
}
RAW = [key for key in PRODUCTS if key not in BOMS]
SUPPLIERS = 12
CUSTOMERS = 800  # at scale 1; one in 20 is a distributor
DELIVERIES = 450000  # delivery orders at scale 1
HISTORY_DAYS = 3 * 365
LEVEL_LAG_DAYS = 5
SHELF_LIFE_DAYS = 5 * 365
EXPIRY_OFFSETS = {"use_time": 180, "removal_time": 120, "alert_time": 90}
SWITCH = 0.6  # chance that an order which uses up a lot goes on with the next one
TAIL = 0.03  # share of lots FIFO consumption has not reached yet (recent stock)
PLANTED_SHARE = 0.02  # share of syringe orders drawing from the big needle lot
MAX_BINS = 200
HOUR, DAY = 3600, 86400
CHUNK = 100000  # rows of a table per COPY
N = "\\N"  # NULL in COPY's text format


@dataclass
class Genealogy:
    """What a benchmark needs from the generated history."""

    raw_lot: object  # the big needle lot: widest downstream, hundreds of customers
    typical_raw_lot: object  # a barrel lot of ordinary fan-out
    finished_lot: object  # a pallet lot: its upstream spans the six levels
    products: dict  # key -> product.product
    customers: object  # res.partner
    bins: object  # stock.location under WH/Stock holding the extra quants
    counts: dict = field(default_factory=dict)  # rows created, per table
    seconds: float = 0.0


def generate(
    env,
    scale=1.0,
    *,
    seed=13485,
    quants=None,
    expiry_share=1.0,
    past_alert_lots=None,
    residual_share=0.25,
    log=None,
):
    """Build the history in env's transaction and return a :class:`Genealogy`.

    ``scale`` multiplies lot, order, customer and delivery counts (1.0: 111,500 lots,
    ~1.1 M move lines). ``quants``: stock_quant rows wanted in all (default and
    minimum: one per lot in stock, ~1/3 of the lots); the extra ones lie in bins under
    WH/Stock, moved there by internal transfers (one move line per extra quant).
    ``expiry_share``: share of lots with expiration/use/removal/alert dates.
    ``past_alert_lots``: lots in stock whose alert date has passed (default
    20,000 x scale). ``residual_share``: share of used-up lots keeping a residue.
    """
    start = time.perf_counter()
    builder = _Builder(env, scale, seed, log or (lambda message: None))
    builder.master_data()
    builder.simulate(residual_share)
    builder.quantities()
    builder.stock(quants)
    builder.expiry(expiry_share, past_alert_lots)
    builder.load()
    result = builder.result()
    result.seconds = time.perf_counter() - start
    builder.log(f"genealogy: {result.counts} in {result.seconds:.1f} s")
    return result


def _split(rng, total, parts):
    """``total`` cut in ``parts`` positive integers (total >= parts)."""
    if parts == 1:
        return [total]
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _reserve_ids(cr, table, count):
    """First of ``count`` consecutive ids taken from the table's sequence."""
    if not count:
        return 0
    cr.execute(
        "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
        " nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
        [table, table, count],
    )
    return cr.fetchone()[0] - count + 1


def _reserve_names(sequence, count):
    """``count`` consecutive names of an ir.sequence, as next_by_id would give."""
    if not count:
        return []
    prefix, suffix = sequence._get_prefix_suffix()
    if sequence.implementation == "standard":
        name = f"ir_sequence_{sequence.id:03d}"
        sequence.env.cr.execute(
            "SELECT setval(%s, nextval(%s) + %s - 1)", [name, name, count]
        )
        first = sequence.env.cr.fetchone()[0] - count + 1
    else:
        first = sequence.number_next
        sequence.write({"number_next": first + count})
    padding = sequence.padding
    step = sequence.number_increment
    return [f"{prefix}{first + i * step:0{padding}d}{suffix}" for i in range(count)]


@contextlib.contextmanager
def bulk_load(cr, tables, log):
    """Within the block, ``tables`` have no foreign keys and no indexes but those of
    their primary and unique constraints; after it, they get them back as they were
    (names and definitions from the catalog), built once over all the rows. DDL is
    transactional: a rolled-back benchmark leaves the schema untouched."""
    cr.execute(
        """
        SELECT pg_get_indexdef(i.indexrelid), i.indexrelid::regclass::text
          FROM pg_index i
         WHERE i.indrelid = ANY(%s::regclass[])
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                            WHERE c.conindid = i.indexrelid
                              AND c.conrelid = i.indrelid
                              AND c.contype IN ('p', 'u', 'x'))
        """,
        [list(tables)],
    )
    indexes = cr.fetchall()
    cr.execute(
        """
        SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
          FROM pg_constraint
         WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
         ORDER BY conrelid, conname
        """,
        [list(tables)],
    )
    foreign_keys = cr.fetchall()
    for table, name, _definition in foreign_keys:
        cr.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for _definition, name in indexes:
        cr.execute(f"DROP INDEX {name}")
    yield
    start = time.perf_counter()
    cr.execute("SET LOCAL maintenance_work_mem = '512MB'")
    for definition, _name in indexes:
        cr.execute(definition)
    built = time.perf_counter() - start
    log(f"bulk load: {len(indexes)} indexes built in {built:.1f} s")
    start = time.perf_counter()
    for table, name, definition in foreign_keys:
        cr.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    log(
        f"bulk load: {len(foreign_keys)} foreign keys validated in "
        f"{time.perf_counter() - start:.1f} s"
    )


@contextlib.contextmanager
def links_filled_once(env, log):
    """Within the block, the consume links do not fill med_lot_link row by row (their
    trigger would meet move lines not copied yet); after it, one statement fills it,
    before ``bulk_load`` builds its indexes."""
    cr = env.cr
    trigger = "stock_move_line_consume_rel {} TRIGGER med_lot_link_rel_insert"
    cr.execute("ALTER TABLE " + trigger.format("DISABLE"))
    yield
    cr.execute("ALTER TABLE " + trigger.format("ENABLE"))
    start = time.perf_counter()
    filled = env["med.lot.link"]._med_fill()
    log(f"bulk load: {filled} lot links filled in {time.perf_counter() - start:.1f} s")


class _Builder:
    """The simulation works on list indexes and seconds since ``t0``; ``load`` turns
    them into database ids and timestamps."""

    def __init__(self, env, scale, seed, log):
        self.started = time.perf_counter()
        self.env = env
        self.scale = scale
        self.rng = random.Random(seed)
        self.log = log
        now = fields.Datetime.now()  # UTC, as stored
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        self.t0 = today - datetime.timedelta(days=HISTORY_DAYS + 1)
        self.end = HISTORY_DAYS * DAY  # yesterday, midnight
        self.now = int((now - self.t0).total_seconds())
        # lots, by index
        self.lot_product, self.lot_date, self.lot_mo = [], [], []
        self.lots_by_product = {key: [] for key in PRODUCTS}
        self.lot_state = []  # 0 used up, 1 residue, 2 open, 3 not reached
        # consumptions: one slot per (order, component) and per delivery move
        self.slot_want, self.slot_lots, self.slot_qty = [], [], []
        # manufacturing orders: output lot, start, slots in BoM order
        self.mo_lot, self.mo_start, self.mo_slots = [], [], []
        # deliveries: [customer index, date, [[product key, slot, quantity]]]
        self.deliveries = []
        self.receipts = {}  # raw lot -> [(date, supplier index)]
        # med_lot_trace's delivered-to partner: absent from a stock-only database
        self.line_partner = PARTNER in env["stock.move.line"]._fields

    def _count(self, key):
        return max(8, round(PRODUCTS[key][2] * self.scale))

    # -- master data, with the ORM -----------------------------------------------------
    def master_data(self):
        env = self.env
        env.flush_all()
        self.warehouse = env.ref("stock.warehouse0")
        self.stock_location = self.warehouse.lot_stock_id
        self.products = {
            key: env["product.product"].create(
                {
                    "name": name,
                    "default_code": code,
                    "is_storable": True,
                    "tracking": "lot",
                    "use_expiration_date": True,
                    "expiration_time": SHELF_LIFE_DAYS,
                    **{f: SHELF_LIFE_DAYS - d for f, d in EXPIRY_OFFSETS.items()},
                }
            )
            for key, (name, code, _lots) in PRODUCTS.items()
        }
        self.boms = {
            key: env["mrp.bom"].create(
                {
                    "product_tmpl_id": self.products[key].product_tmpl_id.id,
                    "product_qty": 1,
                    "bom_line_ids": [
                        (0, 0, {"product_id": self.products[c].id, "product_qty": q})
                        for c, q, _draw in components
                    ],
                }
            )
            for key, components in BOMS.items()
        }
        partners = env["res.partner"]
        self.suppliers = partners.create(
            [
                {"name": f"Medical Components Supplier {i + 1:02d}", "is_company": True}
                for i in range(SUPPLIERS)
            ]
        )
        n_customers = max(50, round(CUSTOMERS * self.scale))
        self.n_distributors = max(3, n_customers // 20)
        names = [f"Distributor {i + 1:03d}" for i in range(self.n_distributors)]
        names += [
            f"Hospital {i + 1:04d}" for i in range(n_customers - self.n_distributors)
        ]
        self.customers = partners.create(
            [{"name": name, "is_company": True} for name in names]
        )
        # hospitals order small and often (a long tail), distributors big
        weights = [0.8] * self.n_distributors + [
            1 / math.sqrt(1 + i) for i in range(n_customers - self.n_distributors)
        ]
        self.customer_cum, total = [], 0.0
        for weight in weights:
            total += weight
            self.customer_cum.append(total)
        env.flush_all()

    # -- forward: what consumed what, and when -----------------------------------------
    def _new_lot(self, key, date, mo=-1):
        self.lot_product.append(key)
        self.lot_date.append(date)
        self.lot_mo.append(mo)
        self.lot_state.append(0)
        self.lots_by_product[key].append(len(self.lot_product) - 1)
        return len(self.lot_product) - 1

    def _new_slot(self, want):
        self.slot_want.append(want)
        self.slot_lots.append(None)
        self.slot_qty.append(None)
        return len(self.slot_want) - 1

    def _planned(self, n, first_day):
        rng = self.rng
        return sorted(int(rng.uniform(first_day * DAY, self.end)) for _ in range(n))

    def simulate(self, residual_share):
        rng = self.rng
        for key in RAW:
            n = self._count(key)
            dates = sorted(rng.randint(-30 * DAY, self.end - 3 * DAY) for _ in range(n))
            for date in dates:
                lot = self._new_lot(key, date)
                shipments = rng.choices((1, 2, 3), (5, 3, 2))[0]
                supplier = rng.randrange(SUPPLIERS)
                self.receipts[lot] = [
                    (date - DAY * (shipments - 1 - i), supplier)
                    for i in range(shipments)
                ]
        for level, key in enumerate(BOMS, start=2):
            extra = []
            if key == "pallet":  # cartons also go to customers directly
                extra = self._plan_deliveries()
            self._make(key, level, extra)
        self._deliver()
        for lot, state in enumerate(self.lot_state):
            if state == 0 and rng.random() < residual_share:
                self.lot_state[lot] = 1

    def _make(self, key, level, extra):
        n = self._count(key)
        planned = self._planned(n, level * LEVEL_LAG_DAYS)
        first = len(self.mo_lot)
        mos = range(first, first + n)
        for _mo in mos:
            self.mo_lot.append(None)
            self.mo_start.append(None)
            self.mo_slots.append(
                [self._new_slot(self.rng.randint(*draw)) for _c, _q, draw in BOMS[key]]
            )
        for position, (component, _qty, _draw) in enumerate(BOMS[key]):
            events = [(planned[mo - first], self.mo_slots[mo][position]) for mo in mos]
            if component == "carton":
                events = sorted(events + extra)
            self._fifo(component, [slot for _date, slot in events])
        for mo in mos:
            inputs = [lot for slot in self.mo_slots[mo] for lot in self.slot_lots[slot]]
            ready = max(self.lot_date[lot] for lot in inputs) + HOUR
            begin = min(max(planned[mo - first], ready), self.end)
            self.mo_start[mo] = begin
            done = min(begin + self.rng.randint(4, 10) * HOUR, self.end)
            self.mo_lot[mo] = self._new_lot(key, done, mo)
        self.lots_by_product[key].sort(key=self.lot_date.__getitem__)

    def _plan_deliveries(self):
        """Delivery orders and their moves; returns the carton moves' (date, slot)."""
        rng = self.rng
        cartons = []
        n = max(100, round(DELIVERIES * self.scale))
        for date in self._planned(n, 6 * LEVEL_LAG_DAYS + 2):
            point = rng.random() * self.customer_cum[-1]
            customer = min(
                bisect.bisect_left(self.customer_cum, point), len(self.customer_cum) - 1
            )
            if customer < self.n_distributors:
                moves = [("pallet", rng.randint(1, 4))]
                if rng.random() < 0.4:
                    moves.append(("carton", rng.randint(10, 60)))
            else:
                moves = [("carton", rng.randint(1, 20))]
            lines = []
            for product, qty in moves:
                slot = self._new_slot(1)
                lines.append([product, slot, qty])
                if product == "carton":
                    cartons.append((date, slot))
            self.deliveries.append([customer, date, lines])
        return cartons

    def _deliver(self):
        pallets = [
            (date, slot)
            for _c, date, lines in self.deliveries
            for product, slot, _q in lines
            if product == "pallet"
        ]
        self._fifo("pallet", [slot for _date, slot in sorted(pallets)])
        for entry in self.deliveries:
            lots = [lot for _p, slot, _q in entry[2] for lot in self.slot_lots[slot]]
            ready = max(self.lot_date[lot] for lot in lots) + HOUR
            entry[1] = min(max(entry[1], ready), self.end)

    def _capacities(self, key, lots, slots):
        """How many orders each lot of ``key`` serves before it is used up."""
        rng = self.rng
        n = len(lots)
        used = max(1, round(n * (1 - TAIL)))
        weights = [rng.lognormvariate(0, 0.5) for _ in range(n)]
        wanted = sum(self.slot_want[slot] for slot in slots)
        factor = (wanted + SWITCH * used) / sum(weights[:used])
        capacity = [max(1, round(w * factor + rng.random() - 0.5)) for w in weights]
        if key == "needle":  # a huge supplier lot, in the middle of the history
            self.planted = round(n * 0.4)
            mean = (wanted + SWITCH * used) / used
            capacity[self.planted] = round(max(PLANTED_SHARE * len(slots), 8 * mean))
            self.planted = lots[self.planted]
        return capacity

    def _fifo(self, key, slots):
        """Give each slot, in date order, the oldest open lots of ``key``."""
        rng = self.rng
        lots = self.lots_by_product[key]
        n = len(lots)
        capacity = self._capacities(key, lots, slots)
        window, reached = deque(), 0  # open lots (positions), first not reached yet
        for slot in slots:
            taken = []
            while len(taken) < self.slot_want[slot]:
                if len(taken) == len(window):
                    if reached == n:
                        break
                    window.append(reached)
                    reached += 1
                taken.append(window[len(taken)])
            for position in taken:
                capacity[position] -= 1
            if any(capacity[p] <= 0 for p in taken) and rng.random() < SWITCH:
                # the lot ran out during the order: the order goes on with the next one
                if len(taken) == len(window) and reached < n:
                    window.append(reached)
                    reached += 1
                if len(taken) < len(window):
                    taken.append(window[len(taken)])
                    capacity[taken[-1]] -= 1
            if not taken:  # everything used up: the last lot stretches
                taken = [n - 1]
            window = deque(p for p in window if capacity[p] > 0)
            self.slot_lots[slot] = [lots[p] for p in taken]
        for position in window:
            self.lot_state[lots[position]] = 2
        for position in range(reached, n):
            self.lot_state[lots[position]] = 3

    # -- backward: quantities, from what was delivered down to what was received -------
    def quantities(self):
        self.lot_out = [0] * len(self.lot_product)
        self.lot_qty = [0] * len(self.lot_product)
        self.lot_rest = [0] * len(self.lot_product)
        for _customer, _date, lines in self.deliveries:
            for line in lines:
                _product, slot, qty = line
                line[2] = max(qty, len(self.slot_lots[slot]))
                self._consume(slot, line[2])
        for key in reversed(BOMS):
            self._rest(key)
            for lot in self.lots_by_product[key]:
                mo = self.lot_mo[lot]
                for (_c, ratio, _d), slot in zip(
                    BOMS[key], self.mo_slots[mo], strict=True
                ):
                    self._consume(slot, ratio * self.lot_qty[lot])
        for key in RAW:
            self._rest(key)
            for lot in self.lots_by_product[key]:  # a small lot comes in one go
                del self.receipts[lot][self.lot_qty[lot] :]

    def _consume(self, slot, total):
        lots = self.slot_lots[slot]
        if total < len(lots):  # a tiny order does not open a second lot
            del lots[total:]
        qty = _split(self.rng, total, len(lots))
        self.slot_qty[slot] = qty
        for lot, part in zip(lots, qty, strict=True):
            self.lot_out[lot] += part

    def _rest(self, key):
        """What is left of each lot of ``key``, hence its received/produced quantity."""
        rng = self.rng
        lots = self.lots_by_product[key]
        outs = [self.lot_out[lot] for lot in lots if self.lot_out[lot]]
        mean = sum(outs) / len(outs) if outs else 1000
        for lot in lots:
            out, state = self.lot_out[lot], self.lot_state[lot]
            if state == 3 or not out:
                rest = mean * rng.uniform(0.5, 1.5)
            elif state == 2:
                rest = mean * rng.uniform(0.1, 0.8)
            elif state == 1:
                rest = out * rng.uniform(0.01, 0.05)
            else:
                rest = 0
            self.lot_rest[lot] = max(1, round(rest)) if rest else 0
            self.lot_qty[lot] = out + self.lot_rest[lot]

    # -- stock: quants, bins, internal transfers ---------------------------------------
    def stock(self, quants):
        in_stock = [lot for lot, rest in enumerate(self.lot_rest) if rest > 0]
        self.in_stock = in_stock
        wanted = max(quants or 0, len(in_stock))
        if quants and quants < len(in_stock):
            self.log(f"genealogy: {len(in_stock)} lots in stock, as many quants")
        extra = wanted - len(in_stock)
        self.lot_bins = {}
        if extra:
            self.lot_bins = self._spread(in_stock, extra)
        n_bins = max(self.lot_bins.values(), default=0)
        self.bins = self.env["stock.location"].create(
            [
                {"name": f"Bin {i + 1:03d}", "location_id": self.stock_location.id}
                for i in range(n_bins)
            ]
        )
        self.env.flush_all()

    def _spread(self, in_stock, extra):
        """{lot: extra quants}: as even as the quantities left allow."""
        room = {lot: min(self.lot_rest[lot] - 1, MAX_BINS) for lot in in_stock}
        level = math.ceil(extra / len(in_stock))
        while level < MAX_BINS and sum(min(r, level) for r in room.values()) < extra:
            level += 1
        spread = {lot: min(r, level) for lot, r in room.items()}
        over = sum(spread.values()) - extra
        if over < 0:
            self.log(f"genealogy: {-over} quants short, too little left in stock")
        for lot in self.rng.sample(in_stock, len(in_stock)):
            if over <= 0:
                break
            if spread[lot] == level:
                spread[lot], over = level - 1, over - 1
        return {lot: n for lot, n in spread.items() if n}

    def expiry(self, share, past_alert):
        """Lot dates: shelf life from the lot's date; ``past_alert`` lots in stock are
        short-dated (alert date passed, some already expired)."""
        rng = self.rng
        total = len(self.lot_product)
        if past_alert is None:
            past_alert = round(20000 * self.scale)
        if past_alert > len(self.in_stock):
            self.log(f"genealogy: only {len(self.in_stock)} lots in stock past alert")
            past_alert = len(self.in_stock)
        past = set(rng.sample(self.in_stock, past_alert))
        others = [lot for lot in range(total) if lot not in past]
        dated = max(0, min(len(others), round(share * total) - len(past)))
        self.lot_expiry = dict.fromkeys(rng.sample(others, dated), None)
        for lot in self.lot_expiry:
            self.lot_expiry[lot] = self.lot_date[lot] + SHELF_LIFE_DAYS * DAY
        for lot in past:
            self.lot_expiry[lot] = self.now + rng.randint(-30 * DAY, 85 * DAY)

    # -- load --------------------------------------------------------------------------
    def load(self):
        env, cr = self.env, self.env.cr
        self.log(f"genealogy: simulated in {time.perf_counter() - self.started:.1f} s")
        shipments = sum(len(r) for r in self.receipts.values())
        n_moves = sum(len(lines) for _c, _d, lines in self.deliveries)
        n_lines = sum(
            len(self.slot_lots[s]) for _c, _d, ls in self.deliveries for _p, s, _q in ls
        )
        mo_lines = sum(
            len(self.slot_lots[s]) + 0 for slots in self.mo_slots for s in slots
        )
        self.counts = {
            "stock_lot": len(self.lot_product),
            "mrp_production": len(self.mo_lot),
            "stock_picking": shipments + len(self.deliveries) + len(self.lot_bins),
            "stock_move": shipments
            + sum(len(s) + 1 for s in self.mo_slots)
            + n_moves
            + len(self.lot_bins),
            "stock_move_line": shipments
            + mo_lines
            + len(self.mo_lot)
            + n_lines
            + sum(self.lot_bins.values()),
            "stock_move_line_consume_rel": mo_lines,
            "stock_quant": len(self.in_stock) + sum(self.lot_bins.values()),
        }
        self.ids = {
            table: _reserve_ids(cr, table, n)
            for table, n in self.counts.items()
            if table in MODELS
        }
        self._names()
        self._constants()
        self.rows = {table: [] for table in self.counts}
        self.copied = dict.fromkeys(self.counts, 0)
        self.copy_sql = {}
        self.next = dict(self.ids)
        start = time.perf_counter()
        with (
            bulk_load(cr, [*self.counts, "med_lot_link"], self.log),
            links_filled_once(env, self.log),
        ):
            self._emit_lots()
            self._emit_receipts()
            self._emit_productions()
            self._emit_deliveries()
            self._emit_stock()
            self._copy_rows(least=1)  # what is left
            self.log(
                f"genealogy: rows written and copied in "
                f"{time.perf_counter() - start:.1f} s"
            )
        assert self.copied == self.counts, (self.copied, self.counts)
        self.log(f"genealogy: loaded in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        cr.execute("ANALYZE " + ", ".join([*self.counts, "med_lot_link"]))
        self.log(f"genealogy: analyzed in {time.perf_counter() - start:.1f} s")
        env.invalidate_all()

    def _names(self):
        types = self.warehouse
        shipments = sum(len(r) for r in self.receipts.values())
        self.names = {
            "in": iter(_reserve_names(types.in_type_id.sequence_id, shipments)),
            "out": iter(
                _reserve_names(types.out_type_id.sequence_id, len(self.deliveries))
            ),
            "int": iter(
                _reserve_names(types.int_type_id.sequence_id, len(self.lot_bins))
            ),
            "mo": iter(
                _reserve_names(types.manu_type_id.sequence_id, len(self.mo_lot))
            ),
        }

    def _constants(self):
        env = self.env
        self.uid = env.uid
        self.company = env.company.id
        self.stock_id = self.stock_location.id
        self.customer_id = env.ref("stock.stock_location_customers").id
        self.supplier_id = env.ref("stock.stock_location_suppliers").id
        self.product_ids = {k: p.id for k, p in self.products.items()}
        self.uom_ids = {k: p.uom_id.id for k, p in self.products.items()}
        self.production_ids = {
            k: p.property_stock_production.id for k, p in self.products.items()
        }
        self.display = {k: p.display_name for k, p in self.products.items()}
        self.bom_ids = {k: b.id for k, b in self.boms.items()}
        self.bom_line_ids = {k: b.bom_line_ids.ids for k, b in self.boms.items()}
        self.bom_line_sequences = {
            k: b.bom_line_ids.mapped("sequence") for k, b in self.boms.items()
        }
        self.consumption = {k: b.consumption for k, b in self.boms.items()}
        self.type_ids = {
            "in": self.warehouse.in_type_id.id,
            "out": self.warehouse.out_type_id.id,
            "int": self.warehouse.int_type_id.id,
            "mo": self.warehouse.manu_type_id.id,
        }
        self.inventory_dates = {
            loc.id: loc._get_next_inventory_date() or None
            for loc in self.stock_location | self.bins
        }
        self.supplier_ids = self.suppliers.ids
        self.customer_ids = self.customers.ids
        self.lot_id0 = self.ids["stock_lot"]

    def _ts(self, seconds):
        return str(self.t0 + datetime.timedelta(seconds=seconds))

    def _take(self, table):
        self.next[table] += 1
        return self.next[table] - 1

    # Each _emit_* appends COPY text lines; the columns are in COLUMNS below.
    def _emit_lots(self):
        rows = self.rows["stock_lot"]
        uid, stock = self.uid, self.stock_id
        company = {k: p.company_id.id or N for k, p in self.products.items()}
        serial = dict.fromkeys(PRODUCTS, 0)
        for lot, key in enumerate(self.lot_product):
            self._copy_rows()
            serial[key] += 1
            date = self._ts(self.lot_date[lot])
            name = f"{PRODUCTS[key][1]}-{date[2:4]}{date[5:7]}-{serial[key]:05d}"
            expiry = self.lot_expiry.get(lot)
            if expiry is None:
                dates = (N, N, N, N)
            else:
                dates = tuple(
                    self._ts(expiry - days * DAY) for days in (0, 180, 120, 90)
                )
            location = stock if self.lot_rest[lot] and lot not in self.lot_bins else N
            rows.append(
                f"{self.lot_id0 + lot}\t{name}\t{self.product_ids[key]}\t"
                f"{company[key]}\t"
                f"{self.uom_ids[key]}\t{location}\t{dates[0]}\t{dates[1]}\t{dates[2]}\t"
                f"{dates[3]}\t{N}\t{uid}\t{date}\t{uid}\t{date}"
            )

    def _picking(self, kind, name, source, dest, partner, date):
        picking = self._take("stock_picking")
        self.rows["stock_picking"].append(
            f"{picking}\t{name}\t{self.type_ids[kind]}\t{source}\t{dest}\t{partner}\t"
            f"{self.company}\tdone\tdirect\t0\t{date}\t{date}\t{date}\tt\t{N}\tf\t"
            f"{self.uid}\t{self.uid}\t{date}\t{self.uid}\t{date}"
        )
        return picking

    def _move(self, move, key, qty, source, dest, date, **extra):
        """One done stock.move; ``extra``: name, reference, origin, picking, kind,
        partner, production, raw_production, bom_line, unit_factor, warehouse,
        sequence, propagate, description, finished_lot."""
        get = extra.get
        self.rows["stock_move"].append(
            f"{move}\t{get('name')}\t{get('reference')}\t{get('origin', N)}\t"
            f"{self.product_ids[key]}\t{self.uom_ids[key]}\t{qty}\t{qty}\t{qty}\t"
            f"{source}\t{dest}\t{self.company}\t{date}\tdone\tmake_to_stock\t"
            f"{get('picking', N)}\t{self.type_ids[get('kind')]}\t{get('partner', N)}\t"
            f"{get('production', N)}\t{get('raw_production', N)}\t"
            f"{get('bom_line', N)}\t{get('unit_factor', 1)}\t{get('warehouse', N)}\t"
            f"{get('sequence', 10)}\t0\tt\tt\t{N}\tf\tf\t{get('propagate', 'f')}\tf\t"
            f"{N}\t{get('cost_share', N)}\t{get('description', N)}\t{date[:10]}\t"
            f"{get('finished_lot', N)}\t"
            f"{self.uid}\t{date}\t{self.uid}\t{date}"
        )

    def _line(
        self, move, lot, qty, source, dest, date, reference, picking=N, mo=N, partner=N
    ):
        line = self._take("stock_move_line")
        key = self.lot_product[lot]
        expiry = self.lot_expiry.get(lot)
        expiry = N if expiry is None else self._ts(expiry)
        self.rows["stock_move_line"].append(
            f"{line}\t{move}\t{picking}\t{mo}\t{self.product_ids[key]}\t"
            f"{self.uom_ids[key]}\t{self.lot_id0 + lot}\t{qty}\t{qty}\tt\tdone\t"
            f"{source}\t{dest}\t{date}\t{reference}\t{self.company}\t{expiry}\t"
            + (f"{partner}\t" if self.line_partner else "")
            + f"{self.uid}\t{date}\t{self.uid}\t{date}"
        )
        return line

    def _in_picking(self, key, name, picking, kind, partner):
        """The stock.move values of a move in a picking."""
        return {
            "name": self.display[key],
            "reference": name,
            "picking": picking,
            "kind": kind,
            "partner": partner,
            "description": PRODUCTS[key][0],
            "propagate": "t",
        }

    def _emit_receipts(self):
        for lot, shipments in self.receipts.items():
            self._copy_rows()
            key = self.lot_product[lot]
            parts = _split(self.rng, self.lot_qty[lot], len(shipments))
            for (when, supplier), qty in zip(shipments, parts, strict=True):
                name, date = next(self.names["in"]), self._ts(when)
                partner = self.supplier_ids[supplier]
                picking = self._picking(
                    "in", name, self.supplier_id, self.stock_id, partner, date
                )
                move = self._take("stock_move")
                self._move(
                    move,
                    key,
                    qty,
                    self.supplier_id,
                    self.stock_id,
                    date,
                    **self._in_picking(key, name, picking, "in", partner),
                )
                self._line(
                    move,
                    lot,
                    qty,
                    self.supplier_id,
                    self.stock_id,
                    date,
                    name,
                    picking,
                    partner=partner,
                )

    def _emit_productions(self):
        rows = self.rows["stock_move_line_consume_rel"]
        warehouse = self.warehouse.id
        for mo, lot in enumerate(self.mo_lot):
            self._copy_rows()
            key, qty = self.lot_product[lot], self.lot_qty[lot]
            production = self._take("mrp_production")
            name = next(self.names["mo"])
            start, date = self._ts(self.mo_start[mo]), self._ts(self.lot_date[lot])
            location = self.production_ids[key]
            self.rows["mrp_production"].append(
                f"{production}\t{name}\t{self.product_ids[key]}\t{qty}\t{qty}\t"
                f"{self.uom_ids[key]}\t{qty}\t{self.bom_ids[key]}\t"
                f"{self.lot_id0 + lot}\t"
                f"{self.type_ids['mo']}\t{self.stock_id}\t{self.stock_id}\t{location}\t"
                f"{self.company}\t{start}\t{date}\tdone\t{self.consumption[key]}\t0\t"
                f"{self.uid}\tt\t{N}\t0\t{N}\tf\t{N}\t{N}\t{self.uid}\t{start}\t{self.uid}\t{date}"
            )
            common = {"name": name, "reference": name, "origin": name, "kind": "mo"}
            consumed = []
            for position, slot in enumerate(self.mo_slots[mo]):
                component = BOMS[key][position][0]
                move = self._take("stock_move")
                total = sum(self.slot_qty[slot])
                self._move(
                    move,
                    component,
                    total,
                    self.stock_id,
                    location,
                    date,
                    **common,
                    raw_production=production,
                    warehouse=warehouse,
                    bom_line=self.bom_line_ids[key][position],
                    sequence=self.bom_line_sequences[key][position],
                    unit_factor=total / qty,
                    finished_lot=self.lot_id0 + lot,
                )
                for used, part in zip(
                    self.slot_lots[slot], self.slot_qty[slot], strict=True
                ):
                    consumed.append(
                        self._line(
                            move,
                            used,
                            part,
                            self.stock_id,
                            location,
                            date,
                            name,
                            mo=production,
                        )
                    )
            move = self._take("stock_move")
            self._move(
                move,
                key,
                qty,
                location,
                self.stock_id,
                date,
                **common,
                production=production,
                warehouse=warehouse,
                cost_share=0,
            )
            finished = self._line(move, lot, qty, location, self.stock_id, date, name)
            rows.extend(f"{finished}\t{line}" for line in consumed)

    def _emit_deliveries(self):
        for customer, when, lines in self.deliveries:
            self._copy_rows()
            name, date = next(self.names["out"]), self._ts(when)
            partner = self.customer_ids[customer]
            picking = self._picking(
                "out", name, self.stock_id, self.customer_id, partner, date
            )
            for key, slot, qty in lines:
                move = self._take("stock_move")
                self._move(
                    move,
                    key,
                    qty,
                    self.stock_id,
                    self.customer_id,
                    date,
                    **self._in_picking(key, name, picking, "out", partner),
                )
                for lot, part in zip(
                    self.slot_lots[slot], self.slot_qty[slot], strict=True
                ):
                    self._line(
                        move,
                        lot,
                        part,
                        self.stock_id,
                        self.customer_id,
                        date,
                        name,
                        picking,
                        partner=partner,
                    )

    def _emit_stock(self):
        """Quants of the lots in stock, and the transfers that spread some to bins."""
        rng = self.rng
        bins = self.bins.ids
        for lot in self.in_stock:
            self._copy_rows()
            rest, n_bins = self.lot_rest[lot], self.lot_bins.get(lot, 0)
            parts = _split(rng, rest, n_bins + 1)
            self._quant(lot, self.stock_id, parts[0], self.lot_date[lot])
            if not n_bins:
                continue
            when = min(
                self.end,
                max(self.lot_date[lot] + HOUR, self.end - rng.randint(0, 30) * DAY),
            )
            name, date = next(self.names["int"]), self._ts(when)
            picking = self._picking("int", name, self.stock_id, self.stock_id, N, date)
            move = self._take("stock_move")
            key = self.lot_product[lot]
            self._move(
                move,
                key,
                rest - parts[0],
                self.stock_id,
                self.stock_id,
                date,
                **self._in_picking(key, name, picking, "int", N),
            )
            for location, part in zip(rng.sample(bins, n_bins), parts[1:], strict=True):
                self._line(
                    move, lot, part, self.stock_id, location, date, name, picking
                )
                self._quant(lot, location, part, when)

    def _quant(self, lot, location, qty, when):
        quant = self._take("stock_quant")
        key = self.lot_product[lot]
        expiry = self.lot_expiry.get(lot)
        expiry, removal = (
            (N, N)
            if expiry is None
            else (self._ts(expiry), self._ts(expiry - 120 * DAY))
        )
        date = self._ts(when)
        inventory = self.inventory_dates[location] or N
        self.rows["stock_quant"].append(
            f"{quant}\t{self.product_ids[key]}\t{self.company}\t{location}\t"
            f"{self.lot_id0 + lot}\t{qty}\t0\t{date}\t{inventory}\t0\tf\t{expiry}\t"
            f"{removal}\t{self.uid}\t{date}\t{self.uid}\t{date}"
        )

    def _copy_rows(self, least=CHUNK):
        """COPY the rows written so far of each table holding ``least`` or more,
        parents before children."""
        for table, rows in self.rows.items():
            if len(rows) < least:
                continue
            if table not in self.copy_sql:
                columns, suffix = self._defaults(table)
                self.copy_sql[table] = (
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN",
                    suffix,
                )
            sql, suffix = self.copy_sql[table]
            self.env.cr._obj.copy_expert(
                sql, io.StringIO("".join(row + suffix for row in rows))
            )
            self.copied[table] += len(rows)
            rows.clear()

    def _defaults(self, table):
        """COPY columns of ``table``, and the text that ends each row: the ORM
        defaults of the stored fields we do not set (an addon's new required field
        with a default is filled as the ORM would)."""
        columns = [c for c in COLUMNS[table] if c != PARTNER or self.line_partner]
        given = len(columns)
        if table not in MODELS:
            return columns, "\n"
        model = self.env[MODELS[table]]
        names = [
            name
            for name, f in model._fields.items()
            if f.store
            and f.column_type
            and not f.compute
            and f.default is not None
            and name not in columns
            and f.type not in ("datetime", "date", "properties", "json")
            and not f.company_dependent
        ]
        defaults = model.default_get(names)
        suffix = []
        for name in names:
            value = defaults.get(name)
            if model._fields[name].type == "boolean":
                text = "t" if value else "f"
            elif value is None or value is False:
                continue
            else:
                text = str(model._fields[name].convert_to_column(value, model))
            assert not any(c in text for c in "\t\n\\"), (table, name, text)
            columns.append(name)
            suffix.append(text)
        self.log(f"genealogy: {table}: ORM defaults for {columns[given:]}")
        return columns, "".join(f"\t{text}" for text in suffix) + "\n"

    def result(self):
        lots = self.env["stock.lot"]
        barrels = self.lots_by_product["barrel"]
        pallets = self.lots_by_product["pallet"]
        return Genealogy(
            raw_lot=lots.browse(self.lot_id0 + self.planted),
            typical_raw_lot=lots.browse(self.lot_id0 + barrels[len(barrels) * 3 // 5]),
            finished_lot=lots.browse(self.lot_id0 + pallets[len(pallets) // 2]),
            products=self.products,
            customers=self.customers,
            bins=self.bins,
            counts=self.counts,
        )


MODELS = {
    "stock_lot": "stock.lot",
    "mrp_production": "mrp.production",
    "stock_picking": "stock.picking",
    "stock_move": "stock.move",
    "stock_move_line": "stock.move.line",
    "stock_quant": "stock.quant",
}
PARTNER = "med_partner_id"
_AUDIT = ("create_uid", "create_date", "write_uid", "write_date")
# fmt: off
COLUMNS = {
    "stock_lot": (
        "id", "name", "product_id", "company_id", "product_uom_id", "location_id",
        "expiration_date", "use_date", "removal_date", "alert_date",
        "product_expiry_reminded", *_AUDIT,
    ),
    "mrp_production": (
        "id", "name", "product_id", "product_qty", "product_uom_qty", "product_uom_id",
        "qty_producing", "bom_id", "lot_producing_id", "picking_type_id",
        "location_src_id", "location_dest_id", "production_location_id", "company_id",
        "date_start", "date_finished", "state", "consumption", "priority", "user_id",
        "is_locked", "allow_workorder_dependencies", "backorder_sequence", "extra_cost",
        "is_planned", "is_outdated_bom", "propagate_cancel", *_AUDIT,
    ),
    "stock_picking": (
        "id", "name", "picking_type_id", "location_id", "location_dest_id",
        "partner_id", "company_id", "state", "move_type", "priority", "date",
        "scheduled_date", "date_done", "is_locked", "printed", "has_deadline_issue",
        "user_id", *_AUDIT,
    ),
    "stock_move": (
        "id", "name", "reference", "origin", "product_id", "product_uom",
        "product_uom_qty", "product_qty", "quantity", "location_id", "location_dest_id",
        "company_id", "date", "state", "procure_method", "picking_id",
        "picking_type_id", "partner_id", "production_id", "raw_material_production_id",
        "bom_line_id", "unit_factor", "warehouse_id", "sequence", "priority", "picked",
        "is_done", "is_inventory", "scrapped", "additional", "propagate_cancel",
        "manual_consumption", "price_unit", "cost_share", "description_picking",
        "reservation_date", "order_finished_lot_id", *_AUDIT,
    ),
    "stock_move_line": (
        "id", "move_id", "picking_id", "production_id", "product_id", "product_uom_id",
        "lot_id", "quantity", "quantity_product_uom", "picked", "state", "location_id",
        "location_dest_id", "date", "reference", "company_id", "expiration_date",
        PARTNER, *_AUDIT,
    ),
    "stock_move_line_consume_rel": ("consume_line_id", "produce_line_id"),
    "stock_quant": (
        "id", "product_id", "company_id", "location_id", "lot_id", "quantity",
        "reserved_quantity", "in_date", "inventory_date", "inventory_diff_quantity",
        "inventory_quantity_set", "expiration_date", "removal_date", *_AUDIT,
    ),
}
# fmt: on
