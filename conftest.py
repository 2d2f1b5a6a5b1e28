"""Suite-wide pytest hooks (pytest-odoo runs every test of the project in one session).

Odoo skips a browser tour, instead of failing it, when Chromium or the websocket client is
missing; pytest-odoo does the same for an HttpCase without --odoo-http. A skipped tour would
let a broken UI flow pass unseen, so any skipped HttpCase fails the run.
"""

import pytest

SKIPPED_HTTP_CASES = []


def pytest_runtest_logreport(report):
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


def pytest_terminal_summary(terminalreporter):
    if SKIPPED_HTTP_CASES:
        terminalreporter.section("skipped browser tests (counted as failures)")
        for nodeid in SKIPPED_HTTP_CASES:
            terminalreporter.write_line(nodeid)
