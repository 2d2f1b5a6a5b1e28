"""The verification half of setup/restore.sh: checks a restored database and prints the
restore report, whose last line is the verdict; exits 1 when anything does not verify.

Checked: the archive members against the manifest's SHA-256, the hash chains of the
audit trail and of the signatures, every evidence export's file against the SHA-256
recorded when it was made, and every stored file against its checksum. The verdict is
recorded in the restored database and in the database the archive was taken from when
that one is on this server (Auditor menu, Restore Checks).
"""

import argparse
import hashlib
import json
import pathlib
import sys

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

BLOCK = 1 << 20


def sha(path, algorithm):
    digest = hashlib.new(algorithm)
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def check_manifest(work, manifest, report):
    for name, want in manifest["sha256"].items():
        have = sha(work / name, "sha256")
        ok = have == want
        report.append((ok, f"archive member {name}: SHA-256 {have}"))


def check_chains(env, report):
    for model in ("med.audit.entry", "med.signature"):
        Chain = env[model]
        result = Chain._med_verify()
        broken, problems = result["broken"], result["problems"]
        report.append(
            (
                not broken and not problems,
                f"{Chain._description}: {result['count']} rows read, "
                f"{len(broken)} broken"
                + (f" (ids {', '.join(map(str, broken[:20]))})" if broken else "")
                + "".join(f"; {problem}" for problem in problems),
            )
        )


def check_exports(env, report):
    exports = env["med.audit.export"].search(
        [("state", "=", "done"), ("attachment_id", "!=", False)]
    )
    altered = [
        export.name
        for export in exports
        if hashlib.sha256(export.attachment_id.raw or b"").hexdigest()
        != export.file_sha256
    ]
    report.append(
        (
            not altered,
            f"evidence exports: {len(exports)} files checked against their SHA-256"
            + (f", altered: {', '.join(altered)}" if altered else ""),
        )
    )


def check_filestore(env, report):
    Attachment = env["ir.attachment"]
    env.cr.execute(
        "SELECT id, store_fname, checksum FROM ir_attachment"
        " WHERE store_fname IS NOT NULL AND type = 'binary'"
    )
    missing, altered, count = [], [], 0
    for attachment_id, store_fname, checksum in env.cr.fetchall():
        count += 1
        path = pathlib.Path(Attachment._full_path(store_fname))
        if not path.is_file():
            missing.append(attachment_id)
        elif sha(path, "sha1") != checksum:
            altered.append(attachment_id)
    detail = ""
    if missing:
        detail += f", missing: attachments {missing[:20]}"
    if altered:
        detail += f", altered: attachments {altered[:20]}"
    report.append(
        (not missing and not altered, f"filestore: {count} files checked{detail}")
    )


def record(database, values):
    """Record the check in ``database`` if it has the suite; a database that does not
    is left alone (an archive of another system)."""
    registry = Registry(database)
    if "med.restore.check" not in registry:
        return False
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["med.restore.check"]._med_record(values)
    return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--archive", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    manifest = json.loads(pathlib.Path(args.manifest).read_text())
    report = []
    check_manifest(pathlib.Path(args.work), manifest, report)
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if "med.audit.entry" in env:
            check_chains(env, report)
            check_exports(env, report)
        check_filestore(env, report)
    failed = [line for ok, line in report if not ok]
    print(f"restore report: {args.archive} into {args.database}")
    print(f"taken from {manifest['database']} at {manifest['taken_utc']} UTC")
    for ok, line in report:
        print(f"  [{'ok' if ok else 'FAILED'}] {line}")
    verdict = (
        f"RESTORE FAILED: {len(failed)} of {len(report)} checks did not verify"
        if failed
        else f"RESTORE VERIFIED: {len(report)} checks passed"
    )
    values = {
        "archive": args.archive,
        "source_database": manifest["database"],
        "restored_database": args.database,
        "passed": not failed,
        "report": "\n".join(
            f"[{'ok' if ok else 'FAILED'}] {line}" for ok, line in report
        )
        + f"\n{verdict}",
    }
    record(args.database, values)
    source = manifest["database"]
    if source != args.database and source in odoo.service.db.list_dbs(True):
        record(source, values)
    print(verdict)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
