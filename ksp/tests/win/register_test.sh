#!/usr/bin/env bash
# sigil-ksp-register under Wine: install writes the provider registration and the configuration
# in the documented layout (checked with `wine reg query`), status reports them, a configuration
# the KSP would refuse is refused before anything is written, uninstall removes it all.
#   register_test.sh <wine> <sigil-ksp-register.exe>
set -uo pipefail
wine=${1:?wine}; tool=${2:?sigil-ksp-register.exe}
passed=0; failed=0
check() { if eval "$2" >/tmp/register_test.$$ 2>&1; then passed=$((passed+1)); echo "  ok   $1";
          else failed=$((failed+1)); echo "  FAIL $1"; sed 's/^/       /' /tmp/register_test.$$ | tail -n 8; fi; }
providers='HKLM\SYSTEM\CurrentControlSet\Control\Cryptography\Providers\Sigil Key Storage Provider'
context='HKLM\SYSTEM\CurrentControlSet\Control\Cryptography\Configuration\Local\Default\00010001\KEY_STORAGE'
reg() { "$wine" reg query "$@" 2>/dev/null | tr -d '\r'; }

"$wine" "$tool" uninstall >/dev/null 2>&1
check "a wrong command line exits 2" '"$wine" "$tool" install --server https://x 2>&1; [ $? -eq 2 ]'
check "a configuration the KSP would refuse is refused and nothing is registered" \
  'out=$("$wine" "$tool" install --server http://plain:80 --ca Z:/ca.pem --username alice 2>&1); [ $? -eq 1 ] && echo "$out" | grep -q "server_url must start with https://" && ! reg "$providers\UM" /v Image | grep -q Image'
check "a client certificate thumbprint that is not 40 hex digits is refused" \
  'out=$("$wine" "$tool" install --server https://sigil.example:8443 --ca Z:/ca.pem --username alice --client-cert-thumbprint "ab cd" 2>&1); [ $? -eq 1 ] && echo "$out" | grep -q "client_cert_thumbprint must be 40 hex digits"'
check "install registers the provider and writes the configuration" \
  '"$wine" "$tool" install --server https://sigil.example:8443 --ca "Z:/etc/sigil/ca.pem" --username alice --client-cert-thumbprint 00112233445566778899AABBCCDDEEFF00112233 | grep -q "registered Sigil Key Storage Provider"'
check "UM\\Image names sigil-ksp.dll by its full path" \
  'reg "$providers\UM" /v Image | grep -Eiq "Image +REG_SZ +[A-Z]:.*sigil-ksp\.dll"'
check "UM\\00010001\\Functions is KEY_STORAGE" \
  'reg "$providers\UM\00010001" /v Functions | grep -q "REG_MULTI_SZ *KEY_STORAGE"'
check "the KEY_STORAGE context lists the provider" \
  'reg "$context" /v Providers | grep -q "Sigil Key Storage Provider"'
check "the configuration is in HKLM\\Software\\Sigil" \
  'reg "HKLM\Software\Sigil" /v server_url | grep -q "https://sigil.example:8443" && reg "HKLM\Software\Sigil" /v username | grep -q alice && reg "HKLM\Software\Sigil" /v client_cert_thumbprint | grep -q "REG_SZ *00112233445566778899AABBCCDDEEFF00112233"'
check "status reports the registration and the configuration" \
  'out=$("$wine" "$tool" status); rc=$?; echo "$out"; [ $rc -eq 1 ] && echo "$out" | grep -q "registered, image" && echo "$out" | grep -q "https://sigil.example:8443 as alice" && echo "$out" | grep -q "client cert:   WinHTTP: no certificate with client_cert_thumbprint in CurrentUser.MY or LocalMachine.MY"'
check "uninstall removes the registration, the context entry and the configuration" \
  '"$wine" "$tool" uninstall && ! reg "$providers\UM" /v Image | grep -q Image && ! reg "$context" /v Providers | grep -q "Sigil Key Storage Provider" && ! reg "HKLM\Software\Sigil" /v server_url | grep -q sigil'
check "status then says not registered and exits 1" \
  'out=$("$wine" "$tool" status); [ $? -eq 1 ] && echo "$out" | grep -q "not registered"'
rm -f /tmp/register_test.$$
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
