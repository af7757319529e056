#!/bin/sh
# Runs inside a clean Debian 12 root (toolchain/test-package.sh makes it with mmdebstrap
# and copies this script and the .deb into /tmp): installs the kiosk package with apt,
# checks what it made, verifies the unit, purges it and checks the records stay.
# Prints "package check: <what>" for each check; the first failure stops with exit 1.
set -eu
deb=$1
hub_deb=$2
ok() { echo "package check: $*"; }
fail() { echo "package check FAILED: $*" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

# a clean root: neither the user nor the programs are there before
! getent passwd kiosk >/dev/null || fail "kiosk user exists before install"
apt-get install -y -q "$deb" >/tmp/apt-install.log 2>&1 || { tail -30 /tmp/apt-install.log; fail "apt install"; }
ok "apt install $(basename "$deb") pulled $(grep -c '^Setting up' /tmp/apt-install.log) packages"

for f in /usr/bin/kiosk /usr/bin/kioskctl /etc/kiosk/kiosk.conf \
         /lib/systemd/system/kiosk.service /lib/udev/rules.d/60-kiosk.rules \
         /lib/tmpfiles.d/kiosk.conf /lib/modprobe.d/kiosk.conf \
         /usr/share/kiosk/assets/strings/zh_CN.ini /usr/share/kiosk/assets/strings/en.ini \
         /usr/share/kiosk/assets/strings/zh_Hant.ini /usr/share/kiosk/assets/commitment/zh_Hant.txt \
         /usr/share/kiosk/assets/divisions/divisions.zh_Hant.txt \
         /usr/share/kiosk/fonts/NotoSansCJKsc-Kiosk.otf /usr/share/kiosk/fonts/NotoSansCJKtc-Kiosk.otf \
         /usr/share/doc/kiosk/README.md.gz /usr/share/doc/kiosk/copyright \
         /usr/share/tegaki/models/zinnia/handwriting-zh_CN.model \
         /lib/systemd/system/kiosk-mark-good.service /usr/lib/kiosk/kiosk-mark-good \
         /usr/lib/kiosk/kiosk-boot-file /usr/lib/kiosk/kiosk-pre-install; do
  [ -e "$f" ] || fail "missing $f"
done
[ ! -e /usr/bin/hub ] || fail "the hub is not part of this package"
n=$(find /usr/share/kiosk/prompts -name '*.wav' | wc -l)
[ "$n" -gt 0 ] || fail "no voice prompts"
for lang in zh_CN en zh_Hant; do
  [ -n "$(find /usr/share/kiosk/prompts/$lang -name '*.wav' | head -1)" ] || fail "no $lang prompts"
done
ok "files: programs, unit, udev, tmpfiles, modprobe, assets with zh_Hant, fonts, $n voice prompts"

# every library the programs link is there (the package's Depends pulled them)
for b in /usr/bin/kiosk /usr/bin/kioskctl; do
  if ldd "$b" | grep -q 'not found'; then ldd "$b" | grep 'not found'; fail "$b: missing library"; fi
done
ok "ldd: every library of kiosk and kioskctl found"

getent passwd kiosk | grep -q ':/var/lib/kiosk:/usr/sbin/nologin$' || fail "kiosk user: $(getent passwd kiosk)"
uid=$(id -u kiosk)
[ "$uid" -lt 1000 ] || fail "kiosk is not a system user (uid $uid)"
[ "$(stat -c '%U %a' /var/lib/kiosk)" = "kiosk 700" ] || fail "/var/lib/kiosk: $(stat -c '%U %a' /var/lib/kiosk)"
ok "user kiosk (system uid $uid, nologin), /var/lib/kiosk kiosk 0700"

grep -qx '/etc/kiosk/kiosk.conf' /var/lib/dpkg/info/kiosk.conffiles || fail "kiosk.conf is not a conffile"
grep -q '^assets_dir = /usr/share/kiosk/assets' /etc/kiosk/kiosk.conf || fail "kiosk.conf paths"
ok "/etc/kiosk/kiosk.conf is a conffile naming /usr/share/kiosk"
[ -L /etc/systemd/system/multi-user.target.wants/kiosk.service ] || fail "kiosk.service not enabled"
ok "kiosk.service enabled (starting skipped: no systemd as PID 1 in this root)"

# the unit, checked by systemd itself (systemd installed only now: the package must
# not need it to install)
apt-get install -y -q --no-install-recommends systemd >/tmp/apt-systemd.log 2>&1 || { tail -20 /tmp/apt-systemd.log; fail "installing systemd"; }
for unit in kiosk.service kiosk-mark-good.service; do
  out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "/lib/systemd/system/$unit" 2>&1) || {
    echo "$out"; fail "systemd-analyze verify $unit"; }
  # any line naming one of the package's units is a real problem
  if echo "$out" | grep -q 'kiosk'; then echo "$out"; fail "systemd-analyze verify $unit"; fi
done
ok "systemd-analyze verify kiosk.service kiosk-mark-good.service: clean"

# the hub's package: its program runs, its config is a conffile, its unit is installed but
# neither enabled nor started (it needs a signing key and a database first), its user
apt-get install -y -q "$hub_deb" >/tmp/apt-hub.log 2>&1 || { tail -30 /tmp/apt-hub.log; fail "apt install kiosk-hub"; }
for f in /usr/bin/kiosk-hub /etc/kiosk-hub/kiosk-hub.conf /lib/systemd/system/kiosk-hub.service \
         /usr/lib/sysusers.d/kiosk-hub.conf; do
  [ -e "$f" ] || fail "missing $f"
done
if ldd /usr/bin/kiosk-hub | grep -q 'not found'; then fail "kiosk-hub: missing library"; fi
kiosk-hub --help 2>&1 | grep -q 'kiosk-hub serve' || fail "kiosk-hub --help"
grep -qx '/etc/kiosk-hub/kiosk-hub.conf' /var/lib/dpkg/info/kiosk-hub.conffiles || fail "kiosk-hub.conf is not a conffile"
[ ! -e /etc/systemd/system/multi-user.target.wants/kiosk-hub.service ] || fail "kiosk-hub.service enabled before it is configured"
getent passwd kiosk-hub | grep -q ':/var/lib/kiosk-hub:/usr/sbin/nologin$' || fail "kiosk-hub user: $(getent passwd kiosk-hub)"
[ "$(stat -c '%U %a' /var/lib/kiosk-hub)" = "kiosk-hub 700" ] || fail "/var/lib/kiosk-hub: $(stat -c '%U %a' /var/lib/kiosk-hub)"
out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify /lib/systemd/system/kiosk-hub.service 2>&1) || {
  echo "$out"; fail "systemd-analyze verify kiosk-hub.service"; }
if echo "$out" | grep -q 'kiosk-hub'; then echo "$out"; fail "systemd-analyze verify kiosk-hub.service"; fi
echo "a hub record" >/var/lib/kiosk-hub/hub.marker
apt-get purge -y -q kiosk-hub >/tmp/apt-hub-purge.log 2>&1 || { tail -20 /tmp/apt-hub-purge.log; fail "apt purge kiosk-hub"; }
[ ! -e /usr/bin/kiosk-hub ] && [ ! -e /etc/kiosk-hub ] || fail "kiosk-hub left after purge"
[ -f /var/lib/kiosk-hub/hub.marker ] || fail "purge removed the hub's records"
ok "kiosk-hub: program, conffile, unit verified and not enabled, user, /var/lib/kiosk-hub 0700; purge keeps its records"

# the records survive a purge
echo "a record" >/var/lib/kiosk/records.marker
chown kiosk:kiosk /var/lib/kiosk/records.marker
conf_edit='; edited by the technician'
echo "$conf_edit" >>/etc/kiosk/kiosk.conf
apt-get purge -y -q kiosk >/tmp/apt-purge.log 2>&1 || { tail -20 /tmp/apt-purge.log; fail "apt purge"; }
[ ! -e /usr/bin/kiosk ] || fail "kiosk still installed"
[ ! -e /etc/kiosk ] || fail "/etc/kiosk left after purge: $(ls -A /etc/kiosk)"
[ ! -e /etc/systemd/system/multi-user.target.wants/kiosk.service ] || fail "enable link left"
[ -f /var/lib/kiosk/records.marker ] || fail "purge removed the records"
ok "purge: programs, /etc/kiosk and the enable link gone; /var/lib/kiosk and its records kept"
echo "package check: all passed"
