#!/usr/bin/env bash
# Upgrade with data: installs the suite as it was at an earlier commit (demo data included)
# into a throwaway database, records what it holds, upgrades it to the work tree with -u and
# checks that nothing was lost: row counts per model, lot statuses, module versions moved to
# the manifests', and the audit trail and signatures still verify. Run by setup/test.sh
# after the tests (a migration can never be forgotten); alone: setup/upgrade_test.sh [REV].
# REV: the suite as installed companies run it (default MED_UPGRADE_FROM, else the
# release below: main as released with the 18.0.1.6.0 migrations). Move it forward when a
# release has shipped, so that each migration since then is tested.
source "$(dirname "$0")/lib.sh"
med_prepare
cd "$MED_ROOT"
db=${MED_UPGRADE_DB:-med_upgrade}
rev=${1:-${MED_UPGRADE_FROM:-3cd4b75cfa12c01c47582b0e9dca9ea769e6e03a}}
if ! git cat-file -e "$rev^{commit}" 2>/dev/null; then
    if [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then
        # A shallow clone (some CI checkouts) has no history to upgrade from.
        med_say "UPGRADE TEST SKIPPED: this shallow clone lacks commit $rev (git fetch --unshallow)"
        exit 0
    fi
    med_die "commit $rev is not in this clone: fetch it, or set MED_UPGRADE_FROM"
fi
old="$MED_LOCAL/upgrade-from"
rm -rf "$old"
mkdir -p "$old"
git archive "$rev" addons | tar -x -C "$old"
old_addons=$(cd "$old/addons" && ls -d med_*/__manifest__.py | cut -d/ -f1 | paste -sd,)
old_conf="$MED_LOCAL/odoo-upgrade-from.conf"
sed "s|^addons_path = $MED_ROOT/addons,|addons_path = $old/addons,|" "$MED_CONF" >"$old_conf"
grep -q "^addons_path = $old/addons," "$old_conf" || med_die "cannot point $old_conf at the old addons"

med_say "upgrade test: installing the suite at $(git rev-parse --short "$rev") into $db (log: $MED_LOCAL/upgrade.log)"
med_psql dropdb --if-exists "$db" >/dev/null
med_psql createdb -T template0 -E UTF8 "$db"
med_psql psql -q -d postgres -c "ALTER DATABASE $db SET synchronous_commit = off"
start=$(date +%s)
"$MED_PY" "$ODOO_SRC/odoo-bin" -c "$old_conf" -d "$db" -i "$old_addons" --stop-after-init \
    --load-language=en_US,zh_CN \
    --log-level=warn --db-filter="^$db\$" >"$MED_LOCAL/upgrade.log" 2>&1 \
    || { tail -n 30 "$MED_LOCAL/upgrade.log" >&2; med_die "installing the old suite failed"; }
if grep -E "(ERROR|CRITICAL) $db" "$MED_LOCAL/upgrade.log" >&2; then
    med_die "installing the old suite logged errors; see $MED_LOCAL/upgrade.log"
fi
"$MED_PY" "$MED_ROOT/setup/upgrade_check.py" --config "$old_conf" --database "$db" \
    --snapshot "$MED_LOCAL/upgrade-before.json" \
    || med_die "reading the old database failed"
med_say "upgrading $db to the work tree"
med_odoo -d "$db" -u "$old_addons" -i "$MED_ADDONS" --stop-after-init --log-level=warn \
    --db-filter="^$db\$" >>"$MED_LOCAL/upgrade.log" 2>&1 \
    || { tail -n 40 "$MED_LOCAL/upgrade.log" >&2; med_die "the upgrade failed; see $MED_LOCAL/upgrade.log"; }
if grep -E "(ERROR|CRITICAL) $db" "$MED_LOCAL/upgrade.log" >&2; then
    med_die "the upgrade logged errors; see $MED_LOCAL/upgrade.log"
fi
status=0
"$MED_PY" "$MED_ROOT/setup/upgrade_check.py" --config "$MED_CONF" --database "$db" \
    --snapshot "$MED_LOCAL/upgrade-before.json" --compare || status=$?
med_psql dropdb --if-exists "$db" >/dev/null
rm -rf "$old" "$(med_data_dir)/filestore/$db"
med_say "upgrade test done in $(($(date +%s) - start)) s"
exit $status
