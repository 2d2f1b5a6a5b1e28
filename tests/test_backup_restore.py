"""setup/backup.sh and setup/restore.sh, round trip (EU GMP Annex 11 §7.2).

The test database is backed up as it is committed, restored into a new database and
verified; an archive changed after it was taken is refused, and one changed
consistently (its checksums recomputed) fails the verification of its evidence files.
"""

import hashlib
import io
import json
import os
import pathlib
import shutil
import subprocess
import tarfile
import tempfile
import uuid

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import TransactionCase, tagged
from odoo.tools import config

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(*args):
    return subprocess.run(
        [str(arg) for arg in args],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@tagged("post_install", "-at_install")
class TestBackupRestore(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.folder = pathlib.Path(tempfile.mkdtemp(prefix="med-backup-"))
        cls.addClassCleanup(shutil.rmtree, cls.folder, ignore_errors=True)
        # an evidence file in the filestore, committed so that the backup holds it
        with Registry(cls.env.cr.dbname).cursor() as cr:
            Export = api.Environment(cr, SUPERUSER_ID, {})["med.audit.export"]
            export = Export._med_record_export(
                "Backup check", "csv", b"lot;status\r\nA-1;released\r\n", "-", 1
            )
            cls.export_name = export.name
            cls.export_file = export.attachment_id.store_fname
        result = run(ROOT / "setup/backup.sh", cls.env.cr.dbname, cls.folder)
        assert result.returncode == 0, result.stderr
        cls.archive = pathlib.Path(result.stdout.strip().splitlines()[-1])

    def _new_database(self):
        name = f"med_restore_{uuid.uuid4().hex[:8]}"
        self.addCleanup(self._drop, name)
        return name

    def _psql(self, database, query):
        """A query's rows as psql prints them: from another connection, outside the
        test's transaction and without loading that database's registry here."""
        return subprocess.run(
            ["psql", "-d", database, "-Atc", query],
            env=self._pg_env(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def _drop(self, name):
        subprocess.run(
            ["psql", "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{name}"'],
            env=self._pg_env(),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(pathlib.Path(config.filestore(name)), ignore_errors=True)

    @staticmethod
    def _pg_env():
        return dict(
            os.environ,
            PGHOST=config["db_host"] or "",
            PGPORT=str(config["db_port"] or 5432),
            PGUSER=config["db_user"] or "",
        )

    def test_backup_restores_and_verifies(self):
        self.assertTrue(self.archive.is_file())
        self.assertTrue(pathlib.Path(f"{self.archive}.sha256").is_file())
        database = self._new_database()
        result = run(ROOT / "setup/restore.sh", self.archive, database)
        lines = result.stdout.strip().splitlines()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertTrue(lines[-1].startswith("RESTORE VERIFIED"), lines[-1])
        report = "\n".join(lines)
        for check in ("Audit Trail Entry", "Electronic Signature", "filestore"):
            self.assertIn(check, report)
        self.assertEqual(
            self._psql(
                database,
                "SELECT passed, archive FROM med_restore_check"
                " ORDER BY id DESC LIMIT 1",
            ),
            f"t|{self.archive}",
        )
        self.assertEqual(
            self._psql(
                self.env.cr.dbname,
                "SELECT passed FROM med_restore_check"
                f" WHERE restored_database = '{database}'",
            ),
            "t",
            "recorded where it was taken",
        )

    def test_altered_archive_refused(self):
        altered = self.folder / "altered.tar"
        content = bytearray(self.archive.read_bytes())
        content[len(content) // 2] ^= 0xFF
        altered.write_bytes(bytes(content))
        shutil.copy(f"{self.archive}.sha256", f"{altered}.sha256")
        database = self._new_database()
        result = run(ROOT / "setup/restore.sh", altered, database)
        self.assertNotEqual(result.returncode, 0)
        self.assertTrue(
            result.stdout.strip().splitlines()[-1].startswith("RESTORE REFUSED")
        )
        listed = subprocess.run(
            ["psql", "-d", "postgres", "-Atc", "SELECT datname FROM pg_database"],
            env=self._pg_env(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        self.assertNotIn(database, listed, "nothing restored")

    def test_consistently_altered_evidence_fails_verification(self):
        """Someone changes an evidence file and recomputes every checksum of the
        archive: the restore checks the file against its export's SHA-256."""
        store_fname = self.export_file
        altered = self.folder / "consistent.tar"
        with tarfile.open(self.archive) as source:
            members = {m.name: source.extractfile(m).read() for m in source}
        filestore = io.BytesIO()
        with (
            tarfile.open(fileobj=io.BytesIO(members["filestore.tar.gz"])) as old,
            tarfile.open(fileobj=filestore, mode="w:gz") as new,
        ):
            for member in old:
                data = old.extractfile(member).read() if member.isfile() else None
                if member.name.lstrip("./") == store_fname:
                    data = data + b"\n"
                    member.size = len(data)
                new.addfile(member, io.BytesIO(data) if data is not None else None)
        members["filestore.tar.gz"] = filestore.getvalue()
        manifest = json.loads(members["manifest.json"])
        manifest["sha256"]["filestore.tar.gz"] = hashlib.sha256(
            members["filestore.tar.gz"]
        ).hexdigest()
        members["manifest.json"] = json.dumps(manifest).encode()
        with tarfile.open(altered, "w") as target:
            for name in ("manifest.json", "database.dump", "filestore.tar.gz"):
                info = tarfile.TarInfo(name)
                info.size = len(members[name])
                target.addfile(info, io.BytesIO(members[name]))
        digest = hashlib.sha256(altered.read_bytes()).hexdigest()
        pathlib.Path(f"{altered}.sha256").write_text(f"{digest}  {altered.name}\n")
        database = self._new_database()
        result = run(ROOT / "setup/restore.sh", altered, database)
        lines = result.stdout.strip().splitlines()
        self.assertNotEqual(result.returncode, 0)
        self.assertTrue(lines[-1].startswith("RESTORE FAILED"), lines[-1])
        self.assertIn(self.export_name, result.stdout)
