#!/usr/bin/env bash
# The run command: installs what is missing, builds, and starts the kiosk on its
# embedded default — simulated card reader, receipts written as images to var/receipts,
# local SQLite under var/ — in a window, or headless when there is no display.
# On the first demo run it makes a demo upstream key pair (var/demo-hub/, as `kiosk-hub keygen`
# does) and provisions the kiosk with it, so registrations can be saved; `kiosk-hub export
# --key var/demo-hub` opens them. It also makes the demo hub's signing key
# (var/demo-hub/hub-sign.key, as `kiosk-hub sign-key` does) and provisions its public half, so a
# demo hub started with `kiosk-hub serve --sign-key var/demo-hub/hub-sign.key
# --plain-http-loopback-test` (and a config with `[sync] url = http://127.0.0.1:8080`,
# `allow_plain_http_loopback = true`) acknowledges what it receives. Touch the attract screen (or press F2) to put the demo
# card on the reader; its PIN is 123456.
# Extra arguments go to the kiosk (e.g. --config FILE, --screenshot FILE, --script FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target kiosk kioskctl kiosk-hub
case " $* " in
*" --config "* | *" -c "*) ;; # a configured kiosk is provisioned by its technician
*)
  # the demo keeps to var/, even on a unit whose /etc/kiosk/kiosk.conf kioskctl and the
  # kiosk would otherwise read: its demo key must never reach a real unit's records
  export KIOSK_CONFIG=
  if [ ! -f var/demo-hub/upstream.pub ]; then
    mkdir -p var
    build/hub/kiosk-hub keygen --out var/demo-hub >/dev/null
    build/programs/kioskctl provision --upstream-key "$(cat var/demo-hub/upstream.pub)" >/dev/null
    echo "run.sh: demo upstream key made in var/demo-hub and provisioned"
  fi
  if [ ! -f var/demo-hub/hub-sign.key ]; then
    hub_pk=$(build/hub/kiosk-hub sign-key --key var/demo-hub/hub-sign.key 2>/dev/null)
    build/programs/kioskctl provision --hub-key "$hub_pk" >/dev/null
    echo "run.sh: demo hub signing key made in var/demo-hub and provisioned"
  fi
  ;;
esac
# China's halls keep Beijing time, as the systemd unit does; receipt numbers carry the date
export TZ="${TZ:-Asia/Shanghai}"
exec build/programs/kiosk "$@"
