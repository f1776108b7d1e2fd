#!/usr/bin/env bats
# nk https start-up: OpenSSL's error texts are loaded only when a failure
# is put in words (lib/tls/errors.c; tests/unit/test_tls_texts.c checks
# when), and every failure still reads as before: libssl's, X509's and
# EVP's words, each from a run that loaded nothing before it failed.
# Server: nginx with the test CA.
load ../lib/common
load ../lib/http

setup_file() {
	start_nginx
}

teardown_file() {
	stop_nginx
}

@test "start: a handshake failure says OpenSSL's words" {
	# TLS to the cleartext port: the reply is no TLS record.
	run timeout -k 2 20 nk-http -sS $(NKR) "https://nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 35 ]
	[ "$output" = "nk-http: (35) TLS handshake with nk.test (127.0.0.1) failed: wrong version number" ]
}

@test "start: a CA file without certificates says OpenSSL's words (exit 77)" {
	printf 'not a certificate\n' >"$BATS_TEST_TMPDIR/bad.pem"
	run timeout -k 2 20 nk-http -sS --cacert "$BATS_TEST_TMPDIR/bad.pem" \
		--resolve "nk.test:$NGINX_SPORT:127.0.0.1" "https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 77 ]
	[ "$output" = "nk-http: (77) cannot use CA file $BATS_TEST_TMPDIR/bad.pem: no certificate or crl found" ]
}

@test "start: a key that does not match the certificate says OpenSSL's words (exit 58)" {
	local c="$NGINX_DIR/certs"
	run timeout -k 2 20 nk-http -sS $(NKR) -E "$c/client.pem" --key "$c/server.key" \
		"https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 58 ]
	[ "$output" = "nk-http: (58) cannot use client key $c/server.key: key values mismatch" ]
}
