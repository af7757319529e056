#!/usr/bin/env bash
# Renders the spoken prompts of one language at build time: every key of the [voice]
# section of a strings file (assets/strings/<lang>.ini) becomes <outdir>/<key>.wav
# (espeak-ng, 22050 Hz 16-bit mono), so a unit needs no speech synthesiser at run time.
# Usage: render-prompts.sh ESPEAK STRINGS_INI VOICE OUTDIR   (VOICE: cmn-latn-pinyin, en or yue)
# Called by CMake (target kiosk_prompts); the prompts say what to do, never anything
# about the citizen.
set -euo pipefail
espeak=$1 ini=$2 voice=$3 out=$4
mkdir -p "$out"
rm -f "$out"/*.wav
n=0
section=
while IFS= read -r line || [ -n "$line" ]; do
  line=${line%$'\r'}
  case $line in
    \;* | '') continue ;;
    \[*\]) section=${line#[}; section=${section%]}; continue ;;
  esac
  [ "$section" = voice ] || continue
  key=${line%%=*}; key=${key//[[:space:]]/}
  text=${line#*=}; text=${text#"${text%%[![:space:]]*}"}
  [[ $key =~ ^[a-z_]+$ ]] || { echo "render-prompts: $ini: bad key '$key'" >&2; exit 1; }
  # -s 150: a little slower than espeak's 175 words a minute, for older listeners
  "$espeak" -v "$voice" -s 150 -w "$out/$key.wav" "$text"
  n=$((n + 1))
done <"$ini"
[ "$n" -gt 0 ] || { echo "render-prompts: $ini has no [voice] prompts" >&2; exit 1; }
touch "$out/.stamp"
