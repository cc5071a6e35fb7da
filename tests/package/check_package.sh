#!/usr/bin/env bash
# Builds the Debian packages (control-nuc, control-cloud, control-nuc-tools)
# from the build tree and checks them: lintian, the file lists, the
# maintainer scripts (what they call, not run), the systemd units
# (systemd-analyze verify, the security score, resource limits). Usage: check_package.sh <build dir> <source dir>
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "PASS: $*"; }

# 1. The packages build: one per CPack component.
(cd "$BUILD" && cpack -G DEB -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1) || { cat "$WORK/cpack.log"; fail "cpack"; exit 1; }
deb_of() { ls "$WORK"/pkg/"$1"_*.deb 2>/dev/null; }
PACKAGES="control-nuc control-cloud control-nuc-tools"
for p in $PACKAGES; do
    [ -f "$(deb_of "$p")" ] && pass "package built: $(basename "$(deb_of "$p")")" || { fail "package $p not built"; exit 1; }
done
[ "$(ls "$WORK"/pkg/*.deb | wc -l)" -eq 3 ] && pass "exactly three packages" || fail "unexpected packages: $(ls "$WORK"/pkg/*.deb)"
DEB=$(deb_of control-nuc)

# 1b. lintian: no error or warning but the ones justified here (and in
# docs/deployment.md, "lintian").
#   dir-or-file-in-opt: the appliance layout is /opt/control-system (bin/,
#   share/, and var/ and logs/ made at run time, --root's default). These
#   are add-on packages for our appliances, never uploaded to Debian; /opt
#   is, by the FHS, where add-on application packages go, and Debian policy
#   keeps it free for exactly such packages.
ALLOWED_LINTIAN_TAGS="dir-or-file-in-opt"
if ! command -v lintian >/dev/null; then
    fail "lintian not installed (scripts/test.sh installs it)"
else
    lintian --tag-display-limit 0 --fail-on none "$WORK"/pkg/*.deb >"$WORK/lintian.log" 2>&1 || true
    grep -E '^[EW]: ' "$WORK/lintian.log" >"$WORK/lintian.ew" || true
    unexpected=$(awk '{print $3}' "$WORK/lintian.ew" | sort -u | grep -vxF "$(echo "$ALLOWED_LINTIAN_TAGS" | tr ' ' '\n')" || true)
    if [ -n "$unexpected" ]; then
        grep -E '^[EW]: ' "$WORK/lintian.log"; fail "lintian: unjustified tags: $(echo $unexpected)"
    else
        pass "lintian: no errors or warnings except $(echo $ALLOWED_LINTIAN_TAGS) ($(wc -l <"$WORK/lintian.ew") lines)"
    fi
    # The justified tag only for the /opt layout.
    if grep -F 'dir-or-file-in-opt' "$WORK/lintian.ew" | grep -vq '\[opt/control-system/'; then
        fail "dir-or-file-in-opt outside /opt/control-system"
    else
        pass "dir-or-file-in-opt only for /opt/control-system"
    fi
fi

# 2. Their file lists: each program in its own package, driver host beside the controller.
for p in $PACKAGES; do
    dpkg-deb -c "$(deb_of "$p")" | awk '{print $6}' | sed 's|^\./|/|' >"$WORK/files.$p"
done
contains() { # package, files it must hold
    local p=$1; shift
    for f in "$@"; do grep -qx "$f" "$WORK/files.$p" && pass "$p contains $f" || fail "$p lacks $f"; done
}
lacks() { # package, extended regex of files it must not hold
    if grep -qE "$2" "$WORK/files.$1"; then fail "$1 ships $(grep -E "$2" "$WORK/files.$1" | head -n 1)"; else pass "$1 ships nothing matching $2"; fi
}
contains control-nuc /opt/control-system/bin/control-nuc /opt/control-system/bin/control-nuc-driverhost \
    /opt/control-system/share/control-nuc/qtlogging.ini /opt/control-system/share/control-nuc/control-nuc.ini.example \
    /opt/control-system/share/control-nuc/examples/tcp-projector.js /usr/share/doc/control-nuc/deployment.md \
    /lib/systemd/system/control-nuc.service /lib/systemd/system/control-nuc-headless.service
contains control-cloud /opt/control-system/bin/control-cloud /opt/control-system/bin/control-cloud-loadtest \
    /opt/control-system/share/control-cloud/control-cloud.service.example
contains control-nuc-tools /opt/control-system/bin/device-simulator
for p in $PACKAGES; do
    contains "$p" "/usr/share/doc/$p/copyright" "/usr/share/doc/$p/changelog.gz"
done
lacks control-nuc '/bin/(control-cloud|device-simulator)$'
lacks control-cloud '/bin/(control-nuc|control-nuc-driverhost|device-simulator)$|^/lib/systemd/'
lacks control-nuc-tools '/bin/(control-nuc|control-nuc-driverhost|control-cloud)$|^/lib/systemd/'
# No file in two packages (dpkg would refuse to install them side by side).
cat "$WORK"/files.* | grep -v '/$' | sort | uniq -d >"$WORK/shared"
[ -s "$WORK/shared" ] && fail "files in more than one package: $(tr '\n' ' ' <"$WORK/shared")" || pass "no file in two packages"
for p in $PACKAGES; do
    lacks "$p" '^/opt/control-system/(var|logs)'
    lacks "$p" '^/etc/control-nuc/'
done
dpkg-deb -f "$DEB" Depends | grep -q adduser && pass "control-nuc depends on adduser" || fail "adduser not in Depends"
# The changelog is the package's: its newest entry names this version.
for p in $PACKAGES; do
    version=$(dpkg-deb -f "$(deb_of "$p")" Version)
    dpkg-deb --fsys-tarfile "$(deb_of "$p")" | tar -xO "./usr/share/doc/$p/changelog.gz" | gzip -dc | head -n 1 >"$WORK/head"
    grep -q "^control-nuc ($version) " "$WORK/head" && pass "$p changelog names $version" || fail "$p changelog starts '$(cat "$WORK/head")', not $version"
    # A synopsis and a long description of at least two lines.
    [ "$(dpkg-deb -f "$(deb_of "$p")" Description | wc -l)" -ge 3 ] && pass "$p has a long description" || fail "$p description too short"
done

# 3. Maintainer scripts: present (control-nuc only), executable, valid sh, doing what they must.
dpkg-deb -e "$DEB" "$WORK/control"
for s in postinst prerm postrm; do
    [ -x "$WORK/control/$s" ] && sh -n "$WORK/control/$s" && pass "$s is valid sh" || fail "$s missing or invalid"
done
for p in control-cloud control-nuc-tools; do
    dpkg-deb -e "$(deb_of "$p")" "$WORK/control.$p"
    if ls "$WORK/control.$p" | grep -qE '^(pre|post)(inst|rm)$'; then fail "$p has maintainer scripts"; else pass "$p has no maintainer scripts (no units)"; fi
done
check() { grep -qE -- "$2" "$WORK/control/$1" && pass "$1: $3" || fail "$1: $3"; }
check_not() { if grep -v '^ *#' "$WORK/control/$1" | grep -qE -- "$2"; then fail "$1: $3"; else pass "$1: $3"; fi; }
check postinst 'adduser --system .*control-nuc' "creates the system user"
check_not postinst 'adduser control-nuc|usermod|video|render|input' "adds the user to no group (the unit grants them)"
check postinst 'install -d -m 0700 -o control-nuc -g control-nuc "\$ROOT/var" "\$ROOT/logs"' "var/ and logs/ owner-only"
check postinst 'install -d -m 0750 -o root -g control-nuc /etc/control-nuc' "root-owned configuration folder"
check_not postinst 'chown -R|chmod -R' "no recursive chown or chmod"
check postinst 'deb-systemd-helper enable "\$unit"' "enables a unit with deb-systemd-helper"
check postinst 'deb-systemd-invoke "\$action"' "starts or restarts with deb-systemd-invoke"
check prerm 'deb-systemd-invoke stop control-nuc.service control-nuc-headless.service' "stops both units on remove"
check postrm 'deb-systemd-helper purge "\$unit"' "purge forgets the units' state"
for s in postinst prerm postrm; do
    if grep -v '^ *#' "$WORK/control/$s" | grep -E '(^|;)[[:space:]]*systemctl\b' | grep -qv daemon-reload; then
        fail "$s calls systemctl for more than daemon-reload"
    else
        pass "$s calls systemctl for daemon-reload only"
    fi
done
check_not postrm 'deluser|delgroup' "keeps the system user on purge"
grep -q '^DeviceAllow=char-input rw' "$SRC/deploy/systemd/control-nuc.service" && pass "touchscreen opened read-write (libinput)" || fail "char-input must be rw"
grep -q '^SupplementaryGroups=dialout$' "$SRC/deploy/systemd/control-nuc-headless.service" && pass "headless unit: dialout only" || fail "headless unit groups"
check postrm 'CONTROL_NUC_PURGE_DATA:-no' "purge keeps var/ unless asked"
check postrm 'rm -rf "\$ROOT/var" "\$ROOT/logs"' "purge removes var/ when asked"

# 4. The units: systemd-analyze verify (executables pointed at this build).
mkdir -p "$WORK/units"
for u in control-nuc.service control-nuc-headless.service; do
    sed "s|/opt/control-system/bin/control-nuc|$BUILD/app/control-nuc|" "$SRC/deploy/systemd/$u" >"$WORK/units/$u"
done
sed "s|/opt/control-system/bin/control-cloud|$BUILD/app/cloudserver/control-cloud|" \
    "$SRC/deploy/systemd/control-cloud.service" >"$WORK/units/control-cloud.service"
grep -q '^LimitNOFILE=65536$' "$SRC/deploy/systemd/control-cloud.service" && pass "control-cloud unit raises the open-file limit" \
    || fail "control-cloud unit lacks LimitNOFILE="
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
    # Controller and driver hosts share the unit's cgroup (docs/deployment.md, Resource limits).
    grep -qx 'MemoryMax=4G' "$SRC/deploy/systemd/$u" && pass "$u MemoryMax=4G" || fail "$u MemoryMax"
    grep -qx 'TasksMax=4096' "$SRC/deploy/systemd/$u" && pass "$u TasksMax=4096" || fail "$u TasksMax"
    grep -q '^ExecStart=.*--config /etc/control-nuc/control-nuc.ini' "$SRC/deploy/systemd/$u" && pass "$u reads the root-owned config" || fail "$u config"
    if grep -qiE '^(Environment=.*(TOKEN|CLOUD_URL)|ExecStart=.*--token)' "$SRC/deploy/systemd/$u"; then fail "$u carries a secret"; else pass "$u carries no secret"; fi
done

if [ "$failures" -gt 0 ]; then echo "package checks: $failures failed"; exit 1; fi
echo "package checks: all passed"
