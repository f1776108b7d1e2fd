#!/usr/bin/env bats
# nk https: certificate verification (exit 60 with the reason in words),
# handshake failures (35), pins, client certificates, versions, the trust
# store from SSL_CERT_FILE/SSL_CERT_DIR, and TLS session reuse. Servers:
# openssl s_server for each certificate case, nginx for the rest.
load ../lib/common
load ../lib/http

setup_file() {
	start_nginx
}

teardown_file() {
	stop_nginx
}

CERTS() { echo "$NGINX_DIR/certs"; }

# s_server CERTNAME [s_server options...]: openssl s_server with that
# certificate on a free port, answering HTTP with a status page (-www);
# sets TLS_PORT.
s_server() {
	local name=$1; shift
	TLS_PORT=$(fast_port)
	start_bg "$BATS_TEST_TMPDIR/s_server.log" openssl s_server -quiet -www \
		-accept "127.0.0.1:$TLS_PORT" -cert "$(CERTS)/$name.pem" \
		-key "$(CERTS)/$name.key" "$@"
	wait_port "$TLS_PORT"
}

# tls_get [nk options...]: nk https to the s_server as nk.test.
tls_get() {
	timeout -k 2 20 nk-http -s -S --resolve "nk.test:$TLS_PORT:127.0.0.1" \
		--cacert "$(CERTS)/ca.pem" "$@" "https://nk.test:$TLS_PORT/"
}

@test "tls: a good certificate verifies" {
	s_server server
	run tls_get -o /dev/null -w '%{http_code} %{ssl_verify_result}'
	[ "$status" -eq 0 ]
	[ "$output" = "200 0" ]
}

@test "tls: an expired certificate is exit 60, saying when it expired" {
	s_server expired
	run tls_get
	[ "$status" -eq 60 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "nk-http: (60) "*"expired"*"2021-01-01 00:00:00 UTC"* ]]
}

@test "tls: a certificate for another name is exit 60, naming its names" {
	s_server wrongname
	run tls_get
	[ "$status" -eq 60 ]
	[[ "$output" == "nk-http: (60) "*"other.test"* ]]
}

@test "tls: a self-signed certificate is exit 60" {
	s_server selfsigned
	run tls_get
	[ "$status" -eq 60 ]
	[[ "$output" == "nk-http: (60) "*"self-signed"* ]]
}

@test "tls: an unknown CA is exit 60" {
	s_server unknownca
	run tls_get
	[ "$status" -eq 60 ]
	[[ "$output" == "nk-http: (60) "*"issuer"* ]]
}

@test "tls: -k goes on past a failed verification, and -v says so" {
	s_server expired
	run tls_get -k -o /dev/null -w '%{http_code} %{ssl_verify_result}'
	[ "$status" -eq 0 ]
	[ "$output" = "200 10" ]
	run tls_get -k -v -o /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"* --insecure: going on anyway"* ]]
}

@test "tls: the IP address is checked against the certificate" {
	s_server server
	run timeout 10 nk-http -s -S --cacert "$(CERTS)/ca.pem" -o /dev/null \
		"https://127.0.0.1:$TLS_PORT/"
	[ "$status" -eq 0 ]
	s_server wrongname
	run timeout 10 nk-http -s -S --cacert "$(CERTS)/ca.pem" "https://127.0.0.1:$TLS_PORT/"
	[ "$status" -eq 60 ]
}

@test "tls: --pinnedpubkey matches the key, or fails with 90" {
	s_server server
	local pin
	pin=sha256//$(openssl x509 -in "$(CERTS)/server.pem" -pubkey -noout |
		openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
	run tls_get -o /dev/null --pinnedpubkey "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;$pin"
	[ "$status" -eq 0 ]
	run tls_get -o /dev/null --pinnedpubkey "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	[ "$status" -eq 90 ]
}

@test "tls: a client certificate when the server asks for one" {
	s_server server -Verify 1 -CAfile "$(CERTS)/ca.pem"
	run tls_get -o /dev/null --cert "$(CERTS)/client.pem" --key "$(CERTS)/client.key" \
		-w '%{http_code}'
	[ "$status" -eq 0 ]
	[ "$output" = "200" ]
	run tls_get -o /dev/null --tls-max 1.2
	[ "$status" -eq 35 ]
	run tls_get -o /dev/null --cert "$(CERTS)/nosuch.pem"
	[ "$status" -eq 58 ]
}

@test "tls: versions: --tlsv1.3 against a TLS 1.2 server is exit 35" {
	s_server server -tls1_2
	run tls_get -o /dev/null --tlsv1.3
	[ "$status" -eq 35 ]
	[ "${#lines[@]}" -eq 1 ]
	run tls_get -o /dev/null -w '%{json}'
	[ "$status" -eq 0 ]
	[ "$(jq -r '.hops[0].tls.version' <<<"$output")" = "TLSv1.2" ]
}

@test "tls: --tls-max 1.2 against nginx" {
	# shellcheck disable=SC2046
	run timeout 10 nk-http $(NKR) --tls-max 1.2 -o /dev/null -w '%{json}' \
		"https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.hops[0].tls.version' <<<"$output")" = "TLSv1.2" ]
}

@test "tls: a plain HTTP server on an https URL is exit 35" {
	run timeout 10 nk-http "https://127.0.0.1:$NGINX_PORT/"
	[ "$status" -eq 35 ]
}

@test "tls: --connect-timeout covers a handshake that never comes" {
	printf 'drain\n' >"$BATS_TEST_TMPDIR/silent.case"
	start_raw "$BATS_TEST_TMPDIR/silent.case"
	local t0=$SECONDS
	run timeout 10 nk-http --connect-timeout 0.5 "https://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 28 ]
	[ "${#lines[@]}" -eq 1 ]
	run timeout 10 nk-http -m 0.5 "https://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 28 ]
	[ $((SECONDS - t0)) -le 3 ]
}

@test "tls: the trust store from SSL_CERT_FILE and SSL_CERT_DIR" {
	local url="https://nk.test:$NGINX_SPORT/hello.txt"
	local r="--resolve=nk.test:$NGINX_SPORT:127.0.0.1"
	# The test CA is not in the system store.
	run timeout 10 nk-http "$r" "$url"
	[ "$status" -eq 60 ]
	SSL_CERT_FILE="$(CERTS)/ca.pem" run timeout 10 nk-http "$r" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	mkdir "$BATS_TEST_TMPDIR/hashed"
	cp "$(CERTS)/ca.pem" "$BATS_TEST_TMPDIR/hashed/"
	openssl rehash "$BATS_TEST_TMPDIR/hashed" 2>/dev/null ||
		c_rehash "$BATS_TEST_TMPDIR/hashed" >/dev/null
	SSL_CERT_DIR="$BATS_TEST_TMPDIR/hashed" run timeout 10 nk-http "$r" "$url"
	[ "$status" -eq 0 ]
	run timeout 10 nk-http "$r" --capath "$BATS_TEST_TMPDIR/hashed" "$url"
	[ "$status" -eq 0 ]
	run timeout 10 nk-http "$r" --cacert "$BATS_TEST_TMPDIR/nosuch.pem" "$url"
	[ "$status" -eq 77 ]
}

@test "tls: a second connection to the same host resumes the session" {
	# HTTP/1.0 requests: nginx closes each connection, so the second URL
	# needs a new handshake, which resumes the first one's session.
	# shellcheck disable=SC2046
	run timeout 10 nk-http $(NKR) -0 -o /dev/null -o /dev/null \
		-w '%{num_connects} %{json}\n' \
		"https://nk.test:$NGINX_SPORT/hello.txt" "https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.hops[0].tls.resumed' <<<"${lines[0]#* }")" = "false" ]
	[ "$(jq -r '.hops[0].tls.resumed' <<<"${lines[1]#* }")" = "true" ]
	[ "${lines[1]%% *}" = "1" ]
}

@test "tls: -v shows the handshake and the certificate" {
	# shellcheck disable=SC2046
	run timeout 10 nk-http $(NKR) -v -o /dev/null "https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	[[ "$output" == *"* TLSv1.3, TLS_"*", ALPN http/1.1"* ]]
	[[ "$output" == *"* certificate: CN=nk.test"* ]]
	[[ "$output" == *"verify:  OK for nk.test"* ]]
}

@test "tls: an http:// URL never loads the TLS library's context" {
	# No handshake happened, so no TLS fields in -w; and nothing breaks
	# when the CA file is unusable, because it is never read.
	run timeout 10 nk-http --cacert /nonexistent -o /dev/null -w '%{json}' \
		"http://127.0.0.1:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.hops[0].tls' <<<"$output")" = "null" ]
}
