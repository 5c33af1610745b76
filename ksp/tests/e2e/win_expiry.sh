#!/usr/bin/env bash
# sigil-ksp.dll when the server's session ends between two signatures, under Wine:
#
#   win_expiry.sh <server distribution> <wine> <directory of the Windows build>
#
# A server of its own whose bearer tokens live 60 seconds, the shortest it allows (server.sh with SIGIL_E2E_TOKEN_TTL);
# the router harness signs, waits for the token to expire, and signs again: the KSP logs in again
# with the password the application gave and the signature verifies. Prints the harness's lines
# and "N passed, N failed"; exits 1 on any failure.
set -uo pipefail
dist=${1:?server distribution}; wine=${2:?wine}; bin=${3:?the Windows build directory}
command -v oathtool >/dev/null || { echo "e2e: oathtool is missing (apt-get install oathtool)" >&2; exit 1; }
ttl=60   # the shortest the server allows (token.ttl.seconds)
export SIGIL_E2E_TOKEN_TTL=$ttl
# shellcheck source=server.sh
. "$(dirname "$0")/server.sh"
echo "e2e: test_ksp_server --expiry (tokens live $ttl s)"
# The harness logs in and signs with the first code, then reads the second from its standard
# input: given once the token expired (the login ends within a few seconds of the start).
{ sleep $((ttl + 5)); "$work/otp.sh"; } \
  | "$wine" "$bin/test_ksp_server.exe" --expiry "$base" "Z:$ca" "$password" "$pin_rsa" \
      "$("$work/otp.sh")" "$ttl" >"$work/expiry.log" 2>&1
rc=${PIPESTATUS[1]}
tr -d '\r' <"$work/expiry.log" | sed 's/^/  /'
[ "$rc" -eq 0 ] && grep -Eq '^[1-9][0-9]* passed, 0 failed' "$work/expiry.log"
