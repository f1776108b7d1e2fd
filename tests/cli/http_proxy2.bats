#!/usr/bin/env bats
# nk http's HTTP proxy options: -U/--proxy-user, --proxy-basic,
# -p/--proxytunnel, --proxy-header. Against tinyproxy (BasicAuth,
# CONNECT) and tests/servers/proxy.py, which records the requests, so
# that nk's bytes can be compared with curl 7.88's.
load ../lib/common
load ../lib/http

setup_file() {
	start_nginx
}

teardown_file() {
	stop_nginx
}

# start_tinyproxy: tinyproxy in the foreground with Basic credentials
# nk:s3cret; sets TP_PORT.
start_tinyproxy() {
	TP_PORT=$(fast_port)
	cat >"$BATS_TEST_TMPDIR/tinyproxy.conf" <<-EOF
		Port $TP_PORT
		Listen 127.0.0.1
		Timeout 30
		MaxClients 20
		Allow 127.0.0.1
		BasicAuth nk s3cret
		DisableViaHeader Yes
		LogLevel Info
	EOF
	start_bg "$BATS_TEST_TMPDIR/tinyproxy.log" tinyproxy -d -c "$BATS_TEST_TMPDIR/tinyproxy.conf"
	wait_port "$TP_PORT"
}

nkp() { timeout -k 2 20 nk-http -s -S --cacert "$NGINX_DIR/certs/ca.pem" "$@"; }
curlp() { timeout -k 2 20 curl -s -S --cacert "$NGINX_DIR/certs/ca.pem" "$@"; }

@test "proxy2: -U with tinyproxy's BasicAuth, forwarded and through -p's tunnel, as curl" {
	start_tinyproxy
	local url="http://localhost:$NGINX_PORT/hello.txt"
	run nkp -U nk:s3cret -x "127.0.0.1:$TP_PORT" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	run nkp --proxy-user nk:s3cret --proxy-basic -p -x "127.0.0.1:$TP_PORT" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	grep -q "Request (file descriptor [0-9]*): CONNECT localhost:$NGINX_PORT HTTP/1.1" \
		"$BATS_TEST_TMPDIR/tinyproxy.log"
	run nkp -U nk:s3cret -x "127.0.0.1:$TP_PORT" "https://localhost:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	# Wrong credentials: tinyproxy's 401 to show without -p (exit 0), a
	# failed tunnel with it (56), as curl.
	run nkp -U nk:wrong -x "127.0.0.1:$TP_PORT" -w '%{http_code}' -o /dev/null "$url"
	[ "$status" -eq 0 ]
	[ "$output" = "401" ]
	run curlp -U nk:wrong -x "127.0.0.1:$TP_PORT" -w '%{http_code}' -o /dev/null "$url"
	[ "$output" = "401" ]
	run nkp -U nk:wrong -p -x "127.0.0.1:$TP_PORT" "$url"
	[ "$status" -eq 56 ]
	[ "$output" = "nk-http: (56) CONNECT tunnel to localhost:$NGINX_PORT through proxy 127.0.0.1:$TP_PORT failed, response 401" ]
	run curlp -U nk:wrong -p -x "127.0.0.1:$TP_PORT" "$url"
	[ "$status" -eq 56 ]
}

@test "proxy2: what the proxy gets is curl's, byte for byte: forwarded, -p, --proxy-header, -U" {
	start_proxy
	local url="http://nk.test:$NGINX_PORT/hello.txt" t
	for t in curlp nkp; do
		: >"$BATS_TEST_TMPDIR/proxy.log"
		"$t" -A ua -U 'u%20x:p' --proxy-header 'X-P: 1' -H 'X-H: 2' \
			-x "127.0.0.1:$PROXY_PORT" "$url" >/dev/null
		"$t" -A ua -U 'u:p' --proxy-header 'X-P: 1' -H 'X-H: 2' -p \
			-x "127.0.0.1:$PROXY_PORT" "$url" >/dev/null
		"$t" -A ua --proxy-header 'X-P: 1' --proxy-header 'Proxy-Connection:' \
			-x "u:p@127.0.0.1:$PROXY_PORT" "https://nk.test:$NGINX_SPORT/hello.txt" >/dev/null
		"$t" -x "u:p@127.0.0.1:$PROXY_PORT" -U 'a:b' "http://u2:p2@nk.test:$NGINX_PORT/hello.txt" >/dev/null
		sed "s|curl/[0-9.]*|AGENT|; s|nk/[0-9.]*|AGENT|" "$BATS_TEST_TMPDIR/proxy.log" \
			>"$BATS_TEST_TMPDIR/$t.log"
	done
	cmp "$BATS_TEST_TMPDIR/curlp.log" "$BATS_TEST_TMPDIR/nkp.log"
	# The forwarded request carries both lists; the CONNECT only the
	# proxy's; the URL's proxy credentials win over -U.
	[ "$(tr -d '\r' <"$BATS_TEST_TMPDIR/nkp.log" | head -8)" = "GET http://nk.test:$NGINX_PORT/hello.txt HTTP/1.1
Host: nk.test:$NGINX_PORT
Proxy-Authorization: Basic dSB4OnA=
User-Agent: ua
Accept: */*
Proxy-Connection: Keep-Alive
X-H: 2
X-P: 1" ]
	grep -c "X-H" "$BATS_TEST_TMPDIR/nkp.log" | grep -qx 1
	grep -q $'^Proxy-Authorization: Basic dTpw\r$' "$BATS_TEST_TMPDIR/nkp.log"
	! grep -q 'YTpi' "$BATS_TEST_TMPDIR/nkp.log"
}

@test "proxy2: --proxy-header @FILE; a bad one is exit 2 before any traffic" {
	start_proxy
	printf 'X-One: 1\nX-Two: 2\n' >"$BATS_TEST_TMPDIR/ph"
	run nkp --proxy-header "@$BATS_TEST_TMPDIR/ph" -p -x "127.0.0.1:$PROXY_PORT" \
		"http://nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	grep -q $'^X-One: 1\r$' "$BATS_TEST_TMPDIR/proxy.log"
	grep -q $'^X-Two: 2\r$' "$BATS_TEST_TMPDIR/proxy.log"
	: >"$BATS_TEST_TMPDIR/proxy.log"
	run nkp --proxy-header $'X-Bad: a\rb' -x "127.0.0.1:$PROXY_PORT" \
		"http://nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 2 ]
	[ ! -s "$BATS_TEST_TMPDIR/proxy.log" ]
	run nkp --proxy-header "@$BATS_TEST_TMPDIR/missing" -x "127.0.0.1:$PROXY_PORT" \
		"http://nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 26 ]
}
