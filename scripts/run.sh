#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (packages, build) and runs control-nuc
# with its root under the build folder. Extra arguments go to control-nuc,
# e.g. scripts/run.sh --cloud-url ws://127.0.0.1:8080/controller
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
export BUILD_DIR
scripts/setup.sh

args=(--root "$BUILD_DIR/run-root")
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "run: no display found; running headless (--headless)"
    args+=(--headless)
fi
echo "run: root is $BUILD_DIR/run-root; Ctrl-C stops"
exec "$BUILD_DIR/app/control-nuc" "${args[@]}" "$@"
