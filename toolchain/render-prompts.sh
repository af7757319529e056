#!/usr/bin/env bash
# Renders the spoken prompts of one language at build time: every key of the [voice]
# section of a strings file (assets/strings/<lang>.ini) becomes <outdir>/<key>.wav
# (espeak-ng, 22050 Hz 16-bit mono), so a unit needs no speech synthesiser at run time.
# With INFO_INI (assets/info/<lang>.ini, the hall's policies and agencies) each item is
# rendered too: policy_<id>.wav (its title, who qualifies, how to apply) and agency_<id>.wav
# (its name, address, phone, hours), so the screen can read the item shown.
# Usage: render-prompts.sh ESPEAK STRINGS_INI VOICE OUTDIR [INFO_INI]
#        (VOICE: cmn-latn-pinyin, en or yue)
# Called by CMake (target kiosk_prompts); the prompts say what to do, never anything
# about the citizen.
set -euo pipefail
espeak=$1 ini=$2 voice=$3 out=$4 info=${5:-}
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
if [ -n "$info" ] && [ -f "$info" ]; then
  # one text per section: its values in file order, joined by a pause
  say() {
    if [ -n "$item" ]; then "$espeak" -v "$voice" -s 150 -w "$out/$item.wav" "$text"; fi
    item= text=
  }
  item= text=
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    case $line in
      \;* | '') continue ;;
      \[*\])
        say
        section=${line#[}; section=${section%]}
        [[ $section =~ ^(policy|agency)\.[a-z0-9_]+$ ]] || { echo "render-prompts: $info: bad section '$section'" >&2; exit 1; }
        item=${section/./_}
        continue ;;
    esac
    key=${line%%=*}; key=${key//[[:space:]]/}
    [ "$key" = level ] && continue
    value=${line#*=}; value=${value#"${value%%[![:space:]]*}"}
    text="$text${text:+. }${value//\\n/ }"
  done <"$info"
  say
fi
touch "$out/.stamp"
