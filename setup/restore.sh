#!/usr/bin/env bash
# Restores an archive of setup/backup.sh into a new database and checks that what came
# back is whole (EU GMP Annex 11 §7.2: backups checked for restorability): the archive's
# SHA-256, then the audit trail's and the signatures' hash chains, every evidence file
# against the SHA-256 recorded at its export, and every stored file against its checksum.
# Prints a restore report whose last line is the verdict; exits non-zero when anything
# does not verify. The verdict is recorded in the restored database and, when it is on
# this server, in the database the archive was taken from (Auditor menu, Restore Checks).
# Usage: setup/restore.sh ARCHIVE NEWDB
source "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || med_die "usage: setup/restore.sh ARCHIVE NEWDB"
archive=$1
db=$2
[ -f "$archive" ] || med_die "no archive $archive"
[ -f "$archive.sha256" ] || med_die "RESTORE REFUSED: $archive.sha256 is missing: the archive cannot be checked"
archive=$(cd "$(dirname "$archive")" && pwd)/$(basename "$archive")
want=$(cut -d' ' -f1 "$archive.sha256")
have=$(sha256sum "$archive" | cut -d' ' -f1)
if [ "$want" != "$have" ]; then
    echo "archive SHA-256 $have differs from the recorded $want"
    echo "RESTORE REFUSED: the archive was altered or damaged since it was taken"
    exit 1
fi
med_prepare
med_db_exists "$db" && med_die "the database $db exists: restore into a new database"
data_dir=$(med_data_dir)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xf "$archive" manifest.json database.dump filestore.tar.gz \
    || med_die "RESTORE REFUSED: $archive is not an archive of setup/backup.sh"

med_say "restoring into $db"
med_psql createdb -T template0 -E UTF8 "$db"
if ! med_psql pg_restore --no-owner --exit-on-error -d "$db" "$work/database.dump" \
    >"$work/pg_restore.log" 2>&1; then
    cat "$work/pg_restore.log" >&2
    echo "RESTORE FAILED: pg_restore could not restore the database dump"
    exit 1
fi
mkdir -p "$data_dir/filestore/$db"
tar -C "$data_dir/filestore/$db" -xzf "$work/filestore.tar.gz"
med_say "verifying $db"
"$MED_PY" "$MED_ROOT/setup/restore_check.py" --config "$MED_CONF" --database "$db" \
    --archive "$archive" --manifest "$work/manifest.json" --work "$work"
