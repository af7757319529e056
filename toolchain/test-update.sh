#!/usr/bin/env bash
# Tests signed A/B updates with RAUC, without hardware: two file-backed rootfs slots
# (A, B), the file-backed boot loader backend (toolchain/rauc/kiosk-boot-file) and a
# simulated boot loader (tests/update/sim-boot.sh), RAUC's service on a private D-Bus.
# Proves: a good bundle installs into the inactive slot and becomes primary; a tampered
# bundle, one signed by another key and a downgrade are refused and touch nothing; a new
# slot never confirmed healthy falls back to the old one after its boot attempts.
# The good update and a bundle signed by another key also come the way a unit gets them:
# offered by a loopback kiosk-hub ([updates] dir), fetched by `kioskctl update check` (the
# signed manifest, the download, its hash) and installed by `kioskctl update install`
# (RAUC's signature check, the status file, the audit).
# Needs root (RAUC loop-mounts the bundle; the test mounts the booted slot).
# Usage: toolchain/test-update.sh   (uses build-deb/'s .deb, made by toolchain/make-deb.sh,
#        and build/'s kioskctl and kiosk-hub)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
start=$SECONDS
T=$(mktemp -d /tmp/kiosk-update.XXXXXX)
svc_pid="" dbus_pid="" hub_pid=""
cleanup() {
  [ -z "$svc_pid" ] || kill "$svc_pid" 2>/dev/null || true
  [ -z "$hub_pid" ] || kill "$hub_pid" 2>/dev/null || true
  [ -z "$dbus_pid" ] || kill "$dbus_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  umount "$T/sysroot" 2>/dev/null || true
  [ "${KIOSK_KEEP_TEST:-}" = 1 ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
passed=0 failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAILED: $*" >&2; failed=$((failed + 1)); }

arch=$(dpkg --print-architecture)
pkgver=$(dpkg-parsechangelog -l debian/changelog -S Version)
deb=build-deb/kiosk_${pkgver}_$arch.deb
[ -f "$deb" ] || toolchain/make-deb.sh >/dev/null

echo "== keys and bundles"
toolchain/make-update-key.sh "$T/keys" >/dev/null
toolchain/make-update-key.sh "$T/other-keys" "Not the hall" >/dev/null
b() { toolchain/make-bundle.sh --deb "$deb" --keys "${3:-$T/keys}" --format plain --version "$1" \
        --out "$T/$2.raucb" | sed 's/^== /   /'; }
b 1.0 v1 && b 2.0 v2 && b 0.9 v0.9 && b 3.0 v3 && b 2.1 other "$T/other-keys"
# tampered: v2.0 with bytes inside its image changed (the signature covers them)
cp "$T/v2.raucb" "$T/tampered.raucb"
printf 'kiosk' | dd of="$T/tampered.raucb" bs=1 seek=1048576 conv=notrunc status=none

echo "== slots, boot state, system.conf"
truncate -s 96M "$T/slot-a.img" "$T/slot-b.img"
mkdir -p "$T/data" "$T/mnt" "$T/sysroot"
export KIOSK_BOOT_STATE=$T/data/boot.state
printf 'PRIMARY=A\nA_ATTEMPTS=3\nB_ATTEMPTS=0\n' >"$KIOSK_BOOT_STATE"
sed -e "s|@ARCH@|$arch|" -e "s|/var/lib/rauc/status.raucs|$T/data/status.raucs|" \
    -e "s|^bundle-formats=-plain|bundle-formats=plain|" -e "s|/run/rauc|$T/mnt|" \
    -e "s|/etc/rauc/keyring.pem|$T/keys/ca.cert.pem|" \
    -e "s|/usr/lib/kiosk/|$src/toolchain/rauc/|" \
    -e "s|/dev/disk/by-partlabel/rootfs-a|$T/slot-a.img|" \
    -e "s|/dev/disk/by-partlabel/rootfs-b|$T/slot-b.img|" \
    toolchain/rauc/system.conf.in >"$T/system.conf"
conf=$T/system.conf

# the factory: slot A written with 1.0 the way a unit is provisioned
rauc extract --keyring="$T/keys/ca.cert.pem" "$T/v1.raucb" "$T/v1" >/dev/null 2>&1
rauc -c "$conf" write-slot rootfs.0 "$T/v1/rootfs.ext4" >"$T/write-slot.log" 2>&1 ||
  { cat "$T/write-slot.log"; exit 1; }
rm -rf "$T/v1"

# RAUC's service on a private session bus (rauc uses it when DBUS_STARTER_BUS_TYPE=session)
read -r addr dbus_pid < <(dbus-daemon --session --fork --print-address=1 --print-pid=1 | paste -s -d ' ')
export DBUS_SESSION_BUS_ADDRESS=$addr DBUS_STARTER_BUS_TYPE=session

booted=""
# boot: the simulated boot loader picks a slot; the slot is mounted as the running
# system (its /etc/kiosk-release is what the pre-install handler compares with) and
# RAUC's service starts as on that system
boot() {
  if [ -n "$svc_pid" ]; then kill "$svc_pid"; wait "$svc_pid" 2>/dev/null || true; svc_pid=""; fi
  umount "$T/sysroot" 2>/dev/null || true
  booted=$(tests/update/sim-boot.sh)
  local img=$T/slot-a.img
  [ "$booted" = A ] || img=$T/slot-b.img
  mount -o loop,ro "$img" "$T/sysroot"
  KIOSK_SYSROOT=$T/sysroot rauc service -c "$conf" --override-boot-slot="$booted" \
    >>"$T/service.log" 2>&1 &
  svc_pid=$!
  # (a client started before the service is on the bus may abort: in a subshell, quietly)
  for _ in $(seq 50); do (rauc status) >/dev/null 2>&1 && break; sleep 0.1; done
  running=$(sed -n 's/^KIOSK_VERSION=//p' "$T/sysroot/etc/kiosk-release")
  echo "-- boot: slot $booted, version $running ($(tr '\n' ' ' <"$KIOSK_BOOT_STATE"))"
}
# the kiosk's health, as kiosk-mark-good sees it through systemctl
mark_good_as() {
  mkdir -p "$T/bin"
  printf '#!/bin/sh\nexit %s\n' "$1" >"$T/bin/systemctl"
  chmod +x "$T/bin/systemctl"
  PATH=$T/bin:$PATH toolchain/rauc/kiosk-mark-good >>"$T/mark-good.log" 2>&1
}
slot_version() { debugfs -R 'cat /etc/kiosk-release' "$T/slot-$(echo "$1" | tr AB ab).img" 2>/dev/null |
  sed -n 's/^KIOSK_VERSION=//p'; }
slot_state() { rauc status --detailed --output-format=json 2>/dev/null |
  python3 -c "import json,sys; s=json.load(sys.stdin)
for d in s['slots']:
  for n,v in d.items():
    if v.get('bootname')=='$1': print(v.get('boot_status'))"; }
primary() { toolchain/rauc/kiosk-boot-file get-primary; }
install() { rauc install "$T/$1.raucb" >"$T/install-$1.log" 2>&1; }

echo "== first boot and refusals"
boot
[ "$booted" = A ] && [ "$running" = 1.0 ] || fail "the factory boots A with 1.0"
mark_good_as 0 && ok "kiosk-mark-good confirms A after the kiosk is healthy" || fail "mark-good A"
sum_b=$(sha256sum <"$T/slot-b.img")
for bad in tampered other v0.9; do
  if install "$bad"; then fail "$bad bundle installed"; continue; fi
  [ "$(sha256sum <"$T/slot-b.img")" = "$sum_b" ] || fail "$bad bundle wrote slot B"
  [ "$(primary)" = A ] || fail "$bad bundle switched the primary"
  ok "$bad bundle refused, slot B untouched, A stays primary: $(grep -o -m1 -E 'signature verification failed[^.]*|Pre-install handler error|Failed to[^:]*' "$T/install-$bad.log" | head -1)"
done
grep -q 'refusing downgrade from 1.0 to 0.9' "$T/service.log" || fail "0.9: no downgrade message"

echo "== offered by the hub, fetched and installed by kioskctl"
kioskctl=$src/build/programs/kioskctl hub=$src/build/hub/kiosk-hub
[ -x "$kioskctl" ] && [ -x "$hub" ] ||
  cmake --build build -j"$(nproc)" --target kioskctl kiosk-hub >/dev/null
mkdir -p "$T/hub/updates" "$T/unit"
hub_pk=$("$hub" sign-key --key "$T/hub/sign.key")
cat >"$T/unit/kiosk.conf" <<CONF
[paths]
state_dir = $T/unit
[sync]
url = http://127.0.0.1:1
allow_plain_http_loopback = 1
[update]
keyring = $T/keys/ca.cert.pem
release_file = $T/sysroot/etc/kiosk-release
CONF
dev_pk=$("$kioskctl" provision --config "$T/unit/kiosk.conf" --hub-key "$hub_pk" |
  sed -n 's/^device public key: *//p')
"$hub" device add --db "$T/hub/hub.db" "$dev_pk" unit-1 >/dev/null
"$hub" serve --db "$T/hub/hub.db" --sign-key "$T/hub/sign.key" --listen 127.0.0.1:0 \
  --plain-http-loopback-test --port-file "$T/hub/port" --updates-dir "$T/hub/updates" \
  >"$T/hub/hub.log" 2>&1 &
hub_pid=$!
for _ in $(seq 50); do [ -s "$T/hub/port" ] && break; sleep 0.1; done
sed -i "s/127.0.0.1:1$/127.0.0.1:$(cat "$T/hub/port")/" "$T/unit/kiosk.conf"
ctl() { "$kioskctl" "$@" --config "$T/unit/kiosk.conf"; }
fetched() { sed -n 's/^downloaded[^:]*: //p' "$T/check.log"; }
# a bundle signed by another key, offered as 2.1: fetched (the hash is the hub's), refused
cp "$T/other.raucb" "$T/hub/updates/kiosk-2.1-$arch.raucb"
ctl update check >"$T/check.log" 2>&1 || fail "check for 2.1: $(cat "$T/check.log")"
if ctl update install "$(fetched)" >"$T/ctl-install.log" 2>&1; then
  fail "kioskctl installed a bundle signed by another key"
else
  [ "$?" -eq 24 ] && grep -q '"result":"refused"' "$T/unit/update-status.json" &&
    grep -q '"detail":"bad_signature"' "$T/unit/update-status.json" && [ "$(primary)" = A ] &&
    ok "kioskctl: 2.1 signed by another key fetched from the hub and refused (bad_signature)" ||
    fail "other key via kioskctl: $(cat "$T/ctl-install.log") $(cat "$T/unit/update-status.json")"
fi
rm "$T/hub/updates/kiosk-2.1-$arch.raucb"
# the good one: 2.0 from the hub into slot B
cp "$T/v2.raucb" "$T/hub/updates/kiosk-2.0-$arch.raucb"
# as if a download had stopped after 64 KiB: it resumes there
mkdir -p "$T/unit/update"
head -c 65536 "$T/v2.raucb" >"$T/unit/update/$(sha256sum "$T/v2.raucb" | cut -c1-64).part"
if ctl update check >"$T/check.log" 2>&1 && grep -q 'downloaded (resumed)' "$T/check.log"; then
  cmp -s "$(fetched)" "$T/v2.raucb" || fail "the fetched 2.0 differs from the published one"
else
  fail "check for 2.0: $(cat "$T/check.log")"
fi
echo "== a good update"
if ctl update install "$(fetched)" >"$T/ctl-install.log" 2>&1; then
  [ "$(primary)" = B ] && [ "$(slot_version B)" = 2.0 ] && [ "$(slot_version A)" = 1.0 ] &&
    grep -q '"version":"2.0","result":"installed"' "$T/unit/update-status.json" &&
    ctl audit show | grep -q 'update installed' &&
    ok "kioskctl: 2.0 from the hub installed into inactive slot B, B is primary, A keeps 1.0 (status file, audit)" ||
    fail "after installing 2.0: primary $(primary), B has $(slot_version B)"
else
  fail "installing 2.0: $(cat "$T/ctl-install.log")"
fi
boot
[ "$booted" = B ] && [ "$running" = 2.0 ] && ok "reboot: B runs 2.0" || fail "reboot into B ($booted $running)"
mark_good_as 0 && [ "$(slot_state B)" = good ] && ok "B confirmed good" || fail "mark-good B: $(slot_state B)"
if install v1; then fail "downgrade 2.0 -> 1.0 installed"; else
  grep -q 'refusing downgrade from 2.0 to 1.0' "$T/service.log" && [ "$(primary)" = B ] &&
    ok "downgrade 2.0 -> 1.0 refused by the pre-install handler" || fail "downgrade: $(tail -2 "$T/install-v1.log")"
fi

echo "== an update that never becomes healthy falls back"
install v3 || fail "installing 3.0: $(tail -3 "$T/install-v3.log")"
[ "$(primary)" = A ] && [ "$(slot_version A)" = 3.0 ] || fail "3.0 not primary in A"
for try in 1 2 3; do
  boot
  [ "$booted" = A ] && [ "$running" = 3.0 ] || fail "attempt $try booted $booted $running"
  if mark_good_as 3; then fail "kiosk-mark-good confirmed an unhealthy kiosk"; fi
done
boot
if [ "$booted" = B ] && [ "$running" = 2.0 ]; then
  ok "3.0 never healthy: after 3 boots the boot loader falls back to B with 2.0"
else
  fail "no fall-back: booted $booted $running"
fi
[ "$(slot_state A)" = bad ] && [ "$(primary)" = B ] && ok "rauc status: A bad, B primary" ||
  fail "after fall-back: A $(slot_state A), primary $(primary)"
mark_good_as 0 && [ "$(slot_state B)" = good ] && ok "B confirmed again" || fail "mark-good B after fall-back"
grep -q 'kiosk.service is not running healthy' "$T/mark-good.log" || fail "mark-good's refusal not logged"

echo "== update test: $passed passed, $failed failed ($((SECONDS - start)) s)"
[ "$failed" -eq 0 ]
