#!/usr/bin/env bash
# Runs the maintainer scripts for real: installs the three packages built
# from this tree on this machine, upgrades control-nuc over itself, removes
# and purges it, and checks what each step leaves behind (user, folders,
# modes, configuration, enabled/masked units, kept data).
#
# It changes the machine it runs on (packages, the control-nuc system user,
# /opt/control-system, /etc/control-nuc), so it runs only as root and only
# when asked: CI=true (CI machines are throw-away) or NUC_INSTALL_TEST=1.
# Otherwise, and when a control-nuc package is installed already, it exits
# 77 (CTest: skipped). What it created, it removes again.
#
# Usage: install_cycle.sh <build dir>
set -euo pipefail
BUILD=$(cd "$1" && pwd)

if [ "$(id -u)" -ne 0 ] || { [ "${CI:-}" != "true" ] && [ "${NUC_INSTALL_TEST:-}" != "1" ]; }; then
    echo "SKIP: installs packages on this machine; runs as root with CI=true or NUC_INSTALL_TEST=1"
    exit 77
fi
for p in control-nuc control-cloud control-nuc-tools; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "installed"; then
        echo "SKIP: $p is installed on this machine already; not touching it"
        exit 77
    fi
done

WORK=$(mktemp -d)
ROOT=/opt/control-system
created_user=no
getent passwd control-nuc >/dev/null || created_user=yes
created_root=no
[ -e "$ROOT" ] || created_root=yes
cleanup() {
    # Leave the machine as it was found.
    dpkg --purge control-nuc control-cloud control-nuc-tools >/dev/null 2>&1 || true
    if [ "$created_user" = yes ]; then
        deluser --system control-nuc >/dev/null 2>&1 || true
        delgroup --system control-nuc >/dev/null 2>&1 || true
    fi
    [ "$created_root" = yes ] && rm -rf "$ROOT"
    rm -rf "$WORK"
}
trap cleanup EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "PASS: $*"; }
expect() { # description, command...
    local what=$1; shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
mode_owner() { stat -c '%a %U:%G' "$1" 2>/dev/null; }
UNITS="control-nuc.service control-nuc-headless.service"
# What an enabled unit is on disk: its link in a target's .wants folder.
enabled_units() {
    for u in $UNITS; do
        ls /etc/systemd/system/*.wants/"$u" >/dev/null 2>&1 && echo "$u"
    done
    return 0
}
# The administrator switching units: systemctl, on the files (--root=/)
# since CI machines run no systemd.
admin_unit() { systemctl --root=/ --quiet "$@"; }
masked() { [ "$(readlink "/etc/systemd/system/$1" 2>/dev/null)" = /dev/null ]; }

(cd "$BUILD" && cpack -G DEB -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1) || { cat "$WORK/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb_of() { ls "$WORK"/pkg/"$1"_*.deb; }

# 1. Installation of all three side by side; dependencies from the archive.
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "$(deb_of control-nuc)" "$(deb_of control-cloud)" "$(deb_of control-nuc-tools)" >"$WORK/install.log" 2>&1; then
    cat "$WORK/install.log"
    echo "FAIL: apt-get install of the three packages"
    exit 1
fi
pass "the three packages install side by side"
expect "system user control-nuc, no login shell" test "$(getent passwd control-nuc | cut -d: -f7)" = /usr/sbin/nologin
expect "the user is in no supplementary group" test "$(id -Gn control-nuc)" = control-nuc
expect "var/ is 0700 control-nuc" test "$(mode_owner $ROOT/var)" = "700 control-nuc:control-nuc"
expect "logs/ is 0700 control-nuc" test "$(mode_owner $ROOT/logs)" = "700 control-nuc:control-nuc"
expect "/etc/control-nuc is 0750 root:control-nuc" test "$(mode_owner /etc/control-nuc)" = "750 root:control-nuc"
expect "the configuration is 0640 root:control-nuc" test "$(mode_owner /etc/control-nuc/control-nuc.ini)" = "640 root:control-nuc"
expect "exactly one unit enabled" test "$(enabled_units | wc -l)" -eq 1
first=$(enabled_units)
echo "      enabled on installation: $first"
# The programs run as the service user from their installed place.
expect "control-nuc --version runs as control-nuc" \
    runuser -u control-nuc -- $ROOT/bin/control-nuc --version
expect "--check-driver runs an example through the installed driver host" \
    runuser -u control-nuc -- $ROOT/bin/control-nuc --check-driver $ROOT/share/control-nuc/examples/tcp-projector.js
expect "control-cloud --help runs" $ROOT/bin/control-cloud --help >/dev/null
expect "device-simulator --help runs" $ROOT/bin/device-simulator --help >/dev/null

# 2. Upgrade over itself: the administrator's configuration and choice of unit stay.
echo "; edited by the administrator" >>/etc/control-nuc/control-nuc.ini
sum_before=$(sha256sum /etc/control-nuc/control-nuc.ini)
other=$(echo $UNITS | tr ' ' '\n' | grep -vx "$first")
admin_unit disable "$first"
admin_unit enable "$other"
echo "data written by the controller" >$ROOT/var/kept.txt
chown control-nuc:control-nuc $ROOT/var/kept.txt
if dpkg -i "$(deb_of control-nuc)" >"$WORK/upgrade.log" 2>&1; then pass "upgrade over itself"; else cat "$WORK/upgrade.log"; fail "upgrade"; fi
expect "the upgrade keeps the edited configuration" test "$(sha256sum /etc/control-nuc/control-nuc.ini)" = "$sum_before"
echo "      enabled after the upgrade: $(enabled_units | tr "\n" " ")"
expect "the upgrade keeps the administrator's unit ($other)" test "$(enabled_units)" = "$other"
expect "the upgrade keeps var/" test -f $ROOT/var/kept.txt

# 3. Remove: programs gone, units masked, configuration and data kept.
if dpkg -r control-nuc >"$WORK/remove.log" 2>&1; then pass "remove"; else cat "$WORK/remove.log"; fail "remove"; fi
expect "remove takes the program" test ! -e $ROOT/bin/control-nuc
expect "remove masks both units" bash -c "$(declare -f masked); masked control-nuc.service && masked control-nuc-headless.service"
expect "remove keeps the configuration" test -f /etc/control-nuc/control-nuc.ini
expect "remove keeps var/" test -f $ROOT/var/kept.txt
expect "control-cloud still works without control-nuc" $ROOT/bin/control-cloud --help >/dev/null

# 4. Purge: configuration and unit state gone, data and user kept (unless asked).
if dpkg -P control-nuc >"$WORK/purge.log" 2>&1; then pass "purge"; else cat "$WORK/purge.log"; fail "purge"; fi
expect "purge removes /etc/control-nuc" test ! -e /etc/control-nuc
expect "purge unmasks the units" bash -c "$(declare -f masked); ! masked control-nuc.service && ! masked control-nuc-headless.service"
expect "purge forgets the units' state" test -z "$(enabled_units)"
expect "purge keeps var/ and says so" bash -c "test -f $ROOT/var/kept.txt && grep -q 'kept $ROOT/var' '$WORK/purge.log'"
expect "purge keeps the system user" getent passwd control-nuc >/dev/null

# 5. Reinstall on kept data, then purge with the data.
if dpkg -i "$(deb_of control-nuc)" >"$WORK/reinstall.log" 2>&1; then pass "reinstall on kept data"; else cat "$WORK/reinstall.log"; fail "reinstall"; fi
expect "reinstall finds the kept data" test -f $ROOT/var/kept.txt
expect "reinstall enables exactly one unit" test "$(enabled_units | wc -l)" -eq 1
if CONTROL_NUC_PURGE_DATA=yes dpkg -P control-nuc >"$WORK/purge2.log" 2>&1; then pass "purge with data"; else cat "$WORK/purge2.log"; fail "purge with data"; fi
expect "CONTROL_NUC_PURGE_DATA=yes removes var/ and logs/" test ! -e $ROOT/var -a ! -e $ROOT/logs

if [ "$failures" -gt 0 ]; then echo "install cycle: $failures failed"; exit 1; fi
echo "install cycle: all passed"
