#!/usr/bin/env bash
# Runs test_ksp_dialog under Wine on the current X display (Xvfb) and types what a person would
# into its prompts: the password; the PIN, Tab, the one-time code; Escape; a wrong code.
#   dialog_driver.sh <wine> <test_ksp_dialog.exe> <URL> <CA file> <password> <PIN> <code> <log>
set -uo pipefail
wine=$1 exe=$2 url=$3 ca=$4 password=$5 pin=$6 code=$7 log=$8
title="Sigil: sign with alice-rsa"
wineboot -i >/dev/null 2>&1
"$wine" "$exe" "$url" "$ca" >"$log" 2>&1 &
app=$!
last=
# next_prompt: the id of a visible prompt window other than the previous one (60 s at most).
next_prompt() {
  for _ in $(seq 1 600); do
    id=$(xdotool search --onlyvisible --name "$title" 2>/dev/null | head -n 1)
    if [ -n "$id" ] && [ "$id" != "$last" ]; then last=$id; echo "$id"; return 0; fi
    kill -0 "$app" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
fail() { echo "dialog_driver: $*" >>"$log"; kill "$app" 2>/dev/null; wineserver -k; exit 1; }
id=$(next_prompt) || fail "no password prompt appeared"
sleep 0.3; xdotool windowfocus --sync "$id"; xdotool type --delay 30 "$password"; xdotool key Return
id=$(next_prompt) || fail "no PIN and code prompt appeared"
sleep 0.3; xdotool windowfocus --sync "$id"; xdotool type --delay 30 "$pin"; xdotool key Tab
xdotool type --delay 30 "$code"; xdotool key Return
id=$(next_prompt) || fail "no code prompt appeared for the second signature"
sleep 0.3; xdotool windowfocus --sync "$id"; xdotool key Escape
id=$(next_prompt) || fail "no code prompt appeared for the third signature"
sleep 0.3; xdotool windowfocus --sync "$id"; xdotool type --delay 30 "000000"; xdotool key Return
wait "$app"
rc=$?
wineserver -k
exit $rc
