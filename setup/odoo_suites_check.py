"""Part of setup/odoo_suites.sh: reads the JUnit report of Odoo's tests and fails on a
failure that is neither Odoo's own on this machine (the baseline file) nor a change of
behaviour the suite makes on purpose (the deliberate file: one test id per line, then
" | " and the reason, then " | " and the suite's test proving the behaviour instead).
With --mode baseline it rewrites the baseline file from the report instead.
With --rerun-ids FILE it writes the unexpected failures' pytest node ids to FILE, and
with --rerun-junit REPORT (the report of running those again, alone) a failure that
passed there is printed as flaky and does not fail the step: Odoo's tours and timing
tests fail now and then on a busy machine, while a failure the suite causes fails twice.
"""

import argparse
import pathlib
import sys
import xml.etree.ElementTree as ElementTree


def failures(junit):
    """{test id: first line of the failure}, the number of tests run and
    {test id: pytest node id}."""
    found, total, node_ids = {}, 0, {}
    for case in ElementTree.parse(junit).iter("testcase"):
        total += 1
        test_id = f"{case.get('classname')}::{case.get('name')}"
        class_name = case.get("classname").rsplit(".", 1)[-1]
        node_ids[test_id] = f"{case.get('file')}::{class_name}::{case.get('name')}"
        for tag in ("failure", "error"):
            problem = case.find(tag)
            if problem is not None:
                message = (problem.get("message") or tag).strip().splitlines()
                found[test_id] = message[0][:200] if message else tag
    return found, total, node_ids


def listed(path):
    """The test ids of a list file (comments and blank lines skipped)."""
    ids = {}
    if not path.exists():
        return ids
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            parts = [part.strip() for part in line.split(" | ")]
            ids[parts[0]] = parts[1:]
    return ids


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=("suite", "baseline"), required=True)
    parser.add_argument("--junit", required=True)
    parser.add_argument("--baseline", required=True)
    parser.add_argument("--deliberate", required=True)
    parser.add_argument("--rerun-ids")
    parser.add_argument("--rerun-junit")
    args = parser.parse_args()
    junit = pathlib.Path(args.junit)
    if not junit.exists():
        print(f"ODOO SUITES FAILED: no test report at {junit}")
        return 1
    found, total, node_ids = failures(junit)
    baseline_path = pathlib.Path(args.baseline)
    if args.mode == "baseline":
        header = (
            "# Odoo's own failures on this machine, without the suite installed\n"
            "# (written by setup/odoo_suites.sh baseline; one test id per line).\n"
        )
        baseline_path.write_text(
            header + "".join(f"{test_id}\n" for test_id in sorted(found))
        )
        print(f"ODOO SUITES BASELINE: {total} tests, {len(found)} failures recorded")
        return 0
    baseline = listed(baseline_path)
    deliberate = listed(pathlib.Path(args.deliberate))
    for test_id, reasons in deliberate.items():
        if len(reasons) < 2 or not all(reasons):
            print(f"{args.deliberate}: {test_id} needs a reason and a proving test")
            return 1
    unexpected = {
        test_id: message
        for test_id, message in found.items()
        if test_id not in baseline and test_id not in deliberate
    }
    if args.rerun_junit and pathlib.Path(args.rerun_junit).exists():
        failed_again, __, ran_again = failures(pathlib.Path(args.rerun_junit))
        for test_id in sorted(set(unexpected) & set(ran_again) - set(failed_again)):
            print(f"flaky (failed, then passed alone): {test_id}")
            del unexpected[test_id]
    if args.rerun_ids:
        pathlib.Path(args.rerun_ids).write_text(
            "".join(f"{node_ids[test_id]}\n" for test_id in sorted(unexpected))
        )
    for test_id, message in sorted(unexpected.items()):
        print(f"UNEXPECTED FAILURE {test_id}: {message}")
    stale = sorted(set(deliberate) - set(found))
    for test_id in stale:
        print(f"listed as deliberate but passes now (remove it): {test_id}")
    verdict = "FAILED" if unexpected or stale else "PASSED"
    print(
        f"ODOO SUITES {verdict}: {total} tests, {len(found)} failures: "
        f"{len(found) - len(unexpected)} expected "
        f"({len(set(found) & set(baseline))} Odoo's own, "
        f"{len(set(found) & set(deliberate))} deliberate), {len(unexpected)} unexpected"
    )
    return 1 if unexpected or stale else 0


if __name__ == "__main__":
    sys.exit(main())
