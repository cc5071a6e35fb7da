#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (packages, build) and runs the demo on
# loopback: control-cloud, the device simulator and control-nuc; deploys the
# example TCP projector driver and provisions one simulated projector, so the
# dashboard (or, headless, the terminal) shows a synced driver and a connected
# device within seconds. Ctrl-C stops all of it.
#   DEMO=0 scripts/run.sh [control-nuc options]   runs control-nuc alone
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
export BUILD_DIR

# One demo per run folder: a second run.sh beside a running one stops here,
# before it builds, deletes its admin socket or overwrites its logs. The
# lock (flock on fd 9) is inherited by everything started below, so it is
# held until the last of them ends.
mkdir -p "$BUILD_DIR/run"
RUN_DIR="$(cd "$BUILD_DIR/run" && pwd)"
exec 9>>"$RUN_DIR/run.lock"
if ! flock -n 9; then
    echo "run: a demo is already running from $RUN_DIR (pid $(cat "$RUN_DIR/run.lock" 2>/dev/null || echo unknown));" \
         "stop it first, or give this one its own BUILD_DIR" >&2
    exit 1
fi
echo $$ >"$RUN_DIR/run.lock"

scripts/setup.sh

BIN="$BUILD_DIR/app"
nuc_args=(--root "$RUN_DIR/nuc" --controller-id demo-nuc --name "Demo rack")
# Secrets through the environment, not options (which every user sees in ps).
export CONTROL_NUC_TECHNICIAN_PIN=1234
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "run: no display found; running headless (--headless)"
    nuc_args+=(--headless)
fi

if [ "${DEMO:-1}" = "0" ]; then
    echo "run: control-nuc alone, root $RUN_DIR/nuc; Ctrl-C stops"
    exec "$BIN/control-nuc" "${nuc_args[@]}" "$@"
fi

CLOUD_PORT=${CLOUD_PORT:-18080}
SIM_PORT=${SIM_PORT:-14352}
export CONTROL_CLOUD_TOKEN=demo-token CONTROL_NUC_TOKEN=demo-token
export CONTROL_CLOUD_ADMIN_SOCKET="$RUN_DIR/admin/admin.sock"
pids=()
stop_all() {
    trap - EXIT INT TERM
    echo "run: stopping"
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap stop_all EXIT INT TERM

rm -f "$CONTROL_CLOUD_ADMIN_SOCKET"
"$BIN/cloudserver/control-cloud" serve --listen "127.0.0.1:$CLOUD_PORT" \
    --db "$RUN_DIR/cloud.sqlite" >"$RUN_DIR/cloud.log" 2>&1 &
pids+=($!)
cloud_pid=$!
"$BIN/simulator/device-simulator" --tcp-port "$SIM_PORT" --udp-port off >"$RUN_DIR/simulator.log" 2>&1 &
pids+=($!)

cloud() { "$BIN/cloudserver/control-cloud" "$@"; }
wait_for() {   # wait_for <seconds> <pid that must stay alive> <command...>
    local deadline=$((SECONDS + $1)) pid=$2; shift 2
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.2
    done
}
if ! wait_for 15 "$cloud_pid" test -S "$CONTROL_CLOUD_ADMIN_SOCKET"; then
    echo "run: control-cloud did not start; see $RUN_DIR/cloud.log" >&2
    cat "$RUN_DIR/cloud.log" >&2
    exit 1
fi

"$BIN/control-nuc" "${nuc_args[@]}" --cloud-url "ws://127.0.0.1:$CLOUD_PORT/" "$@" &
pids+=($!)
nuc_pid=$!
connected() { cloud controllers | grep -q "^demo-nuc  *connected"; }
device_up() { cloud controllers | grep -q "lobby-projector=connected"; }

if ! wait_for 30 "$nuc_pid" connected; then
    echo "run: control-nuc did not connect to control-cloud; see $RUN_DIR/cloud.log" >&2
    exit 1
fi
cloud deploy --controller demo-nuc --file resources/examples/tcp-projector.js --type tcp_projector \
    --version 1.0.0 --config "{\"host\":\"127.0.0.1\",\"port\":$SIM_PORT,\"pollMs\":5000}"
echo '[{"device_id":"lobby-projector","name":"Lobby projector","type":"tcp_projector"}]' >"$RUN_DIR/devices.json"
cloud devices --controller demo-nuc --file "$RUN_DIR/devices.json"
if wait_for 20 "$nuc_pid" device_up; then
    cloud command --controller demo-nuc --device lobby-projector --command power_on || true
fi
cat <<INFO
run: demo running on 127.0.0.1
  cloud      ws://127.0.0.1:$CLOUD_PORT (log $RUN_DIR/cloud.log)
  simulator  tcp 127.0.0.1:$SIM_PORT (log $RUN_DIR/simulator.log)
  controller demo-nuc, root $RUN_DIR/nuc, technician PIN 1234
  try: CONTROL_CLOUD_ADMIN_SOCKET=$CONTROL_CLOUD_ADMIN_SOCKET $BIN/cloudserver/control-cloud controllers
Ctrl-C stops all of it.
INFO
wait "$nuc_pid"
