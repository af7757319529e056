#!/bin/sh
# The boot loader of the update tests: reads the boot state of toolchain/rauc/kiosk-boot-file
# (KIOSK_BOOT_STATE), boots the primary slot while it has attempts left, else the other
# one, takes one attempt away from the slot it boots, and prints that slot's bootname.
# Exit 1 when neither slot has an attempt left (a real unit would stay in the boot loader).
set -eu
state=${KIOSK_BOOT_STATE:?}
PRIMARY=A A_ATTEMPTS=3 B_ATTEMPTS=0
# shellcheck disable=SC1090
[ -f "$state" ] && . "$state"
other() { if [ "$1" = A ]; then echo B; else echo A; fi; }
attempts() { eval "echo \${$1_ATTEMPTS}"; }
slot=$PRIMARY
[ "$(attempts "$slot")" -gt 0 ] || slot=$(other "$PRIMARY")
n=$(attempts "$slot")
[ "$n" -gt 0 ] || { echo "sim-boot: no slot has a boot attempt left" >&2; exit 1; }
eval "${slot}_ATTEMPTS=$((n - 1))"
printf 'PRIMARY=%s\nA_ATTEMPTS=%s\nB_ATTEMPTS=%s\n' "$PRIMARY" "$A_ATTEMPTS" "$B_ATTEMPTS" >"$state.tmp"
mv "$state.tmp" "$state"
echo "$slot"
