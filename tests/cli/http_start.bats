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

# nk http through nginx on its TLS port as an HTTPS proxy: nginx serves
# the absolute-form request for an http URL from its own files, so only
# the proxy's TLS, and the client key loaded for it, are tested.
proxy_get() {
	local c="$NGINX_DIR/certs"
	timeout -k 2 20 nk-http -sS $(NKR) -x "https://nk.test:$NGINX_SPORT" \
		--proxy-cacert "$c/ca.pem" --proxy-cert "$c/client.pem" "$@" \
		"http://nk.test:$NGINX_PORT/hello.txt"
}

@test "start: traditional encrypted PEM keys (DEK-Info) still load (AES, 3DES, PKCS#8)" {
	local c="$NGINX_DIR/certs" k="$BATS_TEST_TMPDIR"
	openssl pkey -in "$c/client.key" -traditional -aes256 -passout pass:pw -out "$k/aes.key"
	openssl pkey -in "$c/client.key" -traditional -des3 -passout pass:pw -out "$k/des3.key"
	openssl pkey -in "$c/client.key" -aes128 -passout pass:pw -out "$k/p8.key"
	grep -q '^DEK-Info: AES-256-CBC,' "$k/aes.key"
	grep -q '^DEK-Info: DES-EDE3-CBC,' "$k/des3.key"
	local f
	for f in aes des3 p8; do
		run proxy_get --proxy-key "$k/$f.key" --proxy-pass pw
		[ "$status" -eq 0 ]
		[ "$output" = "hello world" ]
		run proxy_get --proxy-key "$k/$f.key" --proxy-pass wrong
		[ "$status" -eq 58 ]
		[[ "$output" == "nk-http: (58) HTTPS proxy nk.test:$NGINX_SPORT: cannot use client key $k/$f.key: "* ]]
	done
}
