#!/bin/sh
# mkdiag.sh OUTDIR AIA_BASE SLOW_BASE: the PKI of the nk tls chain diagnosis tests
# (tests/cli/tls_diag.bats), made fresh at each run into OUTDIR. AIA_BASE
# is the http:// URL the AIA "CA Issuers" fields point under; the test
# serves OUTDIR/aia/ there; SLOW_BASE is a server that never answers.
# EC P-256 keys unless noted.
#
#   root.pem        CN=nk Diag Root (trusted by the tests)
#   int.pem         CN=nk Diag Intermediate, by root; also aia/int.der
#                   (DER), aia/int.p7c (PKCS#7) and aia/int.pem
#   sub.pem         CN=nk Diag Sub CA, by int (AIA: int.der)
#   short.pem       CN=nk Diag Short CA, by root, valid 30 days
#   other-root.pem  CN=nk Diag Other Root, trusted by nobody
#   two-cas.pem     root.pem and other-root.pem (s_server -CAfile)
# Leaves (key leaf.key unless noted), each NAME.pem, issued by int with
# the AIA URL AIA_BASE/int.der unless noted:
#   valid     valid.test
#   noaia     noaia.test, no AIA
#   deadaia   dead.test, AIA pointing at AIA_BASE/missing.der (404)
#   junkaia   junk.test, AIA pointing at AIA_BASE/junk.der (not a cert)
#   p7aia     p7.test, AIA pointing at AIA_BASE/int.p7c
#   bigaia    big.test, AIA pointing at AIA_BASE/big.der (100 KiB)
#   slowaia   slow.test, AIA pointing at SLOW_BASE/int.der
#   subleaf   sub.test, by sub
#   sha1      sha1.test, signed with SHA-1
#   weak      weak.test, RSA 1024 (weak.key)
#   nosan     nosan.test, no subjectAltName
#   wild      *.wild.test
#   long      long.test, by short, valid 100 days (outlives short)
#   stray     stray.test, by other-root (an unrelated certificate)
set -eu
out=${1:?usage: mkdiag.sh OUTDIR AIA_BASE SLOW_BASE}
aia=${2:?usage: mkdiag.sh OUTDIR AIA_BASE SLOW_BASE}
slow=${3:?usage: mkdiag.sh OUTDIR AIA_BASE SLOW_BASE}
mkdir -p "$out/aia"
cd "$out"

cat >ext.cnf <<CNF
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_sub ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = caIssuers;URI:\${ENV::AIA}
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = \${ENV::SAN}
authorityInfoAccess = caIssuers;URI:\${ENV::AIA}
[ leaf_noaia ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
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
authorityInfoAccess = caIssuers;URI:\${ENV::AIA}
CNF
export OPENSSL_CONF="$out/ext.cnf" SAN=DNS:unused AIA="$aia/int.der"

eckey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# sign NAME CN ISSUER EXT DAYS KEY [x509 options...]: NAME.pem for KEY.
sign() {
	name=$1 cn=$2 issuer=$3 ext=$4 days=$5 key=$6
	shift 6
	openssl req -new -key "$key" -subj "/CN=$cn" -config ext.cnf |
		openssl x509 -req -CA "$issuer.pem" -CAkey "$issuer.key" \
			-set_serial "0x$(openssl rand -hex 8)" -days "$days" \
			-extfile ext.cnf -extensions "$ext" -out "$name.pem" "$@" 2>/dev/null
}

eckey root.key
openssl req -x509 -new -key root.key -subj "/CN=nk Diag Root" -days 3650 \
	-config ext.cnf -extensions v3_ca -out root.pem
eckey other-root.key
openssl req -x509 -new -key other-root.key -subj "/CN=nk Diag Other Root" \
	-days 3650 -config ext.cnf -extensions v3_ca -out other-root.pem
cat root.pem other-root.pem >two-cas.pem
eckey int.key
sign int "nk Diag Intermediate" root v3_ca 3650 int.key
eckey sub.key
sign sub "nk Diag Sub CA" int v3_sub 3650 sub.key
eckey short.key
sign short "nk Diag Short CA" root v3_ca 30 short.key

openssl x509 -in int.pem -outform DER -out aia/int.der
cp int.pem aia/int.pem
openssl crl2pkcs7 -nocrl -certfile int.pem -outform DER -out aia/int.p7c
printf 'this is no certificate\n' >aia/junk.der
head -c 102400 /dev/zero >aia/big.der

eckey leaf.key
SAN=DNS:valid.test sign valid valid.test int leaf 100 leaf.key
SAN=DNS:noaia.test sign noaia noaia.test int leaf_noaia 100 leaf.key
SAN=DNS:dead.test AIA="$aia/missing.der" sign deadaia dead.test int leaf 100 leaf.key
SAN=DNS:junk.test AIA="$aia/junk.der" sign junkaia junk.test int leaf 100 leaf.key
SAN=DNS:big.test AIA="$aia/big.der" sign bigaia big.test int leaf 100 leaf.key
SAN=DNS:slow.test AIA="$slow/int.der" sign slowaia slow.test int leaf 100 leaf.key
SAN=DNS:p7.test AIA="$aia/int.p7c" sign p7aia p7.test int leaf 100 leaf.key
SAN=DNS:sub.test sign subleaf sub.test sub leaf_noaia 100 leaf.key
SAN=DNS:sha1.test sign sha1 sha1.test int leaf 100 leaf.key -sha1
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out weak.key 2>/dev/null
SAN=DNS:weak.test sign weak weak.test int leaf 100 weak.key
sign nosan nosan.test int leaf_nosan 100 leaf.key
SAN="DNS:*.wild.test" sign wild "*.wild.test" int leaf 100 leaf.key
SAN=DNS:long.test sign long long.test short leaf_noaia 100 leaf.key
SAN=DNS:stray.test sign stray stray.test other-root leaf_noaia 100 leaf.key

# The chains the tests serve with s_server -cert_chain.
cat int.pem >int-chain.pem
cat int.pem sub.pem >sub-reversed.pem
cat int.pem stray.pem >with-stray.pem
cat int.pem root.pem >with-root.pem
cat int.pem int.pem >with-dup.pem
cat short.pem >short-chain.pem
