#!/usr/bin/env bash
# Ensure the Debian packages the test suite needs are installed. Idempotent; run by `make system`.
#
# Needed: python3-venv (for .venv) and PostgreSQL server binaries (/usr/lib/postgresql/<version>/bin/initdb, pg_ctl, postgres).
# The tests start their own throwaway cluster on a free port (tests/plugins/postgres.py), so the
# distribution's default "main" cluster is not wanted: we ask postgresql-common not to create it,
# and stop any cluster the installation did start anyway.
#
# Env: PG_LIB_DIR (default /usr/lib/postgresql) - where to look for installed server binaries.
set -euo pipefail

PG_LIB_DIR="${PG_LIB_DIR:-/usr/lib/postgresql}"
NO_MAIN_CLUSTER_CONF=/etc/postgresql-common/createcluster.d/ketenpoort-no-main-cluster.conf

log() { printf '[ensure-system-packages] %s\n' "$*"; }
die() { printf '[ensure-system-packages] ERROR: %s\n' "$*" >&2; exit 1; }

newest_pg_bindir() {
    local d
    d=$(for f in "$PG_LIB_DIR"/*/bin/initdb; do [ -x "$f" ] && dirname "$f"; done | sort -V | tail -n 1)
    printf '%s' "$d"
}

# Debian's own python3 ships venv's pip bootstrap separately (python3-venv); `make` needs it for .venv.
PYTHON_BIN="${PYTHON:-python3}"
if ! "$PYTHON_BIN" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    log "$PYTHON_BIN cannot create a virtual environment: installing python3-venv"
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install python3-venv with your package manager"
    [ "$(id -u)" -eq 0 ] && as_root=() || as_root=(sudo)
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv
fi

bindir=$(newest_pg_bindir)
if [ -n "$bindir" ]; then
    log "PostgreSQL server binaries present in $bindir - nothing to install"
    exit 0
fi

log "no $PG_LIB_DIR/*/bin/initdb found: installing the Debian 'postgresql' package"
command -v apt-get >/dev/null 2>&1 \
    || die "apt-get not found; install the PostgreSQL server (initdb, pg_ctl) with your package manager"

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and sudo is not available; re-run as root"
    SUDO=(sudo)
    log "not running as root: using sudo"
fi
run() { log "+ ${SUDO[*]:+${SUDO[*]} }$*"; "${SUDO[@]}" "$@"; }

# Only on a first install of postgresql-common: do not create (and start) the default cluster.
if [ ! -e /etc/postgresql-common/createcluster.conf ] && [ ! -e "$NO_MAIN_CLUSTER_CONF" ]; then
    log "telling postgresql-common not to create the default 'main' cluster ($NO_MAIN_CLUSTER_CONF)"
    run mkdir -p "$(dirname "$NO_MAIN_CLUSTER_CONF")"
    run sh -c 'printf "%s\n" "$2" "create_main_cluster = false" > "$1"' sh "$NO_MAIN_CLUSTER_CONF" \
        "# written by ketenpoort scripts/ensure-system-packages.sh: the tests run their own PostgreSQL"
fi

run env DEBIAN_FRONTEND=noninteractive apt-get update -q
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql

# Safety net: stop any cluster the package installation started (ours use their own ports).
if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters --no-header 2>/dev/null | while read -r ver name _port status _rest; do
        if [ "$status" = "online" ]; then
            run pg_ctlcluster "$ver" "$name" stop || log "could not stop cluster $ver/$name (ignored)"
        fi
    done
fi

bindir=$(newest_pg_bindir)
[ -n "$bindir" ] || die "installation finished but no $PG_LIB_DIR/*/bin/initdb exists"
log "PostgreSQL server binaries installed in $bindir"
