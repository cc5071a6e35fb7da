#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (packages, build), starts a throw-away
# PostgreSQL cluster on a local port for the PostgreSQL variant of the
# end-to-end test, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD_DIR=${BUILD_DIR:-build}
export BUILD_DIR
# postgresql: tst_cloud_postgres; dpkg-dev, systemd, lintian: the package checks; openssl: the wss test.
EXTRA_PACKAGES="postgresql dpkg-dev systemd lintian openssl" scripts/setup.sh

# --- PostgreSQL for tst_cloud_postgres --------------------------------------
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_DIR=$(mktemp -d /tmp/control-nuc-pg.XXXXXX)
PG_PORT=$((20000 + RANDOM % 20000))
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_postgres() {
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap stop_postgres EXIT
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_DIR"
# A password (not trust): other local users cannot use the test server.
PG_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
echo "$PG_PASSWORD" >"$PG_DIR/pw"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_DIR/pw"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A scram-sha-256 -U postgres --pwfile="$PG_DIR/pw" >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null
PGPASSWORD="$PG_PASSWORD" as_pg env PGPASSWORD="$PG_PASSWORD" "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres cloudtest
export CONTROL_CLOUD_TEST_PG_URL="postgres://postgres:$PG_PASSWORD@127.0.0.1:$PG_PORT/cloudtest"
echo "test: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"

export QT_QPA_PLATFORM=offscreen
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 300 -j "$(nproc)"

# --- Fuzzing smoke run (only where clang is installed; see docs/fuzzing.md)
if command -v clang++ >/dev/null; then
    "$ROOT/scripts/fuzz-smoke.sh" 30
else
    echo "test: clang++ not installed, fuzzing smoke run skipped"
fi
