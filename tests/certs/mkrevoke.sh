#!/bin/sh
# mkrevoke.sh DIR OCSP_PORT CRL_PORT: a small PKI for the revocation tests
# of nk tls (tests/cli/tls_ocsp.bats), into DIR: a root CA (root.pem,
# root.key) that is also its own OCSP signer, and leaves whose AIA names
# http://127.0.0.1:OCSP_PORT/ and whose CRL distribution point is
# http://127.0.0.1:CRL_PORT/root.crl:
#   good.pem      valid, in the CA's index as valid
#   revoked.pem   revoked (keyCompromise) in the index and in root.crl
#   bare.pem      no AIA, no CRL distribution point
#   unknown.pem   issued by the root but missing from the index
# index.txt is the database `openssl ocsp -index` answers from; root.crl
# is DER. All leaves share leaf.key. Fails loudly on any openssl error.
set -eu
# ca.cnf names the leaf by \${ENV::NAME}; every openssl ca run needs one.
NAME=none
export NAME
d=$1 oport=$2 cport=$3
mkdir -p "$d"
cd "$d"
: >index.txt
echo 1000 >serial
cat >ca.cnf <<CNF
[ca]
default_ca = root
[root]
dir = .
database = index.txt
serial = serial
new_certs_dir = .
certificate = root.pem
private_key = root.key
default_md = sha256
default_days = 100
default_crl_days = 30
policy = anything
unique_subject = no
[anything]
commonName = supplied
[v3_root]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
[leaf]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:\${ENV::NAME}
authorityInfoAccess = OCSP;URI:http://127.0.0.1:$oport/
crlDistributionPoints = URI:http://127.0.0.1:$cport/root.crl
[bare]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:\${ENV::NAME}
CNF
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout root.key -out root.pem -subj "/CN=nk Revocation Root" \
	-days 100 -config ca.cnf -extensions v3_root 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out leaf.key
leaf() {   # leaf NAME SECTION
	openssl req -new -key leaf.key -subj "/CN=$1" -out "$1.csr"
	NAME=$1 openssl ca -batch -config ca.cnf -extensions "$2" \
		-in "$1.csr" -out "$1.pem" -notext 2>/dev/null
}
leaf good leaf
leaf revoked leaf
leaf bare bare
cp index.txt index.keep
leaf unknown leaf
cp index.keep index.txt   # the responder must not know it
openssl ca -batch -config ca.cnf -revoke revoked.pem \
	-crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config ca.cnf -gencrl -out root.crl.pem 2>/dev/null
openssl crl -in root.crl.pem -outform der -out root.crl
