#!/usr/bin/env bash
# The validation package (IQ, OQ, traceability matrix, deviations, summary) of this code on
# database DB (default: the demo database of setup/run.sh), in validation/<date>-<commit>/.
# The OQ comes from the last full run of setup/test.sh (.local/test-results.json) when it
# ran on this very commit and work tree; otherwise setup/test.sh runs first (the whole
# suite, on its own throwaway database). The IQ (versions, file hashes, configuration) is
# read from DB. Import the package in Odoo (Medical Compliance ‣ Auditor ‣ Validation Runs)
# to review and approve it with an electronic signature.
# Usage: setup/validate.sh [DB] [--results FILE] [--previous PACKAGE_DIR]
source "$(dirname "$0")/lib.sh"
db=${MED_DEMO_DB:-med_demo}
results=""
previous=()
while [ $# -gt 0 ]; do
    case $1 in
        --results) results=$2; shift 2 ;;
        --previous) previous=(--previous "$2"); shift 2 ;;
        -*) med_die "usage: setup/validate.sh [DB] [--results FILE] [--previous PACKAGE_DIR]" ;;
        *) db=$1; shift ;;
    esac
done
med_prepare
cd "$MED_ROOT"
med_db_exists "$db" || med_die "no database $db (setup/run.sh creates med_demo)"

# Results of this commit and work tree, from a run of the whole suite.
results_current() {
    [ -f "$1" ] && "$MED_PY" - "$1" <<'PY'
import hashlib, json, subprocess, sys
results = json.load(open(sys.argv[1]))
def git(*args):
    return subprocess.run(["git", *args], capture_output=True, text=True).stdout
status = git("status", "--porcelain", "--untracked-files=no")
changes = hashlib.sha256(status.encode()).hexdigest() if status else ""
whole = results["args"] in ([], ["addons", "tests"])
same = results["commit"] == git("rev-parse", "HEAD").strip()
sys.exit(0 if whole and same and results["tree_changes"] == changes else 1)
PY
}

if [ -z "$results" ]; then
    results="$MED_LOCAL/test-results.json"
    if results_current "$results"; then
        med_say "reusing the test run of $(date -r "$results" -u '+%F %T UTC') ($results)"
    else
        med_say "no full test run of this commit: running setup/test.sh"
        bash "$MED_ROOT/setup/test.sh" || med_say "the tests failed: the failures are the package's deviations"
        results_current "$results" || med_die "setup/test.sh wrote no results for this commit"
    fi
fi
[ -f "$results" ] || med_die "no results file $results"
"$MED_PY" "$MED_ROOT/setup/validation_package.py" --config "$MED_CONF" --database "$db" \
    --results "$results" --folder "$MED_ROOT/validation" "${previous[@]}"
