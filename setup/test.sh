#!/usr/bin/env bash
# The whole test suite: lint (ruff, pylint-odoo), then a throwaway database with every addon
# installed, then all tests (addons/*/tests and tests/) through pytest-odoo, browser tours
# included; a full run (no arguments) first runs the upgrade test and Odoo's own tests of
# the modules the suite extends (setup/odoo_suites.sh).
# Exits non-zero on any failure, lint error or skipped browser tour.
# Every test's outcome and duration is written to .local/test-results.json, from which
# setup/validate.sh builds the validation package.
# Usage: setup/test.sh [pytest arguments...]   (e.g. setup/test.sh addons/med_capa -k release)
source "$(dirname "$0")/lib.sh"
med_prepare
cd "$MED_ROOT"

status=0
med_say "lint: ruff"
ruff check addons tests || status=1
ruff format --check addons tests || status=1
med_say "lint: pylint-odoo"
pylint --rcfile=.pylintrc --disable=missing-readme addons/med_* || status=1
[ $status = 0 ] || med_die "lint failed (see above)"

# The tests serve HTTP (tours, PDF rendering through wkhtmltopdf) on a port of their own, so
# that a demo started by setup/run.sh on 8069 never answers the tests' requests.
if [ -n "${MED_HTTP_PORT:-}" ]; then
    ! med_port_taken "$MED_HTTP_PORT" \
        || med_die "MED_HTTP_PORT=$MED_HTTP_PORT is taken (a running Odoo?): unset it to let the tests pick a free port"
    test_port=$MED_HTTP_PORT
else
    test_port=$(med_free_port 8069) || med_die "no free TCP port for the tests' HTTP server"
fi
test_conf="$MED_LOCAL/odoo-test.conf"
grep -v '^\s*http_port\s*=' "$MED_CONF" >"$test_conf"
echo "http_port = $test_port" >>"$test_conf"
MED_CONF=$test_conf

db=${MED_TEST_DB:-med_test}
med_say "creating the test database $db with $MED_ADDONS (HTTP port $test_port; log: $MED_LOCAL/test-install.log)"
med_psql dropdb --if-exists "$db" >/dev/null
# A throwaway database needs no durable commits: the cluster keeps fsync on for the demo.
med_psql createdb -T template0 -E UTF8 "$db"
med_psql psql -q -d postgres -c "ALTER DATABASE $db SET synchronous_commit = off"
start=$(date +%s)
if ! med_odoo -d "$db" -i "$MED_ADDONS" --load-language=en_US,zh_CN --stop-after-init \
    --log-level=warn --db-filter="^$db\$" >"$MED_LOCAL/test-install.log" 2>&1; then
    tail -n 40 "$MED_LOCAL/test-install.log" >&2
    med_die "installing the addons failed; see $MED_LOCAL/test-install.log"
fi
if grep -E "(ERROR|CRITICAL) $db" "$MED_LOCAL/test-install.log" >&2; then
    med_die "the install logged errors; see $MED_LOCAL/test-install.log"
fi
med_test_password_policy "$db" || med_die "setting the test password policy failed"
med_say "installed in $(($(date +%s) - start)) s; running the tests"

upgrade=0
odoo_suites=0
if [ $# -eq 0 ]; then
    set -- addons tests
    # A full run also upgrades the released suite, with its data, to the work tree
    # (MED_SKIP_UPGRADE_TEST=1 leaves it out, e.g. while iterating on one addon).
    if [ -z "${MED_SKIP_UPGRADE_TEST:-}" ]; then
        bash "$MED_ROOT/setup/upgrade_test.sh" || upgrade=1
    fi
    # and runs Odoo's own tests of the modules the suite extends, with the suite
    # installed (MED_SKIP_ODOO_SUITES=1 leaves them out)
    if [ -z "${MED_SKIP_ODOO_SUITES:-}" ]; then
        bash "$MED_ROOT/setup/odoo_suites.sh" || odoo_suites=1
    fi
fi
status=0
python -m pytest -p no:cacheprovider --odoo-config="$MED_CONF" --odoo-database="$db" \
    --odoo-http --odoo-log-level=warn --med-results="$MED_LOCAL/test-results.json" "$@" \
    || status=$?
if [ $upgrade != 0 ]; then
    med_say "the upgrade test failed (see above)"
    [ $status != 0 ] || status=1
fi
if [ $odoo_suites != 0 ]; then
    med_say "Odoo's own tests failed with the suite installed (see above)"
    [ $status != 0 ] || status=1
fi
exit $status
