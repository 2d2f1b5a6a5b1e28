#!/usr/bin/env bash
# Odoo's own tests with the suite installed: a company installs the suite into an Odoo that
# already runs purchasing, stock and manufacturing, and the suite must change only what it
# means to change. Installs Odoo's modules and the suite into a database without demo data
# (as a company's production database is; Odoo's tests create the data they need), sets the gates to the scope a company uses
# for purchases that are not medical devices (setup/odoo_suites_scope.py), runs the tests
# of the modules the suite extends through pytest-odoo, and compares the failures with
#   setup/odoo_suites_baseline.txt    failures Odoo has on this machine without the suite
#   setup/odoo_suites_deliberate.txt  changes of behaviour the suite makes on purpose
# Any other failure fails the step.
# Usage: setup/odoo_suites.sh           the check (run by setup/test.sh)
#        setup/odoo_suites.sh baseline  the same tests without the suite; rewrites the
#                                       baseline file (run it when Odoo's source changes)
source "$(dirname "$0")/lib.sh"
med_prepare
cd "$MED_ROOT"

mode=${1:-suite}
case $mode in
    suite | baseline) ;;
    *) med_die "usage: setup/odoo_suites.sh [baseline]" ;;
esac
# The modules whose behaviour the suite extends (issue 28), and where their tests live.
odoo_modules=stock,purchase_stock,product_expiry,mrp,stock_account,quality_control_oca,quality_control_stock_oca,repair,maintenance
test_dirs=()
for module in ${odoo_modules//,/ }; do
    dir=$("$MED_PY" -c "import odoo.addons.$module as m, os; print(os.path.dirname(m.__file__))" 2>/dev/null) \
        || dir="$ODOO_SRC/addons/$module"
    [ -d "$dir/tests" ] || med_die "no tests for $module in $dir"
    test_dirs+=("$dir/tests")
done

db=${MED_ODOO_SUITES_DB:-med_odoo_$mode}
port=$(med_free_port 8169) || med_die "no free TCP port for the tests' HTTP server"
conf="$MED_LOCAL/odoo-suites-$mode.conf"
grep -v '^\s*http_port\s*=' "$MED_CONF" >"$conf"
echo "http_port = $port" >>"$conf"
log="$MED_LOCAL/odoo-suites-$mode.log"
start=$(date +%s)

med_say "Odoo's suites ($mode): installing $odoo_modules into $db (log: $log)"
med_psql dropdb --if-exists "$db" >/dev/null
med_psql createdb -T template0 -E UTF8 "$db"
med_psql psql -q -d postgres -c "ALTER DATABASE $db SET synchronous_commit = off"
install() {
    # Odoo ends a failed module installation with exit status 0: its log tells.
    "$MED_PY" "$ODOO_SRC/odoo-bin" -c "$conf" -d "$db" -i "$1" --without-demo=all \
        --stop-after-init --log-level=warn --db-filter="^$db\$" >>"$log" 2>&1 \
        && ! grep -qE "(ERROR|CRITICAL) $db" "$log" \
        || { grep -E "(ERROR|CRITICAL) $db" "$log" | head -n 5 >&2; med_die "installing $2 failed; see $log"; }
}
: >"$log"
install "$odoo_modules" "Odoo's modules"
if [ "$mode" = suite ]; then
    install "$MED_ADDONS" "the suite"
    "$MED_PY" "$MED_ROOT/setup/odoo_suites_scope.py" --config "$conf" --database "$db" \
        || med_die "setting the gates' scope failed"
fi
med_test_password_policy "$db" || med_die "setting the test password policy failed"
med_say "installed in $(($(date +%s) - start)) s; running the tests"

junit="$MED_LOCAL/odoo-suites-$mode.xml"
# Odoo's tests are not the project's: its conftest (skipped tours count as failures) and
# pytest.ini stay out; Odoo's own skips are Odoo's business.
(cd "$MED_LOCAL" && "$MED_PY" -m pytest -p no:cacheprovider -c /dev/null --rootdir="$MED_LOCAL" \
    --odoo-config="$conf" --odoo-database="$db" --odoo-http --odoo-log-level=critical \
    -q -o junit_family=xunit1 --junitxml="$junit" "${test_dirs[@]}" >>"$log" 2>&1) || true

check() {
    "$MED_PY" "$MED_ROOT/setup/odoo_suites_check.py" --mode "$mode" --junit "$junit" \
        --baseline "$MED_ROOT/setup/odoo_suites_baseline.txt" \
        --deliberate "$MED_ROOT/setup/odoo_suites_deliberate.txt" "$@"
}
status=0
rerun_ids="$MED_LOCAL/odoo-suites-$mode-rerun.txt"
rerun_junit="$MED_LOCAL/odoo-suites-$mode-rerun.xml"
rm -f "$rerun_ids" "$rerun_junit"
if [ "$mode" = baseline ]; then
    check || status=$?
elif ! check --rerun-ids "$rerun_ids" >/dev/null && [ -s "$rerun_ids" ]; then
    # A failure the suite causes fails again when its test runs alone; one that passes
    # then is Odoo's timing on a busy machine, and is printed as flaky.
    med_say "running the $(wc -l <"$rerun_ids") unexpected failures once more, alone"
    mapfile -t rerun_tests <"$rerun_ids"
    (cd "$MED_LOCAL" && "$MED_PY" -m pytest -p no:cacheprovider -c /dev/null --rootdir="$MED_LOCAL" \
        --odoo-config="$conf" --odoo-database="$db" --odoo-http --odoo-log-level=critical \
        -q -o junit_family=xunit1 --junitxml="$rerun_junit" "${rerun_tests[@]}" >>"$log" 2>&1) || true
    check --rerun-junit "$rerun_junit" || status=$?
else
    check || status=$?
fi
med_psql dropdb --if-exists "$db" >/dev/null
rm -rf "$(med_data_dir)/filestore/$db"
med_say "Odoo's suites ($mode) done in $(($(date +%s) - start)) s"
exit $status
