#!/usr/bin/env bash
# The Node reference (tests/reference/node-controller) still works: the two
# benchmarks run against it with tiny counts, bench_driversync side by side
# with control-nuc (so the side-by-side mode is exercised too). Exits 77
# (skipped) when node, its ws module or the sqlite3 shell is missing.
#   check_node_reference.sh <build>/tests
set -uo pipefail
bin=$1
skip() { echo "SKIPPED: the Node reference cannot run here: $1"; exit 77; }
command -v node >/dev/null || skip "node is not installed (Debian package nodejs)"
node -e "try { require('ws'); } catch (e) { require('/usr/share/nodejs/ws'); }" 2>/dev/null \
    || skip "node cannot load ws (Debian package node-ws)"
command -v sqlite3 >/dev/null || skip "the sqlite3 shell is not installed (Debian package sqlite3)"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $1"; for f in "$out"/*; do echo "--- $f"; cat "$f"; done; exit 1; }

"$bin/bench_driversync" --reference-node --syncs 5 --distinct-types >"$out/sync.out" 2>"$out/sync.err" \
    || fail "bench_driversync --reference-node exited with $?"
# The side-by-side section holds a Node figure for the round trip.
grep -A2 '^  send → complete$' "$out/sync.out" | grep -q 'Node reference #1: median' \
    || fail "no Node round trip in the side-by-side section"
grep -q 'sync failed' "$out/sync.err" && fail "a driver_sync failed"

"$bin/bench_devices" --target node --devices 3 --commands 20 --reloads 1 >"$out/devices.out" 2>"$out/devices.err" \
    || fail "bench_devices --target node exited with $?"
grep -q 'with 3 devices reloaded: median' "$out/devices.out" || fail "no reload figure"
grep -q 'device_command → device_command_result (20 commands over 3 devices): median' "$out/devices.out" \
    || fail "no command figure"
grep -Eq 'failed|did not' "$out/devices.err" && fail "bench_devices reported a failure"
echo "the Node reference answered every driver_sync, reload and device_command"
