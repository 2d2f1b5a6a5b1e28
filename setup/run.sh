#!/usr/bin/env bash
# Serves Odoo with every addon on the demo database med_demo (created with demo data and the
# zh_CN language on the first run, updated when the addons changed) at
# http://localhost:${MED_HTTP_PORT:-8069}. Ctrl-C stops Odoo, and PostgreSQL if this run started it.
source "$(dirname "$0")/lib.sh"
MED_HTTP_PORT=${MED_HTTP_PORT:-8069}
db=${MED_DEMO_DB:-med_demo}

if med_port_taken "$MED_HTTP_PORT"; then
    med_die "port $MED_HTTP_PORT is already taken (another Odoo?). Stop it, or choose another port:
       MED_HTTP_PORT=8070 setup/run.sh"
fi
med_prepare
trap 'status=$?; [ "$MED_STARTED_PG" = 1 ] && med_stop_postgres; exit $status' EXIT

addons_hash=$(cd "$MED_ROOT" && git ls-files -s addons 2>/dev/null | sha256sum | cut -c1-16)
stamp="$MED_LOCAL/$db.addons"
if ! med_db_exists "$db"; then
    med_say "creating $db with demo data and zh_CN (a few minutes; log: $MED_LOCAL/$db.log)"
    med_odoo -d "$db" -i "$MED_ADDONS" --load-language=en_US,zh_CN --stop-after-init \
        --db-filter="^$db\$" >"$MED_LOCAL/$db.log" 2>&1 \
        || { tail -n 30 "$MED_LOCAL/$db.log" >&2; med_psql dropdb --if-exists "$db"; med_die "creating $db failed; see $MED_LOCAL/$db.log"; }
    echo "$addons_hash" >"$stamp"
elif [ "$(cat "$stamp" 2>/dev/null)" != "$addons_hash" ]; then
    med_say "updating the addons in $db (log: $MED_LOCAL/$db.log)"
    # -i installs the addons added since the last run; -u updates the others.
    med_odoo -d "$db" -i "$MED_ADDONS" -u "$MED_ADDONS" --stop-after-init --db-filter="^$db\$" \
        >"$MED_LOCAL/$db.log" 2>&1 || med_die "updating $db failed; see $MED_LOCAL/$db.log"
    echo "$addons_hash" >"$stamp"
fi
med_say "Odoo is starting on http://localhost:$MED_HTTP_PORT (database $db; log in as admin/admin; Ctrl-C stops)"
med_odoo -d "$db" --db-filter="^$db\$" --http-port="$MED_HTTP_PORT" --log-level=info &
odoo_pid=$!
trap 'kill -INT $odoo_pid 2>/dev/null' INT TERM
status=0
wait $odoo_pid || status=$?
# A first Ctrl-C interrupts wait; wait again for Odoo's own clean shutdown.
if kill -0 $odoo_pid 2>/dev/null; then wait $odoo_pid || true; fi
exit $status
