#!/usr/bin/env bash
# sigil-ksp.dll against the real Sigil server, under Wine:
#
#   win_run.sh <server distribution> <wine> <test_ksp_server.exe> [test_ksp_dialog.exe]
#
# Starts the server and enrolls alice (server.sh), then runs the router harness, which loads the
# DLL beside it, configures it in Wine's registry (HKCU\Software\Sigil) and signs with both keys;
# Wine's bcrypt verifies every signature. WINEPREFIX etc. come from the caller (./sigil test).
# Prints the harness's lines and "N passed, N failed"; exits 1 on any failure.
set -uo pipefail
dist=${1:?server distribution}; wine=${2:?wine}; harness=${3:?test_ksp_server.exe}; dialog=${4:-}
command -v oathtool >/dev/null || { echo "e2e: oathtool is missing (apt-get install oathtool)" >&2; exit 1; }

# shellcheck source=server.sh
. "$(dirname "$0")/server.sh"

# Four one-time codes for increasing steps, used in this order by the harness within their
# window (20 s at least).
codes=()
for _ in 1 2 3 4; do codes+=("$("$work/otp.sh")"); done
echo "e2e: test_ksp_server (sigil-ksp.dll through its function table, under Wine)"
"$wine" "$harness" "$base" "Z:$ca" "$password" "$pin_rsa" "$pin_ec" "${codes[@]}" \
  >"$work/ksp.log" 2>&1
rc=$?
sed 's/^/  /' "$work/ksp.log"
[ "$rc" -eq 0 ] && grep -Eq '^[1-9][0-9]* passed, 0 failed' "$work/ksp.log" || exit 1

# The prompt, typed into by xdotool under Xvfb. Its own Wine prefix (beside the caller's), so
# that its wineserver, which must run on the virtual display, disturbs no other test.
[ -n "$dialog" ] || exit 0
for tool in xvfb-run xdotool; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool is missing (apt-get install xvfb xdotool xauth)" >&2; exit 1; }
done
echo "e2e: test_ksp_dialog (the PIN/OTP prompt, typed into with xdotool under Xvfb)"
code=$("$work/otp.sh")
WINEPREFIX="${WINEPREFIX:-$HOME/.wine}-x11" xvfb-run -a -s "-screen 0 1024x768x24" \
  "$(dirname "$0")/../win/dialog_driver.sh" "$wine" "$dialog" "$base" "Z:$ca" "$password" \
  "$pin_rsa" "$code" "$work/dialog.log"
rc=$?
sed 's/^/  /' "$work/dialog.log"
[ "$rc" -eq 0 ] && grep -Eq '^[1-9][0-9]* passed, 0 failed' "$work/dialog.log"
