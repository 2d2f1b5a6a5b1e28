import base64
import hashlib
import io
import json
import uuid
import zipfile

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, TransactionCase, new_test_user, tagged

from .common import JsonRpcMixin, MedComplianceCommon, RacingTransaction

PACKAGE = "2026-12-07-abcdef1234"


def package_files(failed=1, iq=b"{}"):
    """The files of a small validation package, as setup/validate.sh writes them."""
    oq = {
        "run": {"commit": "abcdef1234", "tree_changes": ""},
        "totals": {"passed": 3, "failed": failed, "error": 0, "skipped": 0},
        "tests": [],
    }
    rtm = [
        {"requirement": "ISO-01", "risk": "high", "result": "met"},
        {"requirement": "ISO-02", "risk": "high", "result": "not met"},
        {"requirement": "P11-09", "risk": "low", "result": "not met"},
    ]
    deviations = [
        {
            "kind": "test failed",
            "reference": "tests/test_x.py::test_y",
            "requirements": ["ISO-02"],
            "risk": "",
            "detail": "AssertionError",
        }
    ]
    files = {
        "iq.json": iq,
        "oq.json": json.dumps(oq).encode(),
        "rtm.json": json.dumps(rtm).encode(),
        "rtm.csv": b"Regulation,Clause\n",
        "rtm.xlsx": b"xlsx bytes",
        "deviations.json": json.dumps(deviations).encode(),
        "summary.pdf": b"%PDF-1.4 summary",
    }
    manifest = {
        "package": PACKAGE,
        "generated": "2026-12-07T08:00:00+00:00",
        "database": "med_demo",
        "files": {name: hashlib.sha256(d).hexdigest() for name, d in files.items()},
    }
    files["manifest.json"] = json.dumps(manifest).encode()
    return files


def zipped(files, folder=PACKAGE):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"{folder}/{name}", data)
    return buffer.getvalue()


@tagged("post_install", "-at_install")
class TestValidationRun(MedComplianceCommon):
    @classmethod
    def default_env_context(cls):
        return {}  # the audit trail is under test: tracking on

    def _import(self, content, user=None):
        Wizard = self.env["med.validation.import"].with_user(user or self.qa_manager)
        wizard = Form(Wizard)
        wizard.package_file = base64.b64encode(content)
        action = wizard.save().action_import()
        return self.env["med.validation.run"].browse(action["res_id"])

    def _runs(self):
        return self.env["med.validation.run"].search_count([])

    def test_import_keeps_the_files_with_their_sha256_and_the_summary(self):
        files = package_files()
        run = self._import(zipped(files))
        self.assertEqual(run.name, PACKAGE)
        self.assertEqual(run.state, "imported")
        self.assertEqual(run.user_id, self.qa_manager)
        self.assertEqual((run.test_passed, run.test_failed), (3, 1))
        self.assertEqual((run.requirement_met, run.requirement_not_met), (1, 2))
        self.assertEqual(run.high_risk_not_met, 1)
        self.assertEqual(run.deviation_count, 1)
        self.assertIn("tests/test_x.py::test_y", run.deviation_note)
        self.assertEqual(sorted(run.file_ids.mapped("name")), sorted(files))
        for file in run.file_ids:
            self.assertEqual(file.sha256, hashlib.sha256(files[file.name]).hexdigest())
            self.assertEqual(base64.b64decode(file.datas), files[file.name])
            self.assertTrue(file._med_intact())
        entries = self.env["med.audit.entry"].search(
            [("res_model", "=", "med.validation.run"), ("res_id", "=", run.id)]
        )
        self.assertIn(PACKAGE, entries.mapped("new_value"))

    def test_tampered_file_refused_and_nothing_recorded(self):
        files = package_files()
        files["oq.json"] = files["oq.json"].replace(b'"failed": 1', b'"failed": 0')
        before = self._runs()
        with self.assertRaisesRegex(UserError, "oq.json does not match its SHA-256"):
            self._import(zipped(files))
        self.assertEqual(self._runs(), before)

    def test_missing_and_unlisted_files_refused(self):
        files = package_files()
        del files["rtm.csv"]
        files["notes.txt"] = b"added later"
        with self.assertRaisesRegex(UserError, "rtm.csv is missing") as refusal:
            self._import(zipped(files))
        self.assertIn("notes.txt is not in the manifest", str(refusal.exception))
        with self.assertRaisesRegex(UserError, "has no manifest.json"):
            self._import(zipped({"oq.json": b"{}"}))
        with self.assertRaisesRegex(UserError, "not a zip archive"):
            self._import(b"plain text")

    def test_same_package_imported_once(self):
        self._import(zipped(package_files()))
        with self.assertRaisesRegex(UserError, "was imported already"):
            self._import(zipped(package_files()))

    def test_qa_manager_approves_with_signature_and_audit(self):
        run = self._import(zipped(package_files()))
        action = run.with_user(self.qa_manager).action_approve()
        with self.assertRaisesRegex(UserError, "reason for accepting them"):
            self._sign(action, self.qa_manager, comment="")
        self.assertEqual(run.state, "imported")
        self._sign(run.with_user(self.qa_manager).action_approve(), self.qa_manager)
        self.assertEqual(run.state, "approved")
        self.assertEqual(run.approved_by_id, self.qa_manager)
        signature = run.med_signature_ids
        self.assertEqual(signature.meaning, "approval")
        self.assertEqual(signature.signer_id, self.qa_manager)
        entries = self.env["med.audit.entry"].search(
            [("res_model", "=", "med.validation.run"), ("res_id", "=", run.id)]
        )
        self.assertIn("sign", entries.mapped("operation"))
        self.assertIn("state", entries.mapped("field_name"))
        with self.assertRaisesRegex(UserError, "approved already"):
            self._sign(run.with_user(self.qa_manager).action_approve(), self.qa_manager)

    def test_auditor_neither_imports_nor_approves(self):
        with self.assertRaises(AccessError):
            self._import(zipped(package_files()), user=self.auditor)
        run = self._import(zipped(package_files()))
        with self.assertRaisesRegex(UserError, "QA Manager"):
            run.with_user(self.auditor).action_approve()
        self.assertEqual(run.state, "imported")

    def test_approval_refused_when_a_stored_file_changed(self):
        run = self._import(zipped(package_files()))
        summary = run.file_ids.filtered(lambda f: f.name == "summary.pdf")
        summary._med_protected_write().write({"datas": base64.b64encode(b"forged")})
        action = run.with_user(self.qa_manager).action_approve()
        with self.assertRaisesRegex(UserError, "summary.pdf no longer match"):
            self._sign(action, self.qa_manager)
        self.assertEqual(run.state, "imported")

    def test_run_and_files_cannot_be_created_edited_or_deleted(self):
        run = self._import(zipped(package_files()))
        admin = self.compliance_admin
        with self.assertRaisesRegex(UserError, "created by importing"):
            self.env["med.validation.run"].sudo().create({"name": "forged"})
        for records, vals in (
            (run, {"test_failed": 0}),
            (run, {"state": "approved"}),
            (run.file_ids[:1], {"sha256": "0" * 64}),
        ):
            with self.assertRaises(UserError):
                records.with_user(admin).sudo().write(vals)
            with self.assertRaises(UserError):
                records.with_user(admin).sudo().unlink()
        self.assertEqual((run.state, run.test_failed), ("imported", 1))


@tagged("post_install", "-at_install")
class TestValidationRunOverRpc(JsonRpcMixin, HttpCase):
    """Neither the QA manager nor the administrator alters a run over JSON-RPC."""

    def test_run_not_changed_over_rpc(self):
        new_test_user(
            self.env,
            login="med_val_qa",
            groups="med_audit_export.group_med_qa_manager",
        )
        run = self.env["med.validation.run"]._med_import_package(
            zipped(package_files())
        )
        for login, password in (("med_val_qa", "med_val_qa"), ("admin", "admin")):
            self.authenticate(login, password)
            for method, args in (
                ("write", [run.ids, {"state": "approved", "test_failed": 0}]),
                ("unlink", [run.ids]),
                ("create", [{"name": "forged"}]),
                ("_med_do_approve", [run.ids]),
            ):
                answer = self._call("med.validation.run", method, args)
                self.assertIn("error", answer, f"{login} {method}")
            answer = self._call(
                "med.validation.run",
                "write",
                [run.ids, {"state": "approved"}],
                {"context": {"med_protected_write": True}},
            )
            self.assertIn("error", answer)
        run.invalidate_recordset()
        self.assertEqual((run.state, run.test_failed), ("imported", 1))


@tagged("post_install", "-at_install")
class TestValidationImportRace(TransactionCase):
    """Two imports of one package at the same moment, in two committed transactions
    (two users, two servers; ``RacingTransaction``): the package is recorded once."""

    def test_concurrent_imports_record_the_package_once(self):
        # Unique data: the runs are committed into the shared test database.
        iq = json.dumps({"race": str(uuid.uuid4())}).encode()
        files = package_files(iq=iq)
        content = zipped(files)

        def importing(env):
            env["med.validation.run"]._med_import_package(content)

        # both snapshots taken before either imports: neither sees the other's run
        imports = [
            RacingTransaction(
                self.registry, SUPERUSER_ID, importing, retry=False
            ).hold_after_snapshot()
            for _import in range(2)
        ]
        errors = [imported.finish().error for imported in imports]
        self.assertEqual(errors.count(None), 1, errors)
        self.assertIsInstance(
            [error for error in errors if error][0],
            (psycopg2.errors.UniqueViolation, psycopg2.errors.SerializationFailure),
        )
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            digest = hashlib.sha256(files["manifest.json"]).hexdigest()
            runs = env["med.validation.run"].search_count(
                [("manifest_sha256", "=", digest)]
            )
        self.assertEqual(runs, 1)
