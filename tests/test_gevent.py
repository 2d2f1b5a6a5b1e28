"""Odoo's gevent process (`odoo-bin gevent`: the websocket and longpolling server
that production runs next to the workers) starts from the project's environment and
answers on its port. It once died at start: gevent looks its plugins up through
pkg_resources, which did not find zope.interface under the name pip installed."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

import odoo

START_TIMEOUT = 180  # seconds: a shared 2-core machine starts Odoo slowly


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gevent_process_answers_on_its_port(tmp_path):
    port = _free_port()
    odoo_bin = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
    config = odoo.tools.config
    log = tmp_path / "gevent.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [
                sys.executable,
                odoo_bin,
                "gevent",
                "-c",
                config.rcfile,
                # no database: the answer comes from the server-wide web module, not
                # from a registry that a loaded machine takes minutes to load
                "--db-filter=^$",
                "--http-interface=127.0.0.1",
                f"--gevent-port={port}",
                "--max-cron-threads=0",
                "--log-level=warn",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                response = requests.get(
                    f"http://127.0.0.1:{port}/web/health",
                    params={"db_server_status": 1},
                    timeout=60,
                )
                break
            except (requests.ConnectionError, requests.Timeout):
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(1)
        assert response.status_code == 200, response.text
        # served by gevent, PostgreSQL reached through gevent's psycopg2 wait callback
        assert response.json() == {"status": "pass", "db_server_status": True}
    finally:
        process.terminate()
        process.wait(timeout=60)
