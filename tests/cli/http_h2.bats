#!/usr/bin/env bats
# nk http over HTTP/2 (libnghttp2): nginx with http2 on (TLS with ALPN,
# and h2c with prior knowledge), nghttpd (nghttp2-server) in both forms,
# and a scripted peer (servers/h2peer.py) for resets, GOAWAY, broken
# frames and oversized heads. Output is compared byte for byte with curl
# 7.88's where curl shows the same thing.
load ../lib/common
load ../lib/http
load ../lib/h2

bats_require_minimum_version 1.5.0

setup_file() {
	NGINX_CONF_IN="$TESTS_DIR/servers/nginx_h2.conf.in" start_nginx
	head -c 5242880 /dev/urandom >"$NGINX_DIR/www/5m.bin"
	head -c 33554432 /dev/urandom >"$NGINX_DIR/www/32m.bin"
}

teardown_file() {
	stop_nginx
}

curlh() {
	timeout -k 2 20 curl -s --resolve "nk.test:$NGINX_SPORT:127.0.0.1" \
		--resolve "nk.test:$NGINX_PORT:127.0.0.1" \
		--cacert "$NGINX_DIR/certs/ca.pem" "$@"
}

# nodate: a head with its date line made fixed (two clients, two seconds).
nodate() { sed -E 's/^date: .*\r$/date: D\r/'; }

same_sha() { [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ]; }

@test "h2: https offers h2 by default, as curl; -v says so; %{http_version} is 2" {
	run -0 nkh -s -v -w '%{http_version}\n' "$(S /hello.txt)"
	[[ "$output" == *"* ALPN: offers h2,http/1.1"* ]]
	[[ "$output" == *"* ALPN: server accepted h2"* ]]
	[[ "$output" == *"> GET /hello.txt HTTP/2"* ]]
	[[ "$output" == *"< HTTP/2 200 "* ]]
	[ "${lines[-2]}" = "hello world" ]
	[ "${lines[-1]}" = 2 ]
}

@test "h2: -i and -D bytes are curl's (HTTP/2 200, lower-case names)" {
	nkh -s -i "$(S /hello.txt)" | nodate >"$BATS_TEST_TMPDIR/nk"
	curlh -i "$(S /hello.txt)" | nodate >"$BATS_TEST_TMPDIR/curl"
	cmp "$BATS_TEST_TMPDIR/nk" "$BATS_TEST_TMPDIR/curl"
	head -c 13 "$BATS_TEST_TMPDIR/nk" | cmp - <(printf 'HTTP/2 200 \r\n')
	nkh -s -D "$BATS_TEST_TMPDIR/nkd" -o /dev/null "$(S /100k.txt)"
	curlh -D "$BATS_TEST_TMPDIR/curld" -o /dev/null "$(S /100k.txt)"
	cmp <(nodate <"$BATS_TEST_TMPDIR/nkd") <(nodate <"$BATS_TEST_TMPDIR/curld")
}

@test "h2: HEAD (-I) is curl's, and the connection is kept" {
	nkh -s -I "$(S /100k.txt)" | nodate >"$BATS_TEST_TMPDIR/nk"
	curlh -I "$(S /100k.txt)" | nodate >"$BATS_TEST_TMPDIR/curl"
	cmp "$BATS_TEST_TMPDIR/nk" "$BATS_TEST_TMPDIR/curl"
	run -0 nkh -s -I -w '%{num_connects}\n' "$(S /100k.txt)" "$(S /hello.txt)"
	[ "${lines[-1]}" = 0 ]
}

@test "h2: --http1.1 and --http1.0 refuse h2 (only http/1.1 in ALPN)" {
	run -0 nkh -s -v --http1.1 -w '%{http_version}\n' "$(S /method)"
	[[ "$output" == *"* ALPN: offers http/1.1"* ]]
	[[ "$output" == *"* ALPN: server accepted http/1.1"* ]]
	[ "${lines[-2]}" = "GET HTTP/1.1" ]
	[ "${lines[-1]}" = 1.1 ]
	# nginx answers a 1.0 request in HTTP/1.1: curl shows 1.1 too
	run -0 nkh -s --http1.0 -w '%{http_version}\n' "$(S /method)"
	[ "$output" = "$(printf 'GET HTTP/1.0\n1.1')" ]
	run -0 nkh -s --http2 -w '%{http_version}\n' "$(S /method)"
	[ "$output" = "$(printf 'GET HTTP/2.0\n2')" ]
}

@test "h2: http:// stays HTTP/1.1 without --http2-prior-knowledge; with it, h2c" {
	# nginx's h2c port speaks nothing else: what was sent is what counts
	run nkh -s -v -m 3 --http2 "$(H /method)"
	[[ "$output" == *"> GET /method HTTP/1.1"* ]]
	run -0 nkh -s --http2-prior-knowledge -w '%{http_version}\n' "$(H /method)"
	[ "$output" = "$(printf 'GET HTTP/2.0\n2')" ]
}

@test "h2: a 32 MiB download is whole (sha256), over TLS and over h2c" {
	nkh -s -o "$BATS_TEST_TMPDIR/a" "$(S /32m.bin)"
	same_sha "$BATS_TEST_TMPDIR/a" "$NGINX_DIR/www/32m.bin"
	nkh -s --http2-prior-knowledge "$(H /32m.bin)" >"$BATS_TEST_TMPDIR/b"
	same_sha "$BATS_TEST_TMPDIR/b" "$NGINX_DIR/www/32m.bin"
}

@test "h2: 5 MiB up (-T FILE, -T - from a pipe) and back down, sha256 both ways" {
	run -0 nkh -s -w '%{http_code} %{http_version}' -T "$NGINX_DIR/www/5m.bin" "$(S /dav/up1.bin)"
	[ "$output" = "201 2" ]
	same_sha "$NGINX_DIR/www/5m.bin" "$NGINX_DIR/www/dav/up1.bin"
	# a pipe that has nothing for a while, then the rest
	( head -c 100000 "$NGINX_DIR/www/5m.bin"; sleep 0.3
	  tail -c +100001 "$NGINX_DIR/www/5m.bin" ) |
		nkh -s -o /dev/null -T - "$(S /dav/up2.bin)"
	same_sha "$NGINX_DIR/www/5m.bin" "$NGINX_DIR/www/dav/up2.bin"
	nkh -s --http2-prior-knowledge "$(H /dav/up2.bin)" >"$BATS_TEST_TMPDIR/back"
	same_sha "$NGINX_DIR/www/5m.bin" "$BATS_TEST_TMPDIR/back"
	# a -d body of 5 MiB (nginx takes request bodies by PUT only)
	run -0 nkh -s -o /dev/null -w '%{size_upload}' -X PUT \
		--data-binary "@$NGINX_DIR/www/5m.bin" "$(S /dav/up3.bin)"
	[ "$output" = 5242880 ]
	same_sha "$NGINX_DIR/www/5m.bin" "$NGINX_DIR/www/dav/up3.bin"
}

@test "h2: --limit-rate paces the request body's DATA frames too" {
	head -c 600000 /dev/urandom >"$BATS_TEST_TMPDIR/up"
	local t0 ms
	t0=$(date +%s%N)
	run -0 nkh -s -o /dev/null --limit-rate 400k -T "$BATS_TEST_TMPDIR/up" "$(S /dav/lr.bin)"
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	cmp "$BATS_TEST_TMPDIR/up" "$NGINX_DIR/www/dav/lr.bin"
	# 600000 bytes at 409600 a second: 1465 ms; at least 80%, at most 3x
	echo "took $ms ms" >&2
	[ "$ms" -ge 1172 ] && [ "$ms" -le 4395 ]
}

@test "h2: -d and -F bodies go in DATA frames; the method and protocol arrive" {
	run -0 nkh -s -d 'a=1' "$(S /method)"
	[ "$output" = "POST HTTP/2.0" ]
	run -0 nkh -s -F 'f=@-' "$(S /method)" <<<"form"
	[ "$output" = "POST HTTP/2.0" ]
	run -0 nkh -s --data-binary "@$NGINX_DIR/www/100k.txt" -X PUT -o /dev/null \
		-w '%{http_code} %{size_upload}' "$(S /dav/d.txt)"
	[ "$output" = "201 100000" ] # curl: 204 (nginx: the file was there)
	cmp "$NGINX_DIR/www/100k.txt" "$NGINX_DIR/www/dav/d.txt"
}

@test "h2: twenty URLs on one connection, and after a redirect chain" {
	local urls=() i
	for i in $(seq 20); do urls+=(-o /dev/null "$(S /hello.txt)"); done
	run -0 nkh -s -w '%{num_connects}' "${urls[@]}"
	[ "$output" = "1$(printf '0%.0s' $(seq 19))" ]
	[ "$(grep -c '"GET /hello.txt HTTP/2.0" 200' "$NGINX_DIR/access.log")" -ge 20 ]
	run -0 nkh -s -L -w '%{num_redirects} %{num_connects} %{http_version}\n' "$(S /r/chain1)"
	[ "$output" = "$(printf 'hello world\n2 1 2')" ]
}

@test "h2: user headers go lower-case; Host is the authority; hop-by-hop ones dropped" {
	run -0 nkh -s -H "Host: other.test:$NGINX_SPORT" -H 'Connection: close' \
		-H 'Keep-Alive: 5' -H 'Transfer-Encoding: chunked' -H 'Upgrade: h2c' \
		-b 'c=1' "$(S /show)"
	[ "$output" = "host=other.test:$NGINX_SPORT auth= cookie=c=1 proto=HTTP/2.0" ]
	run -0 nkh -s -v -o /dev/null -H 'X-Mixed-Case: V' "$(S /show)"
	[[ "$output" == *"> x-mixed-case: V"* ]]
	# CR/LF in a value is refused before anything is sent, as for 1.1
	run -2 nkh -s -H $'X: a\r\nY: b' "$(S /show)"
	[[ "$output" == *"control character"* ]]
}

@test "h2: cookies, auth, --fail and --max-filesize work as over 1.1" {
	run -0 nkh -s -c "$BATS_TEST_TMPDIR/jar" -b "$BATS_TEST_TMPDIR/jar" \
		"$(S /setcookie)" "$(S /show)"
	[ "${lines[1]}" = "host=nk.test:$NGINX_SPORT auth= cookie=h2=yes proto=HTTP/2.0" ]
	run -0 nkh -s -u 'nk:pass w0rd' "$(S /private/s.txt)"
	[ "$output" = secret ]
	run -22 nkh -s -f "$(S /private/s.txt)"
	run -63 nkh -s --max-filesize 1000 "$(S /100k.txt)"
	run -0 nkh -s -o /dev/null -w '%{json}' "$(S /hello.txt)"
	[ "$(jq -r .http_version <<<"$output")" = 2 ]
}

@test "h2: --compressed decodes a gzip body, as curl" {
	nkh -s --compressed "$(S /gz/100k.txt)" | cmp - "$NGINX_DIR/www/100k.txt"
	run -0 nkh -s --compressed -D - -o /dev/null "$(S /gz/100k.txt)"
	[[ "$output" == *$'content-encoding: gzip\r'* ]]
}

@test "h2: through a CONNECT tunnel (-x) the TLS inside still picks h2; a forwarding proxy gets 1.1" {
	local log="$BATS_TEST_TMPDIR/proxy.log" line
	start_bg "$log" "$PYTHON" "$TESTS_DIR/servers/proxy.py" \
		--map "nk.test=127.0.0.1" --record "$BATS_TEST_TMPDIR/rec"
	line=$(wait_for_line "$log" '^Listening on ') || return 1
	run -0 nkh -s -x "http://127.0.0.1:${line##*:}" -w ' %{http_version}' "$(S /method)"
	[ "$output" = "GET HTTP/2.0
 2" ]
	grep -q "^CONNECT nk.test:$NGINX_SPORT HTTP/1.1" "$BATS_TEST_TMPDIR/rec"
	# prior knowledge is not for a proxy that forwards: HTTP/1.1 to it
	run nkh -s -m 5 --http2-prior-knowledge -x "http://127.0.0.1:${line##*:}" "$(H /method)"
	grep -q "^GET http://nk.test:$NGINX_PORT/method HTTP/1.1" "$BATS_TEST_TMPDIR/rec"
}

@test "h2: nghttpd, h2c with prior knowledge and TLS" {
	nghttpd_start
	run -0 timeout 10 nk-http -s --http2-prior-knowledge -w '%{http_version}' \
		"http://127.0.0.1:$NGH/hello.txt"
	[ "$output" = "$(printf 'hello world\n2')" ]
	# a 5 MiB POST both ways: nghttpd answers any method with the file
	run -0 timeout 10 nk-http -s --http2-prior-knowledge -o "$BATS_TEST_TMPDIR/p" \
		-w '%{method} %{http_code} %{size_upload}' \
		--data-binary "@$NGINX_DIR/www/5m.bin" "http://127.0.0.1:$NGH/5m.bin"
	[ "$output" = "POST 200 5242880" ]
	same_sha "$BATS_TEST_TMPDIR/p" "$NGINX_DIR/www/5m.bin"
	nghttpd_start tls
	# shellcheck disable=SC2046
	timeout 10 nk-http $(NKR) -s --resolve "nk.test:$NGH:127.0.0.1" \
		"https://nk.test:$NGH/5m.bin" | cmp - "$NGINX_DIR/www/5m.bin"
}

@test "h2 peer: RST_STREAM is 92, with curl's message" {
	peer rst
	run -92 timeout 10 nk-http -sS --http2-prior-knowledge "$PEER/x"
	[ "$output" = "nk-http: (92) HTTP/2 stream 1 was not closed cleanly: INTERNAL_ERROR (err 2)" ]
}

@test "h2 peer: a stream refused by GOAWAY goes again on a new connection, POST too" {
	peer goaway
	run -0 timeout 10 nk-http -s -v --http2-prior-knowledge -d x "$PEER/x"
	[[ "$output" == *"was refused: the server ended the HTTP/2 connection (GOAWAY, NO_ERROR)), retrying on a new connection"* ]]
	[ "${lines[-1]}" = ok ]
}

@test "h2 peer: REFUSED_STREAM goes again on a new connection; GOAWAY after a response ends the connection's reuse" {
	peer refuse
	run -0 timeout 10 nk-http -s -w ' %{num_connects}\n' --http2-prior-knowledge -d x "$PEER/x"
	[ "$output" = "ok
 2" ]
	peer ok-goaway
	run -0 timeout 10 nk-http -s -w ' %{num_connects}\n' --http2-prior-knowledge "$PEER/a" "$PEER/b"
	[ "$output" = "ok
 1
ok
 1" ]
}

@test "h2 peer: GOAWAY or a close in the middle of a body is 18, as curl" {
	peer goaway-mid
	run -18 timeout 10 nk-http -sS --http2-prior-knowledge -o "$BATS_TEST_TMPDIR/o" "$PEER/x"
	[ "$output" = "nk-http: (18) HTTP/2 stream 1 was not closed cleanly before end of the underlying stream: the server ended the HTTP/2 connection (GOAWAY, INTERNAL_ERROR)" ]
	# the cut body is not left under the final name
	[ ! -e "$BATS_TEST_TMPDIR/o" ]
	peer eof
	run -18 timeout 10 nk-http -sS --http2-prior-knowledge -o /dev/null "$PEER/x"
	[ "$output" = "nk-http: (18) HTTP/2 stream 1 was not closed cleanly before end of the underlying stream" ]
}

@test "h2 peer: a malformed frame is 16; a head over nk's limit 56; no answer 56" {
	peer badframe
	run -16 timeout 10 nk-http -sS --http2-prior-knowledge "$PEER/x"
	[ "$output" = "nk-http: (16) HTTP/2 framing error: nk ended the connection (FRAME_SIZE_ERROR)" ]
	peer bighead
	run -56 timeout 10 nk-http -sS --http2-prior-knowledge "$PEER/x"
	[ "$output" = "nk-http: (56) HTTP/2 stream 1: the response head is larger than 307200 bytes" ]
	peer eof-head
	run -56 timeout 10 nk-http -sS --http2-prior-knowledge "$PEER/x"
	[ "$output" = "nk-http: (56) the server closed the connection before answering HTTP/2 stream 1" ]
}

@test "h2 peer: a 103 head and trailer fields show in -i and -D as curl 7.88 shows them" {
	peer early
	run -0 timeout 10 nk-http -sS -i --http2-prior-knowledge "$PEER/a"
	[ "$output" = "$(printf 'HTTP/2 103 \r\nlink: </s.css>\r\n\r\nHTTP/2 200 \r\n\r\nok\nx-sum: 42\r')" ]
	peer early
	run -0 timeout 10 nk-http -sS -D - -o /dev/null --http2-prior-knowledge "$PEER/a"
	[ "$output" = "$(printf 'HTTP/2 103 \r\nlink: </s.css>\r\n\r\nHTTP/2 200 \r\n\r\nx-sum: 42\r')" ]
}
