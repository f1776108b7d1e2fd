#!/usr/bin/env bats
# nk tls --probe against openssl s_server on 127.0.0.1, each case a server
# configured to accept a known set (versions, suites, groups, order,
# tickets, stapling, ALPN, a second certificate by SNI), and the JSON
# fields asserted exactly; --fail-if and --policy on the results.

load ../lib/common
load ../lib/tls
bats_require_minimum_version 1.5.0

setup_file() {
	tls_certs
}

# server [s_server options...]: s_server -www with valid.test's ECDSA
# certificate and chain on a free port; sets PORT.
server() {
	s_server_www "$C/valid.pem" "$C/leaf.key" -cert_chain "$C/int.pem" "$@"
}

# probe [options...]: nk tls --probe of valid.test on the server, bounded.
probe() {
	run --separate-stderr timeout 60 nk-tls --probe \
		--resolve "valid.test:$PORT:127.0.0.1" "$@" "valid.test:$PORT"
}

# jprobe [options...]: probe --json; the document must parse.
jprobe() {
	probe --json "$@"
	jq -e . >/dev/null <<<"$output"
}

# q FILTER: jq -c over the document.
q() {
	jq -c "$1" <<<"$output"
}

@test "a default s_server: versions, suites, groups, sigalgs, resumption, renegotiation, SNI" {
	server
	jprobe
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$(q .exit_code)" = 0 ]
	[ "$(q .error)" = null ]
	[ "$(q .probe.versions)" = '{"TLSv1.0":false,"TLSv1.1":false,"TLSv1.2":true,"TLSv1.3":true}' ]
	[ "$(q .probe.untestable)" = '["SSLv2","SSLv3"]' ]
	[ "$(q '.probe.ciphers["TLSv1.0"]')" = null ]
	[ "$(q '.probe.ciphers["TLSv1.3"]')" = '{"order":"client","suites":[{"name":"TLS_AES_128_GCM_SHA256","openssl":"TLS_AES_128_GCM_SHA256"},{"name":"TLS_AES_256_GCM_SHA384","openssl":"TLS_AES_256_GCM_SHA384"},{"name":"TLS_CHACHA20_POLY1305_SHA256","openssl":"TLS_CHACHA20_POLY1305_SHA256"}]}' ]
	# An ECDSA certificate: every TLS 1.2 suite found signs with ECDSA.
	[ "$(q '.probe.ciphers["TLSv1.2"].order')" = '"client"' ]
	[ "$(q '[.probe.ciphers["TLSv1.2"].suites[].openssl | test("^ECDHE-ECDSA-")] | all')" = true ]
	[ "$(q '.probe.ciphers["TLSv1.2"].suites | length')" -ge 7 ]
	[ "$(q '.probe.groups["TLSv1.3"]')" = '["X25519","X448","P-256","P-384","P-521","ffdhe2048","ffdhe3072","ffdhe4096","ffdhe6144","ffdhe8192"]' ]
	[ "$(q '.probe.groups["TLSv1.2"]')" = '["X25519","X448","P-256","P-384","P-521"]' ]
	# A P-256 key signs with P-256 in TLS 1.3 (RFC 8446 4.2.3); TLS 1.2
	# does not bind the curve to the hash.
	[ "$(q '.probe.sigalgs["TLSv1.3"]')" = '["ecdsa_secp256r1_sha256"]' ]
	[ "$(q '.probe.sigalgs["TLSv1.2"]')" = '["ecdsa_secp256r1_sha256","ecdsa_secp384r1_sha384","ecdsa_secp521r1_sha512"]' ]
	[ "$(q .probe.resumption)" = '{"session_id":true,"ticket":true,"tls13_ticket":true}' ]
	[ "$(q .probe.ocsp_stapling)" = false ]
	[ "$(q .probe.alpn)" = '{"h2":false,"http/1.1":false,"preferred":null,"chosen":null,"chosen_reversed":null}' ]
	[ "$(q .probe.secure_renegotiation)" = true ]
	[ "$(q .probe.sni)" = '{"subject":"CN=valid.test","subject_without":"CN=valid.test","error_without":null,"different":false}' ]
	[ "$(q .probe.default)" = '{"version":"TLSv1.3","cipher":"TLS_AES_128_GCM_SHA256","group":"X25519"}' ]
	[ "$(q .probe.parallel)" = 8 ]
	[ "$(q '.probe.handshakes > 50')" = true ]
	[ "$(q .violations)" = '[]' ]
}

@test "the table: versions, what cannot be tested, suites with their order" {
	server -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384 -serverpref
	probe
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^Probe\ {7}valid\.test\ port\ $PORT:\ [0-9]+\ handshakes\ in\ [0-9.]+\ s,\ 8\ at\ a\ time$ ]]
	[ "${lines[1]}" = "Versions    TLSv1.3 yes, TLSv1.2 no, TLSv1.1 no, TLSv1.0 no" ]
	[ "${lines[2]}" = "            SSLv3 and SSLv2 not tested: this OpenSSL cannot offer them" ]
	[ "${lines[3]}" = "Default     TLSv1.3 TLS_CHACHA20_POLY1305_SHA256 X25519" ]
	[ "${lines[4]}" = "Cipher suites, TLSv1.3 (the server's order)" ]
	[ "${lines[5]}" = "  TLS_CHACHA20_POLY1305_SHA256                  TLS_CHACHA20_POLY1305_SHA256" ]
	[ "${lines[6]}" = "  TLS_AES_256_GCM_SHA384                        TLS_AES_256_GCM_SHA384" ]
	[ "${lines[8]}" = "Sigalgs     TLSv1.3: ecdsa_secp256r1_sha256" ]
	[ "${lines[9]}" = "Resumption  session ID not tested, ticket not tested (up to TLSv1.2); TLSv1.3 ticket yes" ]
	[ "${lines[12]}" = "Renegotiation not tested (TLSv1.3 only, which has none)" ]
	[ "${lines[13]}" = "SNI         the same certificate without SNI: CN=valid.test" ]
}

@test "TLS 1.2 suites in the server's order, both ways round, and the client's" {
	server -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-SHA -serverpref
	jprobe
	[ "$status" -eq 0 ]
	[ "$(q .probe.versions)" = '{"TLSv1.0":false,"TLSv1.1":false,"TLSv1.2":true,"TLSv1.3":false}' ]
	[ "$(q '.probe.ciphers["TLSv1.2"]')" = '{"order":"server","suites":[{"name":"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256","openssl":"ECDHE-ECDSA-AES128-GCM-SHA256"},{"name":"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256","openssl":"ECDHE-ECDSA-CHACHA20-POLY1305"},{"name":"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA","openssl":"ECDHE-ECDSA-AES256-SHA"}]}' ]
	[ "$(q '.probe.ciphers["TLSv1.3"]')" = null ]
	[ "$(q '.probe.groups["TLSv1.3"]')" = null ]
	[ "$(q .probe.resumption.tls13_ticket)" = null ]

	server -tls1_2 -cipher ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256 -serverpref
	jprobe
	[ "$(q '[.probe.ciphers["TLSv1.2"].order, .probe.ciphers["TLSv1.2"].suites[].openssl]')" = '["server","ECDHE-ECDSA-AES256-SHA","ECDHE-ECDSA-CHACHA20-POLY1305","ECDHE-ECDSA-AES128-GCM-SHA256"]' ]

	# Without -serverpref the client's order rules: the order found is
	# OpenSSL's default one, and said to be the client's.
	server -tls1_2 -cipher ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-GCM-SHA256
	jprobe
	[ "$(q '[.probe.ciphers["TLSv1.2"].order, .probe.ciphers["TLSv1.2"].suites[].openssl]')" = '["client","ECDHE-ECDSA-AES128-GCM-SHA256","ECDHE-ECDSA-AES256-SHA"]' ]
}

@test "TLS 1.3 suites and groups as configured" {
	server -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384:TLS_AES_128_CCM_SHA256 -groups P-384:ffdhe3072 -serverpref
	jprobe
	[ "$status" -eq 0 ]
	[ "$(q '.probe.ciphers["TLSv1.3"]')" = '{"order":"server","suites":[{"name":"TLS_AES_256_GCM_SHA384","openssl":"TLS_AES_256_GCM_SHA384"},{"name":"TLS_AES_128_CCM_SHA256","openssl":"TLS_AES_128_CCM_SHA256"}]}' ]
	[ "$(q '.probe.groups["TLSv1.3"]')" = '["P-384","ffdhe3072"]' ]
	[ "$(q '.probe.groups["TLSv1.2"]')" = null ]
	[ "$(q .probe.default)" = '{"version":"TLSv1.3","cipher":"TLS_AES_256_GCM_SHA384","group":"P-384"}' ]
	[ "$(q .probe.secure_renegotiation)" = null ]
}

@test "TLS 1.2 groups: the server's one curve, found past the certificate's own" {
	server -no_tls1_3 -groups P-384
	jprobe
	[ "$status" -eq 0 ]
	[ "$(q '.probe.groups["TLSv1.2"]')" = '["P-384"]' ]
}

@test "session tickets off: session IDs still resume" {
	server -no_tls1_3 -no_ticket
	jprobe
	[ "$status" -eq 0 ]
	[ "$(q .probe.resumption)" = '{"session_id":true,"ticket":false,"tls13_ticket":null}' ]
}

@test "a stapled OCSP response" {
	PORT=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/s.log" openssl s_server -accept "127.0.0.1:$PORT" \
		-www -cert "$C/ocsp-good.pem" -key "$C/leaf.key" -cert_chain "$C/int.pem" \
		-status_file "$C/ocsp-good.der"
	wait_for_line "$BATS_TEST_TMPDIR/s.log" '^ACCEPT' >/dev/null
	jprobe
	[ "$status" -eq 0 ]
	[ "$(q .probe.ocsp_stapling)" = true ]
}

@test "ALPN: each protocol alone, and which one the server prefers" {
	server -alpn http/1.1,h2
	jprobe
	[ "$status" -eq 0 ]
	[ "$(q .probe.alpn)" = '{"h2":true,"http/1.1":true,"preferred":"http/1.1","chosen":"http/1.1","chosen_reversed":"http/1.1"}' ]
	server -alpn h2
	jprobe
	[ "$(q .probe.alpn)" = '{"h2":true,"http/1.1":false,"preferred":"h2","chosen":"h2","chosen_reversed":"h2"}' ]
}

@test "a different certificate without SNI: both subjects" {
	PORT=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/s.log" openssl s_server -accept "127.0.0.1:$PORT" \
		-www -cert "$C/names.pem" -key "$C/leaf.key" -cert_chain "$C/int.pem" \
		-servername valid.test -cert2 "$C/valid.pem" -key2 "$C/leaf.key"
	wait_for_line "$BATS_TEST_TMPDIR/s.log" '^ACCEPT' >/dev/null
	jprobe
	[ "$status" -eq 0 ]
	local without
	without=$(openssl x509 -in "$C/names.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
	[ "$(q .probe.sni)" = "{\"subject\":\"CN=valid.test\",\"subject_without\":\"$without\",\"error_without\":null,\"different\":true}" ]
	probe
	[ "$(grep -A2 '^SNI' <<<"$output")" = "SNI         a different certificate without SNI
  with       CN=valid.test
  without    $without" ]
}

@test "an IP address: no SNI to compare" {
	server
	run --separate-stderr timeout 60 nk-tls --probe --json "127.0.0.1:$PORT"
	[ "$status" -eq 0 ]
	[ "$(q .probe.sni)" = null ]
	[ "$(q .name)" = '"127.0.0.1"' ]
}

@test "TLS 1.0 at security level 0, judged by --policy intermediate: exit 102, each violation listed" {
	server -tls1 -cipher 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0'
	jprobe --policy intermediate
	[ "$status" -eq 102 ]
	[ "$(q .exit_code)" = 102 ]
	[ "$(q .probe.versions)" = '{"TLSv1.0":true,"TLSv1.1":false,"TLSv1.2":false,"TLSv1.3":false}' ]
	[ "$(q '.probe.ciphers["TLSv1.0"]')" = '{"order":null,"suites":[{"name":"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA","openssl":"ECDHE-ECDSA-AES128-SHA"}]}' ]
	[ "$(q .probe.secure_renegotiation)" = true ]
	[ "$(q .violations)" = '[{"rule":"policy intermediate","what":"TLSv1.0 is accepted"}]' ]
	[ "$stderr" = "nk-tls: policy intermediate: TLSv1.0 is accepted" ]
	jprobe --policy modern
	[ "$status" -eq 102 ]
	[ "$(q .violations)" = '[{"rule":"policy modern","what":"TLSv1.0 is accepted"},{"rule":"policy modern","what":"TLSv1.3 is not accepted"}]' ]
}

@test "--policy modern against a TLS 1.2 and 1.3 server" {
	server -groups X25519:P-384:X448 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
	jprobe --policy modern
	[ "$status" -eq 102 ]
	[ "$(q .violations)" = '[{"rule":"policy modern","what":"TLSv1.2 is accepted"},{"rule":"policy modern","what":"TLSv1.2 group X448 is accepted"},{"rule":"policy modern","what":"TLSv1.3 group X448 is accepted"}]' ]
	jprobe --policy intermediate
	[ "$status" -eq 102 ]
	[ "$(q .violations)" = '[{"rule":"policy intermediate","what":"TLSv1.2 group X448 is accepted"},{"rule":"policy intermediate","what":"TLSv1.3 group X448 is accepted"}]' ]
	server -groups X25519:P-256 -cipher ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA
	jprobe --policy intermediate
	[ "$status" -eq 102 ]
	[ "$(q .violations)" = '[{"rule":"policy intermediate","what":"TLSv1.2 suite TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA is accepted"}]' ]
	server -groups X25519:P-256 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
	jprobe --policy intermediate
	[ "$status" -eq 0 ]
	[ "$(q .violations)" = '[]' ]
}

@test "--fail-if: each true alternative is a violation, globs name what they matched" {
	server -no_tls1_3 -cipher ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA
	jprobe --fail-if 'tls1.0 || cipher:*CBC* || !tls1.3 || (tls1.2 && !ticket) || group:ffdhe*'
	[ "$status" -eq 102 ]
	[ "$(q .violations)" = '[{"rule":"--fail-if","what":"cipher:*CBC* (TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA)"},{"rule":"--fail-if","what":"!tls1.3"}]' ]
	[ "$stderr" = "nk-tls: --fail-if: cipher:*CBC* (TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA)
nk-tls: --fail-if: !tls1.3" ]
	# OpenSSL's names match too; && binds tighter than ||.
	jprobe --fail-if 'cipher:ECDHE-ECDSA-AES128-SHA && tls1.2 && session-id || alpn:h2'
	[ "$status" -eq 102 ]
	[ "$(q '[.violations[].what]')" = '["cipher:ECDHE-ECDSA-AES128-SHA && tls1.2 && session-id"]' ]
	jprobe --fail-if 'tls1.1 || sni-differs || sni-required || stapling || sigalg:ed*'
	[ "$status" -eq 0 ]
	[ "$(q .violations)" = '[]' ]
}

@test "--fail-if: a bad expression is refused before anything connects" {
	local e
	for e in 'tls1.0 ||' '(tls1.0' 'tls1.0 )' 'tls9' 'cipher:' 'alpn:spdy' '&& tls1.0' ''; do
		run --separate-stderr nk-tls --probe --fail-if "$e" 127.0.0.1:1
		[ "$status" -eq 2 ]
		[[ "$stderr" =~ ^nk-tls:\ bad\ --fail-if\ expression:\  ]]
		[ "$(wc -l <<<"$stderr")" -eq 1 ]
	done
	run --separate-stderr nk-tls --probe --fail-if 'tls1.0 )' 127.0.0.1:1
	[ "$stderr" = "nk-tls: bad --fail-if expression: unexpected ')' at column 8" ]
	run --separate-stderr nk-tls --probe --fail-if 'tls1.0 && cypher:x' 127.0.0.1:1
	[ "$stderr" = "nk-tls: bad --fail-if expression: unknown word 'cypher:x'" ]
}

@test "options that need --probe or do not go with it" {
	run --separate-stderr nk-tls --fail-if tls1.0 127.0.0.1:1
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: --fail-if judges a probe: it needs --probe" ]
	run --separate-stderr nk-tls --policy modern 127.0.0.1:1
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: --policy judges a probe: it needs --probe" ]
	run --separate-stderr nk-tls --probe --pem 127.0.0.1:1
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: --pem does not go with --probe" ]
	run --separate-stderr nk-tls --probe --policy old 127.0.0.1:1
	[ "$status" -eq 2 ]
}

@test "nothing listening: the connect error, exit 7, no verdict" {
	PORT=$(free_port)
	jprobe
	[ "$status" -eq 7 ]
	[ "$(q .error.code)" = 7 ]
	[ "$(q .exit_code)" = 7 ]
	[ "$(q .violations)" = '[]' ]
	[ "$stderr" = "nk-tls: Failed to connect to valid.test port $PORT: Connection refused (tried 127.0.0.1)" ]
	probe --fail-if tls1.0
	[ "$status" -eq 7 ]
	[ "${lines[1]}" = "Stopped     Failed to connect to valid.test port $PORT: Connection refused (tried 127.0.0.1)" ]
}

@test "a peer that speaks no TLS (an echo server): exit 35, the handshake's error" {
	start_echo
	run --separate-stderr timeout 60 nk-tls --probe --json "127.0.0.1:$ECHO_PORT"
	[ "$status" -eq 35 ]
	[ "$(q .error.message)" = "\"no TLS handshake with 127.0.0.1 port $ECHO_PORT succeeded: unexpected message\"" ]
	[ "$(q .probe.versions)" = '{"TLSv1.0":false,"TLSv1.1":false,"TLSv1.2":false,"TLSv1.3":false}' ]
	[ "$stderr" = "nk-tls: no TLS handshake with 127.0.0.1 port $ECHO_PORT succeeded: unexpected message" ]
}

@test "STARTTLS smtp: every probe connection does the dialogue" {
	start_bg "$BATS_TEST_TMPDIR/peer.log" python3 "$TESTS_DIR/servers/tls_peer.py" \
		"$C/valid-chain.pem" "$C/leaf.key" --starttls smtp --count 1000
	local line
	line=$(wait_for_line "$BATS_TEST_TMPDIR/peer.log" '^Listening on ')
	PORT=${line##*:}
	jprobe --starttls smtp
	[ "$status" -eq 0 ]
	[ "$(q .starttls)" = '"smtp"' ]
	[ "$(q '.probe.versions["TLSv1.3"]')" = true ]
	[ "$(q '.probe.versions["TLSv1.1"]')" = false ]
	[ "$(grep -c '^C: STARTTLS$' "$BATS_TEST_TMPDIR/peer.log")" = "$(q .probe.handshakes)" ]
}

# gnutls-serv cannot be told which address to bind: it listens on every
# one, so it runs in a network namespace of its own with only loopback,
# nk-tls with it.
@test "gnutls-serv, a second implementation: versions, suites in its order" {
	unshare -n true 2>/dev/null || skip "unshare -n refused by the kernel"
	cat >"$BATS_TEST_TMPDIR/g.sh" <<'SH'
ip link set lo up
gnutls-serv --http -p 4433 --x509certfile "$C/valid-chain.pem" \
	--x509keyfile "$C/leaf.key" --priority "$1" >"$2" 2>&1 </dev/null &
pid=$!
for i in $(seq 100); do
	grep -q 'listening on IPv4' "$2" && break
	sleep 0.05
done
rc=0
timeout 60 nk-tls --probe --json --resolve valid.test:4433:127.0.0.1 \
	valid.test:4433 || rc=$?
kill "$pid"
wait "$pid" 2>/dev/null
exit "$rc"
SH
	run --separate-stderr timeout 90 unshare -n bash "$BATS_TEST_TMPDIR/g.sh" \
		'NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+CHACHA20-POLY1305:%SERVER_PRECEDENCE' \
		"$BATS_TEST_TMPDIR/gnutls.log"
	[ "$status" -eq 0 ]
	[ "$(q .probe.versions)" = '{"TLSv1.0":false,"TLSv1.1":false,"TLSv1.2":true,"TLSv1.3":true}' ]
	[ "$(q '.probe.ciphers["TLSv1.2"]')" = '{"order":"server","suites":[{"name":"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256","openssl":"ECDHE-ECDSA-AES128-GCM-SHA256"},{"name":"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256","openssl":"ECDHE-ECDSA-CHACHA20-POLY1305"}]}' ]
	[ "$(q '.probe.ciphers["TLSv1.3"]')" = '{"order":"server","suites":[{"name":"TLS_AES_128_GCM_SHA256","openssl":"TLS_AES_128_GCM_SHA256"},{"name":"TLS_CHACHA20_POLY1305_SHA256","openssl":"TLS_CHACHA20_POLY1305_SHA256"}]}' ]
	[ "$(q .probe.resumption)" = '{"session_id":true,"ticket":true,"tls13_ticket":true}' ]
	[ "$(q .probe.secure_renegotiation)" = true ]
}
