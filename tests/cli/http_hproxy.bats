#!/usr/bin/env bats
# nk http through an HTTPS proxy (-x https://, HTTPS_PROXY): TLS to the
# proxy, verified with --proxy-cacert / --proxy-insecure / --proxy-
# pinnedpubkey, a client certificate for it (--proxy-cert, --proxy-key),
# a CONNECT tunnel and TLS inside TLS for https URLs, forwarded requests
# for http URLs, proxy auth over it; curl 7.88's exit statuses and bytes.
# The proxy: socat's OPENSSL-LISTEN in front of tests/servers/proxy.py
# (which records what it is asked), the origin nginx.
load ../lib/common
load ../lib/http
bats_require_minimum_version 1.5.0

setup_file() {
	start_nginx
}

teardown_file() {
	stop_nginx
}

# start_hproxy [proxy.py options...]: proxy.py behind socat's TLS with the
# test server certificate; sets HP_PORT. HP_VERIFY=1: socat asks for a
# client certificate signed by the test CA, in TLS 1.2, where a missing
# one fails the handshake (TLS 1.3's refusal comes after it, and races
# the CONNECT: 55 or 56, for curl as for nk). HP_TLS12=1: TLS 1.2 at most.
start_hproxy() {
	start_proxy "$@"
	local c="$NGINX_DIR/certs" v="verify=0" try
	[ "${HP_VERIFY:-0}" = 1 ] && v="verify=1,cafile=$c/ca.pem"
	[ "${HP_VERIFY:-0}${HP_TLS12:-0}" != 00 ] &&
		v="$v,openssl-max-proto-version=TLS1.2"
	for try in 1 2 3; do
		HP_PORT=$(fast_port)
		start_bg "$BATS_TEST_TMPDIR/socat.log" socat \
			"OPENSSL-LISTEN:$HP_PORT,bind=127.0.0.1,reuseaddr,fork,cert=$c/server.pem,key=$c/server.key,$v" \
			"TCP:127.0.0.1:$PROXY_PORT"
		wait_port "$HP_PORT" 2>/dev/null && return 0
	done
	return 1
}

nkh() { timeout -k 2 20 nk-http -sS --cacert "$NGINX_DIR/certs/ca.pem" "$@"; }
curlh() { timeout -k 2 20 curl -sS --cacert "$NGINX_DIR/certs/ca.pem" "$@"; }

@test "hproxy: an https URL through an HTTPS proxy: CONNECT, then TLS inside TLS" {
	start_hproxy
	local c="$NGINX_DIR/certs"
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		-o "$BATS_TEST_TMPDIR/r.bin" "https://nk.test:$NGINX_SPORT/random.bin" \
		"https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	cmp "$BATS_TEST_TMPDIR/r.bin" "$NGINX_DIR/www/random.bin"
	# One tunnel for both: the second request reused the connection.
	[ "$(grep -c '^CONNECT ' "$BATS_TEST_TMPDIR/proxy.log")" -eq 1 ]
	[ "$(tr -d '\r' <"$BATS_TEST_TMPDIR/proxy.log" | head -2)" = "CONNECT nk.test:$NGINX_SPORT HTTP/1.1
Host: nk.test:$NGINX_SPORT" ]
}

@test "hproxy: an http URL through an HTTPS proxy is forwarded in absolute form, as curl's" {
	start_hproxy
	local c="$NGINX_DIR/certs" t
	for t in curlh nkh; do
		: >"$BATS_TEST_TMPDIR/proxy.log"
		run "$t" -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
			"http://nk.test:$NGINX_PORT/hello.txt"
		[ "$status" -eq 0 ]
		[ "$output" = "hello world" ]
		sed "s|curl/[0-9.]*|AGENT|; s|nk/[0-9.]*|AGENT|" "$BATS_TEST_TMPDIR/proxy.log" \
			>"$BATS_TEST_TMPDIR/$t.log"
	done
	cmp "$BATS_TEST_TMPDIR/curlh.log" "$BATS_TEST_TMPDIR/nkh.log"
	[ "$(head -1 "$BATS_TEST_TMPDIR/nkh.log")" = $'GET http://nk.test:'"$NGINX_PORT"$'/hello.txt HTTP/1.1\r' ]
}

@test "hproxy: the proxy's certificate is verified: wrong CA 60, --proxy-insecure 0, -k is the server's alone" {
	start_hproxy
	local c="$NGINX_DIR/certs" u="https://nk.test:$NGINX_SPORT/hello.txt"
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/otherca.pem" "$u"
	[ "$status" -eq 60 ]
	[[ "$output" == "nk-http: (60) HTTPS proxy localhost:$HP_PORT: certificate verification failed for localhost"* ]]
	run curlh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/otherca.pem" "$u"
	[ "$status" -eq 60 ]
	# Nothing reached the proxy's HTTP side.
	[ ! -s "$BATS_TEST_TMPDIR/proxy.log" ]
	run nkh -k -x "https://localhost:$HP_PORT" --proxy-cacert "$c/otherca.pem" "$u"
	[ "$status" -eq 60 ]
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/otherca.pem" \
		--proxy-insecure "$u"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	# -w's proxy_ssl_verify_result: OpenSSL's code, as curl's (20: no
	# local issuer), then 0 once verified. The second URL reuses the
	# connection: nk gives the connection's code again, curl 7.88 0.
	local t w='%{proxy_ssl_verify_result} %{ssl_verify_result}\n'
	for t in curlh nkh; do
		run "$t" -x "https://localhost:$HP_PORT" --proxy-cacert "$c/otherca.pem" \
			--proxy-insecure -o /dev/null -o /dev/null -w "$w" "$u" "$u"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "20 0" ]
		run "$t" -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
			-o /dev/null -w "$w" "http://nk.test:$NGINX_PORT/hello.txt"
		[ "$output" = "0 0" ]
	done
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/otherca.pem" \
		--proxy-insecure -o /dev/null -o /dev/null -w "$w" "$u" "$u"
	[ "$output" = $'20 0\n20 0' ]
	# A new connection, whose TLS with the proxy resumes the first one's
	# session: the code of the first failure still, as a full handshake
	# gives (OpenSSL would keep the last one, 21, in the session).
	run nkh -v -x "https://localhost:$HP_PORT" --proxy-cacert "$c/otherca.pem" \
		--proxy-insecure -H 'Connection: close' -o /dev/null -o /dev/null \
		-w "$w" "$u" "$u"
	[[ "$output" == *"*  TLSv1.3, "*" (resumed)"* ]]
	[[ "$output" == *$'\n20 0\n'*$'\n20 0' ]]
	# The proxy's name is checked: other.test is not in its certificate.
	run nkh --resolve "other.test:$HP_PORT:127.0.0.1" -x "https://other.test:$HP_PORT" \
		--proxy-cacert "$c/ca.pem" "$u"
	[ "$status" -eq 60 ]
	# The system store by default (SSL_CERT_FILE), which lacks the test CA.
	run env SSL_CERT_FILE="$c/otherca.pem" timeout -k 2 20 nk-http -sS \
		--cacert "$c/ca.pem" -x "https://localhost:$HP_PORT" "$u"
	[ "$status" -eq 60 ]
	run env SSL_CERT_FILE="$c/ca.pem" timeout -k 2 20 nk-http -sS \
		--cacert "$c/ca.pem" -x "https://localhost:$HP_PORT" "$u"
	[ "$status" -eq 0 ]
	# The origin inside the tunnel is verified on its own: 60 (curl 7.88
	# says 35 here, SSL_ERROR_SYSCALL: the man page says why nk differs).
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		--cacert "$c/otherca.pem" "$u"
	[ "$status" -eq 60 ]
	[[ "$output" == "nk-http: (60) certificate verification failed for nk.test"* ]]
}

@test "hproxy: -v shows the proxy's certificate, then the tunnel, then the server's" {
	start_hproxy
	local c="$NGINX_DIR/certs"
	run nkh -v -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		-o /dev/null "https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	local want="* Connected to proxy localhost (127.0.0.1) port $HP_PORT (#0)
* Proxy certificate:
*  TLSv1.3"
	[[ "$output" == *"$want"* ]]
	[[ "$output" == *"*    verify:  OK for localhost"*"> CONNECT nk.test:$NGINX_SPORT HTTP/1.1"*"* TLSv1.3"*"*   verify:  OK for nk.test"* ]]
	run nkh -v -x "https://localhost:$HP_PORT" --proxy-cacert "$c/otherca.pem" \
		--proxy-insecure -o /dev/null "https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	[[ "$output" == *"*    verify:  FAILED: "*"
* --proxy-insecure: going on anyway
* Establishing a tunnel"* ]]
}

@test "hproxy: --proxy-pinnedpubkey: a match goes on, a mismatch is 90" {
	start_hproxy
	local c="$NGINX_DIR/certs" pin other u="https://nk.test:$NGINX_SPORT/hello.txt"
	pin=$(openssl pkey -in "$c/server.key" -pubout -outform der | openssl dgst -sha256 -binary | base64)
	other=$(openssl pkey -in "$c/otherca.key" -pubout -outform der | openssl dgst -sha256 -binary | base64)
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		--proxy-pinnedpubkey "sha256//$other;sha256//$pin" "$u"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	: >"$BATS_TEST_TMPDIR/proxy.log"
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		--proxy-pinnedpubkey "sha256//$other" "$u"
	[ "$status" -eq 90 ]
	[ "$output" = "nk-http: (90) HTTPS proxy localhost:$HP_PORT: public key of localhost (127.0.0.1) does not match the pinned public key" ]
	[ ! -s "$BATS_TEST_TMPDIR/proxy.log" ]
	# --pinnedpubkey is the server's: the proxy's key does not have to match.
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		--pinnedpubkey "sha256//$pin" "$u"
	[ "$status" -eq 0 ]
}

@test "hproxy: proxy auth (-U, Basic) over the TLS to the proxy, as curl's bytes; a 407 is 56" {
	start_hproxy --auth nk:s3cret
	local c="$NGINX_DIR/certs" t
	for t in curlh nkh; do
		: >"$BATS_TEST_TMPDIR/proxy.log"
		run "$t" -U nk:s3cret -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
			"https://nk.test:$NGINX_SPORT/hello.txt"
		[ "$status" -eq 0 ]
		[ "$output" = "hello world" ]
		run "$t" -U nk:s3cret -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
			"http://nk.test:$NGINX_PORT/hello.txt"
		[ "$output" = "hello world" ]
		run "$t" -U nk:wrong -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
			"https://nk.test:$NGINX_SPORT/hello.txt"
		[ "$status" -eq 56 ]
		sed "s|curl/[0-9.]*|AGENT|; s|nk/[0-9.]*|AGENT|" "$BATS_TEST_TMPDIR/proxy.log" \
			>"$BATS_TEST_TMPDIR/$t.log"
	done
	cmp "$BATS_TEST_TMPDIR/curlh.log" "$BATS_TEST_TMPDIR/nkh.log"
	grep -q $'^Proxy-Authorization: Basic bms6czNjcmV0\r$' "$BATS_TEST_TMPDIR/nkh.log"
}

@test "hproxy: a client certificate for the proxy (--proxy-cert, --proxy-key); PEM only" {
	HP_VERIFY=1 start_hproxy
	local c="$NGINX_DIR/certs" u="https://nk.test:$NGINX_SPORT/hello.txt"
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		--proxy-cert "$c/client.pem" --proxy-key "$c/client.key" \
		--proxy-cert-type pem --proxy-key-type PEM "$u"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	# Without one: the handshake fails, 35, as curl 7.88.
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" "$u"
	[ "$status" -eq 35 ]
	[[ "$output" == *"(the server asked for a client certificate; none was given)" ]]
	run curlh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" "$u"
	[ "$status" -eq 35 ]
	# --cert is the server's, not the proxy's.
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		--cert "$c/client.pem" --key "$c/client.key" "$u"
	[ "$status" -eq 35 ]
	# An encrypted key: --proxy-pass, else 58 (nk never prompts).
	openssl pkey -in "$c/client.key" -aes256 -passout pass:s3cret \
		-out "$BATS_TEST_TMPDIR/enc.key"
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		--proxy-cert "$c/client.pem" --proxy-key "$BATS_TEST_TMPDIR/enc.key" \
		--proxy-pass s3cret "$u"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		--proxy-cert "$c/client.pem" --proxy-key "$BATS_TEST_TMPDIR/enc.key" "$u"
	[ "$status" -eq 58 ]
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		--proxy-cert "$c/client.pem" --proxy-cert-type DER "$u"
	[ "$status" -eq 58 ]
	[ "$output" = "nk-http: --proxy-cert-type DER: not supported, nk reads PEM only" ]
}

@test "hproxy: HTTPS_PROXY and https_proxy may name an https:// proxy; default port 443" {
	start_hproxy
	local c="$NGINX_DIR/certs"
	run env -u http_proxy -u all_proxy -u ALL_PROXY HTTPS_PROXY="https://localhost:$HP_PORT" \
		timeout -k 2 20 nk-http -sS --cacert "$c/ca.pem" --proxy-cacert "$c/ca.pem" \
		"https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	grep -q '^CONNECT ' "$BATS_TEST_TMPDIR/proxy.log"
	run nkh -v -x https://127.0.0.1 --connect-timeout 2 "https://nk.test:$NGINX_SPORT/"
	[[ "$output" == *"Trying 127.0.0.1:443..."* ]]
}

@test "hproxy: a proxy, or a server in the tunnel, that answers TLS in plain HTTP is 35, as curl" {
	run nkh -x "https://127.0.0.1:$NGINX_PORT" --connect-timeout 5 \
		"https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 35 ]
	[[ "$output" == "nk-http: (35) HTTPS proxy 127.0.0.1:$NGINX_PORT: TLS handshake with 127.0.0.1 failed"* ]]
	run curlh -x "https://127.0.0.1:$NGINX_PORT" --connect-timeout 5 \
		"https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 35 ]
	# Inside the tunnel too: a server that answers TLS in plain HTTP.
	start_hproxy
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$NGINX_DIR/certs/ca.pem" \
		--connect-timeout 5 "https://nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 35 ]
	[[ "$output" == "nk-http: (35) TLS handshake with nk.test"*"failed"* ]]
	run curlh -x "https://localhost:$HP_PORT" --proxy-cacert "$NGINX_DIR/certs/ca.pem" \
		--connect-timeout 5 "https://nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 35 ]
}

@test "hproxy: nk tls through an HTTPS proxy: TLS inside TLS, each certificate checked" {
	start_hproxy
	local c="$NGINX_DIR/certs"
	run --separate-stderr timeout 20 nk-tls -x "https://localhost:$HP_PORT" \
		--proxy-cacert "$c/ca.pem" --cacert "$c/ca.pem" "nk.test:$NGINX_SPORT"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Verdict     OK: the chain verifies for nk.test" ]
	grep -q "^CONNECT nk.test:$NGINX_SPORT HTTP/1.1" "$BATS_TEST_TMPDIR/proxy.log"
	run --separate-stderr timeout 20 nk-tls -x "https://localhost:$HP_PORT" \
		--proxy-cacert "$c/otherca.pem" --cacert "$c/ca.pem" "nk.test:$NGINX_SPORT"
	[ "$status" -eq 60 ]
	[[ "$stderr" == "nk-tls: HTTPS proxy localhost:$HP_PORT: certificate verification failed for localhost"* ]]
	run --separate-stderr timeout 20 nk-tls -x "https://localhost:$HP_PORT" \
		--proxy-cacert "$c/otherca.pem" --proxy-insecure --cacert "$c/ca.pem" \
		"nk.test:$NGINX_SPORT"
	[ "$status" -eq 0 ]
	# The server's certificate is checked on its own, inside.
	run --separate-stderr timeout 20 nk-tls -x "https://localhost:$HP_PORT" \
		--proxy-cacert "$c/ca.pem" --cacert "$c/otherca.pem" "nk.test:$NGINX_SPORT"
	[ "$status" -eq 60 ]
	[[ "${lines[0]}" == "Verdict     FAILED"* ]]
}

@test "hproxy: nk telnet pipes 1 MiB, nk echo its messages, through an HTTPS proxy" {
	start_hproxy
	local c="$NGINX_DIR/certs" cat_port
	cat_port=$(fast_port)
	start_bg "$BATS_TEST_TMPDIR/cat.log" \
		socat TCP-LISTEN:"$cat_port",bind=127.0.0.1,reuseaddr,fork EXEC:cat
	wait_port "$cat_port"
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/1m.bin"
	status=0
	timeout 60 nk-telnet -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		127.0.0.1 "$cat_port" <"$BATS_TEST_TMPDIR/1m.bin" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/1m.bin"
	start_echo
	run --separate-stderr timeout 20 nk-echo -q -x "https://localhost:$HP_PORT" \
		--proxy-cacert "$c/ca.pem" 127.0.0.1 "$ECHO_PORT" one two
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^2\ sent,\ 2\ received,\ 0\ mismatched,\ 8\ bytes, ]]
	# Without the proxy's CA: 60 before any byte reaches the target.
	run --separate-stderr timeout 20 nk-telnet -x "https://localhost:$HP_PORT" \
		127.0.0.1 "$cat_port" </dev/null
	[ "$status" -eq 60 ]
}

@test "hproxy: --proxy-ciphers and --proxy-tls13-ciphers choose what is offered; none known is 59" {
	HP_TLS12=1 start_hproxy
	local c="$NGINX_DIR/certs" u="https://nk.test:$NGINX_SPORT/hello.txt"
	run nkh -v -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		--proxy-ciphers ECDHE-ECDSA-CHACHA20-POLY1305 "$u"
	[ "$status" -eq 0 ]
	[[ "$output" == *"*  TLSv1.2, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"* ]]
	# The server's handshake keeps its own choice.
	[[ "$output" != *"* TLSv1.2, TLS_ECDHE_ECDSA_WITH_CHACHA20"* ]]
	[[ "$output" == *"hello world" ]]
	: >"$BATS_TEST_TMPDIR/proxy.log"
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		--proxy-ciphers NO-SUCH-CIPHER "$u"
	[ "$status" -eq 59 ]
	[ "$output" = "nk-http: (59) HTTPS proxy localhost:$HP_PORT: failed setting cipher list: NO-SUCH-CIPHER" ]
	run curlh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		--proxy-ciphers NO-SUCH-CIPHER "$u"
	[ "$status" -eq 59 ]
	[ ! -s "$BATS_TEST_TMPDIR/proxy.log" ]
}

@test "hproxy: --proxy-tls13-ciphers with a TLS 1.3 proxy" {
	start_hproxy
	local c="$NGINX_DIR/certs" u="https://nk.test:$NGINX_SPORT/hello.txt"
	run nkh -v -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		--proxy-tls13-ciphers TLS_CHACHA20_POLY1305_SHA256 "$u"
	[ "$status" -eq 0 ]
	[[ "$output" == *"*  TLSv1.3, TLS_CHACHA20_POLY1305_SHA256"* ]]
	run nkh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		--proxy-tls13-ciphers TLS_NO_SUCH "$u"
	[ "$status" -eq 59 ]
	run curlh -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
		--proxy-tls13-ciphers TLS_NO_SUCH "$u"
	[ "$status" -eq 59 ]
}

# start_tls_px MODE [close]: tests/servers/pxauth.py (credentials u:p, its
# 407s per MODE) behind socat's TLS; sets HP_PORT.
start_tls_px() {
	: >"$BATS_TEST_TMPDIR/px.log"
	start_bg "$BATS_TEST_TMPDIR/px.out" "$PYTHON" "$SERVERS_DIR/pxauth.py" \
		"$BATS_TEST_TMPDIR/px.log" u:p "$@"
	local line c="$NGINX_DIR/certs"
	line=$(wait_for_line "$BATS_TEST_TMPDIR/px.out" '^Listening on ') || return 1
	HP_PORT=$(fast_port)
	start_bg "$BATS_TEST_TMPDIR/socat.log" socat \
		"OPENSSL-LISTEN:$HP_PORT,bind=127.0.0.1,reuseaddr,fork,cert=$c/server.pem,key=$c/server.key,verify=0" \
		"TCP:127.0.0.1:${line##*:}"
	wait_port "$HP_PORT"
}

# px_both ARGS...: curl, then nk http, through the HTTPS proxy; their
# records (random Digest parts blanked), outputs and statuses must match.
px_both() {
	local t rc
	for t in curlh nkh; do
		: >"$BATS_TEST_TMPDIR/px.log"
		rc=0
		"$t" -A X -x "https://localhost:$HP_PORT" \
			--proxy-cacert "$NGINX_DIR/certs/ca.pem" "$@" \
			>"$BATS_TEST_TMPDIR/$t.out" || rc=$?
		echo $rc >"$BATS_TEST_TMPDIR/$t.rc"
		sed 's/cnonce="[^"]*"/cnonce=C/; s/response="[^"]*"/response=R/' \
			"$BATS_TEST_TMPDIR/px.log" >"$BATS_TEST_TMPDIR/$t.rec"
	done
	diff "$BATS_TEST_TMPDIR/curlh.rec" "$BATS_TEST_TMPDIR/nkh.rec"
	diff "$BATS_TEST_TMPDIR/curlh.out" "$BATS_TEST_TMPDIR/nkh.out"
	[ "$(cat "$BATS_TEST_TMPDIR/curlh.rc")" = "$(cat "$BATS_TEST_TMPDIR/nkh.rc")" ]
}

@test "hproxy: --proxy-digest and --proxy-anyauth over TLS to the proxy, as curl's bytes" {
	start_tls_px digest
	px_both -U u:p --proxy-digest http://h.test/a
	[ "$(cat "$BATS_TEST_TMPDIR/nkh.out")" = ok ]
	grep -q '^check: ok$' "$BATS_TEST_TMPDIR/nkh.rec"
	! grep -q '^check: bad$' "$BATS_TEST_TMPDIR/nkh.rec"
	px_both -U u:p --proxy-digest -p http://h.test/a
	[ "$(cat "$BATS_TEST_TMPDIR/nkh.out")" = "tunnel ok" ]
	[ "$(grep -c '^CONNECT h.test:80 HTTP/1.1' "$BATS_TEST_TMPDIR/nkh.rec")" = 2 ]
	grep -q '^check: ok$' "$BATS_TEST_TMPDIR/nkh.rec"
	# A proxy that closes after its 407: the CONNECT again on a new
	# connection, TLS with the proxy made again.
	start_tls_px both close
	px_both -U u:p --proxy-anyauth -p http://h.test/a
	[ "$(cat "$BATS_TEST_TMPDIR/nkh.out")" = "tunnel ok" ]
	grep -q '^Proxy-Authorization: Digest ' "$BATS_TEST_TMPDIR/nkh.rec"
	grep -q '^check: ok$' "$BATS_TEST_TMPDIR/nkh.rec"
}

@test "hproxy: --proxy-crlfile: not on the CRL 0, revoked 60, no CRL of its issuer 60, no CRL in the file 82" {
	start_hproxy
	local c="$NGINX_DIR/certs" d="$BATS_TEST_TMPDIR/crl" u="https://nk.test:$NGINX_SPORT/hello.txt"
	mkdir -p "$d"
	: >"$d/index"
	echo 01 >"$d/crlnumber"
	printf '[ca]\ndefault_ca = d\n[d]\ndatabase = %s/index\ncrlnumber = %s/crlnumber\ndefault_md = sha256\ndefault_crl_days = 30\n' \
		"$d" "$d" >"$d/conf"
	ca() { openssl ca -batch -config "$d/conf" -cert "$c/$1.pem" -keyfile "$c/$1.key" "${@:2}" 2>/dev/null; }
	ca ca -gencrl -out "$d/empty.crl"
	ca otherca -gencrl -out "$d/other.crl"
	ca ca -revoke "$c/server.pem"
	ca ca -gencrl -out "$d/revoked.crl"
	# crl TOOL WANT FILE [OPTION...]: TOOL through the proxy, checked
	# against the CRLs in FILE, exits WANT.
	crl() {
		run "$1" -x "https://localhost:$HP_PORT" --proxy-cacert "$c/ca.pem" \
			--proxy-crlfile "$3" "${@:4}" "$u"
		[ "$status" -eq "$2" ]
	}
	crl nkh 0 "$d/empty.crl"
	[ "$output" = "hello world" ]
	crl nkh 60 "$d/revoked.crl"
	[ "$output" = "nk-http: (60) HTTPS proxy localhost:$HP_PORT: certificate verification failed for localhost (127.0.0.1): certificate is revoked" ]
	crl curlh 60 "$d/revoked.crl"
	# nginx has the same (revoked) certificate: the proxy's CRLs are not
	# the server's.
	crl nkh 0 "$d/revoked.crl" --proxy-insecure
	[ "$output" = "hello world" ]
	# Only another issuer's CRL: none for the proxy's issuer, 60.
	crl nkh 60 "$d/other.crl"
	[[ "$output" == *"localhost (127.0.0.1): unable to get certificate CRL" ]]
	crl nkh 82 "$c/ca.pem"
	[ "$output" = "nk-http: (82) HTTPS proxy localhost:$HP_PORT: cannot use CRL file $c/ca.pem: it holds no PEM CRL" ]
	crl curlh 82 "$c/ca.pem"
}

@test "hproxy: --connect-timeout bounds the handshake with a silent HTTPS proxy (28)" {
	local port
	port=$(fast_port)
	start_bg "$BATS_TEST_TMPDIR/silent.log" socat \
		"TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" "EXEC:sleep 30"
	wait_port "$port"
	run nkh -x "https://127.0.0.1:$port" --connect-timeout 0.5 \
		"https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 28 ]
	[ "$output" = "nk-http: (28) HTTPS proxy 127.0.0.1:$port: TLS handshake with 127.0.0.1 timed out" ]
	run curlh -x "https://127.0.0.1:$port" --connect-timeout 0.5 \
		"https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 28 ]
}
