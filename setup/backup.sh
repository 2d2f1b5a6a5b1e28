#!/usr/bin/env bash
# Backs up a database and its filestore into one archive (EU GMP Annex 11 §7.2), with the
# archive's SHA-256 beside it. The last line printed is the archive's path.
# Usage: setup/backup.sh DB [FOLDER]   (FOLDER: MED_BACKUP_DIR or .local/backups)
# Restore and verify it with setup/restore.sh ARCHIVE NEWDB.
source "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] || med_die "usage: setup/backup.sh DB [FOLDER]"
db=$1
folder=${2:-${MED_BACKUP_DIR:-$MED_LOCAL/backups}}
med_prepare
med_db_exists "$db" || med_die "no database $db"
data_dir=$(med_data_dir)
mkdir -p "$folder"
folder=$(cd "$folder" && pwd)
stamp=$(date -u +%Y%m%d-%H%M%S)
archive="$folder/$db-$stamp.tar"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

med_say "dumping $db"
med_psql pg_dump --format=custom --no-owner --file="$work/database.dump" "$db" \
    || med_die "pg_dump of $db failed"
med_say "copying the filestore of $db"
if [ -d "$data_dir/filestore/$db" ]; then
    tar -C "$data_dir/filestore/$db" -czf "$work/filestore.tar.gz" .
else
    tar -czf "$work/filestore.tar.gz" -T /dev/null
fi
"$MED_PY" - "$work" "$db" "$stamp" <<'PY'
import hashlib
import json
import pathlib
import sys

work, db, stamp = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
members = {}
for name in ("database.dump", "filestore.tar.gz"):
    digest = hashlib.sha256()
    with open(work / name, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    members[name] = digest.hexdigest()
manifest = {"database": db, "taken_utc": stamp, "sha256": members}
(work / "manifest.json").write_text(json.dumps(manifest, indent=2))
PY
tar -C "$work" -cf "$archive" manifest.json database.dump filestore.tar.gz
(cd "$folder" && sha256sum "$(basename "$archive")" >"$archive.sha256")
med_say "archive of $db: $(du -h "$archive" | cut -f1), SHA-256 $(cut -d' ' -f1 "$archive.sha256")"
med_say "restore and verify it with: setup/restore.sh $archive NEWDB"
echo "$archive"
