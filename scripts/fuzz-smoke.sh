#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/, docs/fuzzing.md) with clang in
# their own build folder and runs each for a short while from its seed
# corpus. A crash, sanitizer report or timeout fails the script; the input
# that caused it is left in the artifact folder printed at the end.
#   scripts/fuzz-smoke.sh [seconds per target, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-30}
FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
TARGETS="fuzz_protocol fuzz_transform"

if ! command -v clang++ >/dev/null; then
    echo "fuzz: clang++ not found, skipped"
    exit 0
fi
LAUNCHER=()
command -v ccache >/dev/null && LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$FUZZ_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DNUC_FUZZ=ON -DBUILD_TESTING=OFF "${LAUNCHER[@]}" >/dev/null
# shellcheck disable=SC2086
cmake --build "$FUZZ_BUILD_DIR" --parallel "$(nproc)" --target $TARGETS

# New inputs go to a scratch corpus (the first folder); the seeds in
# tests/fuzz/ are only read.
WORK=$(mktemp -d /tmp/control-nuc-fuzz.XXXXXX)
status=0
for t in $TARGETS; do
    mkdir -p "$WORK/$t/corpus" "$WORK/$t/artifacts"
    if "$FUZZ_BUILD_DIR/tests/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$WORK/$t/artifacts/" "$WORK/$t/corpus" "tests/fuzz/$t" >"$WORK/$t/log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$t/log")
        echo "fuzz: $t: $runs runs in ${SECONDS_EACH} s, no crash"
    else
        echo "fuzz: $t FAILED; log and input in $WORK/$t" >&2
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$WORK/$t/log" | head -n 5 >&2 || true
        status=1
    fi
done
[ "$status" -eq 0 ] && rm -rf "$WORK"
exit "$status"
