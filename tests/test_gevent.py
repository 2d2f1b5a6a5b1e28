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
    database = config["db_name"]
    log = tmp_path / "gevent.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [
                sys.executable,
                odoo_bin,
                "gevent",
                "-c",
                config.rcfile,
                "-d",
                database,
                f"--db-filter=^{database}$",
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
                    f"http://127.0.0.1:{port}/websocket/health", timeout=30
                )
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(1)
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "pass"}
    finally:
        process.terminate()
        process.wait(timeout=60)
