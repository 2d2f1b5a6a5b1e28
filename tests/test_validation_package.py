"""setup/validate.sh's package, built from a real (small) pytest run: a failing test
makes its requirement "not met" in the traceability matrix, the deviations and the
summary, and Odoo imports the package it wrote."""

import csv
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.med_audit_export.tests.common import MedComplianceCommon

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location(
    "validation_package", ROOT / "setup" / "validation_package.py"
)
validation_package = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(validation_package)

SAMPLE_TESTS = """
def test_release_needs_a_signature():
    assert True


def test_expired_lot_is_blocked():
    assert 1 + 1 == 3, "the gate let an expired lot through"
"""


def sample_requirements():
    """A requirements file of three requirements, in docs/requirements.json's shape."""
    section = {
        "heading": "Sample",
        "level": 2,
        "regulation": "Sample regulation",
        "prefix": "SMP",
        "columns": ["Clause", "Requires", "Feature", "Tests", "Export", "Status"],
        "requirements": [
            {
                "id": "SMP-01",
                "clause": "1.1 Release",
                "text": "A lot is released with a signature",
                "feature": "Signed release",
                "tests": ["test_sample.py::test_release_needs_a_signature"],
                "evidence": "—",
                "status": "Covered",
                "risk": "high",
            },
            {
                "id": "SMP-02",
                "clause": "1.2 Expiry",
                "text": "An expired lot is not shipped",
                "feature": "Expiry gate",
                "tests": ["test_sample.py::test_expired_lot_is_blocked"],
                "evidence": "—",
                "status": "Covered",
                "risk": "high",
            },
            {
                "id": "SMP-03",
                "clause": "1.3 Training",
                "text": "Users are trained",
                "feature": "—",
                "tests": [],
                "evidence": "—",
                "status": "Not covered (procedural)",
                "risk": "low",
            },
        ],
    }
    return {"intro": "", "sections": [section], "summary_intro": "", "gaps": ""}


@tagged("post_install", "-at_install")
class TestValidationPackage(MedComplianceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.work = Path(cls.enterClassContext(tempfile.TemporaryDirectory()))
        (cls.work / "test_sample.py").write_text(SAMPLE_TESTS)
        cls.requirements = cls.work / "requirements.json"
        cls.requirements.write_text(json.dumps(sample_requirements()))
        # A real pytest run, recorded by the suite's own hook (conftest.py).
        cls.results_path = cls.work / "results.json"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:odoo",
                "-p",
                "conftest",
                f"--med-results={cls.results_path}",
                str(cls.work / "test_sample.py"),
            ],
            cwd=cls.work,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            check=False,
            timeout=120,
        )
        cls.results = json.loads(cls.results_path.read_text())
        cls.folder = cls.work / "validation" / "2026-12-07-first"
        validation_package.write_package(
            cls.folder, cls.env, cls.results, cls.requirements
        )

    def _rtm(self, folder=None):
        with open((folder or self.folder) / "rtm.csv", encoding="utf-8") as file:
            return {row["Requirement ID"]: row for row in csv.DictReader(file)}

    def test_results_of_the_real_run(self):
        outcomes = {t["nodeid"]: t["outcome"] for t in self.results["tests"]}
        self.assertEqual(
            outcomes,
            {
                "test_sample.py::test_release_needs_a_signature": "passed",
                "test_sample.py::test_expired_lot_is_blocked": "failed",
            },
        )
        oq = json.loads((self.folder / "oq.json").read_text())
        failed = next(t for t in oq["tests"] if t["outcome"] == "failed")
        self.assertEqual(failed["requirements"], ["SMP-02"])
        self.assertIn("expired lot", failed["message"])
        self.assertGreaterEqual(failed["duration"], 0)

    def test_failing_test_makes_its_requirement_not_met(self):
        rtm = self._rtm()
        self.assertEqual(rtm["SMP-01"]["Result"], "met")
        self.assertEqual(rtm["SMP-02"]["Result"], "not met")
        self.assertIn("failed", rtm["SMP-02"]["Reason"])
        self.assertEqual(rtm["SMP-03"]["Result"], "not met")  # no test at all
        self.assertEqual(rtm["SMP-02"]["Clause"], "1.2 Expiry")
        sheet = openpyxl.load_workbook(self.folder / "rtm.xlsx").active
        rows = {row[2]: row for row in sheet.iter_rows(values_only=True)}
        self.assertEqual(rows["SMP-02"][7], "not met")
        self.assertIn("test_expired_lot_is_blocked [failed]", rows["SMP-02"][6])
        deviations = json.loads((self.folder / "deviations.json").read_text())
        self.assertEqual(
            {(d["kind"], d["reference"]) for d in deviations},
            {
                ("test failed", "test_sample.py::test_expired_lot_is_blocked"),
                ("requirement not met", "SMP-02"),
                ("requirement not met", "SMP-03"),
            },
        )
        summary = self._pdf_text((self.folder / "summary.pdf").read_bytes())
        self.assertIn("test_sample.py::test_expired_lot_is_blocked", summary)
        self.assertIn("验证总结报告", summary)
        self.assertRegex(summary, r"Page 1 of \d")
        # high: 2 requirements, 1 met, 0 partially met, 1 not met, 0 not applicable
        self.assertRegex(summary, r"high\s+2\s+1\s+0\s+1\s+0")

    def test_package_files_match_the_manifest_and_iq(self):
        manifest = json.loads((self.folder / "manifest.json").read_text())
        names = {path.name for path in self.folder.iterdir()} - {"manifest.json"}
        self.assertEqual(set(manifest["files"]), names)
        for name, digest in manifest["files"].items():
            self.assertEqual(
                validation_package.sha256_file(self.folder / name), digest, name
            )
        iq = json.loads((self.folder / "iq.json").read_text())
        self.assertIn("med_audit_export", iq["addons"])
        self.assertEqual(len(iq["addons"]["med_audit_export"]["sha256"]), 64)
        self.assertIn("odoo-addon-report_xlsx", iq["oca_addons"])
        self.assertTrue(iq["postgresql"])
        company = iq["configuration"]["companies"][self.env.company.name]
        self.assertIn("med_gate_mode", company)
        self.assertTrue(iq["configuration"]["audit_rules"])

    def test_odoo_imports_the_package_and_refuses_it_tampered(self):
        content = (self.work / "validation" / "2026-12-07-first.zip").read_bytes()
        Run = self.env["med.validation.run"].with_user(self.qa_manager)
        run = Run._med_import_package(content)
        self.assertEqual((run.test_passed, run.test_failed), (1, 1))
        self.assertEqual(run.requirement_not_met, 2)
        self.assertEqual(len(run.file_ids), len(list(self.folder.iterdir())))
        csv_path = self.folder / "rtm.csv"
        original = csv_path.read_bytes()
        try:
            csv_path.write_bytes(original.replace(b"not met", b"met"))
            tampered = self.work / "tampered"
            validation_package.shutil.make_archive(
                str(tampered), "zip", self.folder.parent, self.folder.name
            )
            with self.assertRaisesRegex(UserError, "rtm.csv does not match"):
                Run._med_import_package((self.work / "tampered.zip").read_bytes())
        finally:
            csv_path.write_bytes(original)

    def test_diff_against_the_previous_package(self):
        fixed = json.loads(json.dumps(self.results))
        for test in fixed["tests"]:
            test["outcome"] = "passed"
        second = self.work / "validation" / "2026-12-08-second"
        validation_package.write_package(
            second, self.env, fixed, self.requirements, previous=self.folder
        )
        diff = json.loads((second / "diff.json").read_text())
        self.assertEqual(diff["previous"], "2026-12-07-first")
        self.assertEqual(
            diff["test_results"],
            [
                {
                    "test": "test_sample.py::test_expired_lot_is_blocked",
                    "before": "failed",
                    "after": "passed",
                }
            ],
        )
        self.assertEqual(
            diff["requirement_results"],
            [{"requirement": "SMP-02", "before": "not met", "after": "met"}],
        )
        self.assertEqual(self._rtm(second)["SMP-02"]["Result"], "met")
