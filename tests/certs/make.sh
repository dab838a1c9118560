#!/usr/bin/env bash
# Makes the test PKI the TLS tests and the cross test's --ssl use (kept in the repository, so
# tests never generate keys; rerun only to replace it). Valid for a century, except
# `expired`. Every key is ECDSA P-256.
#   ca.pem                 the test CA (its key is thrown away)
#   server.pem server.key  for localhost, 127.0.0.1 and ::1, signed by the CA
#   client.pem client.key  a client certificate (CN thrift-bidi-client, and localhost,
#                          127.0.0.1 and ::1, which Apache's Python server checks the peer's
#                          address against), signed by the CA
#   expired.pem expired.key  like server, but it expired in 2021
#   other-ca.pem           a CA that signed nothing here: trusting it alone trusts no server
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

key "$work/ca.key"
openssl req -x509 -new -key "$work/ca.key" -subj "/CN=thrift-bidi test CA" -days 36500 \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" -out ca.pem
key "$work/other.key"
openssl req -x509 -new -key "$work/other.key" -subj "/CN=thrift-bidi other CA" -days 36500 \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" -out other-ca.pem

# `openssl ca` signs with chosen dates (the expired certificate needs them).
mkdir -p "$work/db"
touch "$work/db/index.txt"
cat > "$work/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $work/db/index.txt
new_certs_dir = $work/db
serial = $work/db/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = copy
[any]
commonName = supplied
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1
CNF
openssl rand -hex 16 > "$work/db/serial"
sign() { # name subject extensions start end
  key "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=$2" -out "$work/$1.csr"
  openssl ca -batch -config "$work/ca.cnf" -cert ca.pem -keyfile "$work/ca.key" -extensions "$3" \
    -startdate "$4" -enddate "$5" -in "$work/$1.csr" -out "$work/$1.crt" 2>/dev/null
  openssl x509 -in "$work/$1.crt" -out "$1.pem"
}
sign server localhost server 20250101000000Z 21250101000000Z
sign client thrift-bidi-client client 20250101000000Z 21250101000000Z
sign expired localhost server 20200101000000Z 20210101000000Z
echo "made ca.pem other-ca.pem server client expired"
