#!/bin/sh
# http_certs.sh OUTDIR: the certificates the nk http tests need, made fresh
# with openssl (EC P-256 keys, a few hundred milliseconds in all):
#   ca.pem               the test root the client is told to trust
#   server.pem/.key      nk.test, *.nk.test, localhost and 127.0.0.1, signed by ca
#   expired.pem/.key     nk.test, valid 2020-01-01 to 2021-01-01, signed by ca
#   wrongname.pem/.key   other.test only, signed by ca
#   selfsigned.pem/.key  nk.test, signed by itself
#   unknownca.pem/.key   nk.test, signed by a root the client does not know
#   client.pem/.key      a client certificate signed by ca
# Nothing is kept in the repository: private keys exist only in OUTDIR.
set -eu
out=$1
mkdir -p "$out"
cd "$out"
[ -f ca.pem ] && [ -f client.key ] && exit 0

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# A root CA and an unrelated one.
for ca in ca otherca; do
	key $ca.key
	openssl req -new -x509 -key $ca.key -out $ca.pem -days 3650 \
		-subj "/CN=nk test root $ca" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
done

# leaf NAME CA SUBJECT SAN [x509 date options...]
leaf() {
	name=$1 ca=$2 cn=$3 san=$4
	shift 4
	key $name.key
	openssl req -new -key $name.key -out $name.csr -subj "/CN=$cn" 2>/dev/null
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=%s\n' \
		"$san" "${EKU:-serverAuth}" >$name.ext
	openssl x509 -req -in $name.csr -CA $ca.pem -CAkey $ca.key \
		-CAcreateserial -out $name.pem -days 825 -extfile $name.ext 2>/dev/null
	rm -f $name.csr
}
leaf server ca nk.test 'DNS:nk.test,DNS:*.nk.test,DNS:localhost,IP:127.0.0.1'
leaf wrongname ca other.test 'DNS:other.test'
leaf unknownca otherca nk.test 'DNS:nk.test,IP:127.0.0.1'
EKU=clientAuth leaf client ca 'nk test client' 'DNS:client.nk.test'

key selfsigned.key
openssl req -new -x509 -key selfsigned.key -out selfsigned.pem -days 825 \
	-subj /CN=nk.test -addext subjectAltName=DNS:nk.test,IP:127.0.0.1 2>/dev/null

# An expired certificate: `openssl ca` is the one 3.0 command that takes
# explicit validity dates.
key expired.key
openssl req -new -key expired.key -out expired.csr -subj /CN=nk.test 2>/dev/null
mkdir -p ca.db
: >ca.db/index
cat >ca.db/conf <<CONF
[ca]
default_ca = d
[d]
database = ca.db/index
new_certs_dir = ca.db
serial = ca.db/serial
default_md = sha256
policy = p
copy_extensions = none
unique_subject = no
[p]
commonName = supplied
[ext]
subjectAltName = DNS:nk.test,IP:127.0.0.1
basicConstraints = CA:FALSE
CONF
echo 1000 >ca.db/serial
openssl ca -batch -config ca.db/conf -cert ca.pem -keyfile ca.key \
	-in expired.csr -out expired.pem -notext -extensions ext \
	-startdate 20200101000000Z -enddate 20210101000000Z 2>/dev/null
rm -f expired.csr
