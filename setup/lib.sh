# shellcheck shell=bash
# Shared by setup/run.sh, setup/test.sh and setup/bench.sh: builds the environment the
# project runs in (system packages, .venv, Odoo from ODOO_SRC, a PostgreSQL cluster) and
# writes the Odoo configuration. Every step is idempotent: a second call only checks.
set -euo pipefail

MED_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MED_LOCAL="$MED_ROOT/.local"
MED_VENV="$MED_ROOT/.venv"
MED_PY="$MED_VENV/bin/python"
ODOO_SRC=${ODOO_SRC:-/opt/odoo}
ODOO_GIT_URL=${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}
MED_PG_PORT=${MED_PG_PORT:-5433}
MED_PG_BIN=${MED_PG_BIN:-/usr/lib/postgresql/15/bin}
# Every addon folder of the suite (the four layers of PRODUCT.md and the addons built on
# them); Odoo orders the installation by their dependencies.
MED_ADDONS=$(cd "$MED_ROOT/addons" && ls -d med_*/__manifest__.py | cut -d/ -f1 | paste -sd,)
MED_STARTED_PG=0
mkdir -p "$MED_LOCAL"

med_say() { printf '\033[1m[med]\033[0m %s\n' "$*" >&2; }
med_die() {
    printf '\033[1;31m[med] error:\033[0m %s\n' "$*" >&2
    exit 1
}

# --- system packages -------------------------------------------------------------------
# Debian packages the suite needs: PostgreSQL 15 server binaries, wkhtmltopdf for PDF
# reports, a CJK font for Chinese PDFs, poppler-utils (pdftotext) for report tests,
# libdmtx for the UDI barcode tests, Ghostscript for PDF/A-2b dossiers and chromium for
# browser tours. Installed only when missing, only when we can (root + apt).
med_system_packages() {
    local missing=()
    [ -x "$MED_PG_BIN/initdb" ] || missing+=(postgresql-15)
    command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
    command -v pdftotext >/dev/null || missing+=(poppler-utils)
    # libdmtx: the tests read the GS1 DataMatrix the reports print back (pylibdmtx).
    ldconfig -p 2>/dev/null | grep -q "libdmtx\.so\.0" || missing+=(libdmtx0b)
    command -v gs >/dev/null || missing+=(ghostscript)
    command -v chromium >/dev/null || command -v google-chrome >/dev/null \
        || missing+=(chromium)
    # grep -c reads all input: with -q, fc-list would die of SIGPIPE and fail the pipeline.
    fc-list 2>/dev/null | grep -ci "wenquanyi\|noto sans cjk" >/dev/null || missing+=(fonts-wqy-zenhei)
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        med_say "missing system packages: ${missing[*]} (install them, e.g. apt-get install ${missing[*]})"
        return 0
    fi
    med_say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >"$MED_LOCAL/apt.log" 2>&1 || true
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$MED_LOCAL/apt.log" 2>&1 \
        || med_die "apt-get install ${missing[*]} failed; see $MED_LOCAL/apt.log"
}

# --- Odoo source -----------------------------------------------------------------------
med_odoo_source() {
    if [ ! -f "$ODOO_SRC/odoo/release.py" ]; then
        med_say "no Odoo source at $ODOO_SRC; trying the official Odoo 18.0 repository"
        if ! timeout 30 git ls-remote --heads "$ODOO_GIT_URL" 18.0 >/dev/null 2>&1; then
            med_die "no Odoo 18.0 source at ODOO_SRC=$ODOO_SRC and $ODOO_GIT_URL cannot be reached
       (offline?). Put an Odoo 18.0 Community checkout there, or point ODOO_SRC at one:
       ODOO_SRC=/path/to/odoo setup/test.sh"
        fi
        mkdir -p "$(dirname "$ODOO_SRC")" 2>/dev/null || true
        if ! git clone --quiet --depth 1 --branch 18.0 "$ODOO_GIT_URL" "$ODOO_SRC" 2>"$MED_LOCAL/git-clone.log"; then
            med_die "cloning Odoo 18.0 into $ODOO_SRC failed; see $MED_LOCAL/git-clone.log"
        fi
    fi
    local version
    version=$(python3 - "$ODOO_SRC/odoo/release.py" <<'PY' 2>/dev/null
import sys
scope = {}
exec(open(sys.argv[1]).read(), scope)
print("%s.%s" % scope["version_info"][:2])
PY
) || version="unreadable"
    [ "$version" = "18.0" ] \
        || med_die "ODOO_SRC=$ODOO_SRC holds Odoo $version; this suite needs Odoo 18.0 Community"
}

# --- Python virtualenv -----------------------------------------------------------------
med_venv() {
    local python=${MED_PYTHON:-}
    if [ -z "$python" ]; then
        for candidate in python3.11 python3; do
            if command -v "$candidate" >/dev/null \
                && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
                python=$candidate
                break
            fi
        done
    fi
    [ -n "$python" ] || med_die "Python 3.11 not found (set MED_PYTHON to its path)"
    if [ ! -x "$MED_PY" ]; then
        med_say "creating $MED_VENV"
        "$python" -m venv "$MED_VENV" || med_die "could not create the virtualenv $MED_VENV"
    fi
    local stamp want
    stamp="$MED_VENV/.med-requirements"
    want=$(cat "$MED_ROOT/setup/requirements-odoo.txt" "$MED_ROOT/requirements.txt" \
        | sha256sum | cut -c1-16)-$(readlink -f "$ODOO_SRC")
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        med_say "installing Python requirements into .venv (log: $MED_LOCAL/pip.log)"
        {
            "$MED_PY" -m pip install -r "$MED_ROOT/setup/requirements-odoo.txt" \
                && "$MED_PY" -m pip install --no-deps --config-settings editable_mode=compat \
                    -e "$ODOO_SRC" \
                && "$MED_PY" -m pip install -r "$MED_ROOT/requirements.txt"
        } >"$MED_LOCAL/pip.log" 2>&1 || med_die "pip install failed; see $MED_LOCAL/pip.log"
        echo "$want" >"$stamp"
    fi
    MED_OCA_ADDONS=$("$MED_PY" -c 'import odoo.addons.report_xlsx as m, os; print(os.path.dirname(os.path.dirname(m.__file__)))' 2>/dev/null) \
        || med_die "the OCA addons are not importable from $MED_VENV; remove $stamp and retry"
    export PATH="$MED_VENV/bin:$PATH"
}

# --- PostgreSQL ------------------------------------------------------------------------
# An external server is used when odoo.conf names a db_host or PGHOST is set; otherwise a
# project-local cluster (data under .local/, unix socket only) is started, or reused.
med_external_db() {
    [ -n "${PGHOST:-}" ] && return 0
    [ -f "$MED_ROOT/odoo.conf" ] && grep -Eq '^\s*db_host\s*=\s*[^[:space:]]' "$MED_ROOT/odoo.conf"
}

med_pg_user() {
    if [ "$(id -u)" != 0 ]; then
        id -un
        return
    fi
    # initdb refuses to run as root: the cluster belongs to an unprivileged OS user.
    if ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres \
            || med_die "cannot create the OS user 'postgres' to run PostgreSQL"
    fi
    echo postgres
}

med_as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$MED_PG_OSUSER" -- "$@"
    else
        "$@"
    fi
}

med_postgres() {
    if med_external_db; then
        med_say "using the external PostgreSQL server (${PGHOST:-from odoo.conf})"
        MED_DB_LOCAL=0
        return 0
    fi
    MED_DB_LOCAL=1
    [ -x "$MED_PG_BIN/pg_ctl" ] || med_die "PostgreSQL 15 server binaries not found in $MED_PG_BIN
       (apt-get install postgresql-15, or set MED_PG_BIN)"
    MED_PG_OSUSER=$(med_pg_user)
    local key
    key=$(printf '%s' "$MED_ROOT" | sha256sum | cut -c1-10)
    # A unix socket path is limited to 107 bytes: keep the socket folder short.
    MED_PG_SOCKET="/tmp/med-pg-$key"
    MED_PG_DATA="$MED_LOCAL/pgdata"
    if ! med_as_pg test -x "$MED_LOCAL" 2>/dev/null || ! med_as_pg test -r "$MED_ROOT" 2>/dev/null; then
        # The checkout sits where the PostgreSQL user cannot read (e.g. under /root).
        MED_PG_DATA="/var/tmp/med-pg-$key/pgdata"
    fi
    MED_PG_LOG="$(dirname "$MED_PG_DATA")/postgresql.log"
    mkdir -p "$MED_PG_SOCKET" "$(dirname "$MED_PG_DATA")"
    if [ "$(id -u)" = 0 ]; then
        chown "$MED_PG_OSUSER" "$MED_PG_SOCKET"
        [ "$(dirname "$MED_PG_DATA")" = "$MED_LOCAL" ] || chown "$MED_PG_OSUSER" "$(dirname "$MED_PG_DATA")"
        touch "$MED_PG_LOG" && chown "$MED_PG_OSUSER" "$MED_PG_LOG"
    fi
    if [ ! -f "$MED_PG_DATA/PG_VERSION" ]; then
        med_say "creating a PostgreSQL 15 cluster in $MED_PG_DATA"
        mkdir -p "$MED_PG_DATA"
        [ "$(id -u)" = 0 ] && chown "$MED_PG_OSUSER" "$MED_PG_DATA"
        med_as_pg "$MED_PG_BIN/initdb" -D "$MED_PG_DATA" -U odoo --auth=trust -E UTF8 \
            --locale=C.UTF-8 >"$MED_PG_LOG" 2>&1 \
            || med_die "initdb failed for $MED_PG_DATA; see $MED_PG_LOG"
    fi
    if med_as_pg "$MED_PG_BIN/pg_ctl" -D "$MED_PG_DATA" status >/dev/null 2>&1; then
        med_durable_postgres
        return 0
    fi
    rm -f "$MED_PG_SOCKET/.s.PGSQL.$MED_PG_PORT.lock"
    med_say "starting PostgreSQL (socket $MED_PG_SOCKET, port $MED_PG_PORT, log $MED_PG_LOG)"
    if ! med_as_pg "$MED_PG_BIN/pg_ctl" -D "$MED_PG_DATA" -l "$MED_PG_LOG" -w -t 60 \
        -o "-p $MED_PG_PORT -k $MED_PG_SOCKET -c listen_addresses='' -c max_connections=200" \
        start >/dev/null 2>&1; then
        med_die "PostgreSQL could not start; the reason is at the end of $MED_PG_LOG:
$(tail -n 5 "$MED_PG_LOG" 2>/dev/null | sed 's/^/       /')"
    fi
    MED_STARTED_PG=1
}

# The cluster keeps fsync on: med_demo is a database people work in, and a power cut with
# fsync off can corrupt it. Clusters started by earlier versions of this script ran with
# fsync off: such a cluster is restarted once (it stays off until a restart).
med_durable_postgres() {
    [ "$(med_as_pg psql -h "$MED_PG_SOCKET" -p "$MED_PG_PORT" -U odoo -d postgres -Atc 'SHOW fsync' 2>/dev/null)" = off ] \
        || return 0
    med_say "the local PostgreSQL runs with fsync off (started by an older setup): restarting it with fsync on"
    med_as_pg "$MED_PG_BIN/pg_ctl" -D "$MED_PG_DATA" -l "$MED_PG_LOG" -w -t 60 -m fast \
        -o "-p $MED_PG_PORT -k $MED_PG_SOCKET -c listen_addresses='' -c max_connections=200" \
        restart >/dev/null 2>&1 || med_die "PostgreSQL could not restart; see $MED_PG_LOG"
}

# med_free_port FIRST: the first TCP port from FIRST on that nobody listens on.
med_free_port() {
    python3 - "$1" <<'PY'
import socket
import sys

first = int(sys.argv[1])
for port in range(first, first + 100):
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            continue
    print(port)
    break
else:
    sys.exit(f"no free TCP port from {first} to {first + 99}")
PY
}

med_port_taken() {
    ! python3 -c "import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', int(sys.argv[1])))" "$1" 2>/dev/null
}

med_stop_postgres() {
    if [ "${MED_DB_LOCAL:-0}" = 1 ]; then
        med_as_pg "$MED_PG_BIN/pg_ctl" -D "$MED_PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
    fi
}

# --- Odoo configuration ----------------------------------------------------------------
# The user's odoo.conf (copied from odoo.conf.example) wins; else one is generated.
med_odoo_conf() {
    if [ -f "$MED_ROOT/odoo.conf" ]; then
        MED_CONF="$MED_ROOT/odoo.conf"
        return 0
    fi
    MED_CONF="$MED_LOCAL/odoo.conf"
    {
        echo "[options]"
        echo "addons_path = $MED_ROOT/addons,$MED_OCA_ADDONS,$ODOO_SRC/odoo/addons,$ODOO_SRC/addons"
        echo "data_dir = $MED_LOCAL/data"
        if [ "$MED_DB_LOCAL" = 1 ]; then
            echo "db_host = $MED_PG_SOCKET"
            echo "db_port = $MED_PG_PORT"
            echo "db_user = odoo"
        fi
        echo "http_port = ${MED_HTTP_PORT:-8069}"
        echo "list_db = False"
        echo "workers = 0"
        echo "limit_time_cpu = 600"
        echo "limit_time_real = 1200"
    } >"$MED_CONF"
}

med_psql() {
    local conf_host conf_port conf_user
    conf_host=$(sed -n 's/^\s*db_host\s*=\s*//p' "$MED_CONF" | tail -n1)
    conf_port=$(sed -n 's/^\s*db_port\s*=\s*//p' "$MED_CONF" | tail -n1)
    conf_user=$(sed -n 's/^\s*db_user\s*=\s*//p' "$MED_CONF" | tail -n1)
    PGHOST=${conf_host:-${PGHOST:-}} PGPORT=${conf_port:-${PGPORT:-5432}} \
        PGUSER=${conf_user:-${PGUSER:-odoo}} "$@"
}

# The folder holding the filestores (data_dir of the configuration, or Odoo's default).
med_data_dir() {
    local dir
    dir=$(sed -n 's/^\s*data_dir\s*=\s*//p' "$MED_CONF" | tail -n1)
    echo "${dir:-$HOME/.local/share/Odoo}"
}

med_db_exists() {
    [ "$(med_psql psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]
}

med_odoo() {
    "$MED_PY" "$ODOO_SRC/odoo-bin" -c "$MED_CONF" "$@"
}

med_prepare() {
    med_system_packages
    med_odoo_source
    med_venv
    med_postgres
    med_odoo_conf
}

# The password policy of a test database: Odoo's test users (new_test_user) get their
# login as password, padded to 8 characters, and the suite checks every password set,
# the initial one included (21 CFR 11.300(b)). A test database asks for that length
# only; the tests of the policy set their own (med_audit_export's test_accounts.py).
# Usage: med_test_password_policy DATABASE
med_test_password_policy() {
    med_psql psql -q -d "$1" -v ON_ERROR_STOP=1 -c "
        UPDATE ir_config_parameter SET value = '0'
         WHERE key IN ('password_security.lower', 'password_security.upper',
                       'password_security.numeric', 'password_security.special');
        UPDATE ir_config_parameter SET value = '8'
         WHERE key = 'auth_password_policy.minlength';"
}
