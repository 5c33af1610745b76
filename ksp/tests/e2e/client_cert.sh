#!/usr/bin/env bash
# The TLS client certificate, against a server that requires one (mtls_server.py: a stand-in for
# a reverse proxy in front of the Sigil server, which does not ask for client certificates).
#
#   client_cert.sh <test program> [emulator]
#
# Makes a client CA, a client certificate (PEM key and PFX) and a server key with openssl, starts
# the server, and runs the program with: the server's URL, the SHA-256 pin of its public key, the
# client certificate (PEM), its key (PEM), the PFX (password "sigil") and a certificate without a
# key (the client CA's). The Linux program (libcurl) uses the PEM files, the Windows one (WinHTTP,
# under Wine) imports the PFX into CurrentUser\MY and names it by thumbprint. The program prints
# "N passed, N failed"; the exit status is the program's.
set -uo pipefail
program=${1:?test program}; emulator=${2:-}
for tool in openssl python3; do
  command -v "$tool" >/dev/null || { echo "client_cert: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done
work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work" || exit 1
quiet() { "$@" >/dev/null 2>&1 || { echo "client_cert: failed: $*" >&2; exit 1; }; }
quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
  -subj "/CN=Sigil test client CA"
quiet openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=sigil-test-client"
quiet openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
  -extfile <(printf 'extendedKeyUsage = clientAuth\n') -out client.pem
quiet openssl pkcs12 -export -in client.pem -inkey client.key -out client.pfx -passout pass:sigil
quiet openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key \
  -out server.pem -days 2 -subj "/CN=localhost"
pin=$(openssl x509 -in server.pem -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -c1-64)

python3 "$(dirname "$0")/mtls_server.py" server.pem server.key ca.pem 240 >port 2>server.log &
server_pid=$!
for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
port=$(head -n 1 port)
[ -n "$port" ] || { echo "client_cert: the TLS server did not start" >&2; cat server.log >&2; exit 1; }

if [ -n "$emulator" ]; then
  path() { echo "Z:$work/$1"; }
else
  path() { echo "$work/$1"; }
fi
$emulator "$program" "https://127.0.0.1:$port" "$pin" "$(path client.pem)" "$(path client.key)" \
  "$(path client.pfx)" "$(path ca.pem)" 2>&1 | tr -d '\r' | tee out.log
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || exit 1
# The Windows programs use the mini harness, which prints the count (cmocka on Linux: its exit status).
[ -z "$emulator" ] || grep -Eq '^[1-9][0-9]* passed, 0 failed' out.log
