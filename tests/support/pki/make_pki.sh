#!/usr/bin/env bash
# The tests' PKI, made with Debian's openssl into DIR (idempotent: a DIR that
# already holds ca.pem is left as it is). Subjects carry the BIN or IIN the
# way the national CA writes them (OU=BIN<12 digits>, serialNumber=IIN<12>).
#   ca.pem/ca.key          the trusted CA
#   gateway.pem/.key       the gateway's own pair (BIN 990000000001); gateway-ec: ECDSA P-256
#   sender.pem/.key        RSA-2048, BIN 123456789012 (the tests' "sender")
#   sender-ec.pem/.key     ECDSA P-256, same BIN
#   person.pem/.key        RSA, serialNumber=IIN880101300123 (an individual)
#   other.pem/.key         RSA, another organisation's BIN 555555555555
#   expired.pem/.key       RSA, sender's BIN, valid 2020-01-01..2021-01-01
#   revoked.pem/.key       RSA, sender's BIN, revoked in crl.pem
#   stranger-ca.pem, stranger.pem/.key   a chain the gateway does not trust
#   crl.pem                the CA's CRL (revoked.pem listed); crl-before.pem the one before
#   ocsp-responder.pem/.key  a responder the CA delegated to (extendedKeyUsage OCSPSigning)
#   sender-aia.pem/.key    like sender, naming an OCSP responder in its Authority Information Access
#   ca-db/index.txt        the CA's database: what `openssl ocsp -index` answers from
#   tls-server.pem/.key    a TLS server certificate for 127.0.0.1 and localhost (subjectAltName)
#   hop-near-main.pem/.key RSA, BIN 990000000003 (a near peer node's), issued by ca.pem
# A second RSA chain, the one peer gateways trust for each other (a peer's own trusted_ca):
#   peer-ca.pem/.key       its root; peer-crl.pem its CRL
#   hop-near.pem/.key      a near peer node's hop pair, BIN 990000000003
#   hop-far.pem/.key       a far peer node's hop pair, BIN 990000000002
# With OpenSSL's GOST engine (libengine-gost-openssl), a second, GOST chain:
#   gost-ca.pem/.key       a GOST R 34.10-2012 (256, CryptoPro set A) root signing with 34.11-2012; gost-crl.pem its CRL
#   sender-gost.pem/.key   GOST 256 (TC26 set A, a twisted Edwards curve), the sender's BIN
#   sender-gost512.pem/.key  GOST 512 (TC26 set A), the sender's BIN
#   gateway-gost.pem/.key  GOST 256 (CryptoPro set B), the gateway's BIN
# Usage: make_pki.sh DIR
set -euo pipefail
dir=$1
gost_engine() { openssl engine gost >/dev/null 2>&1; }
[ -f "$dir/ca.pem" ] && [ -f "$dir/crl.pem" ] && [ -f "$dir/ocsp-responder.pem" ] && [ -f "$dir/tls-server.pem" ] &&
  [ -f "$dir/peer-crl.pem" ] &&
  { [ -f "$dir/gost-crl.pem" ] || ! gost_engine; } && exit 0
mkdir -p "$dir"
cd "$dir"
rm -rf ca-db && mkdir ca-db && : >ca-db/index.txt && echo 1000 >ca-db/serial && echo 1000 >ca-db/crlnumber
cat >ca.cnf <<CNF
[ca]
default_ca = test_ca
[test_ca]
dir = ca-db
database = ca-db/index.txt
serial = ca-db/serial
crlnumber = ca-db/crlnumber
new_certs_dir = ca-db
certificate = ca.pem
private_key = ca.key
default_md = sha256
default_days = 3650
default_crl_days = 3650
preserve = yes
policy = anything
unique_subject = no
copy_extensions = none
x509_extensions = leaf
[anything]
commonName = optional
organizationalUnitName = optional
serialNumber = optional
organizationName = optional
countryName = optional
[leaf]
basicConstraints = CA:false
keyUsage = digitalSignature, nonRepudiation, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_aia]
basicConstraints = CA:false
keyUsage = digitalSignature, nonRepudiation, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://127.0.0.1:9/ocsp
[tls_server]
basicConstraints = CA:false
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ocsp_signer]
basicConstraints = CA:false
keyUsage = digitalSignature
extendedKeyUsage = OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
quiet() { "$@" >/dev/null 2>&1 || { echo "make_pki: failed: $*" >&2; "$@"; exit 1; }; }
quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -sha256 \
  -subj "/C=KZ/O=qaqpa test CA/CN=qaqpa test root"
issue() { # name subject key-algorithm [extra ca args...]; the CA is $cnf's (default ca.cnf)
  local name=$1 subject=$2 alg=$3; shift 3
  if [ "$alg" = ec ]; then quiet openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subject"
  else quiet openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subject"; fi
  quiet openssl ca -batch -config "${cnf:-ca.cnf}" -in "$name.csr" -out "$name.pem" -notext "$@"
  rm -f "$name.csr"
}
issue gateway "/C=KZ/O=qaqpa/OU=BIN990000000001/CN=qaqpa gateway" rsa
issue gateway-ec "/C=KZ/O=qaqpa/OU=BIN990000000001/CN=qaqpa gateway (ec)" ec
issue sender "/C=KZ/O=Sender LLP/OU=BIN123456789012/CN=sender system" rsa
issue sender-ec "/C=KZ/O=Sender LLP/OU=BIN123456789012/CN=sender system (ec)" ec
issue person "/C=KZ/serialNumber=IIN880101300123/CN=IVANOV IVAN" rsa
issue other "/C=KZ/O=Other LLP/OU=BIN555555555555/CN=other system" rsa
issue expired "/C=KZ/O=Sender LLP/OU=BIN123456789012/CN=sender (expired)" rsa -startdate 20200101000000Z -enddate 20210101000000Z
issue revoked "/C=KZ/O=Sender LLP/OU=BIN123456789012/CN=sender (revoked)" rsa
issue sender-aia "/C=KZ/O=Sender LLP/OU=BIN123456789012/CN=sender system (aia)" rsa -extensions leaf_aia
issue tls-server "/C=KZ/O=qaqpa/CN=localhost" ec -extensions tls_server
issue ocsp-responder "/C=KZ/O=qaqpa test CA/CN=qaqpa test OCSP responder" rsa -extensions ocsp_signer
quiet openssl ca -config ca.cnf -gencrl -out crl-before.pem
quiet openssl ca -config ca.cnf -revoke revoked.pem -crl_reason keyCompromise
quiet openssl ca -config ca.cnf -gencrl -out crl.pem
quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout stranger-ca.key -out stranger-ca.pem -days 3650 \
  -subj "/C=KZ/O=Stranger CA/CN=stranger root"
quiet openssl req -newkey rsa:2048 -nodes -keyout stranger.key -out stranger.csr \
  -subj "/C=KZ/O=Sender LLP/OU=BIN123456789012/CN=sender (stranger CA)"
quiet openssl x509 -req -in stranger.csr -CA stranger-ca.pem -CAkey stranger-ca.key -CAcreateserial \
  -out stranger.pem -days 3650 -sha256
rm -f stranger.csr
issue hop-near-main "/C=KZ/O=qaqpa near/OU=BIN990000000003/CN=qaqpa near gateway (test CA)" rsa

sed -e 's|ca-db|peer-db|g; s|ca.pem|peer-ca.pem|; s|ca.key|peer-ca.key|' ca.cnf >peer-ca.cnf
rm -rf peer-db && mkdir peer-db && : >peer-db/index.txt && echo 3000 >peer-db/serial && echo 3000 >peer-db/crlnumber
quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout peer-ca.key -out peer-ca.pem -days 3650 -sha256 \
  -subj "/C=KZ/O=qaqpa test peers CA/CN=qaqpa test peers root"
cnf=peer-ca.cnf issue hop-near "/C=KZ/O=qaqpa near/OU=BIN990000000003/CN=qaqpa near gateway" rsa
cnf=peer-ca.cnf issue hop-far "/C=KZ/O=qaqpa far/OU=BIN990000000002/CN=qaqpa far gateway" rsa
quiet openssl ca -config peer-ca.cnf -gencrl -out peer-crl.pem

gost_engine || exit 0
sed -e 's|ca-db|gost-db|g; s|ca.pem|gost-ca.pem|; s|ca.key|gost-ca.key|; s|= sha256|= md_gost12_256|' ca.cnf >gost-ca.cnf
rm -rf gost-db && mkdir gost-db && : >gost-db/index.txt && echo 2000 >gost-db/serial && echo 2000 >gost-db/crlnumber
gost_key() { quiet openssl genpkey -engine gost -algorithm "$1" -pkeyopt "paramset:$2" -out "$3"; }
gost_key gost2012_256 A gost-ca.key
quiet openssl req -engine gost -x509 -new -key gost-ca.key -md_gost12_256 -out gost-ca.pem -days 3650 \
  -subj "/C=KZ/O=qaqpa test CA/CN=qaqpa test GOST root"
issue_gost() { # name subject algorithm paramset
  gost_key "$3" "$4" "$1.key"
  quiet openssl req -engine gost -new -key "$1.key" "-md_gost12_${3#gost2012_}" -out "$1.csr" -subj "$2"
  quiet openssl ca -engine gost -batch -config gost-ca.cnf -in "$1.csr" -out "$1.pem" -notext
  rm -f "$1.csr"
}
issue_gost sender-gost "/C=KZ/O=Sender LLP/OU=BIN123456789012/CN=sender system (gost)" gost2012_256 TCA
issue_gost sender-gost512 "/C=KZ/O=Sender LLP/OU=BIN123456789012/CN=sender system (gost 512)" gost2012_512 A
issue_gost gateway-gost "/C=KZ/O=qaqpa/OU=BIN990000000001/CN=qaqpa gateway (gost)" gost2012_256 B
quiet openssl ca -engine gost -config gost-ca.cnf -gencrl -out gost-crl.pem
