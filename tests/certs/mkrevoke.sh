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
#   sct.pem       two SCTs embedded (logs aa.., cc..), no AIA
# Each leaf NAME.pem is for NAME.test (its CN and DNS name).
# index.txt is the database `openssl ocsp -index` answers from; root.crl
# is DER. All leaves share leaf.key. Besides:
#   rogue.pem, rogue.key  a self-signed root of the same name, another key
#   rogue.crl     a CRL of the root's name signed by the rogue key
#   signer.pem, signer.key  a delegated OCSP responder (OCSPSigning)
#   stale.crl     the root's CRL of January 2020, due again in February
#   good.ocsp     a DER OCSP response "good" for good.pem (for stapling)
#   replay.ocsp   the same, answering another request's nonce
#   sct.serverinfo  s_server -serverinfo: one SCT (log bb..) in the handshake
# Fails loudly on any openssl error.
set -eu
# ca.cnf names the leaf by \${ENV::NAME}; every openssl ca run needs one.
NAME=none
export NAME
d=$1 oport=$2 cport=$3
sct_list="$(cd "$(dirname "$0")/../servers" && pwd)/sct_list.py"
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
[signer]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
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
	openssl req -new -key leaf.key -subj "/CN=$1.test" -out "$1.csr"
	NAME=$1.test openssl ca -batch -config ca.cnf -extensions "$2" \
		-in "$1.csr" -out "$1.pem" -notext 2>/dev/null
}
leaf good leaf
leaf revoked leaf
leaf bare bare
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out signer.key
openssl req -new -key signer.key -subj "/CN=nk OCSP Responder" -out signer.csr
openssl ca -batch -config ca.cnf -extensions signer -in signer.csr \
	-out signer.pem -notext 2>/dev/null
cp index.txt index.keep
leaf unknown leaf
cp index.keep index.txt   # the responder must not know it
openssl ca -batch -config ca.cnf -revoke revoked.pem \
	-crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config ca.cnf -gencrl -out root.crl.pem 2>/dev/null
openssl crl -in root.crl.pem -outform der -out root.crl
openssl ca -batch -config ca.cnf -gencrl -crl_lastupdate 20200101000000Z \
	-crl_nextupdate 20200201000000Z -out stale.crl.pem 2>/dev/null
openssl crl -in stale.crl.pem -outform der -out stale.crl

# A root of the same name with another key: what signs with it must fail.
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout rogue.key -out rogue.pem -subj "/CN=nk Revocation Root" \
	-days 100 -config ca.cnf -extensions v3_root 2>/dev/null
openssl ca -batch -config ca.cnf -gencrl -keyfile rogue.key -cert rogue.pem \
	-out rogue.crl.pem 2>/dev/null
openssl crl -in rogue.crl.pem -outform der -out rogue.crl

# The staple, as a responder would have answered.
openssl ocsp -issuer root.pem -cert good.pem -no_nonce -reqout good.req \
	>/dev/null
openssl ocsp -index index.txt -rsigner root.pem -rkey root.key -CA root.pem \
	-reqin good.req -respout good.ocsp -ndays 1 >/dev/null 2>&1
openssl ocsp -issuer root.pem -cert good.pem -reqout nonce.req >/dev/null
openssl ocsp -index index.txt -rsigner root.pem -rkey root.key -CA root.pem \
	-reqin nonce.req -respout replay.ocsp -ndays 1 >/dev/null 2>&1

# SCTs: made-up ones (sct_list.py), since no CT log runs here.
printf '[sct]\nbasicConstraints = CA:false\nsubjectAltName = DNS:sct.test\n1.3.6.1.4.1.11129.2.4.2 = DER:%s\n' \
	"$(python3 "$sct_list" ext aa 1600000000000 cc 1650000000123)" >sct.cnf
openssl req -new -key leaf.key -subj "/CN=sct.test" -out sct.csr
openssl x509 -req -in sct.csr -CA root.pem -CAkey root.key -set_serial 77 \
	-days 100 -extfile sct.cnf -extensions sct -out sct.pem 2>/dev/null
python3 "$sct_list" serverinfo bb 1700000000000 >sct.serverinfo
