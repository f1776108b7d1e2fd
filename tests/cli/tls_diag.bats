#!/usr/bin/env bats
# nk tls's chain diagnosis (issue 19): the missing issuer named with its
# key identifier and AIA URL, --fetch-aia fetching it over http (python3
# http.server on 127.0.0.1, serving DER, PKCS#7, junk and an oversized
# file; a listener that never answers), the order of what openssl
# s_server sends, the warnings, and a client certificate request. The PKI
# is made per run by tests/certs/mkdiag.sh.

load ../lib/common
load ../lib/tls
bats_require_minimum_version 1.5.0

setup_file() {
	export D="$BATS_FILE_TMPDIR/pki"
	export AIA_PORT SLOW_PORT
	AIA_PORT=$(free_port)
	SLOW_PORT=$(free_port)
	"$TESTS_DIR/certs/mkdiag.sh" "$D" "http://127.0.0.1:$AIA_PORT" \
		"http://127.0.0.1:$SLOW_PORT" >/dev/null 2>&1
	python3 -m http.server --bind 127.0.0.1 --directory "$D/aia" "$AIA_PORT" \
		>"$D/http.log" 2>&1 </dev/null &
	echo $! >"$D/pids"
	# Holds every connection without an answer, but for /stream.der: 100
	# KiB after an HTTP/1.0 head without a length, then the close.
	python3 -c '
import socket, sys, threading
def serve(c):
    req = c.recv(4096)
    if req.startswith(b"GET /stream.der "):
        c.sendall(b"HTTP/1.0 200 OK\r\n\r\n" + b"\0" * 102400)
        c.close()
    else:
        held.append(c)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
held = []
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
' "$SLOW_PORT" >/dev/null 2>&1 </dev/null &
	echo $! >>"$D/pids"
	wait_port "$AIA_PORT"
	wait_port "$SLOW_PORT"
}

teardown_file() {
	local pid
	for pid in $(cat "$D/pids"); do stop_pid "$pid"; done
}

# serve CERT [s_server options...]: s_server -www on a free port with
# $D/CERT and its key (weak.key for weak.pem, else leaf.key); sets PORT.
serve() {
	local cert=$1 key=leaf.key; shift
	[ "$cert" = weak.pem ] && key=weak.key
	s_server_www "$D/$cert" "$D/$key" "$@"
}

# tls NAME [options...]: nk tls for NAME:$PORT, trusting the diag root.
tls() {
	tls_run 20 "$D/root.pem" "$@"
}

# diag NAME EXPR [options...]: nk tls --json for NAME; EXPR, a python
# expression over d (the "diagnosis" object) and j (the document), must
# be true.
diag() {
	local name=$1 expr=$2; shift 2
	tls "$name" --json "$@"
	python3 -c '
import json, sys
j = json.loads(sys.stdin.read()); d = j["diagnosis"]
ok = eval("(" + sys.argv[1] + ")")
if not ok:
    print(json.dumps(d, indent=1), file=sys.stderr)
sys.exit(0 if ok else 1)
' "$expr" <<<"$output"
}

# line TEXT: TEXT is one of the lines of $output.
line() {
	local l
	for l in "${lines[@]}"; do [ "$l" = "$1" ] && return 0; done
	echo "no line '$1' in:" >&2
	printf '%s\n' "$output" >&2
	return 1
}

keyid() {
	openssl x509 -in "$D/$1" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' '
}

@test "leaf only: the missing intermediate by subject, key id and AIA URL; exit 60" {
	serve valid.pem
	local kid gets; kid=$(keyid int.pem)
	gets=$(grep -c GET "$D/http.log" || true)
	tls valid.test
	[ "$status" -eq 60 ]
	line "Missing     CN=nk Diag Intermediate (key id $kid), the issuer of CN=valid.test: the server did not send it and it is not trusted"
	line "CA Issuers  http://127.0.0.1:$AIA_PORT/int.der"
	line "Fix         send CN=nk Diag Intermediate after the server's certificate (--fetch-aia fetches it from the CA Issuers URL)"
	[ "$stderr" = "nk-tls: certificate verification failed for valid.test: missing intermediate certificate or unknown root: issuer CN=nk Diag Intermediate was not sent and is not trusted" ]
	diag valid.test "d['missing_issuer'] == {'subject': 'CN=nk Diag Intermediate',
		'key_id': '$kid', 'issuer_of': 'CN=valid.test',
		'ca_issuers': ['http://127.0.0.1:$AIA_PORT/int.der']}
		and d['aia'] is None and d['warnings'] == []
		and d['chain_order'] == {'issuing_order': [0], 'out_of_order': False,
		  'duplicates': [], 'unrelated': [], 'root_sent': None}
		and j['exit_code'] == 60"
	[ "$status" -eq 60 ]
	# Nothing is fetched without --fetch-aia.
	[ "$(grep -c GET "$D/http.log" || true)" = "$gets" ]
}

@test "--fetch-aia: fetched over http, the completed chain shown and written by --pem; still exit 60" {
	serve valid.pem
	tls valid.test --fetch-aia
	[ "$status" -eq 60 ]
	local n; n=$(stat -c %s "$D/aia/int.der")
	line "Fetched     http://127.0.0.1:$AIA_PORT/int.der: HTTP 200, $n bytes, 1 certificate"
	line "Completed   the chain verifies with what was fetched: CN=valid.test < CN=nk Diag Intermediate (fetched) < CN=nk Diag Root"
	line "Fix         configure the server to send the chain --fetch-aia --pem writes"
	diag valid.test "d['aia'] == {'fetches': [{'url': 'http://127.0.0.1:$AIA_PORT/int.der',
		'status': 200, 'bytes': $n, 'certificates': 1, 'error': None}],
		'verified': True, 'reason': None,
		'chain': [{'subject': 'CN=valid.test', 'source': 'sent'},
		  {'subject': 'CN=nk Diag Intermediate', 'source': 'fetched'},
		  {'subject': 'CN=nk Diag Root', 'source': 'store'}]}
		and j['verification']['verified'] == False" --fetch-aia
	[ "$status" -eq 60 ]
	# --pem: the leaf and the fetched intermediate, not the root.
	tls valid.test --fetch-aia --pem -o "$BATS_TEST_TMPDIR/fixed.pem"
	[ "$status" -eq 60 ]
	cat "$D/valid.pem" "$D/int.pem" | cmp - "$BATS_TEST_TMPDIR/fixed.pem"
	# ... which a server can send, and then it verifies.
	serve valid.pem -cert_chain "$BATS_TEST_TMPDIR/fixed.pem"
	tls valid.test
	[ "$status" -eq 0 ]
	# Without --fetch-aia, --pem still writes what was sent.
	serve valid.pem
	tls valid.test --pem
	[ "$status" -eq 60 ]
	[ "$output" = "$(cat "$D/valid.pem")" ]
}

@test "--fetch-aia: two intermediates missing, fetched one after the other" {
	serve subleaf.pem
	tls sub.test --fetch-aia
	[ "$status" -eq 60 ]
	line "Missing     CN=nk Diag Sub CA (key id $(keyid sub.pem)), the issuer of CN=sub.test: the server did not send it and it is not trusted"
	line "Completed   the chain verifies with what was fetched: CN=sub.test < CN=nk Diag Sub CA (fetched) < CN=nk Diag Intermediate (fetched) < CN=nk Diag Root"
	diag sub.test "[f['url'] for f in d['aia']['fetches']] ==
		['http://127.0.0.1:$AIA_PORT/sub.der', 'http://127.0.0.1:$AIA_PORT/int.der']
		and [c['source'] for c in d['aia']['chain']] == ['sent', 'fetched', 'fetched', 'store']
		and d['aia']['verified'] == True" --fetch-aia
	tls sub.test --fetch-aia --pem
	[ "$output" = "$(cat "$D/subleaf.pem" "$D/sub.pem" "$D/int.pem")" ]
}

@test "--fetch-aia: a PKCS#7 bundle is read too" {
	serve p7aia.pem
	tls p7.test --fetch-aia
	[ "$status" -eq 60 ]
	line "Completed   the chain verifies with what was fetched: CN=p7.test < CN=nk Diag Intermediate (fetched) < CN=nk Diag Root"
}

@test "--fetch-aia: 404, junk, over 64 KiB, a server that never answers: said, not fatal" {
	serve deadaia.pem
	tls dead.test --fetch-aia
	[ "$status" -eq 60 ]
	line "Fetched     http://127.0.0.1:$AIA_PORT/missing.der: HTTP 404, 0 bytes: The requested URL returned error: 404"
	line "Fix         send CN=nk Diag Intermediate after the server's certificate"
	diag dead.test "d['aia']['verified'] == False and d['aia']['reason'] == 'nothing fetched'
		and d['aia']['chain'] == [] and d['aia']['fetches'][0]['status'] == 404" --fetch-aia
	# -v: each fetch on stderr.
	tls dead.test --fetch-aia -v
	[ "$status" -eq 60 ]
	grep -qxF "nk-tls: fetching http://127.0.0.1:$AIA_PORT/missing.der (--fetch-aia)" <<<"$stderr"
	grep -qxF "nk-tls: http://127.0.0.1:$AIA_PORT/missing.der: The requested URL returned error: 404" <<<"$stderr"
	serve junkaia.pem
	tls junk.test --fetch-aia
	[ "$status" -eq 60 ]
	line "Fetched     http://127.0.0.1:$AIA_PORT/junk.der: HTTP 200, 23 bytes: no certificate (DER, PEM or PKCS#7) in 23 bytes"
	serve bigaia.pem
	tls big.test --fetch-aia
	[ "$status" -eq 60 ]
	diag big.test "d['aia']['fetches'] == [{'url': 'http://127.0.0.1:$AIA_PORT/big.der',
		'status': 200, 'bytes': 0, 'certificates': 0, 'error':
		'Maximum file size exceeded: the body is 102400 bytes, the limit 65536'}]" --fetch-aia
	# A body without a length is cut at 64 KiB as well.
	serve streamaia.pem
	tls stream.test --fetch-aia
	[ "$status" -eq 60 ]
	diag stream.test "d['aia']['fetches'][0]['status'] == 200 and
		d['aia']['fetches'][0]['bytes'] <= 65536 and d['aia']['fetches'][0]['error'] ==
		'Maximum file size exceeded: the body is larger than 65536 bytes'" --fetch-aia
	serve slowaia.pem
	local t0=$SECONDS
	diag slow.test "d['aia']['fetches'][0]['status'] == 0 and
		d['aia']['fetches'][0]['error'].startswith('Operation timed out')" \
		--fetch-aia --max-time 1
	[ "$status" -eq 60 ]
	[ $((SECONDS - t0)) -le 3 ]
}

@test "no AIA URL: said so; --fetch-aia has nothing to fetch" {
	serve noaia.pem
	tls noaia.test --fetch-aia
	[ "$status" -eq 60 ]
	line "CA Issuers  none: CN=noaia.test names no AIA URL for its issuer"
	diag noaia.test "d['missing_issuer']['ca_issuers'] == [] and
		d['aia'] == {'fetches': [], 'verified': False,
		  'reason': 'nothing fetched', 'chain': []}" --fetch-aia
}

@test "a good chain: an empty diagnosis and no text" {
	serve valid.pem -cert_chain "$D/int-chain.pem"
	local gets; gets=$(grep -c GET "$D/http.log" || true)
	tls valid.test --fetch-aia
	[ "$status" -eq 0 ]
	! grep -Eq '^(Missing|Warning|Fix|Fetched)' <<<"$output"
	diag valid.test "d == {'chain_order': {'issuing_order': [0, 1],
		  'out_of_order': False, 'duplicates': [], 'unrelated': [],
		  'root_sent': None},
		'missing_issuer': None, 'aia': None,
		'chain_expires_before_leaf': None, 'weak_keys': [],
		'weak_signatures': [], 'leaf_without_san': False,
		'wildcard_match': None, 'warnings': []}" --fetch-aia
	[ "$status" -eq 0 ]
	[ "$(grep -c GET "$D/http.log" || true)" = "$gets" ]
}

@test "out of order: the issuing order named; --fetch-aia --pem writes it in order" {
	serve subleaf.pem -cert_chain "$D/sub-reversed.pem"
	tls sub.test
	[ "$status" -eq 0 ]
	line "Warning     out-of-order: the server sent its chain out of order: the issuing order is sent [0], [2], [1]"
	diag sub.test "d['chain_order']['issuing_order'] == [0, 2, 1] and
		d['chain_order']['out_of_order'] == True and
		d['warnings'] == [{'code': 'out-of-order', 'text': 'the server sent its chain out of order: the issuing order is sent [0], [2], [1]'}]"
	[ "$status" -eq 0 ]
	tls sub.test --fetch-aia --pem
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$D/subleaf.pem" "$D/sub.pem" "$D/int.pem")" ]
}

@test "an unrelated certificate, the root, a duplicate" {
	serve valid.pem -cert_chain "$D/with-stray.pem"
	tls valid.test
	[ "$status" -eq 0 ]
	line "Warning     unrelated-certificate: sent [2] CN=stray.test is not part of the chain"
	diag valid.test "d['chain_order'] == {'issuing_order': [0, 1], 'out_of_order': False,
		'duplicates': [], 'unrelated': [2], 'root_sent': None} and
		[w['code'] for w in d['warnings']] == ['unrelated-certificate']"
	serve valid.pem -cert_chain "$D/with-root.pem"
	tls valid.test
	[ "$status" -eq 0 ]
	line "Warning     root-sent: sent [2] CN=nk Diag Root is a root: a client must have it already, sending it is needless"
	diag valid.test "d['chain_order'] == {'issuing_order': [0, 1, 2], 'out_of_order': False,
		'duplicates': [], 'unrelated': [], 'root_sent': 2} and
		[w['code'] for w in d['warnings']] == ['root-sent']"
	serve valid.pem -cert_chain "$D/with-dup.pem"
	tls valid.test
	[ "$status" -eq 0 ]
	line "Warning     duplicate-certificate: sent [2] repeats sent [1] (CN=nk Diag Intermediate)"
	diag valid.test "d['chain_order'] == {'issuing_order': [0, 1], 'out_of_order': False,
		'duplicates': [{'index': 2, 'repeats': 1}], 'unrelated': [], 'root_sent': None} and
		[w['code'] for w in d['warnings']] == ['duplicate-certificate']"
}

@test "a SHA-1 signed leaf: weak-signature (and OpenSSL refuses it: exit 60)" {
	serve sha1.pem -cert_chain "$D/int-chain.pem" -cipher 'DEFAULT:@SECLEVEL=0'
	tls sha1.test
	[ "$status" -eq 60 ]
	line "Warning     weak-signature: CN=sha1.test is signed with ecdsa-with-SHA1 (SHA1 is broken for signatures)"
	diag sha1.test "d['weak_signatures'] == [{'subject': 'CN=sha1.test',
		'signature_algorithm': 'ecdsa-with-SHA1'}] and d['weak_keys'] == [] and
		[w['code'] for w in d['warnings']] == ['weak-signature']"
}

@test "an RSA 1024 leaf: weak-key" {
	serve weak.pem -cert_chain "$D/int-chain.pem" -cipher 'DEFAULT:@SECLEVEL=0'
	tls weak.test
	[ "$status" -eq 60 ]
	line "Warning     weak-key: CN=weak.test has a weak key: RSA 1024 (under 2048 bits)"
	diag weak.test "d['weak_keys'] == [{'subject': 'CN=weak.test', 'key': 'RSA 1024'}]
		and d['weak_signatures'] == [] and
		[w['code'] for w in d['warnings']] == ['weak-key']"
}

@test "a leaf without SAN: no-san (and the name check fails: exit 60)" {
	serve nosan.pem -cert_chain "$D/int-chain.pem"
	tls nosan.test
	[ "$status" -eq 60 ]
	line "Warning     no-san: the server's certificate has no subject alternative names: clients match names only there, not in its subject"
	diag nosan.test "d['leaf_without_san'] == True and d['wildcard_match'] is None and
		[w['code'] for w in d['warnings']] == ['no-san']"
}

@test "a name matched only through a wildcard" {
	serve wild.pem -cert_chain "$D/int-chain.pem"
	tls a.wild.test
	[ "$status" -eq 0 ]
	line "Warning     wildcard-match: a.wild.test matches only through the wildcard *.wild.test"
	diag a.wild.test "d['wildcard_match'] == '*.wild.test' and
		d['warnings'] == [{'code': 'wildcard-match', 'text': 'a.wild.test matches only through the wildcard *.wild.test'}]"
	# A name the wildcard does not cover: no such warning.
	tls b.c.wild.test
	[ "$status" -eq 60 ]
	! grep -q wildcard-match <<<"$output"
}

@test "a leaf that outlives its intermediate: chain-expires-before-leaf" {
	serve long.pem -cert_chain "$D/short-chain.pem"
	tls long.test
	[ "$status" -eq 0 ]
	local ca leaf days
	ca=$(date -u -d "$(openssl x509 -in "$D/short.pem" -noout -enddate | cut -d= -f2)" +%s)
	leaf=$(date -u -d "$(openssl x509 -in "$D/long.pem" -noout -enddate | cut -d= -f2)" +%s)
	days=$(( (leaf - ca) / 86400 ))
	[ "$days" -ge 69 ] && [ "$days" -le 70 ]
	local cas leafs
	cas=$(date -u -d "@$ca" '+%Y-%m-%d %H:%M:%S UTC')
	leafs=$(date -u -d "@$leaf" '+%Y-%m-%d %H:%M:%S UTC')
	line "Warning     chain-expires-before-leaf: CN=nk Diag Short CA expires on $cas, $days days before the server's certificate ($leafs): the chain stops verifying then"
	diag long.test "d['chain_expires_before_leaf'] == {'subject': 'CN=nk Diag Short CA',
		'not_after': '$(date -u -d "@$ca" +%Y-%m-%dT%H:%M:%SZ)',
		'leaf_not_after': '$(date -u -d "@$leaf" +%Y-%m-%dT%H:%M:%SZ)',
		'days_before_leaf': $days} and
		[w['code'] for w in d['warnings']] == ['chain-expires-before-leaf']"
}

@test "a server asking for a client certificate: said, with both CA names" {
	serve valid.pem -cert_chain "$D/int-chain.pem" -Verify 1 -CAfile "$D/two-cas.pem"
	tls valid.test
	[ "$status" -eq 0 ]
	line "Client cert asked for by the server; none sent (see --cert)"
	line "Client CAs  CN=nk Diag Root"
	line "            CN=nk Diag Other Root"
	diag valid.test "j['client_certificate_request'] == {'sent': False,
		'acceptable_cas': ['CN=nk Diag Root', 'CN=nk Diag Other Root']}"
	# TLS 1.2: the handshake fails, the request is still shown; no
	# diagnosis without a handshake.
	diag valid.test "d is None and j['exit_code'] == 35 and
		j['client_certificate_request']['acceptable_cas'] ==
		['CN=nk Diag Root', 'CN=nk Diag Other Root']" --tls-max 1.2
	[ "$status" -eq 35 ]
}
