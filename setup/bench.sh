#!/usr/bin/env bash
# Runs the benchmarks in tests/benchmarks/ (all, or those named) on the test environment.
# Each benchmark prints its figures as lines `BENCH <name> <value> <unit>`.
# A benchmark that needs other addons than med_audit_export and med_lot_trace says so in
# a line `# bench-addons: addon ...` (or `all`); it gets a database of its own.
# Usage: setup/bench.sh [NAME...] [-- OPTION...]
#   NAME = a file tests/benchmarks/bench_NAME.py (without NAME: all but those marked
#   `# bench-by-name-only`: load, scale, replica); OPTIONs go to each benchmark script
#   (e.g. setup/bench.sh trace -- --explain --rounds 9).
source "$(dirname "$0")/lib.sh"
med_prepare
cd "$MED_ROOT"
base_db=${MED_BENCH_DB:-med_bench}

# bench_db DB ADDON...: make sure DB has these addons installed. Only what a benchmark
# uses is installed, and the database is rebuilt when the list or one of the work
# tree's addons among them changed, so figures measure the code in the work tree and
# work on other addons does not force a rebuild.
# With MED_BENCH_DEMO=1, the database gets the addons' demo data and Chinese (a
# benchmark marked `# bench-demo`, e.g. the demo lot dossier).
# With MED_BENCH_KEEP=1 (a benchmark marked `# bench-keeps-data`, whose generated data
# takes long to make), a change of the addons' code updates the database in place
# instead, keeping its data; it is rebuilt only when the list of addons changes.
bench_db() {
    local db=$1
    shift
    local demo=(--without-demo=all)
    # the demo users work in Chinese: their language must be there first
    [ "${MED_BENCH_DEMO:-0}" = 1 ] && demo=(--load-language=en_US,zh_CN)
    local addon_dirs=() addon
    for addon in "$@"; do
        [ -d "addons/$addon" ] && addon_dirs+=("addons/$addon")
    done
    local addons_hash
    addons_hash=$({
        echo "$* ${demo[*]}"
        [ ${#addon_dirs[@]} -eq 0 ] || find "${addon_dirs[@]}" -type f ! -name '*.pyc' \
            -print0 | sort -z | xargs -0 sha256sum
    } | sha256sum | cut -c1-16)
    local stamp="$MED_LOCAL/$db.addons"
    if [ "${MED_BENCH_KEEP:-0}" = 1 ] && med_db_exists "$db" \
        && [ "$(cat "$stamp.list" 2>/dev/null)" = "$* ${demo[*]}" ] \
        && [ "$(cat "$stamp" 2>/dev/null)" != "$addons_hash" ]; then
        local log="$MED_LOCAL/$db-update.log"
        med_say "updating the benchmark database $db, keeping its data (log: $log)"
        med_odoo -d "$db" -u "$(IFS=,; echo "$*")" --stop-after-init \
            --db-filter="^$db\$" >"$log" 2>&1 || med_die "updating $db failed; see $log"
        echo "$addons_hash" >"$stamp"
    fi
    if ! med_db_exists "$db" || [ "$(cat "$stamp" 2>/dev/null)" != "$addons_hash" ]; then
        local log="$MED_LOCAL/$db-install.log"
        med_say "creating the benchmark database $db (log: $log)"
        med_psql dropdb --if-exists "$db" >/dev/null
        med_odoo -d "$db" -i "$(IFS=,; echo "$*")" "${demo[@]}" \
            --stop-after-init --db-filter="^$db\$" >"$log" 2>&1 \
            || { med_psql dropdb --if-exists "$db"; med_die "creating $db failed; see $log"; }
        echo "$addons_hash" >"$stamp"
        echo "$* ${demo[*]}" >"$stamp.list"
    fi
}

# bench_venv FILE: prints the path of a virtualenv of its own (.local/bench-venv) with
# the requirements of FILE, for tools that drive Odoo from outside (Locust), so that
# the test command's .venv stays lean.
bench_venv() {
    local venv="$MED_LOCAL/bench-venv" want
    want=$(sha256sum "$1" | cut -c1-16)
    if [ "$(cat "$venv/.med-requirements" 2>/dev/null)" != "$want" ]; then
        med_say "installing $1 into $venv (log: $MED_LOCAL/bench-pip.log)"
        { "$MED_PY" -m venv "$venv" && "$venv/bin/python" -m pip install -r "$1"; } \
            >"$MED_LOCAL/bench-pip.log" 2>&1 || med_die "pip install -r $1 failed"
        echo "$want" >"$venv/.med-requirements"
    fi
    echo "$venv"
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
        # long ones (servers, millions of rows) run only when named
        grep -q '^# bench-by-name-only' "$f" && continue
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
    # `# bench-addons: all`: the whole suite.
    if [ "${extra[*]:-}" = all ]; then
        IFS=, read -r -a extra <<<"${MED_ADDONS//med_audit_export,/}"
    fi
    export MED_BENCH_DEMO=0
    grep -q '^# bench-demo' "$script" && MED_BENCH_DEMO=1
    export MED_BENCH_KEEP=0
    grep -q '^# bench-keeps-data' "$script" && MED_BENCH_KEEP=1
    # OCA auditlog is the anchor of the audit benchmark.
    if [ ${#extra[@]} -gt 0 ]; then
        db="${base_db}_$name"
        bench_db "$db" med_audit_export "${extra[@]}" auditlog
    else
        db=$base_db
        bench_db "$db" med_audit_export med_lot_trace auditlog
    fi
    # A benchmark comparing with stock Odoo on a database of its own names its addons
    # (`# bench-odoo-addons: stock ...`); one driving Odoo from outside names its
    # requirements file (`# bench-requirements: FILE`).
    more=()
    read -r -a plain < <(sed -n 's/^# bench-odoo-addons: //p' "$script" | head -n 1) || true
    if [ ${#plain[@]} -gt 0 ]; then
        bench_db "${base_db}_${name}_odoo" "${plain[@]}"
        more+=(--odoo-database "${base_db}_${name}_odoo")
    fi
    requirements=$(sed -n 's/^# bench-requirements: //p' "$script" | head -n 1)
    [ -z "$requirements" ] || more+=(--bench-venv "$(bench_venv "$requirements")")
    med_say "benchmark $name"
    python "$script" --config "$MED_CONF" --database "$db" "${more[@]}" "${options[@]}"
done
