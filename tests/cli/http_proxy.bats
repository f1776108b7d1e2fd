#!/usr/bin/env bats
# nk http through an HTTP proxy (tests/servers/proxy.py): -x, the
# http_proxy / https_proxy / no_proxy variables, CONNECT tunnels for https,
# proxy credentials, and failures.
load ../lib/common
load ../lib/http

setup_file() {
	start_nginx
}

teardown_file() {
	stop_nginx
}

# The request lines the proxy saw.
seen() { grep -a -E '^[A-Z]+ ' "$BATS_TEST_TMPDIR/proxy.log" | tr -d '\r'; }

# Only the CA: names resolve at the proxy (its --map), not in nk.
nkp() { timeout -k 2 20 nk-http -s -S --cacert "$NGINX_DIR/certs/ca.pem" "$@"; }

@test "proxy: -x sends an absolute-form request for http://" {
	start_proxy
	run nkp -x "127.0.0.1:$PROXY_PORT" "http://nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	[ "$(seen)" = "GET http://nk.test:$NGINX_PORT/hello.txt HTTP/1.1" ]
}

@test "proxy: https:// goes through a CONNECT tunnel" {
	start_proxy
	run nkp -x "http://127.0.0.1:$PROXY_PORT" -w ' %{json}' \
		"https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hello world" ]
	[ "$(seen)" = "CONNECT nk.test:$NGINX_SPORT HTTP/1.1" ]
	local j=${lines[1]# }
	[ "$(jq -r '.hops[0].proxied, .hops[0].tls.verify_ok' <<<"$j")" = $'true\ntrue' ]
}

@test "proxy: http_proxy and https_proxy from the environment" {
	start_proxy
	http_proxy="127.0.0.1:$PROXY_PORT" run nkp "http://nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	HTTPS_PROXY="http://127.0.0.1:$PROXY_PORT" run nkp "https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$(seen)" = "GET http://nk.test:$NGINX_PORT/hello.txt HTTP/1.1
CONNECT nk.test:$NGINX_SPORT HTTP/1.1" ]
}

@test "proxy: HTTP_PROXY in upper case is ignored, as curl ignores it" {
	start_proxy
	HTTP_PROXY="127.0.0.1:$PROXY_PORT" run nkp "http://127.0.0.1:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$(seen)" = "" ]
}

@test "proxy: no_proxy and --noproxy go direct" {
	start_proxy
	local r="--resolve=nk.test:$NGINX_PORT:127.0.0.1"
	http_proxy="127.0.0.1:$PROXY_PORT" no_proxy="example.org, nk.test" \
		run nkp "$r" "http://nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	http_proxy="127.0.0.1:$PROXY_PORT" no_proxy=".test" \
		run nkp "$r" "http://nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	http_proxy="127.0.0.1:$PROXY_PORT" NO_PROXY="127.0.0.0/8" \
		run nkp "http://127.0.0.1:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	run nkp -x "127.0.0.1:$PROXY_PORT" --noproxy '*' "$r" "http://nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	http_proxy="127.0.0.1:$PROXY_PORT" run nkp -x "" "$r" "http://nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$(seen)" = "" ]
	# A name that only ends like an entry is not under it.
	http_proxy="127.0.0.1:$PROXY_PORT" no_proxy="k.test" \
		run nkp "http://nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$(seen)" = "GET http://nk.test:$NGINX_PORT/hello.txt HTTP/1.1" ]
}

@test "proxy: credentials in the proxy URL, for requests and tunnels" {
	start_proxy --auth 'u:p w'
	run nkp -x "http://u:p%20w@127.0.0.1:$PROXY_PORT" "http://nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	grep -qx $'Proxy-Authorization: Basic dTpwIHc=\r' "$BATS_TEST_TMPDIR/proxy.log"
	run nkp -x "http://u:p%20w@127.0.0.1:$PROXY_PORT" "https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	# Without them: a 407 for http (no -f: exit 0), a failed tunnel (56).
	run nkp -x "127.0.0.1:$PROXY_PORT" -w '%{http_code}' "http://nk.test:$NGINX_PORT/hello.txt"
	[ "$output" = "407" ]
	run nkp -x "127.0.0.1:$PROXY_PORT" "https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 56 ]
	[ "$output" = "nk-http: (56) CONNECT tunnel to nk.test:$NGINX_SPORT through proxy 127.0.0.1:$PROXY_PORT failed, response 407" ]
}

@test "proxy: unreachable (7), unknown name (5), unsupported scheme (7)" {
	run nkp -x "127.0.0.1:$(fast_port)" "http://nk.test:$NGINX_PORT/"
	[ "$status" -eq 7 ]
	run nkp -x "proxy.invalid:3128" "http://nk.test:$NGINX_PORT/"
	[ "$status" -eq 5 ]
	[[ "$output" == "nk-http: (5) Could not resolve proxy: proxy.invalid" ]]
	run nkp -x "socks6://127.0.0.1:1080" "http://nk.test:$NGINX_PORT/"
	[ "$status" -eq 7 ]
	[[ "$output" == *'unsupported proxy scheme "socks6"'* ]]
}
