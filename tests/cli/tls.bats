#!/usr/bin/env bats
# nk tls against openssl s_server on 127.0.0.1, one server per case from
# the certificate matrix of tests/certs/mkcerts.sh, reached under the test
# names with --resolve. Each case checks the exit status, the verdict line
# (the reason in plain words) and the JSON fields.

load ../lib/common
load ../lib/tls
bats_require_minimum_version 1.5.0

setup_file() {
	tls_certs
}

# serve CERT KEY [s_server options...]: an s_server -www on a free port of
# 127.0.0.1 with certificate $C/CERT and key $C/KEY; sets PORT.
serve() {
	local cert=$1 key=$2; shift 2
	s_server_www "$C/$cert" "$C/$key" "$@"
}

# serve_chain NAME: NAME.pem with the intermediate, the usual setup.
serve_chain() {
	local name=$1; shift
	serve "$name.pem" leaf.key -cert_chain "$C/int.pem" "$@"
}

# tls NAME [options...]: nk tls for NAME:$PORT on 127.0.0.1, trusting the
# test root, bounded in time; output and status through bats' run.
tls() {
	tls_run 20 "$C/root.pem" "$@"
}

# json NAME [options...]: as tls with --json; the document is in $output.
json() {
	local name=$1; shift
	tls "$name" --json "$@"
	jq -e . >/dev/null <<<"$output"
}

@test "a valid chain verifies: verdict first, exit 0" {
	serve_chain valid
	tls valid.test
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Verdict     OK: the chain verifies for valid.test" ]
	[ "${lines[1]}" = "Server      valid.test port $PORT, address 127.0.0.1 port $PORT" ]
	[ "${lines[2]}" = "Name        valid.test (sent as SNI, checked against DNS names)" ]
	[[ "${lines[3]}" =~ ^TLS\ {9}TLSv1\.3,\ TLS_AES_[0-9]+_GCM_SHA[0-9]+,\ X25519$ ]]
	[ "${lines[4]}" = "OCSP        no stapled response" ]
	[[ "${lines[5]}" =~ ^Handshake\ {3}[0-9]+\.[0-9]\ ms$ ]]
	[ "${lines[6]}" = "Trust       --cacert $C/root.pem" ]
	[ "${lines[7]}" = "Sent by the server: 2 certificates" ]
	[ "${lines[8]}" = "  [0] CN=valid.test  = path [0]" ]
	[ "${lines[9]}" = "      issuer      CN=nk Test Intermediate" ]
	[ "${lines[10]}" = "      names       valid.test" ]
	[[ "${lines[11]}" =~ ^\ {6}valid\ {7}[-0-9]{10}\ [:0-9]{8}\ UTC\ to\ [-0-9]{10}\ [:0-9]{8}\ UTC\ \((99|100)\ days\ left\)$ ]]
	[ "${lines[12]}" = "      key         EC P-256, signed with ecdsa-with-SHA256" ]
	[ "${lines[13]}" = "      serial      10:00" ]
	[ "${lines[16]}" = "  [1] CN=nk Test Intermediate  (CA)  = path [1]" ]
	[ "${lines[24]}" = "Trust path: 3 certificates, to a trusted root" ]
	[ "${lines[25]}" = "  [0] CN=valid.test  = sent [0]" ]
	[ "${lines[26]}" = "  [1] CN=nk Test Intermediate  (CA)  = sent [1]" ]
	[ "${lines[27]}" = "  [2] CN=nk Test Root  (root CA)  (from the trust store)" ]
	[ "${lines[28]}" = "      issuer      CN=nk Test Root" ]
	[ -z "$stderr" ]
}

@test "JSON: connection, verification and both chains" {
	serve_chain valid -alpn h2,http/1.1
	json valid.test --alpn http/1.1
	[ "$status" -eq 0 ]
	local pin fp
	pin=$(openssl x509 -in "$C/valid.pem" -pubkey -noout |
		openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
	fp=$(openssl x509 -in "$C/valid.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
	jq -e --arg port "$PORT" --arg pin "sha256//$pin" --arg fp "$fp" '
		.host == "valid.test" and .port == ($port | tonumber) and
		.name == "valid.test" and .sni == true and
		.address == "127.0.0.1" and .address_port == ($port | tonumber) and
		.starttls == null and .exit_code == 0 and .error == null and
		.tls.version == "TLSv1.3" and .tls.group == "X25519" and
		.tls.alpn_offered == "http/1.1" and .tls.alpn == "http/1.1" and
		.tls.resumed == false and (.tls.handshake_ms > 0) and
		.tls.ocsp.status == "none" and
		.verification == {verified: true, insecure: false, code: 0,
		                  depth: null, reason: null, openssl_reason: null} and
		.expiry_warn_days == null and .expiring == null and
		(.sent_chain | length) == 2 and (.verified_chain | length) == 3 and
		.sent_chain[0].subject == "CN=valid.test" and
		.sent_chain[0].issuer == "CN=nk Test Intermediate" and
		.sent_chain[0].serial == "10:00" and
		.sent_chain[0].dns_names == ["valid.test"] and
		.sent_chain[0].ip_addresses == [] and
		.sent_chain[0].key == "EC P-256" and .sent_chain[0].key_type == "EC" and
		.sent_chain[0].key_bits == 256 and
		.sent_chain[0].signature_algorithm == "ecdsa-with-SHA256" and
		.sent_chain[0].pin == $pin and .sent_chain[0].sha256 == $fp and
		.sent_chain[0].self_signed == false and .sent_chain[0].is_ca == false and
		(.sent_chain[0].not_after_unix - .sent_chain[0].not_before_unix) == 8640000 and
		(.sent_chain[0].not_after | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")) and
		.sent_chain[0].path_index == 0 and .sent_chain[1].path_index == 1 and
		.sent_chain[1].is_ca == true and
		.verified_chain[0].sent_index == 0 and
		.verified_chain[2].subject == "CN=nk Test Root" and
		.verified_chain[2].sent_index == null and
		.verified_chain[2].self_signed == true
	' <<<"$output"
}

# case CERT NAME STATUS REASON: the verdict for one certificate of the
# matrix (served with the intermediate), as text, on stderr and in JSON.
check_failure() {
	local name=$1 reason=$2
	tls "$name"
	[ "$status" -eq 60 ]
	[ "${lines[0]}" = "Verdict     FAILED: $reason" ]
	[ "$stderr" = "nk-tls: certificate verification failed for $name: $reason" ]
	json "$name"
	[ "$status" -eq 60 ]
	jq -e --arg r "$reason" '.exit_code == 60 and .error == null and
		.verification.verified == false and .verification.reason == $r and
		(.verification.code > 0)' <<<"$output"
}

@test "expired: exit 60 with the date; -k reports it and exits 0" {
	serve_chain expired
	check_failure expired.test \
		"certificate has expired (on 2021-01-01 00:00:00 UTC)"
	jq -e '.verification.code == 10 and .verification.depth == 0 and
		.verification.openssl_reason == "certificate has expired" and
		.sent_chain[0].days_left < -365' <<<"$output"
	tls expired.test -k
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Verdict     FAILED (ignored: --insecure): certificate has expired (on 2021-01-01 00:00:00 UTC)" ]
	[ -z "$stderr" ]
	json expired.test --insecure
	[ "$status" -eq 0 ]
	jq -e '.exit_code == 0 and .verification.verified == false and
		.verification.insecure == true' <<<"$output"
	tls expired.test
	[[ "${lines[11]}" =~ \(expired\ [0-9]+\ days\ ago\)$ ]]
}

@test "not yet valid" {
	serve_chain future
	check_failure future.test \
		"certificate is not valid before 2099-01-01 00:00:00 UTC"
	tls future.test
	[[ "${lines[11]}" == *"(not valid until 2099-01-01 00:00:00 UTC)" ]]
}

@test "wrong name: the names the certificate is for" {
	serve_chain names
	check_failure wrong.test "certificate is for other names: one.test, *.two.test"
	tls one.test
	[ "$status" -eq 0 ]
	tls x.two.test
	[ "$status" -eq 0 ]
}

@test "self-signed" {
	serve self.pem leaf.key
	check_failure self.test "self-signed certificate"
	jq -e '.sent_chain[0].self_signed == true and
		(.sent_chain | length) == 1' <<<"$output"
}

@test "unknown root: the issuer nobody trusts" {
	serve unknown.pem leaf.key -cert_chain "$C/other-int.pem"
	check_failure unknown.test "unknown issuer: CN=nk Other Root"
	jq -e '.verification.depth == 1 and (.verified_chain | length) == 2' <<<"$output"
}

@test "an untrusted root sent along" {
	serve unknown.pem leaf.key -cert_chain <(cat "$C/other-int.pem" "$C/other-root.pem")
	check_failure unknown.test "untrusted root certificate in chain: CN=nk Other Root"
}

@test "missing intermediate: the server sends only the leaf" {
	serve valid.pem leaf.key
	check_failure valid.test "missing intermediate certificate or unknown root: issuer CN=nk Test Intermediate was not sent and is not trusted"
	jq -e '(.sent_chain | length) == 1 and (.verified_chain | length) == 1' <<<"$output"
	tls valid.test
	[ "${lines[16]}" = "Trust path: 1 certificate, not trusted" ]
}

@test "wildcard: one label, not two, not the bare domain" {
	serve_chain wild
	tls a.example.test
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Verdict     OK: the chain verifies for a.example.test" ]
	check_failure a.b.example.test "certificate is for other names: *.example.test"
	check_failure example.test "certificate is for other names: *.example.test"
}

@test "IP address SAN: no SNI, checked against IP names" {
	serve_chain ip
	run --separate-stderr timeout 20 nk-tls --cacert "$C/root.pem" "127.0.0.1:$PORT"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Verdict     OK: the chain verifies for 127.0.0.1" ]
	[ "${lines[2]}" = "Name        127.0.0.1 (no SNI for an address, checked against IP names)" ]
	[ "${lines[10]}" = "      names       127.0.0.1, ::1" ]
	run --separate-stderr timeout 20 nk-tls --json --cacert "$C/root.pem" "127.0.0.1:$PORT"
	jq -e '.sni == false and .sent_chain[0].ip_addresses == ["127.0.0.1", "::1"] and
		.sent_chain[0].dns_names == []' <<<"$output"
	# The certificate is not for the name, even though the address is.
	check_failure ip.test "certificate is for other names: 127.0.0.1, ::1"
}

@test "IPv6: [::1]:PORT and https://[::1]:PORT/" {
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' ||
		skip "no IPv6 loopback"
	PORT=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/s6.log" openssl s_server -accept "[::1]:$PORT" \
		-www -cert "$C/ip.pem" -key "$C/leaf.key" -cert_chain "$C/int.pem"
	wait_for_line "$BATS_TEST_TMPDIR/s6.log" '^ACCEPT' >/dev/null
	run --separate-stderr timeout 20 nk-tls --cacert "$C/root.pem" "[::1]:$PORT"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Verdict     OK: the chain verifies for ::1" ]
	[ "${lines[1]}" = "Server      ::1 port $PORT, address ::1 port $PORT" ]
	run --separate-stderr timeout 20 nk-tls --cacert "$C/root.pem" "https://[::1]:$PORT/x?y"
	[ "$status" -eq 0 ]
}

@test "a certificate with only a CN is rejected" {
	serve_chain cnonly
	check_failure cnonly.test \
		"certificate has no subject alternative names (its CN=cnonly.test is not checked)"
}

@test "an RSA 1024 key is too weak" {
	serve weak.pem weak.key -cert_chain "$C/int.pem" -cipher 'DEFAULT:@SECLEVEL=0'
	check_failure weak.test "key too weak (RSA 1024 bits)"
	jq -e '.sent_chain[0].key == "RSA 1024" and .sent_chain[0].key_bits == 1024' <<<"$output"
}

@test "OCSP staple: good" {
	serve_chain ocsp-good -status_file "$C/ocsp-good.der"
	tls good.test
	[ "$status" -eq 0 ]
	[[ "${lines[4]}" =~ ^OCSP\ {8}good\ \(response\ of\ [-0-9]{10}\ [:0-9]{8}\ UTC,\ next\ by\ [-0-9]{10}\ [:0-9]{8}\ UTC\)$ ]]
	json good.test
	jq -e '.tls.ocsp.status == "good" and .tls.ocsp.revoked_at == null and
		(.tls.ocsp.next_update | test("UTC$"))' <<<"$output"
}

@test "OCSP staple: revoked fails verification" {
	serve_chain ocsp-revoked -status_file "$C/ocsp-revoked.der"
	json revoked.test
	[ "$status" -eq 60 ]
	local when
	when=$(jq -r .tls.ocsp.revoked_at <<<"$output")
	[[ "$when" =~ ^[-0-9]{10}\ [:0-9]{8}\ UTC$ ]]
	jq -e '.tls.ocsp.status == "revoked" and .verification.code == 23' <<<"$output"
	check_failure revoked.test "certificate is revoked (OCSP: revoked on $when)"
}

@test "--expiry-warn: exit 101 within the window, 0 outside it" {
	serve_chain soon
	tls soon.test --expiry-warn 30
	[ "$status" -eq 101 ]
	[ "${lines[0]}" = "Verdict     EXPIRING: the chain verifies for soon.test, but CN=soon.test expires within 30 days" ]
	[ "${lines[1]}" = "Expiry      CN=soon.test: 9 days left (--expiry-warn 30)" ]
	[ "$stderr" = "nk-tls: CN=soon.test expires within 30 days" ]
	json soon.test --expiry-warn 30
	[ "$status" -eq 101 ]
	jq -e '.exit_code == 101 and .expiry_warn_days == 30 and
		.expiring.subject == "CN=soon.test" and .expiring.days_left == 9' <<<"$output"
	tls soon.test --expiry-warn 9
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Verdict     OK: the chain verifies for soon.test" ]
	[ "${lines[1]}" = "Expiry      nothing in the trust path expires within 9 days" ]
	tls soon.test --expiry-warn 10
	[ "$status" -eq 101 ]
}

@test "--expiry-warn: a failed verification stays 60" {
	serve_chain expired
	tls expired.test --expiry-warn 30
	[ "$status" -eq 60 ]
	tls expired.test --expiry-warn 30 -k
	[ "$status" -eq 0 ]
}

@test "--pem: the chain as sent, to stdout or atomically to a file" {
	serve_chain valid
	tls valid.test --pem
	[ "$status" -eq 0 ]
	diff <(printf '%s\n' "$output") "$C/valid-chain.pem"
	mkdir "$BATS_TEST_TMPDIR/out"
	echo old >"$BATS_TEST_TMPDIR/out/chain.pem"
	# The chain instead of the report, only in the file; a new file gets
	# 0666 less the umask, as nk http -o and curl give (a certificate is
	# public).
	umask 027
	tls valid.test --pem -o "$BATS_TEST_TMPDIR/out/new.pem"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/out/new.pem")" = 640 ]
	umask 022
	tls valid.test --pem -o "$BATS_TEST_TMPDIR/out/chain.pem"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	cmp "$BATS_TEST_TMPDIR/out/chain.pem" "$C/valid-chain.pem"
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/out/chain.pem")" = 644 ]
	[ "$(ls "$BATS_TEST_TMPDIR/out")" = "chain.pem
new.pem" ]
	# --json as well: the report on stdout, the chain in the file.
	json valid.test --pem -o "$BATS_TEST_TMPDIR/out/chain.pem"
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/out/chain.pem" "$C/valid-chain.pem"
	tls valid.test --pem -o "$BATS_TEST_TMPDIR/nodir/chain.pem"
	[ "$status" -eq 23 ]
	[[ "$stderr" == "nk-tls: cannot write $BATS_TEST_TMPDIR/nodir/chain.pem: No such file or directory" ]]
}

@test "no common version: exit 35 with OpenSSL's reason" {
	serve valid.pem leaf.key -tls1_2
	tls valid.test --tlsv1.3
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: TLS handshake with valid.test (127.0.0.1) failed: tlsv1 alert protocol version" ]
	[ -z "$output" ]
	json valid.test --tlsv1.3
	[ "$status" -eq 35 ]
	jq -e '.exit_code == 35 and .error.code == 35 and
		.error.name == "SSL_CONNECT_ERROR" and .tls == null and
		.error.message == "TLS handshake with valid.test (127.0.0.1) failed: tlsv1 alert protocol version"' <<<"$output"
}

@test "--tls-max 1.2 and --tlsv1.3" {
	serve_chain valid
	tls valid.test --tls-max 1.2
	[ "$status" -eq 0 ]
	[[ "${lines[3]}" == "TLS         TLSv1.2, TLS_ECDHE_ECDSA_WITH_"* ]]
	tls valid.test --tlsv1.3
	[ "$status" -eq 0 ]
	[[ "${lines[3]}" == "TLS         TLSv1.3, "* ]]
	tls valid.test --tlsv1.3 --tls-max 1.2
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: --tls-max 1.2 is below --tlsv1.3" ]
}

@test "a server that hangs up on the ClientHello, and one that never answers" {
	# It reads the ClientHello before closing, so the close is a FIN
	# (closing with it unread would be a reset).
	PORT=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/closer.log" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); print("ready", flush=True)
while True:
    c, _ = s.accept(); c.recv(65536); c.close()
' "$PORT"
	wait_for_line "$BATS_TEST_TMPDIR/closer.log" '^ready' >/dev/null
	tls closed.test
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: TLS handshake with closed.test (127.0.0.1) failed: the server closed the connection" ]

	PORT=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/mute.log" python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); print("ready", flush=True)
c, _ = s.accept(); time.sleep(30)
' "$PORT"
	wait_for_line "$BATS_TEST_TMPDIR/mute.log" '^ready' >/dev/null
	SECONDS=0
	tls slow.test -m 0.5
	[ "$status" -eq 28 ]
	[ "$stderr" = "nk-tls: TLS handshake with slow.test (127.0.0.1) timed out" ]
	[ "$SECONDS" -lt 5 ]
}

@test "resolve and connect failures: 6 and 7, also as JSON" {
	run --separate-stderr timeout 20 nk-tls -4 '[::1]:443'
	[ "$status" -eq 6 ]
	[ "$stderr" = "nk-tls: Could not resolve host: ::1 (no IPv4 address)" ]
	PORT=$(free_port)
	run --separate-stderr timeout 20 nk-tls "127.0.0.1:$PORT"
	[ "$status" -eq 7 ]
	[ "$stderr" = "nk-tls: Failed to connect to 127.0.0.1 port $PORT: Connection refused" ]
	run --separate-stderr timeout 20 nk-tls --json "127.0.0.1:$PORT"
	[ "$status" -eq 7 ]
	jq -e '.exit_code == 7 and .error.code == 7 and .error.name == "COULDNT_CONNECT" and
		.address == null and .tls == null and .sent_chain == []' <<<"$output"
}

@test "usage errors: exit 2 (3 for a bad target) with one line" {
	run --separate-stderr nk-tls
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: no host given (see nk tls --help)" ]
	run --separate-stderr nk-tls -o x.pem example.test
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: -o/--output writes the PEM chain: it needs --pem" ]
	run --separate-stderr nk-tls --pem --json example.test
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: --pem and --json would both write to stdout: add -o FILE for the PEM" ]
	run --separate-stderr nk-tls --tls-max 1.1 example.test
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: --tls-max takes one of 1.2|1.3, not '1.1'" ]
	run --separate-stderr nk-tls --starttls gopher example.test
	[ "$status" -eq 2 ]
	run --separate-stderr nk-tls --expiry-warn soon example.test
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: --expiry-warn takes a whole number from 0 to 100000, not 'soon'" ]
	# several targets are a fleet check now: tests/cli/tls_fleet.bats
	run --separate-stderr nk-tls example.test:99999
	[ "$status" -eq 3 ]
	[ "$stderr" = "nk-tls: the port takes a whole number from 1 to 65535, not '99999'" ]
	run --separate-stderr nk-tls ftp://example.test/
	[ "$status" -eq 3 ]
	[ "$stderr" = "nk-tls: only https:// URLs are understood, not 'ftp://example.test/'" ]
	run --separate-stderr nk-tls '[::1:443'
	[ "$status" -eq 3 ]
	run --separate-stderr nk-tls --resolve bad example.test
	[ "$status" -eq 49 ]
	[[ "$stderr" == "nk-tls: bad --resolve entry 'bad'"* ]]
}

@test "https:// URLs, --servername and --connect-to" {
	serve_chain valid
	tls valid.test --json
	run --separate-stderr timeout 20 nk-tls --cacert "$C/root.pem" \
		--resolve "valid.test:$PORT:127.0.0.1" "https://user@valid.test:$PORT/path?q#f"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Verdict     OK: the chain verifies for valid.test" ]
	run --separate-stderr timeout 20 nk-tls --cacert "$C/root.pem" \
		--servername valid.test "127.0.0.1:$PORT"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "Server      127.0.0.1 port $PORT, address 127.0.0.1 port $PORT" ]
	[ "${lines[2]}" = "Name        valid.test (sent as SNI, checked against DNS names)" ]
	run --separate-stderr timeout 20 nk-tls --cacert "$C/root.pem" \
		--connect-to "valid.test:443:127.0.0.1:$PORT" valid.test
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "Server      valid.test port 443, address 127.0.0.1 port $PORT" ]
}

@test "trust: --capath, SSL_CERT_FILE, SSL_CERT_DIR, the system store, bad files" {
	serve_chain valid
	local args=(--resolve "valid.test:$PORT:127.0.0.1" "valid.test:$PORT")
	run --separate-stderr timeout 20 nk-tls --capath "$C/capath" "${args[@]}"
	[ "$status" -eq 0 ]
	[ "${lines[6]}" = "Trust       --capath $C/capath" ]
	run --separate-stderr env -u SSL_CERT_DIR SSL_CERT_FILE="$C/root.pem" \
		timeout 20 nk-tls "${args[@]}"
	[ "$status" -eq 0 ]
	[ "${lines[6]}" = "Trust       SSL_CERT_FILE $C/root.pem" ]
	run --separate-stderr env -u SSL_CERT_FILE SSL_CERT_DIR="$C/capath" \
		timeout 20 nk-tls "${args[@]}"
	[ "$status" -eq 0 ]
	[ "${lines[6]}" = "Trust       SSL_CERT_DIR $C/capath" ]
	# Both at once, as OpenSSL takes them.
	run --separate-stderr env SSL_CERT_FILE="$C/other-root.pem" \
		SSL_CERT_DIR="$C/capath" timeout 20 nk-tls "${args[@]}"
	[ "$status" -eq 0 ]
	[ "${lines[6]}" = "Trust       SSL_CERT_FILE $C/other-root.pem, SSL_CERT_DIR $C/capath" ]
	# --cacert replaces them.
	run --separate-stderr env SSL_CERT_DIR="$C/capath" timeout 20 nk-tls \
		--cacert "$C/other-root.pem" "${args[@]}"
	[ "$status" -eq 60 ]
	[ "${lines[0]}" = "Verdict     FAILED: unknown issuer: CN=nk Test Root" ]
	# The system store does not know the test root.
	run --separate-stderr env -u SSL_CERT_FILE -u SSL_CERT_DIR timeout 20 nk-tls "${args[@]}"
	[ "$status" -eq 60 ]
	[ "${lines[0]}" = "Verdict     FAILED: unknown issuer: CN=nk Test Root" ]
	[ "${lines[6]}" = "Trust       system store" ]
	run --separate-stderr timeout 20 nk-tls --cacert "$C/ca.cnf" "${args[@]}"
	[ "$status" -eq 77 ]
	[ "$stderr" = "nk-tls: cannot use CA file $C/ca.cnf: no certificate or crl found" ]
	run --separate-stderr timeout 20 nk-tls --capath "$C/nonexistent" "${args[@]}"
	[ "$status" -eq 77 ]
	[ "$stderr" = "nk-tls: cannot use CA directory $C/nonexistent: No such file or directory" ]
}

@test "client certificates: --cert and --key, and their errors" {
	serve_chain valid -Verify 1 -CAfile "$C/root.pem"
	tls valid.test --cert "$C/client.pem" --key "$C/client.key"
	[ "$status" -eq 0 ]
	tls valid.test --key "$C/client.key"
	[ "$status" -eq 58 ]
	[ "$stderr" = "nk-tls: a client key needs a client certificate (--cert)" ]
	tls valid.test --cert "$C/client.pem" --key "$C/leaf.key"
	[ "$status" -eq 58 ]
	[[ "$stderr" == "nk-tls: cannot use client key $C/leaf.key: "* ]]
	tls valid.test --cert "$C/nonexistent.pem"
	[ "$status" -eq 58 ]
	[[ "$stderr" == "nk-tls: cannot use client certificate $C/nonexistent.pem: "* ]]
}

@test "a client certificate request is shown with the issuers the server accepts" {
	serve_chain valid -Verify 1 -CAfile "$C/root.pem"
	# TLS 1.3: the client's handshake ends before the server's refusal.
	tls valid.test
	[ "$status" -eq 0 ]
	[ "${lines[7]}" = "Client cert asked for by the server; none sent (see --cert)" ]
	[ "${lines[8]}" = "Client CAs  CN=nk Test Root" ]
	tls valid.test --cert "$C/client.pem" --key "$C/client.key"
	[ "$status" -eq 0 ]
	[ "${lines[7]}" = "Client cert asked for by the server; sent" ]
	json valid.test
	jq -e '.client_certificate_request == {"sent": false, "acceptable_cas": ["CN=nk Test Root"]}' <<<"$output"
	# TLS 1.2: the server ends the handshake.
	tls valid.test --tls-max 1.2
	[ "$status" -eq 35 ]
	[ "$output" = "Client cert asked for by the server; none sent (see --cert)
Client CAs  CN=nk Test Root" ]
	[ "$stderr" = "nk-tls: TLS handshake with valid.test (127.0.0.1) failed: sslv3 alert handshake failure (the server asked for a client certificate; none was given)" ]
	json valid.test --tls-max 1.2
	[ "$status" -eq 35 ]
	jq -e '.client_certificate_request.acceptable_cas == ["CN=nk Test Root"]' <<<"$output"
	# A server that does not ask: nothing said, null in JSON.
	serve_chain valid
	json valid.test
	jq -e '.client_certificate_request == null' <<<"$output"
}

@test "ALPN: offered and chosen" {
	serve_chain valid -alpn h2,http/1.1
	tls valid.test --alpn h2,http/1.1
	[ "$status" -eq 0 ]
	[ "${lines[4]}" = "ALPN        h2 (offered h2,http/1.1)" ]
	# OpenSSL servers end the handshake when nothing offered fits.
	tls valid.test --alpn foo
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: TLS handshake with valid.test (127.0.0.1) failed: tlsv1 alert no application protocol" ]
	tls valid.test --alpn h2,,x
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: bad ALPN list 'h2,,x'" ]
	# A server without ALPN chooses nothing.
	serve_chain valid
	tls valid.test --alpn h2
	[ "$status" -eq 0 ]
	[ "${lines[4]}" = "ALPN        none chosen (offered h2)" ]
	json valid.test --alpn h2
	jq -e '.tls.alpn == null and .tls.alpn_offered == "h2"' <<<"$output"
}

@test "certificate text is terminal-safe, in text and JSON" {
	serve evil.pem leaf.key
	tls evil.test -k
	[ "$status" -eq 0 ]
	! grep -q $'[\x01-\x08\x0b-\x1f\x7f]' <<<"$output"
	[ "${lines[8]}" = $'  [0] CN=evil\\1B]0\\;title\\07.test, O=Gr\u00fc\u00dfe \\xc2\\x9bx  (self-signed)  = path [0]' ]
	[ "${lines[10]}" = '      names       evil\x1b[31m.test' ]
	json evil.test -k
	jq -e '.sent_chain[0].dns_names == ["evil\\x1b[31m.test"]' <<<"$output"
}

@test "--version names the OpenSSL in use" {
	run nk-tls --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "nk-tls "* ]]
	[[ "${lines[1]}" == "OpenSSL 3."* ]]
}

@test "colour only on a terminal, and not with NO_COLOR" {
	command -v script >/dev/null || skip "no script(1) for a terminal"
	serve_chain valid
	local cmd="nk-tls --cacert '$C/root.pem' --resolve valid.test:$PORT:127.0.0.1 valid.test:$PORT"
	run timeout 20 script -qec "$cmd" /dev/null
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == $'Verdict     \e[32m\e[1mOK\e[0m: the chain verifies for valid.test\r' ]]
	run timeout 20 env NO_COLOR=1 script -qec "$cmd" /dev/null
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == $'Verdict     OK: the chain verifies for valid.test\r' ]]
	[[ "$output" != *$'\e'* ]]
	# Not a terminal: plain.
	tls valid.test
	[[ "$output" != *$'\e'* ]]
}
