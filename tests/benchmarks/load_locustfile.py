"""The users of bench_load.py, for Locust (run in .local/bench-venv, without Odoo).

Each task is one business transaction made of several JSON-RPC calls (odoolocust
times every call as "OdooRPC"); the transaction as a whole is reported with the
request type "txn" (or "refused" when Odoo answered with a UserError or
ValidationError: a gate said no, which the user reads as a message, not as a
failure of the system). MED_LOAD_SETUP names the JSON file bench_load.py wrote:
database, side ("odoo" or "med"), logins per role, ids of products and locations.
"""

import functools
import itertools
import json
import os
import random
import time
import uuid
from datetime import datetime, timedelta

import httpx
import odoolib
from locust import between, events, task
from OdooLocust.OdooLocustUser import OdooLocustUser

SETUP = json.load(open(os.environ["MED_LOAD_SETUP"], encoding="utf-8"))
MED = SETUP["side"] == "med"
REFUSALS = {"odoo.exceptions.UserError", "odoo.exceptions.ValidationError"}
_LOGIN_COUNTERS = {}  # role: the next of its logins to hand out
SKIPPED = object()  # nothing to do this time (e.g. no lot waiting for release)
_client = httpx.Client(timeout=600)


def _json_rpc(url, fct_name, params, cookies=None):
    """odoolib's call with a timeout fit for slow exports (httpx's default is 5 s)."""
    data = {"jsonrpc": "2.0", "method": fct_name, "params": params, "id": 1}
    result = _client.post(url, json=data, cookies=cookies or {}).json()
    if result.get("error"):
        raise odoolib.tools.JsonRPCException(result["error"])
    return result.get("result", False)


odoolib.tools.json_rpc = _json_rpc


def transaction(name):
    def decorator(function):
        @functools.wraps(function)
        def run(self):
            start = time.perf_counter()
            kind, error = "txn", None
            try:
                if function(self) is SKIPPED:
                    return
            except odoolib.tools.JsonRPCException as exc:
                data = exc.error.get("data") or {}
                if data.get("name") in REFUSALS:
                    kind = "refused"
                message = (data.get("message") or str(exc.error)).splitlines()
                error = RuntimeError(f"{data.get('name')}: {message[:1]}")
            except Exception as exc:
                error = exc
            events.request.fire(
                request_type=kind,
                name=name,
                response_time=(time.perf_counter() - start) * 1000,
                response_length=0,
                exception=error,
                context={},
            )

        return run

    return decorator


class MedUser(OdooLocustUser):
    abstract = True
    protocol = "jsonrpc"
    host = "127.0.0.1"
    port = SETUP["port"]
    database = SETUP["database"]
    password = SETUP["password"]
    wait_time = between(1, 3)
    role = None

    def on_start(self):
        logins = SETUP["logins"][self.role]
        counter = _LOGIN_COUNTERS.setdefault(self.role, itertools.count())
        self.login = logins[next(counter) % len(logins)]
        super().on_start()
        self.rng = random.Random()

    def model(self, name):
        return self.client.get_model(name)

    def sign(self, meaning, records, method, comment):
        """Signs as the signature wizard does: login and password again."""
        wizard = self.model("med.signature.wizard").create(
            {
                "res_model": "stock.lot",
                "res_ids": ",".join(str(i) for i in records),
                "meaning": meaning,
                "action_name": method,
                "login": self.login,
                "password": self.password,
                "comment": comment,
            }
        )
        self.model("med.signature.wizard").action_sign([wizard])

    def random_lot(self, domain, limit=200):
        ids = self.model("stock.lot").search(domain, limit=limit, order="id desc")
        return self.rng.choice(ids) if ids else None

    def in_stock(self, product_key, quantity=1):
        """A lot of the product with stock on hand, released on our side."""
        domain = [
            ("product_id", "=", SETUP["products"][product_key]),
            ("location_id", "=", SETUP["stock"]),
            ("quantity", ">=", quantity),
        ]
        if MED:
            domain.append(("lot_id.med_state", "=", "released"))
        quants = self.model("stock.quant").search_read(
            domain, ["lot_id"], limit=100, order="id desc"
        )
        return self.rng.choice(quants)["lot_id"][0] if quants else None


class WarehouseUser(MedUser):
    role = "warehouse"
    fixed_count = 20

    def _picking(self, kind, product_key, quantity, partner=None, source=None):
        source = source or SETUP["stock"]
        dest = {"in": SETUP["stock"], "out": SETUP["customers"]}.get(
            kind, self.rng.choice(SETUP["bins"])
        )
        if kind == "in":
            source = SETUP["suppliers"]
        product = SETUP["products"][product_key]
        picking = self.model("stock.picking").create(
            {
                "picking_type_id": SETUP["picking_types"][kind],
                "partner_id": partner,
                "location_id": source,
                "location_dest_id": dest,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": f"load {kind}",
                            "product_id": product,
                            "product_uom_qty": quantity,
                            "product_uom": SETUP["uoms"][product_key],
                            "location_id": source,
                            "location_dest_id": dest,
                        },
                    )
                ],
            }
        )
        self.model("stock.picking").action_confirm([picking])
        return picking

    def _validate(self, picking):
        result = self.model("stock.picking").button_validate([picking])
        if result is not True:
            raise RuntimeError(f"validation opened {result.get('res_model')}")

    def _set_lines(self, picking, values):
        MoveLine = self.model("stock.move.line")
        lines = MoveLine.search([("picking_id", "=", picking)])
        if lines:
            MoveLine.write(lines, values)
        else:
            move = self.model("stock.move").search([("picking_id", "=", picking)])[0]
            MoveLine.create(dict(values, move_id=move, picking_id=picking))

    @task(2)
    @transaction("receipt")
    def receipt(self):
        key = self.rng.choice(SETUP["raw"])
        quantity = self.rng.randint(100, 1000)
        picking = self._picking(
            "in", key, quantity, partner=self.rng.choice(SETUP["suppliers_ids"])
        )
        self._set_lines(
            picking, {"lot_name": f"LD-{uuid.uuid4().hex[:10]}", "quantity": quantity}
        )
        self._validate(picking)

    @task(3)
    @transaction("delivery")
    def delivery(self):
        lot = self.in_stock("carton", 3)
        if not lot:
            return SKIPPED
        picking = self._picking(
            "out",
            "carton",
            self.rng.randint(1, 3),
            partner=self.rng.choice(SETUP["customer_ids"]),
        )
        self._validate(picking)

    @task(1)
    @transaction("internal_move")
    def internal_move(self):
        if not self.in_stock("barrel", 50):
            return SKIPPED
        picking = self._picking("int", "barrel", self.rng.randint(1, 50))
        self._validate(picking)


class Inspector(MedUser):
    role = "inspector"
    fixed_count = 5

    @task
    @transaction("inspection")
    def inspection(self):
        lot = self.random_lot([("product_id", "in", SETUP["raw_ids"])])
        if not lot:
            return SKIPPED
        question = SETUP["qc_question"]
        failing = self.rng.random() < 0.15
        value = question["max"] + 0.5 if failing else question["max"] - 0.05
        Inspection = self.model("qc.inspection")
        inspection = Inspection.create(
            {
                "object_id": f"stock.lot,{lot}",
                "test": SETUP["qc_test"],
                "qty": 1,
                "inspection_lines": [
                    (
                        0,
                        0,
                        {
                            "name": question["name"],
                            "test_line": question["id"],
                            "min_value": question["min"],
                            "max_value": question["max"],
                            "test_uom_id": question["uom"],
                            "uom_id": question["uom"],
                            "question_type": "quantitative",
                            "quantitative_value": value,
                        },
                    )
                ],
            }
        )
        Inspection.action_todo([inspection])
        Inspection.action_confirm([inspection])
        state = Inspection.read([inspection], ["state"])[0]["state"]
        if state == "waiting":
            Inspection.action_approve([inspection])


class QaManager(MedUser):
    role = "qa_manager"
    fixed_count = 3

    @task(3)
    @transaction("lot_lookup")
    def lot_lookup(self):
        domain = [("name", "ilike", self.rng.choice(SETUP["lot_prefixes"]))]
        Lot = self.model("stock.lot")
        Lot.search_count(domain)
        Lot.search_read(
            domain, ["name", "product_id", "expiration_date"], limit=80, order="id"
        )

    @task(3)
    @transaction("release_signed")
    def release(self):
        if not MED:
            return SKIPPED
        lot = self.random_lot(
            [("med_state", "=", "quarantine"), ("product_id", "in", SETUP["raw_ids"])],
            limit=40,
        )
        if not lot:
            return SKIPPED
        self.model("stock.lot").action_med_release([lot])
        self.sign("release", [lot], "_med_do_release", "Load test release")

    @task(1)
    @transaction("hold_signed")
    def hold(self):
        if not MED:
            return SKIPPED
        lot = self.in_stock("carton", 1)
        if not lot:
            return SKIPPED
        self.model("stock.lot").action_med_hold([lot])
        self.sign("hold", [lot], "_med_do_hold", "Load test: deviation")


class Auditor(MedUser):
    role = "auditor"
    fixed_count = 2

    @task(3)
    @transaction("lot_history")
    def lot_history(self):
        lot = self.random_lot([("product_id", "in", SETUP["raw_ids"])])
        if not lot:
            return SKIPPED
        self.model("stock.move.line").search_read(
            [("lot_id", "=", lot)],
            ["date", "reference", "location_id", "location_dest_id", "quantity"],
            limit=80,
        )

    @task(3)
    @transaction("audit_search")
    def audit_search(self):
        """The Auditor list: by record, by user, within dates; count and a page."""
        if not MED:
            return SKIPPED
        since = (datetime.utcnow() - timedelta(days=7)).strftime("%Y-%m-%d %H:%M:%S")
        lot = self.random_lot([])
        domains = [
            [("res_model", "=", "stock.lot"), ("res_id", "=", lot)],
            [
                ("user_id", "=", self.rng.choice(SETUP["user_ids"])),
                ("timestamp", ">=", since),
            ],
        ]
        Entry = self.model("med.audit.entry")
        for domain in domains:
            Entry.search_count(domain)
            Entry.search_read(
                domain, ["timestamp", "user_id", "res_name", "new_value"], limit=80
            )

    @task(1)
    @transaction("dossier_export")
    def dossier_export(self):
        if not MED:
            return SKIPPED
        lot = self.in_stock("carton", 1)
        if not lot:
            return SKIPPED
        Wizard = self.model("med.dossier.wizard")
        wizard = Wizard.create(
            {
                "report": "lot_dossier",
                "res_model": "stock.lot",
                "res_ids": str(lot),
                "file_format": "xlsx",
            }
        )
        Wizard.action_export([wizard])


def _scale_users():
    scale = float(os.environ.get("MED_LOAD_USERS_SCALE", "1"))
    for user_class in (WarehouseUser, Inspector, QaManager, Auditor):
        user_class.fixed_count = max(1, round(user_class.fixed_count * scale))


_scale_users()
