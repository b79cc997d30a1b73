#!/usr/bin/env bash
# make-test-pki.sh DIR [HOST] — a throw-away PKI for the encrypted-connection tests, made at test
# time (no private key is ever committed): DIR/ca.pem (a test CA), DIR/server.pem + DIR/server.key
# (a server certificate it signed, valid 2 days) for localhost and 127.0.0.1 — or, given HOST, for
# that name only (a certificate that does not name the host a client connects to). EC P-256 keys,
# so this takes milliseconds. Needs the openssl command (Debian package openssl).
set -euo pipefail
dir=${1:?usage: make-test-pki.sh DIR [HOST]}
host=${2:-}
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem \
  -days 2 -subj "/CN=Understudy test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr \
  -subj "/CN=${host:-localhost}" 2>/dev/null
san="DNS:localhost,IP:127.0.0.1"
if [ -n "$host" ]; then san="DNS:$host"; fi
printf '%s\n' "subjectAltName=$san" "basicConstraints=CA:FALSE" \
  "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
  -days 2 -extfile server.ext -out server.pem 2>/dev/null
rm -f server.csr server.ext ca.key
chmod 600 server.key
