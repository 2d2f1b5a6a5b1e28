"""Read-only work on a PostgreSQL streaming replica (issue 21, part 3).

Starts a real hot standby of the project's cluster next to it (pg_basebackup -R into
.local/pg-replica, its own socket folder and --replica-port, statements logged),
then an Odoo server with worker processes on 127.0.0.1:--port whose
db_replica_host/db_replica_port name the standby, and sends the web client's calls
(/web/dataset/call_kw, a logged-in auditor's session) on a small generated history:
the Auditor's audit-trail list, the lot list and form, the data dictionary, and the
suite's read-only lot API (genealogy, release blockers, shelf life, lot lookup).
For each call it reads the standby's statement log: the call ran on the replica
when its queries are there, else on the primary. Odoo 18 sends a call to the
replica when its method is marked @api.readonly (Odoo's search_read, web_search_read,
web_read, search_count, read_group) or its route readonly=True.

Prints one line per call, then BENCH replica_calls (calls that ran on the
replica), replica_primary_calls, replica_lag_bytes (the standby's replay lag at the
end). The standby and the server are stopped and the standby's folder removed.
Extra options: --port (8182), --replica-port (db_port + 1).
"""
# bench-by-name-only
# bench-addons: med_lot_trace

import argparse
import http.cookiejar
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))

import genealogy_data
from benchlib import bench

import odoo
from odoo import SUPERUSER_ID, Command, api

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PG_BIN = os.environ.get("MED_PG_BIN", "/usr/lib/postgresql/15/bin")
PASSWORD = "replica-bench-4Kx"
LOGIN = "replica_auditor"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--port", type=int, default=8182)
    parser.add_argument("--replica-port", type=int)
    parser.add_argument("--rounds", type=int, help="ignored")
    args = parser.parse_args()
    if not 8180 <= args.port <= 8198:
        parser.error("--port: 8180-8198 (the gevent port is the next one)")
    return args


def as_postgres(command, **kwargs):
    """PostgreSQL refuses to run as root: run as the owner of the primary's data."""
    if os.getuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, **kwargs)


def prepare(database):
    """A small committed history (once) and an auditor who may log in."""
    registry = odoo.modules.registry.Registry(database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if not env["res.users"].search([("login", "=", LOGIN)]):
            data = genealogy_data.generate(env, 0.01, log=print)
            print(f"generated {data.counts}")
            env["res.users"].create(
                {
                    "name": "Replica auditor",
                    "login": LOGIN,
                    "password": PASSWORD,
                    "groups_id": [
                        Command.set(
                            [
                                env.ref("med_audit_export.group_med_auditor").id,
                                env.ref("stock.group_stock_user").id,
                            ]
                        )
                    ],
                }
            )
            # a few audited status changes, so the trail has rows to list
            lots = env["stock.lot"].search([], limit=20)
            lots.with_context(med_reason="replica bench")._med_set_state("hold")
            cr.commit()
        cr.execute("SELECT min(id), max(id) FROM stock_lot")
        return cr.fetchone()


class Standby:
    """A hot standby of the primary, streaming from it over the unix socket."""

    def __init__(self, config, port):
        self.primary_host = config["db_host"]
        self.primary_port = str(config["db_port"])
        self.port = str(port)
        self.data = os.path.join(ROOT, ".local", "pg-replica")
        self.socket = self.primary_host.rstrip("/") + "-replica"
        self.log = os.path.join(ROOT, ".local", "pg-replica.log")

    def start(self):
        self.stop()
        shutil.rmtree(self.data, ignore_errors=True)
        for folder in (self.data, self.socket):
            os.makedirs(folder, exist_ok=True)
            if os.getuid() == 0:
                shutil.chown(folder, "postgres")
        os.chmod(self.data, 0o700)
        with open(self.log, "w", encoding="utf-8"):
            pass
        if os.getuid() == 0:
            shutil.chown(self.log, "postgres")
        start = time.perf_counter()
        as_postgres(
            [
                f"{PG_BIN}/pg_basebackup",
                "-h",
                self.primary_host,
                "-p",
                self.primary_port,
                "-U",
                "odoo",
                "-D",
                self.data,
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ]
        )
        print(f"standby: base backup in {time.perf_counter() - start:.1f} s")
        # a hot standby refuses to start with fewer connections than its primary
        primary_connections = self.sql("SHOW max_connections", primary=True)
        options = (
            f"-p {self.port} -k {self.socket} -c listen_addresses='' "
            f"-c max_connections={primary_connections} "
            "-c hot_standby=on -c log_statement=all "
            "-c log_line_prefix='%m [%p] %d %a: '"
        )
        as_postgres(
            [
                f"{PG_BIN}/pg_ctl",
                "-D",
                self.data,
                "-l",
                self.log,
                "-w",
                "-t",
                "120",
                "-o",
                options,
                "start",
            ],
            stdout=subprocess.DEVNULL,
        )

    def stop(self):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            as_postgres(
                [f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

    def sql(self, query, primary=False):
        host, port = (
            (self.primary_host, self.primary_port)
            if primary
            else (self.socket, self.port)
        )
        return subprocess.run(
            [f"{PG_BIN}/psql", "-h", host, "-p", port, "-U", "odoo"]
            + ["-d", "postgres", "-Atc", query],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    def log_size(self):
        return os.path.getsize(self.log)

    def log_since(self, offset):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            f.seek(offset)
            return f.read()


def serve(args, standby, log):
    command = [
        sys.executable,
        os.path.join(odoo.tools.config["root_path"], "..", "odoo-bin"),
        "-c",
        args.config,
        "-d",
        args.database,
        f"--db-filter=^{args.database}$",
        "--http-interface=127.0.0.1",
        f"--http-port={args.port}",
        f"--gevent-port={args.port + 1}",
        "--workers=2",
        "--max-cron-threads=0",
        f"--db_replica_host={standby.socket}",
        f"--db_replica_port={standby.port}",
        f"--logfile={log}",
    ]
    server = subprocess.Popen(command, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the Odoo server stopped; see {log}")
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{args.port}/web/login", timeout=30
            ):
                return server
        except OSError:
            time.sleep(2)
    os.killpg(server.pid, signal.SIGTERM)
    sys.exit(f"the Odoo server did not answer in 300 s; see {log}")


class WebClient:
    def __init__(self, port, database):
        self.url = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.post(
            "/web/session/authenticate",
            {"db": database, "login": LOGIN, "password": PASSWORD},
        )

    def post(self, path, params):
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps({"jsonrpc": "2.0", "params": params}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=300) as response:
            answer = json.load(response)
        if answer.get("error"):
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer["result"]

    def call(self, model, method, args, kwargs=None):
        return self.post(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )


def calls(lot_id):
    listed = {"limit": 80, "order": "id desc"}
    return {
        "audit-trail list (med.audit.entry web_search_read)": (
            "med.audit.entry",
            "web_search_read",
            [[("res_model", "=", "stock.lot")]],
            dict(listed, specification={"timestamp": {}, "res_name": {}}),
            "med_audit_entry",
        ),
        "lot list (stock.lot web_search_read)": (
            "stock.lot",
            "web_search_read",
            [[("name", "ilike", "RM-")]],
            dict(listed, specification={"name": {}, "med_state": {}}),
            "stock_lot",
        ),
        "lot form (stock.lot web_read)": (
            "stock.lot",
            "web_read",
            [[lot_id]],
            {"specification": {"name": {}, "med_state": {}, "expiration_date": {}}},
            "stock_lot",
        ),
        "data dictionary (med.data.dictionary web_search_read)": (
            "med.data.dictionary",
            "web_search_read",
            [[]],
            dict(listed, specification={"name": {}}),
            "med_data_dictionary",
        ),
        "genealogy API (stock.lot med_api_trace)": (
            "stock.lot",
            "med_api_trace",
            [[lot_id], "downstream"],
            {},
            "med_lot_link",
        ),
        "release blockers (stock.lot med_release_blockers)": (
            "stock.lot",
            "med_release_blockers",
            [[lot_id]],
            {},
            "med_lot_link",
        ),
        "shelf life API (stock.lot med_api_shelf_life)": (
            "stock.lot",
            "med_api_shelf_life",
            [[lot_id]],
            {},
            "stock_lot",
        ),
    }


def main():
    args = parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    config = odoo.tools.config
    first_lot, _last = prepare(args.database)
    standby = Standby(config, args.replica_port or int(config["db_port"]) + 1)
    server = None
    try:
        standby.start()
        print(f"standby: in recovery = {standby.sql('SELECT pg_is_in_recovery()')}")
        server = serve(args, standby, os.path.join(ROOT, ".local", "replica-odoo.log"))
        client = WebClient(args.port, args.database)
        on_replica = on_primary = 0
        for name, (model, method, call_args, kwargs, table) in calls(first_lot).items():
            offset = standby.log_size()
            client.call(model, method, call_args, kwargs)
            time.sleep(0.5)  # the log is written by another process
            logged = standby.log_since(offset)
            # a call that writes fails on the standby and Odoo runs it again on
            # the primary
            seen = table in logged and "read-only transaction" not in logged
            on_replica += seen
            on_primary += not seen
            where = "replica" if seen else "primary"
            if table in logged and not seen:
                where = "primary (tried on the replica first: it writes)"
            print(f"{where}: {name}")
        lag = standby.sql(
            "SELECT COALESCE(pg_wal_lsn_diff(pg_last_wal_receive_lsn(),"
            " pg_last_wal_replay_lsn()), 0)"
        )
        bench("replica_calls", on_replica, "calls")
        bench("replica_primary_calls", on_primary, "calls")
        bench("replica_lag_bytes", int(float(lag or 0)), "bytes")
    finally:
        if server and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        standby.stop()
        shutil.rmtree(standby.data, ignore_errors=True)


if __name__ == "__main__":
    main()
