"""Suite-wide pytest hooks (pytest-odoo runs every test of the project in one session).

Odoo skips a browser tour, instead of failing it, when Chromium or the websocket client is
missing; pytest-odoo does the same for an HttpCase without --odoo-http. A skipped tour would
let a broken UI flow pass unseen, so any skipped HttpCase fails the run.

``--med-results=FILE`` writes each test's node id, outcome and duration to FILE (JSON),
with the commit and state of the work tree it ran on: setup/validate.sh builds the
validation package's operational qualification from it.
"""

import hashlib
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

SKIPPED_HTTP_CASES = []
RESULTS = {}
MESSAGE_LIMIT = 500


def pytest_addoption(parser):
    parser.addoption(
        "--med-results",
        metavar="FILE",
        help="write every test's node id, outcome and duration to FILE (JSON)",
    )


def pytest_sessionstart(session):
    session.med_started = datetime.now(UTC).isoformat(timespec="seconds")


def _record(report):
    """One result per test: the worst of its phases, durations summed."""
    result = RESULTS.setdefault(
        report.nodeid,
        {"nodeid": report.nodeid, "outcome": "passed", "duration": 0.0, "message": ""},
    )
    result["duration"] = round(result["duration"] + report.duration, 3)
    outcome = None
    if report.failed:
        outcome = "failed" if report.when == "call" else "error"
    elif report.skipped:
        outcome = "skipped"
    if outcome and result["outcome"] in ("passed", "skipped"):
        result["outcome"] = outcome
        crash = getattr(report.longrepr, "reprcrash", None)
        if outcome == "skipped" and isinstance(report.longrepr, tuple):
            message = report.longrepr[2]
        elif crash is not None:
            message = f"{crash.message.splitlines()[0]} ({crash.path}:{crash.lineno})"
        else:
            message = (report.longreprtext.strip().splitlines() or [""])[-1]
        result["message"] = message[:MESSAGE_LIMIT]


def _git(*args):
    return subprocess.run(
        ["git", *args], capture_output=True, text=True, check=False
    ).stdout


def _write_results(session, path):
    status = _git("status", "--porcelain", "--untracked-files=no")
    payload = {
        "started": session.med_started,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "exitstatus": int(session.exitstatus),
        "args": list(session.config.args),
        "commit": _git("rev-parse", "HEAD").strip(),
        # Changed tracked files: results of a modified tree are not the commit's.
        "tree_changes": hashlib.sha256(status.encode()).hexdigest() if status else "",
        "tests": sorted(RESULTS.values(), key=lambda result: result["nodeid"]),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1), encoding="utf-8")


def pytest_runtest_logreport(report):
    _record(report)
    if report.skipped and report.when in ("setup", "call"):
        if "HttpCase" in getattr(report, "med_case_bases", ()):
            SKIPPED_HTTP_CASES.append(report.nodeid)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    instance = getattr(item, "instance", None)
    if instance is not None:
        report.med_case_bases = tuple(cls.__name__ for cls in type(instance).__mro__)


def pytest_sessionfinish(session, exitstatus):
    if SKIPPED_HTTP_CASES and exitstatus == 0:
        session.exitstatus = 1
    if session.config.getoption("--med-results"):
        _write_results(session, session.config.getoption("--med-results"))


def pytest_terminal_summary(terminalreporter):
    if SKIPPED_HTTP_CASES:
        terminalreporter.section("skipped browser tests (counted as failures)")
        for nodeid in SKIPPED_HTTP_CASES:
            terminalreporter.write_line(nodeid)
