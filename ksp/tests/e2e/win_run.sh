#!/usr/bin/env bash
# sigil-ksp.dll against the real Sigil server, under Wine:
#
#   win_run.sh <server distribution> <wine> <directory of the Windows build>
#
# Starts the server and enrolls alice (server.sh), then runs the router harness, which loads the
# DLL beside it, configures it in Wine's registry (HKCU\Software\Sigil) and signs with both keys
# (Wine's bcrypt verifies every signature); the certificate importer with Wine's certificate
# store; an application signing through the test-only ncrypt.dll router; the PIN/OTP prompt. WINEPREFIX etc. come from the caller (./sigil test).
# Prints the harness's lines and "N passed, N failed"; exits 1 on any failure.
set -uo pipefail
dist=${1:?server distribution}; wine=${2:?wine}; bin=${3:?the Windows build directory}
harness=$bin/test_ksp_server.exe; dialog=$bin/test_ksp_dialog.exe
importer=$bin/sigil-cert-importer.exe; store=$bin/test_importer_store.exe
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
# Each secret the harness gave wrongly was sent once: the wrong password property once (not at
# every OpenKey after it); one wrong code and one wrong PIN (forgotten once refused).
expect_refused 1 2 || rc=1
[ "$rc" -eq 0 ] && grep -Eq '^[1-9][0-9]* passed, 0 failed' "$work/ksp.log" || exit 1

# The certificate importer: add, keep, remove what it placed, never what it did not place.
echo "e2e: sigil-cert-importer (CurrentUser\\MY in Wine, checked from another process)"
w() { "$wine" "$@" 2>/dev/null | tr -d '\r'; }
check() { if eval "$2" >"$work/check.log" 2>&1; then passed=$((passed + 1)); echo "  ok   $1";
          else failed=$((failed + 1)); echo "  FAIL $1"; sed 's/^/       /' "$work/check.log" | tail -n 12; fi; }
for v in "server_url=$base" "ca_file=Z:$ca" "username=alice"; do
  "$wine" reg add 'HKCU\Software\Sigil' /v "${v%%=*}" /d "${v#*=}" /f >/dev/null 2>&1
done
w "$store" clear
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
  -subj "/CN=Not placed by Sigil" -days 30 -outform DER -out "$work/foreign.der" 2>/dev/null
w "$store" add-foreign "Z:$work/foreign.der"
import() { printf '%s\n' "$password" | w "$importer" --password-stdin "$@"; }
check "--dry-run plans to add both credentials and changes nothing" \
  'out=$(import --dry-run); echo "$out"; echo "$out" | grep -q "^add alice-rsa" && echo "$out" | grep -q "^add alice-ec" && echo "$out" | grep -q "plan (dry run, nothing changed): added 2" && ! w "$store" list | grep -q "^ours"'
check "a run adds both signer certificates bound to the KSP (container = credential id)" \
  'out=$(import); echo "$out"; echo "$out" | grep -q "done: added 2, updated 0, removed 0, unchanged 0" && l=$(w "$store" list) && echo "$l" && echo "$l" | grep -q "^ours alice-rsa provider=Sigil Key Storage Provider container=alice-rsa type=0 spec=2 friendly=Sigil: alice-rsa" && echo "$l" | grep -q "^ours alice-ec provider=Sigil Key Storage Provider container=alice-ec"'
check "a second run changes nothing" \
  'import | grep -q "done: added 0, updated 0, removed 0, unchanged 2"'
# An application: certificate in MY -> key provider info -> ncrypt.dll (the test-only router,
# following the registration sigil-ksp-register writes) -> the KSP -> the server.
check "sigil-ksp-register install registers the KSP for the router" \
  'w "$bin/sigil-ksp-register.exe" install --dll "$bin/sigil-ksp.dll" --server "$base" --ca "Z:$ca" --username alice | grep -q "registered Sigil Key Storage Provider"'
code=$("$work/otp.sh")
check "an application signs with the certificate the importer placed, through ncrypt.dll" \
  'WINEDLLOVERRIDES="ncrypt=n,b;mscoree,mshtml=" "$wine" "$bin/app/test_ksp_application.exe" "$password" "$pin_rsa" "$code" 2>&1 | tr -d "\r" | tee /dev/stderr | grep -q "^1 passed, 0 failed"'
w "$bin/sigil-ksp-register.exe" uninstall >/dev/null
"$dist/bin/sigil-admin" --data "$work/data" --server "$base/" credential disable alice-ec >>"$work/admin.log" 2>&1
check "a credential disabled on the server is removed; the foreign certificate stays" \
  'out=$(import); echo "$out"; echo "$out" | grep -q "^remove alice-ec: disabled on the server" && l=$(w "$store" list) && echo "$l" && ! echo "$l" | grep -q "^ours alice-ec" && echo "$l" | grep -q "^ours alice-rsa" && echo "$l" | grep -q "^foreign Not placed by Sigil"'
"$dist/bin/sigil-admin" --data "$work/data" --server "$base/" credential enable alice-ec >>"$work/admin.log" 2>&1
# The server gets a renewed certificate for alice-rsa (same key, new serial and subject, issued by
# the development CA with openssl): the importer replaces the one it placed.
openssl pkcs12 -in "$work/data/ca/dev-ca.p12" -nocerts -nodes -passin "file:$work/data/secrets/dev-ca.pass" \
  -out "$work/dev-ca.key" 2>>"$work/admin.log"
old_serial=$(w "$store" list | sed -n 's/^ours alice-rsa .* serial=\([0-9A-F]*\)$/\1/p')
renew() {  # <credential> <serial>: a new certificate for the key of the one in the store
  w "$store" export "$1" "Z:$work/$1.der" \
    && openssl x509 -inform DER -in "$work/$1.der" -pubkey -noout >"$work/$1.pub" \
    && openssl x509 -new -subj "/CN=Alice Example/O=Sigil e2e renewed" -force_pubkey "$work/$1.pub" \
         -CA "$ca" -CAkey "$work/dev-ca.key" -set_serial "$2" -days 30 \
         -extfile <(printf 'keyUsage = critical, digitalSignature, nonRepudiation\n') -out "$work/$1.new.pem" \
    && cat "$work/$1.new.pem" "$ca" >"$work/$1.chain.pem" \
    && "$dist/bin/sigil-admin" --data "$work/data" --server "$base/" credential import-cert "$1" "$work/$1.chain.pem"
}
every_round() {  # the importer with --every 10; alice-ec disabled after its first round
  printf '%s\n' "$password" | "$wine" "$importer" --password-stdin --every 10 >"$work/every.log" 2>&1 &
  local pid=$! rounds=0
  for _ in $(seq 60); do rounds=$(grep -c "^done:" "$work/every.log"); [ "$rounds" -ge 1 ] && break; sleep 0.5; done
  "$dist/bin/sigil-admin" --data "$work/data" --server "$base/" credential disable alice-ec >>"$work/admin.log" 2>&1
  for _ in $(seq 80); do rounds=$(grep -c "^done:" "$work/every.log"); [ "$rounds" -ge 2 ] && break; sleep 0.5; done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  tr -d '\r' <"$work/every.log"
  [ "$rounds" -ge 2 ] && [ "$(grep -c "^round at " "$work/every.log")" -ge 2 ] \
    && grep "^done:" "$work/every.log" | head -n 1 | grep -q "added 0, updated 0, removed 0, unchanged 2" \
    && tr -d '\r' <"$work/every.log" | grep -q "^remove alice-ec: disabled on the server" \
    && grep "^done:" "$work/every.log" | sed -n 2p | grep -q "added 0, updated 0, removed 1, unchanged 1"
}
check "a renewed certificate replaces the one placed; a credential enabled again comes back" \
  'renew alice-rsa 4242 && out=$(import); echo "$out"; echo "$out" | grep -q "^update alice-rsa" && echo "$out" | grep -q "^remove alice-rsa: replaced by the server.s newer certificate" && echo "$out" | grep -q "^add alice-ec" && echo "$out" | grep -q "done: added 1, updated 1, removed 0, unchanged 0" && l=$(w "$store" list) && echo "$l" && [ "$(echo "$l" | grep -c "^ours alice-rsa")" -eq 1 ] && echo "$l" | grep -q "^ours alice-rsa provider=Sigil Key Storage Provider container=alice-rsa .* serial=1092$" && [ "$old_serial" != 1092 ]'
# --every: the periodic service sees, in its next round, what changed on the server meanwhile.
check "--every 10 runs round after round and its next round removes a credential disabled meanwhile" \
  'every_round'
"$dist/bin/sigil-admin" --data "$work/data" --server "$base/" credential enable alice-ec >>"$work/admin.log" 2>&1
# ca_file = system: the Windows trust store, once another process added the CA to Root.
w "$store" root-add "Z:$ca"
"$wine" reg add 'HKCU\Software\Sigil' /v ca_file /d system /f >/dev/null 2>&1
check "with ca_file = system the importer connects once the CA is in LocalMachine\\Root" \
  'import --dry-run | grep -q "plan (dry run, nothing changed)"'
w "$store" root-remove "Z:$ca"
"$wine" reg add 'HKCU\Software\Sigil' /v ca_file /d "Z:$ca" /f >/dev/null 2>&1
check "a wrong password is refused with one line and exit 1" \
  'out=$(printf "wrong\n" | "$wine" "$importer" --password-stdin 2>&1); [ $? -eq 1 ] && echo "$out" | grep -q "login of alice refused: AUTH_FAILED"'
w "$store" clear
"$wine" reg delete 'HKCU\Software\Sigil' /f >/dev/null 2>&1
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1

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
