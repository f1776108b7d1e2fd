#!/bin/sh
# mkcerts.sh OUTDIR: generates the TLS test certificate matrix into OUTDIR
# (created if missing). Nothing here is committed: every key is made fresh
# at test time. EC P-256 keys throughout, except the deliberately weak RSA
# 1024 one. Takes well under two seconds.
#
# Trust: root.pem (CN=nk Test Root) issues int.pem (CN=nk Test
# Intermediate), which issues the leaves. other-root.pem / other-int.pem
# are a second hierarchy nobody trusts. capath/ is root.pem as a hashed
# directory (for --capath).
#
# Served chains (cert file for openssl s_server -cert, key in leaf.key
# unless noted), host names as the tests reach them:
#   valid.pem + valid-chain.pem   valid.test (leaf + intermediate)
#   valid.pem alone               missing intermediate
#   expired.pem + int             expired.test, expired on 2021-01-01
#   future.pem + int              future.test, valid from 2099-01-01
#   names.pem + int               one.test, *.two.test (served as wrong.test)
#   self.pem (self-signed)        self.test
#   unknown.pem + other-int       unknown.test under the untrusted root
#   untrusted-chain.pem           unknown.test + other-int + other-root
#   wild.pem + int                *.example.test
#   ip.pem + int                  IP 127.0.0.1 and ::1
#   cnonly.pem + int              CN=cnonly.test, no SAN
#   weak.pem + int (weak.key)     weak.test with RSA 1024
#   soon.pem + int                soon.test, expires in 9 days 23 hours
#   ocsp-good.pem, ocsp-revoked.pem + int: good.test, revoked.test, with
#     stapled responses ocsp-good.der and ocsp-revoked.der (signed by int)
#   client.pem (client.key)       a client certificate issued by root
#   evil.pem (self-signed)        control characters in subject and SAN
set -eu
out=${1:?usage: mkcerts.sh OUTDIR}
mkdir -p "$out"
cd "$out"
out=$(pwd)
rm -rf newcerts capath
mkdir newcerts capath
: >index.txt
echo 1000 >serial

cat >ca.cnf <<CNF
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused

[ ca ]
default_ca = ca_int
[ ca_int ]
database = $out/index.txt
new_certs_dir = $out/newcerts
serial = $out/serial
default_md = sha256
default_days = 100
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied

[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = \${ENV::SAN}
[ leaf_nosan ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
CNF
export OPENSSL_CONF="$out/ca.cnf" SAN=DNS:unused

eckey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# ca NAME CN ISSUER: a CA certificate NAME.pem with key NAME.key; ISSUER
# "-" for a self-signed root.
ca() {
	eckey "$1.key"
	if [ "$3" = - ]; then
		openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 3650 \
			-config ca.cnf -extensions v3_ca -out "$1.pem"
	else
		openssl req -new -key "$1.key" -subj "/CN=$2" -config ca.cnf |
			openssl x509 -req -CA "$3.pem" -CAkey "$3.key" \
				-set_serial "0x$(openssl rand -hex 8)" -days 3650 \
				-extfile ca.cnf -extensions v3_ca -out "$1.pem" 2>/dev/null
	fi
}

# leaf NAME CN SAN [KEY [EXT [openssl-ca options...]]]: NAME.pem issued by
# the intermediate through `openssl ca`, so its index can answer OCSP.
leaf() {
	name=$1 cn=$2 san=$3 key=${4:-leaf.key} ext=${5:-leaf}
	shift 3; [ $# -gt 0 ] && shift; [ $# -gt 0 ] && shift
	openssl req -new -key "$key" -subj "/CN=$cn" -config ca.cnf -out "$name.csr"
	SAN=$san openssl ca -batch -config ca.cnf -cert int.pem -keyfile int.key \
		-in "$name.csr" -out "$name.pem" -extensions "$ext" -notext \
		"$@" 2>/dev/null
	rm -f "$name.csr"
	cat "$name.pem" int.pem >"$name-chain.pem"
}

ca root "nk Test Root" -
ca int "nk Test Intermediate" root
ca other-root "nk Other Root" -
ca other-int "nk Other Intermediate" other-root
eckey leaf.key

leaf valid valid.test DNS:valid.test
leaf expired expired.test DNS:expired.test leaf.key leaf \
	-startdate 20200101000000Z -enddate 20210101000000Z
leaf future future.test DNS:future.test leaf.key leaf \
	-startdate 20990101000000Z -enddate 20991231000000Z
leaf names one.test "DNS:one.test,DNS:*.two.test"
leaf wild "*.example.test" "DNS:*.example.test"
leaf ip 127.0.0.1 "IP:127.0.0.1,IP:::1"
leaf cnonly cnonly.test unused leaf.key leaf_nosan
# 9 days and 23 hours: "9 days left" whenever the tests run.
leaf soon soon.test DNS:soon.test leaf.key leaf \
	-enddate "$(date -u -d '+10 days -1 hour' +%Y%m%d%H%M%SZ)"
leaf ocsp-good good.test DNS:good.test
leaf ocsp-revoked revoked.test DNS:revoked.test
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out weak.key 2>/dev/null
leaf weak weak.test DNS:weak.test weak.key

# The self-signed one, and the one under the untrusted hierarchy.
SAN=DNS:self.test openssl req -x509 -new -key leaf.key -subj "/CN=self.test" \
	-days 100 -config ca.cnf -extensions leaf -out self.pem
openssl req -new -key leaf.key -subj "/CN=unknown.test" -config ca.cnf |
	SAN=DNS:unknown.test openssl x509 -req -CA other-int.pem \
		-CAkey other-int.key -set_serial "0x$(openssl rand -hex 8)" \
		-days 100 -extfile ca.cnf -extensions leaf -out unknown.pem 2>/dev/null
cat unknown.pem other-int.pem >unknown-chain.pem

# Terminal escapes and UTF-8 in names, for the terminal-safety checks:
# ESC ] (OSC), BEL, a C1 control (U+009B) and "Grüße".
SAN="$(printf 'DNS:evil\033[31m.test')" openssl req -x509 -new -key leaf.key \
	-utf8 -subj "$(printf '/O=Gr\303\274\303\237e \302\233x/CN=evil\033]0;title\007.test')" \
	-days 100 -config ca.cnf -extensions leaf -out evil.pem
cat unknown.pem other-int.pem other-root.pem >untrusted-chain.pem

# A client certificate, issued by the root.
eckey client.key
openssl req -new -key client.key -subj "/CN=nk test client" -config ca.cnf |
	openssl x509 -req -CA root.pem -CAkey root.key \
		-set_serial "0x$(openssl rand -hex 8)" -days 100 \
		-extfile ca.cnf -extensions client -out client.pem 2>/dev/null

# OCSP: revoke one, then let the intermediate answer for both.
openssl ca -config ca.cnf -cert int.pem -keyfile int.key \
	-revoke ocsp-revoked.pem 2>/dev/null
for s in good revoked; do
	openssl ocsp -index index.txt -rsigner int.pem -rkey int.key \
		-CA int.pem -issuer int.pem -cert "ocsp-$s.pem" -ndays 7 \
		-respout "ocsp-$s.der" >/dev/null 2>&1
done

cp root.pem capath/
openssl rehash capath 2>/dev/null || c_rehash capath >/dev/null
