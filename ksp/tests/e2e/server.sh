# Sourced by the end-to-end tests (run.sh for the PKCS#11 module, win_run.sh for the Windows
# KSP): a work directory, pass/fail counters, the server distribution $dist started on a free
# loopback port with 10 s TOTP steps and a window of 2, and alice enrolled with sigil-admin
# (password, TOTP seed, an RSA-2048 and an EC P-256 credential certified by the development CA;
# bearer tokens that live SIGIL_E2E_TOKEN_TTL seconds, 60 at least, when it is set).
# Sets work, base, password, pin_rsa, pin_ec, seed, ca and $work/otp.sh (each call prints the code
# of the next unused time step within the server's window, waiting when they are all used).
work=$(mktemp -d /tmp/sigil-e2e.XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  [ -n "${SIGIL_E2E_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

passed=0; failed=0
pass() { passed=$((passed + 1)); echo "  ok   $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; [ -n "${2:-}" ] && sed 's/^/       /' "$2" | tail -n 15; }

# ---- the server ----
cp -r "$dist/conf" "$work/conf"
sed -i 's/^period = .*/period = 10/; s/^window = .*/window = 2/' "$work/conf/dev.sigil.auth.totp.cfg"
# SIGIL_E2E_TOKEN_TTL: a short bearer token lifetime, for the session expiry test.
[ -z "${SIGIL_E2E_TOKEN_TTL:-}" ] || printf 'token.ttl.seconds = %s\n' "$SIGIL_E2E_TOKEN_TTL" >"$work/conf/dev.sigil.policy.cfg"
"$dist/bin/sigil-server" --data "$work/data" --conf "$work/conf" --port 0 >"$work/server.log" 2>&1 &
server_pid=$!
base=
for _ in $(seq 1 240); do
  base=$(sed -n 's/.*is listening on \(https:\/\/localhost:[0-9]*\)\/.*/\1/p' "$work/server.log" | head -n 1)
  [ -n "$base" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.25
done
if [ -z "$base" ]; then
  echo "e2e: the server did not start:" >&2; cat "$work/server.log" >&2; exit 1
fi
echo "e2e: server at $base (data in $work/data)"

admin() { "$dist/bin/sigil-admin" --data "$work/data" --server "$base/" "$@" >>"$work/admin.log" 2>&1; }
password='alice-pkcs11-pw'
pin_rsa=246810; pin_ec=135790
SIGIL_NEW_PASSWORD=$password admin user add alice --name "Alice Example" || { cat "$work/admin.log"; exit 1; }
admin totp enroll alice || { cat "$work/admin.log"; exit 1; }
seed=$(sed -n 's/.*seed:[[:space:]]*\([A-Z2-7]*\).*/\1/p' "$work/admin.log" | head -n 1)
[ -n "$seed" ] || { echo "e2e: no TOTP seed in the enrollment output" >&2; cat "$work/admin.log"; exit 1; }
SIGIL_NEW_PIN=$pin_rsa admin credential create alice-rsa --user alice --key-type rsa-2048 --dev-ca \
  --subject "CN=Alice Example,O=Sigil e2e" || { cat "$work/admin.log"; exit 1; }
SIGIL_NEW_PIN=$pin_ec admin credential create alice-ec --user alice --key-type ec-p256 --dev-ca \
  --subject "CN=Alice Example,O=Sigil e2e" || { cat "$work/admin.log"; exit 1; }

# One-time codes: each call gives the code of the next unused 10 s step within the server's
# window (waiting when all of them are used). The server accepts no step before the enrollment's.
echo $(( $(date +%s) / 10 )) >"$work/otp.counter"
cat >"$work/otp.sh" <<EOF
#!/usr/bin/env bash
set -e
counter="$work/otp.counter"
last=\$(cat "\$counter" 2>/dev/null || echo 0)
while :; do
  now=\$(( \$(date +%s) / 10 ))
  step=\$(( last + 1 > now - 1 ? last + 1 : now - 1 ))
  [ \$step -le \$(( now + 2 )) ] && break
  sleep 1
done
echo \$step > "\$counter"
oathtool --totp -s 10s -b "$seed" -N "@\$(( step * 10 ))"
EOF
chmod +x "$work/otp.sh"

ca="$work/data/ca/dev-ca.pem"

# refused <event>: how many records of the audit log say the server refused <event> (auth.login,
# credentials.authorize), read through sigil-admin; the records go to $work/audit.txt.
refused() {
  "$dist/bin/sigil-admin" --data "$work/data" --server "$base/" audit tail -n 1000 >"$work/audit.txt" 2>>"$work/admin.log"
  awk -v e="$1" '$3 == e && $4 == "REFUSED"' "$work/audit.txt" | wc -l
}

# expect_refused <logins> <authorizations>: passes when the server refused exactly that many logins
# and authorizations so far: one per wrong secret a test gave, none sent again once refused.
expect_refused() {
  local logins authorizations
  logins=$(refused auth.login); authorizations=$(refused credentials.authorize)
  echo "e2e: refused by the server: $logins login(s), $authorizations authorization(s)"
  if [ "$logins" -eq "$1" ] && [ "$authorizations" -eq "$2" ]; then
    pass "the server refused exactly $1 login(s) and $2 authorization(s): one per wrong secret given"
  else
    fail "refused attempts: $logins login(s) (expected $1), $authorizations authorization(s) (expected $2)" "$work/audit.txt"
    return 1
  fi
}
