#!/usr/bin/env bash
# Builds the Debian package from the build tree and checks it: the file
# list, the maintainer scripts, the systemd units (systemd-analyze verify
# and the security score). Usage: check_package.sh <build dir> <source dir>
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "PASS: $*"; }

# 1. The package builds.
(cd "$BUILD" && cpack -G DEB -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1) || { cat "$WORK/cpack.log"; fail "cpack"; exit 1; }
DEB=$(ls "$WORK"/pkg/control-nuc_*.deb)
pass "package built: $(basename "$DEB") ($(du -h "$DEB" | cut -f1))"

# 2. Its file list.
dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|' >"$WORK/files"
for f in /opt/control-system/bin/control-nuc /opt/control-system/bin/control-cloud /opt/control-system/bin/device-simulator \
         /opt/control-system/share/control-nuc/qtlogging.ini /opt/control-system/share/control-nuc/control-nuc.ini.example \
         /opt/control-system/share/control-nuc/examples/tcp-projector.js /opt/control-system/share/doc/control-nuc/deployment.md \
         /lib/systemd/system/control-nuc.service /lib/systemd/system/control-nuc-headless.service; do
    grep -qx "$f" "$WORK/files" && pass "contains $f" || fail "missing $f"
done
if grep -qE '^/opt/control-system/(var|logs)' "$WORK/files"; then fail "var/ or logs/ shipped in the package"; else pass "var/ and logs/ left to the runtime"; fi
if grep -qE '^/etc/control-nuc/' "$WORK/files"; then fail "secrets file shipped"; else pass "no /etc/control-nuc in the package (made by postinst)"; fi
dpkg-deb -f "$DEB" Depends | grep -q adduser && pass "depends on adduser" || fail "adduser not in Depends"

# 3. Maintainer scripts: present, executable, valid sh, doing what they must.
dpkg-deb -e "$DEB" "$WORK/control"
for s in postinst prerm postrm; do
    [ -x "$WORK/control/$s" ] && sh -n "$WORK/control/$s" && pass "$s is valid sh" || fail "$s missing or invalid"
done
check() { grep -qE -- "$2" "$WORK/control/$1" && pass "$1: $3" || fail "$1: $3"; }
check postinst 'adduser --system .*control-nuc' "creates the system user"
check postinst 'for group in dialout' "adds the user to dialout"
check postinst 'install -d -m 0700 -o control-nuc -g control-nuc "\$ROOT/var" "\$ROOT/logs"' "var/ and logs/ owner-only"
check postinst 'install -d -m 0750 -o root -g control-nuc /etc/control-nuc' "root-owned configuration folder"
check postinst 'chown -R control-nuc:control-nuc "\$dir"' "kept data re-owned after a purge and reinstall"
grep -q '^DeviceAllow=char-input rw' "$SRC/deploy/systemd/control-nuc.service" && pass "touchscreen opened read-write (libinput)" || fail "char-input must be rw"
check postrm 'CONTROL_NUC_PURGE_DATA:-no' "purge keeps var/ unless asked"
check postrm 'rm -rf "\$ROOT/var" "\$ROOT/logs"' "purge removes var/ when asked"

# 4. The units: systemd-analyze verify (executables pointed at this build).
mkdir -p "$WORK/units"
for u in control-nuc.service control-nuc-headless.service; do
    sed "s|/opt/control-system/bin/control-nuc|$BUILD/app/control-nuc|" "$SRC/deploy/systemd/$u" >"$WORK/units/$u"
done
if systemd-analyze verify --man=no "$WORK"/units/*.service >"$WORK/verify.log" 2>&1 && ! grep -v "^$" "$WORK/verify.log" | grep -q .; then
    pass "systemd-analyze verify: no findings"
else
    cat "$WORK/verify.log"; fail "systemd-analyze verify"
fi
for u in control-nuc.service control-nuc-headless.service; do
    score=$(systemd-analyze security --offline=true "$SRC/deploy/systemd/$u" 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
    if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then pass "$u exposure $score (≤ 2.0)"; else fail "$u exposure '$score'"; fi
done
for u in control-nuc.service control-nuc-headless.service; do
    grep -q '^ExecStart=.*--config /etc/control-nuc/control-nuc.ini' "$SRC/deploy/systemd/$u" && pass "$u reads the root-owned config" || fail "$u config"
    if grep -qiE '^(Environment=.*(TOKEN|CLOUD_URL)|ExecStart=.*--token)' "$SRC/deploy/systemd/$u"; then fail "$u carries a secret"; else pass "$u carries no secret"; fi
done

if [ "$failures" -gt 0 ]; then echo "package checks: $failures failed"; exit 1; fi
echo "package checks: all passed"
