#!/usr/bin/env bash
# Runs the benchmarks in tests/benchmarks/ (all, or those named) on the test environment.
# Each benchmark prints its figures as lines `BENCH <name> <value> <unit>`.
# Usage: setup/bench.sh [NAME...]     NAME = a file tests/benchmarks/bench_NAME.py
source "$(dirname "$0")/lib.sh"
med_prepare
cd "$MED_ROOT"
db=${MED_BENCH_DB:-med_bench}
# Only what the benchmarks use is installed, and the database is rebuilt when one of
# those addons changed, so figures measure the code in the work tree and work on the
# other addons does not force a rebuild.
bench_addons=(med_audit_export med_lot_trace)
addon_dirs=("${bench_addons[@]/#/addons/}")
addons_hash=$(find "${addon_dirs[@]}" -type f ! -name '*.pyc' -print0 | sort -z \
    | xargs -0 sha256sum | sha256sum | cut -c1-16)
stamp="$MED_LOCAL/$db.addons"
if ! med_db_exists "$db" || [ "$(cat "$stamp" 2>/dev/null)" != "$addons_hash" ]; then
    log="$MED_LOCAL/$db-install.log"
    med_say "creating the benchmark database $db (log: $log)"
    med_psql dropdb --if-exists "$db" >/dev/null
    med_odoo -d "$db" -i "$(IFS=,; echo "${bench_addons[*]}"),auditlog" --without-demo=all \
        --stop-after-init --db-filter="^$db\$" >"$log" 2>&1 \
        || { med_psql dropdb --if-exists "$db"; med_die "creating $db failed; see $log"; }
    echo "$addons_hash" >"$stamp"
fi
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for f in tests/benchmarks/bench_*.py; do
        [ -e "$f" ] || continue
        n=${f##*/bench_}
        names+=("${n%.py}")
    done
fi
[ ${#names[@]} -gt 0 ] || med_die "no benchmark in tests/benchmarks/"
for name in "${names[@]}"; do
    script="tests/benchmarks/bench_$name.py"
    [ -f "$script" ] || med_die "no benchmark $script"
    med_say "benchmark $name"
    python "$script" --config "$MED_CONF" --database "$db"
done
