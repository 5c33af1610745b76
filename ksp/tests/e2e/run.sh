#!/usr/bin/env bash
# The PKCS#11 module against the real Sigil server, through the applications people use.
#
#   run.sh <server distribution> <libsigil-pkcs11.so> <p11_e2e harness> [mingw gcc]
#   SIGIL_E2E_HARNESS_ONLY=1 run.sh ...    only the harness (for the sanitizer build)
#
# Starts the server distribution (embedded defaults, its own data directory, loopback, a free
# port), enrolls a user with sigil-admin (password, TOTP, an RSA-2048 and an EC P-256 credential
# certified by the development CA), then drives libsigil-pkcs11.so with:
#   - the C harness p11_e2e (context-specific login with the one-time code, size queries,
#     multi-part signing, wrong OTP, bad handles, the C_Sign latency line);
#   - OpenSC's pkcs11-tool: --list-objects, --sign with every mechanism, each signature verified
#     with openssl against the certificate; a wrong OTP refused with CKR_PIN_INCORRECT;
#   - GnuTLS's p11tool and NSS (modutil, certutil) loading it and listing the token;
#   - OpenSSL through libengine-pkcs11-openssl with pkcs11: URIs;
#   - osslsigncode signing a small Windows executable built with mingw, verified against the CA.
# One-time codes come from oathtool with the enrolled seed. The server's TOTP runs with 10 s steps
# and a window of 2 (configuration, not code), so that the ~20 signatures here need no long waits:
# every code is used once, in increasing steps, as the server demands.
# Prints "N passed, N failed"; exits 1 on any failure.
set -uo pipefail

dist=${1:?server distribution}; module=${2:?module}; harness=${3:?harness}; mingw=${4:-}
for tool in pkcs11-tool openssl oathtool osslsigncode xxd python3 p11tool modutil certutil; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool is missing (apt-get install opensc openssl oathtool osslsigncode xxd python3 gnutls-bin libnss3-tools)" >&2; exit 1; }
done
engine=$(ls /usr/lib/*/engines-3/pkcs11.so /usr/lib/engines-3/pkcs11.so 2>/dev/null | head -n 1)
[ -n "$engine" ] || { echo "e2e: the OpenSSL pkcs11 engine is missing (apt-get install libengine-pkcs11-openssl)" >&2; exit 1; }

# shellcheck source=server.sh
. "$(dirname "$0")/server.sh"

cat >"$work/interactive.conf" <<EOF
# the application gives the one-time code at C_Login(CKU_CONTEXT_SPECIFIC)
server_url = $base
ca_file = $ca
username = alice
label = Alice e2e
EOF
cat >"$work/helper.conf" <<EOF
# for applications that cannot log in per signature: the code comes from a command
server_url = $base
ca_file = $ca
username = alice
label = Alice e2e helper
otp_command = $work/otp.sh
EOF

# ---- the C harness: context-specific login, size protocol, multi-part, refusals, latency ----
echo "e2e: p11_e2e (the module driven through its function list)"
if SIGIL_PKCS11_CONFIG="$work/interactive.conf" SIGIL_PKCS11_LOG=debug \
   "$harness" "$module" "$password" "$pin_rsa" "$pin_ec" "$work/otp.sh" >"$work/harness.log" 2>"$work/harness.err"; then
  pass "p11_e2e: $(tail -n 1 "$work/harness.log")"
else
  cat "$work/harness.err" >>"$work/harness.log"
  fail "p11_e2e" "$work/harness.log"
fi
grep -E '^  FAIL' "$work/harness.log" | sed 's/^/    /'
# The module's own time per successful C_Sign (all of it minus the HTTPS exchanges with the server).
grep 'C_Sign timing' "$work/harness.err" | awk '
  { n++; all += $4; srv += $8; own = $4 - $8; mod += own; if (own > max) max = own }
  END { if (n) printf "e2e: latency: %d C_Sign calls, %.2f ms each on average, %.2f ms of it in the HTTPS exchanges; client side beyond the server: %.3f ms average, %.3f ms at most (target <= 2 ms)\n", n, all / n, srv / n, mod / n, max }'

# Each secret the harness gave wrongly was sent once: one wrong password; one wrong code and one
# wrong PIN (forgotten once refused, never sent again with the next code).
expect_refused 1 2

if [ -n "${SIGIL_E2E_HARNESS_ONLY:-}" ]; then
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit
fi

# ---- pkcs11-tool ----
echo "e2e: pkcs11-tool"
export SIGIL_PKCS11_CONFIG="$work/interactive.conf"
p11() { pkcs11-tool --module "$module" "$@"; }
# pkcs11-tool reads PINs only from a terminal: p11_tty <User PIN> <context-specific PIN> args...
# runs it on one and answers its two prompts.
p11_tty() {
  local answers=('User PIN:' "$1" 'context specific PIN:' "$2"); shift 2
  [ -n "${P11_TTY_AGAIN:-}" ] && answers+=('context specific PIN:' "$P11_TTY_AGAIN")
  python3 "$(dirname "$0")/answer_prompts.py" "${answers[@]}" -- pkcs11-tool --module "$module" "$@"
}
if p11 --login --pin "$password" --list-objects >"$work/objects.txt" 2>&1 \
   && [ "$(grep -c 'Private Key Object' "$work/objects.txt")" = 2 ] \
   && [ "$(grep -c 'Certificate Object' "$work/objects.txt")" = 2 ] \
   && [ "$(grep -c 'Public Key Object' "$work/objects.txt")" = 2 ] \
   && grep -q 'label:      alice-rsa' "$work/objects.txt" && grep -q 'EC_POINT 256 bits' "$work/objects.txt"; then
  pass "--list-objects: a certificate, public and private key per credential"
else
  fail "--list-objects" "$work/objects.txt"
fi

for id in alice-rsa alice-ec; do
  hex=$(printf %s "$id" | xxd -p)
  p11 --login --pin "$password" --read-object --type cert --id "$hex" -o "$work/$id.der" >/dev/null 2>&1
  openssl x509 -inform DER -in "$work/$id.der" -pubkey -noout >"$work/$id.pub" 2>/dev/null
  if openssl verify -CAfile "$ca" <(openssl x509 -inform DER -in "$work/$id.der") >/dev/null 2>&1; then
    pass "the certificate of $id read from the token chains to the development CA"
  else
    fail "certificate of $id"
  fi
done

printf 'Sigil signs what the user authorized, nothing else.\n' >"$work/data.txt"
openssl dgst -sha256 -binary "$work/data.txt" >"$work/data.sha256"
# DigestInfo(SHA-256) for CKM_RSA_PKCS
{ printf '\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20'; cat "$work/data.sha256"; } >"$work/data.di"

# sign <key> <mechanism> <input> <dgst> <extra pkcs11-tool args> <extra openssl args>
sign() {
  local id=$1 mech=$2 input=$3 md=$4 p11args=$5 osslargs=$6 out="$work/sig.$1.$2"
  local hex; hex=$(printf %s "$id" | xxd -p)
  local pin=$pin_rsa; [ "$id" = alice-ec ] && pin=$pin_ec
  # The User PIN is "password:PIN", the context-specific PIN the one-time code.
  # shellcheck disable=SC2086 # the extra arguments are lists of words
  if p11_tty "$password:$pin" "$("$work/otp.sh")" --login --sign --id "$hex" -m "$mech" -i "$input" -o "$out" $p11args >"$out.log" 2>&1 \
     && openssl dgst -"$md" $osslargs -verify "$work/$id.pub" -signature "$out" "$work/data.txt" >>"$out.log" 2>&1; then
    pass "pkcs11-tool --sign -m $mech ($id): openssl says Verified OK"
  else
    fail "pkcs11-tool --sign -m $mech ($id)" "$out.log"
  fi
}
pss="-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest"
sign alice-rsa RSA-PKCS "$work/data.di" sha256 "" ""
sign alice-rsa SHA256-RSA-PKCS "$work/data.txt" sha256 "" ""
sign alice-rsa SHA384-RSA-PKCS "$work/data.txt" sha384 "" ""
sign alice-rsa SHA512-RSA-PKCS "$work/data.txt" sha512 "" ""
sign alice-rsa RSA-PKCS-PSS "$work/data.sha256" sha256 "--hash-algorithm SHA256 --mgf MGF1-SHA256 --salt-len 32" "$pss"
sign alice-rsa SHA256-RSA-PKCS-PSS "$work/data.txt" sha256 "--mgf MGF1-SHA256 --salt-len 32" "$pss"
sign alice-rsa SHA512-RSA-PKCS-PSS "$work/data.txt" sha512 "--mgf MGF1-SHA512 --salt-len 64" "$pss"
sign alice-ec ECDSA "$work/data.sha256" sha256 "--signature-format openssl" ""
sign alice-ec ECDSA-SHA256 "$work/data.txt" sha256 "--signature-format openssl" ""
sign alice-ec ECDSA-SHA384 "$work/data.txt" sha384 "--signature-format openssl" ""

# A wrong one-time code: CKR_PIN_INCORRECT, no signature written. (After a failed C_Sign,
# pkcs11-tool tries once more with C_SignUpdate/C_SignFinal and asks again: the module forgot the
# PIN with the refused code, so the answer is PIN:code, here with another wrong code.)
hex=$(printf alice-rsa | xxd -p)
if ! P11_TTY_AGAIN="$pin_rsa:000001" p11_tty "$password:$pin_rsa" 000000 --login --sign --id "$hex" -m SHA256-RSA-PKCS -i "$work/data.txt" -o "$work/sig.wrong" >"$work/wrong.log" 2>&1 \
   && grep -q 'CKR_PIN_INCORRECT' "$work/wrong.log" && [ ! -s "$work/sig.wrong" ]; then
  pass "a wrong one-time code is refused with CKR_PIN_INCORRECT and nothing is signed"
else
  fail "wrong one-time code" "$work/wrong.log"
fi
if ! p11 --login --pin "not-the-password" --list-objects >"$work/wrongpw.log" 2>&1 \
   && grep -q 'CKR_PIN_INCORRECT' "$work/wrongpw.log"; then
  pass "a wrong password at C_Login is CKR_PIN_INCORRECT"
else
  fail "wrong password" "$work/wrongpw.log"
fi

# ---- GnuTLS (p11tool) and NSS (modutil, certutil): they load the module and see the token ----
echo "e2e: p11tool and NSS"
if p11tool --provider "$module" --list-tokens >"$work/p11tool.log" 2>&1 \
   && grep -q 'Label: Alice e2e' "$work/p11tool.log" \
   && GNUTLS_PIN="$password" p11tool --provider "$module" --login --list-all-certs \
        "pkcs11:token=Alice%20e2e" >>"$work/p11tool.log" 2>&1 \
   && grep -q 'object=alice-rsa' "$work/p11tool.log" && grep -q 'object=alice-ec' "$work/p11tool.log"; then
  pass "p11tool --list-tokens and --login --list-all-certs show the token and both certificates"
else
  fail "p11tool" "$work/p11tool.log"
fi
mkdir -p "$work/nssdb"
printf '%s\n' "$password" >"$work/nss.pw"
if certutil -N -d "sql:$work/nssdb" --empty-password >"$work/nss.log" 2>&1 \
   && modutil -dbdir "sql:$work/nssdb" -add Sigil -libfile "$module" -force >>"$work/nss.log" 2>&1 \
   && modutil -dbdir "sql:$work/nssdb" -list Sigil >>"$work/nss.log" 2>&1 \
   && grep -q 'Alice e2e' "$work/nss.log" \
   && certutil -d "sql:$work/nssdb" -L -h "Alice e2e" -f "$work/nss.pw" >>"$work/nss.log" 2>&1 \
   && grep -q 'Alice e2e:alice-rsa' "$work/nss.log" && grep -q 'Alice e2e:alice-ec' "$work/nss.log"; then
  pass "NSS: modutil -add loads the module, certutil -L -h lists the token's certificates"
else
  fail "NSS modutil/certutil" "$work/nss.log"
fi

# ---- OpenSSL with the pkcs11 engine (the key's code comes from otp_command) ----
echo "e2e: OpenSSL pkcs11 engine"
export SIGIL_PKCS11_CONFIG="$work/helper.conf"
cat >"$work/openssl.cnf" <<EOF
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = $engine
MODULE_PATH = $module
init = 0
EOF
export OPENSSL_CONF="$work/openssl.cnf"
for id in alice-rsa alice-ec; do
  pin=$pin_rsa; [ "$id" = alice-ec ] && pin=$pin_ec
  uri="pkcs11:token=Alice%20e2e%20helper;object=$id;type=private;pin-value=$password:$pin"
  if openssl dgst -sha256 -engine pkcs11 -keyform engine -sign "$uri" -out "$work/engine.$id.sig" "$work/data.txt" >"$work/engine.$id.log" 2>&1 \
     && OPENSSL_CONF=/dev/null openssl dgst -sha256 -verify "$work/$id.pub" -signature "$work/engine.$id.sig" "$work/data.txt" >>"$work/engine.$id.log" 2>&1; then
    pass "openssl dgst -engine pkcs11 -sign $uri: verified"
  else
    fail "openssl engine with $id" "$work/engine.$id.log"
  fi
done

unset OPENSSL_CONF

# ---- osslsigncode: Authenticode through the engine (which it loads itself) ----
echo "e2e: osslsigncode"
if [ -z "$mingw" ]; then
  fail "osslsigncode: no mingw compiler given to build the executable (apt-get install gcc-mingw-w64-x86-64)"
elif ! "$mingw" -O2 -o "$work/hello.exe" "$(dirname "$0")/hello.c" >"$work/mingw.log" 2>&1; then
  fail "building hello.exe with $mingw" "$work/mingw.log"
else
  openssl x509 -inform DER -in "$work/alice-rsa.der" -out "$work/alice-rsa.pem"
  cat "$work/alice-rsa.pem" "$ca" >"$work/chain.pem"
  if osslsigncode sign -pkcs11engine "$engine" -pkcs11module "$module" -certs "$work/chain.pem" \
       -key "pkcs11:token=Alice%20e2e%20helper;object=alice-rsa;type=private;pin-value=$password:$pin_rsa" \
       -h sha256 -n "Sigil e2e" -in "$work/hello.exe" -out "$work/hello-signed.exe" >"$work/osslsigncode.log" 2>&1 \
     && osslsigncode verify -CAfile "$ca" -in "$work/hello-signed.exe" >>"$work/osslsigncode.log" 2>&1 \
     && grep -q 'Signature verification: ok' "$work/osslsigncode.log"; then
    pass "osslsigncode sign (engine, pkcs11: URI) then verify -CAfile dev-ca.pem: Signature verification: ok"
  else
    fail "osslsigncode" "$work/osslsigncode.log"
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
