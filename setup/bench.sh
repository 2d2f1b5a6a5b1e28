#!/usr/bin/env bash
# Runs the benchmarks in tests/benchmarks/ (all, or those named) on the test environment.
# Each benchmark prints its figures as lines `BENCH <name> <value> <unit>`.
# A benchmark that needs other addons than med_audit_export and med_lot_trace says so in
# a line `# bench-addons: addon ...`; it gets a database of its own.
# Usage: setup/bench.sh [NAME...] [-- OPTION...]
#   NAME = a file tests/benchmarks/bench_NAME.py; OPTIONs go to each benchmark script
#   (e.g. setup/bench.sh trace -- --explain --rounds 9).
source "$(dirname "$0")/lib.sh"
med_prepare
cd "$MED_ROOT"
base_db=${MED_BENCH_DB:-med_bench}

# bench_db DB ADDON...: make sure DB has these addons (and OCA auditlog, the anchor of
# the audit benchmark) installed from the work tree. Only what a benchmark uses is
# installed, and the database is rebuilt when one of those addons changed, so figures
# measure the code in the work tree and work on other addons does not force a rebuild.
bench_db() {
    local db=$1
    shift
    local addon_dirs=("${@/#/addons/}")
    local addons_hash
    addons_hash=$(find "${addon_dirs[@]}" -type f ! -name '*.pyc' -print0 | sort -z \
        | xargs -0 sha256sum | sha256sum | cut -c1-16)
    local stamp="$MED_LOCAL/$db.addons"
    if ! med_db_exists "$db" || [ "$(cat "$stamp" 2>/dev/null)" != "$addons_hash" ]; then
        local log="$MED_LOCAL/$db-install.log"
        med_say "creating the benchmark database $db (log: $log)"
        med_psql dropdb --if-exists "$db" >/dev/null
        med_odoo -d "$db" -i "$(IFS=,; echo "$*"),auditlog" --without-demo=all \
            --stop-after-init --db-filter="^$db\$" >"$log" 2>&1 \
            || { med_psql dropdb --if-exists "$db"; med_die "creating $db failed; see $log"; }
        echo "$addons_hash" >"$stamp"
    fi
}

names=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    names+=("$1")
    shift
done
[ $# -eq 0 ] || shift
options=("$@")
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
    # read fails at end of input (no such line): that is not an error here.
    read -r -a extra < <(sed -n 's/^# bench-addons: //p' "$script" | head -n 1) || true
    if [ ${#extra[@]} -gt 0 ]; then
        db="${base_db}_$name"
        bench_db "$db" med_audit_export "${extra[@]}"
    else
        db=$base_db
        bench_db "$db" med_audit_export med_lot_trace
    fi
    med_say "benchmark $name"
    python "$script" --config "$MED_CONF" --database "$db" "${options[@]}"
done
