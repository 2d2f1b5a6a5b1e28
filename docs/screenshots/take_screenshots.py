#!/usr/bin/env python3
"""Screenshots of the key screens of the demo database, taken from a running Odoo.

    .venv/bin/python docs/screenshots/take_screenshots.py \
        --url http://localhost:8069 --db med_demo [--login admin --password admin]

Logs in through /web/session/authenticate (as the administrator, and as the demo QA
manager and auditor for the screens of their roles: password = login), then drives
headless Chromium through the DevTools protocol (with websocket-client, which Odoo's
browser tours need too) and saves 1280x800 PNGs next to this script. Needs the demo
data of the suite (med_capa installed with demo data).
"""

import argparse
import base64
import io
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import websocket
from PIL import Image

WIDTH, HEIGHT = 1280, 800
MAX_BYTES = 300 * 1024
HERE = Path(__file__).resolve().parent


class Odoo:
    """A JSON-RPC session of one user."""

    def __init__(self, url, db, login, password):
        self.url = url.rstrip("/")
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar)
        )
        result = self._call(
            "/web/session/authenticate",
            {"db": db, "login": login, "password": password},
        )
        if not result.get("uid"):
            sys.exit(f"login {login} refused on {db}")
        self.session_id = next(c.value for c in self.jar if c.name == "session_id")

    def _call(self, path, params):
        payload = {"jsonrpc": "2.0", "method": "call", "params": params}
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=60) as response:
            answer = json.load(response)
        if answer.get("error"):
            sys.exit(f"{path}: {answer['error']['data']['message']}")
        return answer["result"]

    def ref(self, xmlid):
        """The id of the record with this XML id."""
        module, name = xmlid.split(".")
        rows = self._call(
            "/web/dataset/call_kw",
            {
                "model": "ir.model.data",
                "method": "search_read",
                "args": [[("module", "=", module), ("name", "=", name)], ["res_id"]],
                "kwargs": {"limit": 1},
            },
        )
        if not rows:
            sys.exit(f"{xmlid} not found: is the demo data loaded?")
        return rows[0]["res_id"]


class Chromium:
    """Headless Chromium driven through the DevTools protocol."""

    def __init__(self):
        binary = next(
            filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None
        )
        if not binary:
            sys.exit("chromium not found")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.profile = tempfile.TemporaryDirectory()
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--remote-allow-origins=*",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile.name}",
                f"--window-size={WIDTH},{HEIGHT}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        page = self._first_page(port)
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], suppress_origin=True, timeout=120
        )
        self.next_id = 0
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.send("Network.enable")

    @staticmethod
    def _first_page(port):
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/json/list", timeout=5
                ) as response:
                    pages = [t for t in json.load(response) if t["type"] == "page"]
                if pages:
                    return pages[0]
            except OSError:
                pass
            if time.time() > deadline:
                sys.exit("chromium did not start")
            time.sleep(0.3)

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate",
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, selector, timeout=60):
        """Wait until ``selector`` matches a visible element and Odoo is idle."""
        check = (
            f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
            " return !!(el && el.offsetParent !== null)"
            " && !document.querySelector('.o_loading_indicator, .o_blockUI'); })()"
        )
        deadline = time.time() + timeout
        while not self.evaluate(check):
            if time.time() > deadline:
                raise RuntimeError(f"timeout waiting for {selector}")
            time.sleep(0.3)
        time.sleep(1.0)  # let animations and late renders settle

    def click(self, selector):
        self.wait(selector)
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def unfold_node(self, text):
        """Click the unfold button of the hierarchy card that shows ``text``."""
        finder = (
            "[...document.querySelectorAll('.o_hierarchy_node_container')]"
            f".find(card => card.textContent.includes({json.dumps(text)}))"
        )
        deadline = time.time() + 60
        while not self.evaluate(f"!!{finder}"):
            if time.time() > deadline:
                raise RuntimeError(f"no hierarchy card {text}")
            time.sleep(0.3)
        self.evaluate(f"{finder}.querySelector('.o_hierarchy_node_button').click()")
        time.sleep(1.5)

    def login(self, odoo):
        self.send("Network.clearBrowserCookies")
        self.send(
            "Network.setCookie",
            name="session_id",
            value=odoo.session_id,
            url=odoo.url,
            path="/",
        )

    def goto(self, url, selector):
        self.send("Page.navigate", url=url)
        self.wait(selector)

    def save(self, path):
        # Notifications (e.g. "the page is out of date" after an update) would hide
        # part of the screen: they are not what the picture is about.
        self.evaluate(
            "document.querySelectorAll('.o_notification').forEach(n => n.remove())"
        )
        shot = self.send("Page.captureScreenshot", format="png")
        data = base64.b64decode(shot["data"])
        if len(data) > MAX_BYTES:
            # a palette PNG is a third of the size and still sharp for UI text
            image = Image.open(io.BytesIO(data)).convert("RGB").quantize(colors=256)
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
            data = buffer.getvalue()
        path.write_bytes(data)
        print(f"{path.name}: {len(data) // 1024} KB")

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=30)
        self.profile.cleanup()


def take(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    admin = Odoo(args.url, args.db, args.login, args.password)
    qa_manager = Odoo(args.url, args.db, "qa_manager", "qa_manager")
    auditor = Odoo(args.url, args.db, "auditor", "auditor")
    base = admin.url
    lot_url = f"{base}/odoo/action-stock.action_production_lot_form/%s"
    syringe = admin.ref("med_capa.demo_lot_syringe_1")
    waiting = admin.ref("med_capa.demo_lot_syringe_3")
    barrel = admin.ref("med_capa.demo_lot_barrel_a")
    capa = admin.ref("med_capa.demo_lot_barrel_b")
    browser = Chromium()
    try:
        browser.login(admin)
        # 1. A released lot: status, UDI, genealogy smart buttons, signatures.
        # The lot's own smart buttons sit in the button box's "More" menu.
        browser.goto(lot_url % syringe, ".o_form_view .o_statusbar_status")
        browser.click(".o-form-buttonbox button.o_button_more")
        browser.wait(".o_dropdown_more button[name=action_med_genealogy]")
        browser.save(out / "lot_form.png")
        # 2. The upstream genealogy tree of that lot (two levels).
        browser.click(".o_dropdown_more button[name=action_med_genealogy]")
        browser.wait(".o_list_view .o_data_row")
        browser.save(out / "genealogy_list.png")
        browser.click(".o_switch_view.o_hierarchy")
        # the view opens on the lot and its components; unfold the plunger
        # assembly too: its own components are the second level
        browser.wait(".o_hierarchy_node button.o_hierarchy_node_button")
        browser.unfold_node("PA-2601")
        browser.evaluate(
            "document.querySelectorAll('.o_content, .o_hierarchy_renderer')"
            ".forEach(el => el.scrollTo(0, 0))"
        )
        browser.save(out / "genealogy_tree.png")
        # 3. Recall simulation from a component lot: customers reached.
        browser.goto(lot_url % barrel, ".o_form_view .o_statusbar_status")
        browser.evaluate(
            "odoo.__WOWL_DEBUG__.root.env.services.action.doAction("
            "'med_lot_trace.med_lot_recall_simulate_action', {additionalContext: "
            f"{{active_ids: [{barrel}], active_model: 'stock.lot'}}}})"
        )
        browser.click(".modal button[name=action_simulate]")
        browser.wait(".modal .o_notebook .o_data_row")
        browser.save(out / "recall_simulation.png")
        # 4. Supplier certificates, with the expired and expiring ones.
        browser.goto(
            f"{base}/odoo/action-med_supplier_qual.med_supplier_certificate_action",
            ".o_list_view .o_data_row",
        )
        browser.save(out / "supplier_certificates.png")
        # 5. The CAPA opened by the failed receiving inspection.
        capa_id = admin._call(
            "/web/dataset/call_kw",
            {
                "model": "med.capa",
                "method": "search",
                "args": [[("lot_ids", "in", [capa])]],
                "kwargs": {"limit": 1},
            },
        )[0]
        browser.goto(
            f"{base}/odoo/action-med_capa.med_capa_action_window/{capa_id}",
            ".o_form_view .o_statusbar_status",
        )
        browser.save(out / "capa_form.png")
        # 6. The audit trail of the held barrel lot: received, inspected, held.
        browser.goto(
            f"{base}/odoo/action-med_audit_export.med_audit_entry_action",
            ".o_list_view .o_data_row",
        )
        browser.evaluate(
            "odoo.__WOWL_DEBUG__.root.env.services.action.doAction("
            "'med_audit_export.med_audit_entry_action', {additionalContext: "
            "{search_default_res_name: 'SZ-BRL-2502'}})"
        )
        browser.wait(".o_searchview_facet")
        browser.wait(".o_list_view .o_data_row")
        browser.save(out / "audit_trail.png")
        # 7. The QA manager releases the quarantined lot: the signature dialog
        # (in Chinese, the demo users' language).
        browser.login(qa_manager)
        browser.goto(lot_url % waiting, ".o_form_view .o_statusbar_status")
        browser.click(".o_form_view button[name=action_med_release]")
        browser.wait(".modal .o_field_widget[name=password] input")
        browser.save(out / "release_signature.png")
        # 8. The auditor's menu: read-only evidence, in Chinese.
        browser.login(auditor)
        browser.goto(
            f"{base}/odoo/action-med_audit_export.med_audit_entry_action",
            ".o_list_view .o_data_row",
        )
        browser.click(".o_menu_sections button.dropdown-toggle")
        browser.wait(".o-dropdown--menu .dropdown-item")
        browser.save(out / "auditor_menu.png")
    finally:
        browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="med_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", default=str(HERE))
    take(parser.parse_args())


if __name__ == "__main__":
    main()
