#!/usr/bin/env bash
# Runs the benchmarks in tests/benchmarks/ (all, or those named) on the test environment.
# Each benchmark prints its figures as lines `BENCH <name> <value> <unit>`.
# Usage: setup/bench.sh [NAME...]     NAME = a file tests/benchmarks/bench_NAME.py
source "$(dirname "$0")/lib.sh"
med_prepare
cd "$MED_ROOT"
db=${MED_BENCH_DB:-med_bench}
# The benchmark database is rebuilt when the addons changed, so figures always measure
# the code in the work tree.
addons_hash=$(git ls-files -s addons 2>/dev/null | sha256sum | cut -c1-16)
addons_hash+=$(git diff addons 2>/dev/null | sha256sum | cut -c1-16)
stamp="$MED_LOCAL/$db.addons"
if ! med_db_exists "$db" || [ "$(cat "$stamp" 2>/dev/null)" != "$addons_hash" ]; then
    med_say "creating the benchmark database $db (log: $MED_LOCAL/bench-install.log)"
    med_psql dropdb --if-exists "$db" >/dev/null
    med_odoo -d "$db" -i "$MED_ADDONS,auditlog" --without-demo=all --stop-after-init \
        --db-filter="^$db\$" >"$MED_LOCAL/bench-install.log" 2>&1 \
        || { med_psql dropdb --if-exists "$db"; med_die "creating $db failed; see $MED_LOCAL/bench-install.log"; }
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
