#!/bin/sh
# mkdiag.sh OUTDIR AIA_BASE SLOW_BASE: the PKI of the nk tls chain diagnosis tests
# (tests/cli/tls_diag.bats), made fresh at each run into OUTDIR. AIA_BASE
# is the http:// URL the AIA "CA Issuers" fields point under; the test
# serves OUTDIR/aia/ there; SLOW_BASE is a server that never answers
# (but for /stream.der).
# EC P-256 keys unless noted.
#
#   root.pem        CN=nk Diag Root (trusted by the tests)
#   int.pem         CN=nk Diag Intermediate, by root; also aia/int.der
#                   (DER), aia/int.p7c (PKCS#7) and aia/int.pem
#   sub.pem         CN=nk Diag Sub CA, by int (AIA: int.der); aia/sub.der
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
#   streamaia stream.test, AIA pointing at SLOW_BASE/stream.der (a body
#             without a length, 100 KiB until the server closes)
#   subleaf   sub.test, by sub (AIA: sub.der, whose AIA is int.der)
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

# Extensions go on the command line (-addext), one certificate at a time.
printf '[ req ]\ndistinguished_name = dn\n[ dn ]\n' >req.cnf
CA_EXT="basicConstraints=critical,CA:TRUE"
CA_KU="keyUsage=critical,keyCertSign,cRLSign,digitalSignature"
LEAF_EXT="basicConstraints=critical,CA:FALSE"
LEAF_KU="keyUsage=critical,digitalSignature,keyEncipherment"

eckey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# cert NAME CN ISSUER DAYS KEY [req options...]: NAME.pem for KEY, issued
# by ISSUER.pem ("-": self-signed), with key identifiers.
cert() {
	name=$1 cn=$2 issuer=$3 days=$4 key=$5
	shift 5
	if [ "$issuer" = - ]; then
		set -- -x509 "$@"
	else
		set -- -CA "$issuer.pem" -CAkey "$issuer.key" "$@"
	fi
	openssl req -config req.cnf -new -key "$key" -subj "/CN=$cn" \
		-days "$days" -set_serial "0x$(openssl rand -hex 8)" \
		-addext subjectKeyIdentifier=hash \
		-addext authorityKeyIdentifier=keyid:always "$@" -out "$name.pem"
}

# ca NAME CN ISSUER DAYS [req options...]: a CA with its own key.
ca() {
	eckey "$1.key"
	n=$1 c=$2 i=$3 d=$4
	shift 4
	cert "$n" "$c" "$i" "$d" "$n.key" -addext "$CA_EXT" -addext "$CA_KU" "$@"
}

# leaf NAME CN ISSUER SAN|- AIA|- [KEY [req options...]]: a server
# certificate valid 100 days.
leaf() {
	n=$1 c=$2 i=$3 san=$4 url=$5 key=${6:-leaf.key}
	shift 5; [ $# -gt 0 ] && shift
	[ "$san" != - ] && set -- -addext "subjectAltName=$san" "$@"
	[ "$url" != - ] && set -- -addext "authorityInfoAccess=caIssuers;URI:$url" "$@"
	cert "$n" "$c" "$i" 100 "$key" -addext "$LEAF_EXT" -addext "$LEAF_KU" \
		-addext extendedKeyUsage=serverAuth "$@"
}

ca root "nk Diag Root" - 3650
ca other-root "nk Diag Other Root" - 3650
cat root.pem other-root.pem >two-cas.pem
ca int "nk Diag Intermediate" root 3650
ca sub "nk Diag Sub CA" int 3650 -addext "authorityInfoAccess=caIssuers;URI:$aia/int.der"
ca short "nk Diag Short CA" root 30

openssl x509 -in int.pem -outform DER -out aia/int.der
openssl x509 -in sub.pem -outform DER -out aia/sub.der
cp int.pem aia/int.pem
openssl crl2pkcs7 -nocrl -certfile int.pem -outform DER -out aia/int.p7c
printf 'this is no certificate\n' >aia/junk.der
head -c 102400 /dev/zero >aia/big.der

eckey leaf.key
leaf valid valid.test int DNS:valid.test "$aia/int.der"
leaf noaia noaia.test int DNS:noaia.test -
leaf deadaia dead.test int DNS:dead.test "$aia/missing.der"
leaf junkaia junk.test int DNS:junk.test "$aia/junk.der"
leaf bigaia big.test int DNS:big.test "$aia/big.der"
leaf slowaia slow.test int DNS:slow.test "$slow/int.der"
leaf streamaia stream.test int DNS:stream.test "$slow/stream.der"
leaf p7aia p7.test int DNS:p7.test "$aia/int.p7c"
leaf subleaf sub.test sub DNS:sub.test "$aia/sub.der"
leaf sha1 sha1.test int DNS:sha1.test "$aia/int.der" leaf.key -sha1
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out weak.key 2>/dev/null
leaf weak weak.test int DNS:weak.test "$aia/int.der" weak.key
leaf nosan nosan.test int - "$aia/int.der"
leaf wild "*.wild.test" int "DNS:*.wild.test" "$aia/int.der"
leaf long long.test short DNS:long.test -
leaf stray stray.test other-root DNS:stray.test -

# The chains the tests serve with s_server -cert_chain.
cat int.pem >int-chain.pem
cat int.pem sub.pem >sub-reversed.pem
cat int.pem stray.pem >with-stray.pem
cat int.pem root.pem >with-root.pem
cat int.pem int.pem >with-dup.pem
cat short.pem >short-chain.pem
