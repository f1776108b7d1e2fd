#!/usr/bin/env bats
# nk http / nk https against a real nginx on 127.0.0.1 (HTTP and HTTPS with
# a test CA, reached as nk.test and other.test through --resolve), and the
# scripted raw server where exact request bytes matter.
load ../lib/common
load ../lib/http

setup_file() {
	start_nginx
}

teardown_file() {
	stop_nginx
}

# nkh ARGS...: nk http with the test names resolved and the test CA
# trusted, bounded in time.
nkh() {
	# shellcheck disable=SC2046 # NKR gives separate words on purpose
	timeout -k 2 20 nk-http $(NKR) "$@"
}

H() { echo "http://nk.test:$NGINX_PORT$1"; }
S() { echo "https://nk.test:$NGINX_SPORT$1"; }

@test "http: GET over http writes the exact body" {
	run nkh "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
}

@test "http: GET over https verifies against --cacert" {
	run nkh "$(S /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
}

@test "http: a 100000-byte file arrives byte for byte" {
	nkh "$(H /100k.txt)" >"$BATS_TEST_TMPDIR/got"
	cmp "$NGINX_DIR/www/100k.txt" "$BATS_TEST_TMPDIR/got"
	nkh "$(S /random.bin)" -o "$BATS_TEST_TMPDIR/r.bin"
	cmp "$NGINX_DIR/www/random.bin" "$BATS_TEST_TMPDIR/r.bin"
}

@test "https: a URL without a scheme is https" {
	# shellcheck disable=SC2046
	run timeout 10 nk-https $(NKR) "nk.test:$NGINX_SPORT/hello.txt" -w ' %{url_effective}'
	[ "$status" -eq 0 ]
	[ "$output" = $'hello world\n'" https://nk.test:$NGINX_SPORT/hello.txt" ]
}

@test "http: a URL without a scheme is http" {
	run nkh "nk.test:$NGINX_PORT/hello.txt" -w ' %{url_effective}'
	[ "$status" -eq 0 ]
	[ "$output" = $'hello world\n'" http://nk.test:$NGINX_PORT/hello.txt" ]
}

@test "http: -I sends HEAD and shows only the head" {
	run nkh -I "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $'HTTP/1.1 200 OK\r' ]
	[[ "$output" == *$'Content-Length: 12\r'* ]]
	[[ "$output" != *"hello world"* ]]
	grep -q '"HEAD /hello.txt HTTP/1.1"' "$NGINX_DIR/access.log"
}

@test "http: -i writes the head, exactly as received, before the body" {
	nkh -i "$(H /hello.txt)" >"$BATS_TEST_TMPDIR/out"
	head -c 17 "$BATS_TEST_TMPDIR/out" | cmp - <(printf 'HTTP/1.1 200 OK\r\n')
	tail -c 21 "$BATS_TEST_TMPDIR/out" | cmp - <(printf 'bytes\r\n\r\nhello world\n')
}

@test "http: -D writes the head to a file and the body to stdout" {
	run nkh -D "$BATS_TEST_TMPDIR/h" "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	head -1 "$BATS_TEST_TMPDIR/h" | cmp - <(printf 'HTTP/1.1 200 OK\r\n')
	grep -qx $'Content-Type: text/plain\r' "$BATS_TEST_TMPDIR/h"
	run nkh -D - -o /dev/null "$(H /hello.txt)"
	[ "${lines[0]}" = $'HTTP/1.1 200 OK\r' ]
}

@test "http: default headers, -H adds and removes, -A sets the agent" {
	run nkh "$(H /ua)"
	[ "$output" = "nk/0.1.0|*/*|" ]
	run nkh -H 'X-Nk: one two' -A 'agent/1' "$(H /ua)"
	[ "$output" = "agent/1|*/*|one two" ]
	run nkh -H 'Accept:' -H 'User-Agent:' "$(H /ua)"
	[ "$output" = "||" ]
	printf 'X-Nk: from file\n' >"$BATS_TEST_TMPDIR/hdrs"
	run nkh -H "@$BATS_TEST_TMPDIR/hdrs" "$(H /ua)"
	[ "$output" = "nk/0.1.0|*/*|from file" ]
}

@test "http: the exact request bytes" {
	start_raw "$SERVERS_DIR/cases/cl-ok.case" "$BATS_TEST_TMPDIR/rec"
	run timeout 10 nk-http "http://127.0.0.1:$RAW_PORT/a%20b?q=1#frag"
	[ "$status" -eq 0 ]
	printf 'GET /a%%20b?q=1 HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nUser-Agent: nk/0.1.0\r\nAccept: */*\r\n\r\n' \
		"$RAW_PORT" | cmp - "$BATS_TEST_TMPDIR/rec/conn-1"
}

@test "http: an IPv6 literal URL" {
	start_raw "$SERVERS_DIR/cases/cl-ok.case" "$BATS_TEST_TMPDIR/rec" ::1
	run timeout 10 nk-http -w ' %{remote_ip} %{remote_port}' "http://[::1]:$RAW_PORT/v6"
	[ "$status" -eq 0 ]
	[ "$output" = "hello ::1 $RAW_PORT" ]
	printf 'GET /v6 HTTP/1.1\r\nHost: [::1]:%s\r\nUser-Agent: nk/0.1.0\r\nAccept: */*\r\n\r\n' \
		"$RAW_PORT" | cmp - "$BATS_TEST_TMPDIR/rec/conn-1"
}

@test "http: --http1.0, -u, -e and --compressed in the request" {
	start_raw "$SERVERS_DIR/cases/cl-ok.case" "$BATS_TEST_TMPDIR/rec"
	run timeout 10 nk-http -0 -u 'user:pa ss' -e http://ref.test/ --compressed \
		"http://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 0 ]
	printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1:%s\r\nAuthorization: Basic dXNlcjpwYSBzcw==\r\nUser-Agent: nk/0.1.0\r\nAccept: */*\r\nAccept-Encoding: deflate, gzip, br, zstd\r\nReferer: http://ref.test/\r\n\r\n' \
		"$RAW_PORT" | cmp - "$BATS_TEST_TMPDIR/rec/conn-1"
}

@test "http: CR, LF or NUL never reach the wire" {
	start_raw "$SERVERS_DIR/cases/cl-ok.case" "$BATS_TEST_TMPDIR/rec"
	local url="http://127.0.0.1:$RAW_PORT/"
	run timeout 10 nk-http -H $'X-A: a\r\nX-Injected: 1' "$url"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	run timeout 10 nk-http -H $'X-A\r\n: a' "$url"
	[ "$status" -eq 2 ]
	run timeout 10 nk-http -X $'GET / HTTP/1.1\r\nX:' "$url"
	[ "$status" -eq 2 ]
	run timeout 10 nk-http -A $'a\rb' "$url"
	[ "$status" -eq 2 ]
	# In a URL they are refused (the URL Standard would drop them)...
	run timeout 10 nk-http "http://127.0.0.1:$RAW_PORT/a"$'\r\n'"X: y"
	[ "$status" -eq 3 ]
	[ "$output" = "nk-http: (3) invalid URL: control character \\x0d at position $((17 + ${#RAW_PORT} + 3))" ]
	# ... and percent-encoded ones stay encoded.
	run timeout 10 nk-http "http://127.0.0.1:$RAW_PORT/a%0d%0aX:%20y"
	[ "$status" -eq 0 ]
	[ ! -e "$BATS_TEST_TMPDIR/rec/conn-2" ]
	head -1 "$BATS_TEST_TMPDIR/rec/conn-1" | cmp - <(printf 'GET /a%%0d%%0aX:%%20y HTTP/1.1\r\n')
	run timeout 10 nk-http "http://127.0.0.1:$RAW_PORT:x/"
	[ "$status" -eq 3 ]
}

@test "http: -u reaches a basic-auth location; -f fails on 401" {
	run nkh -u 'nk:pass w0rd' "$(S /private/s.txt)"
	[ "$status" -eq 0 ]
	[ "$output" = "secret" ]
	run nkh -o /dev/null -w '%{http_code}' -u nk "$(S /private/s.txt)"
	[ "$output" = "401" ]
	run nkh -L -u nk "$(H /r/samehost)"
	[ "$output" = "host=nk.test:$NGINX_PORT auth=Basic bms6 cookie= referer=" ]
	run nkh -f -u 'nk:wrong' "$(S /private/s.txt)"
	[ "$status" -eq 22 ]
	[ "$output" = "nk-http: (22) The requested URL returned error: 401" ]
}

@test "http: -f on 404 writes no body and no file, exit 22" {
	run nkh -f "$(H /status/404)"
	[ "$status" -eq 22 ]
	[ "$output" = "nk-http: (22) The requested URL returned error: 404" ]
	cd "$BATS_TEST_TMPDIR"
	run nkh -f -o out "$(H /status/404)"
	[ "$status" -eq 22 ]
	[ "$(ls -A)" = "" ]
	run nkh --fail-with-body -o out "$(H /status/404)"
	[ "$status" -eq 22 ]
	[ "$(cat out)" = "not here" ]
	run nkh -s "$(H /status/404)"
	[ "$status" -eq 0 ]
	[ "$output" = "not here" ]
}

@test "redirect: -L follows 301, 302 and 303 with GET" {
	for code in 301 302 303; do
		run nkh -L "$(H /r/$code)"
		[ "$status" -eq 0 ]
		[ "$output" = "hello world" ]
	done
	run nkh -L -X POST "$(H /r/302m)"
	[ "$output" = "GET" ]
}

@test "redirect: 307 and 308 keep the method" {
	run nkh -L -X POST "$(H /r/307)"
	[ "$output" = "POST" ]
	run nkh -L -X PUT "$(H /r/308)"
	[ "$output" = "PUT" ]
}

@test "redirect: without -L the 3xx is the result" {
	run nkh -s -w '%{http_code} %{redirect_url}' -o /dev/null "$(H /r/302)"
	[ "$status" -eq 0 ]
	[ "$output" = "302 http://nk.test:$NGINX_PORT/hello.txt" ]
}

@test "redirect: a chain, a relative Location, and counts" {
	run nkh -L -w ' %{num_redirects} %{http_code} %{url_effective}' "$(H /r/chain1)"
	[ "$output" = $'hello world\n'" 3 200 http://nk.test:$NGINX_PORT/hello.txt" ]
	run nkh -L "$(H /r/relative)"
	[ "$output" = "hello world" ]
}

@test "redirect: a loop ends with 47; --max-redirs bounds a chain" {
	run nkh -L "$(H /r/loop)"
	[ "$status" -eq 47 ]
	[ "$output" = "nk-http: (47) Maximum (50) redirects followed" ]
	run nkh -L --max-redirs 2 "$(H /r/chain1)"
	[ "$status" -eq 47 ]
	run nkh -L --max-redirs 3 "$(H /r/chain1)"
	[ "$status" -eq 0 ]
	run nkh -L --max-redirs 0 "$(H /r/301)"
	[ "$status" -eq 47 ]
	[ "$output" = "nk-http: (47) Maximum (0) redirects followed" ]
}

@test "redirect: a non-http target is refused with exit 1, naming it" {
	run nkh -L "$(H /r/ftp)"
	[ "$status" -eq 1 ]
	[ "$output" = "nk-http: (1) Refusing to follow a redirect to ftp://nk.test/file.txt: only http and https are followed" ]
}

@test "redirect: http to https" {
	run nkh -L -w ' %{num_connects}' "$(H /r/tohttps)"
	[ "$status" -eq 0 ]
	[ "$output" = $'hello world\n 2' ]
}

@test "redirect: credentials stay with the host the user named" {
	# Same host: -u and the -H headers go along.
	run nkh -L -u nk:pw -H 'Cookie: c=1' "$(H /r/samehost)"
	[ "$output" = "host=nk.test:$NGINX_PORT auth=Basic bms6cHc= cookie=c=1 referer=" ]
	run nkh -L -H 'Authorization: Bearer t' "$(H /r/samehost)"
	[ "$output" = "host=nk.test:$NGINX_PORT auth=Bearer t cookie= referer=" ]
	# Another host: none of them.
	local creds=(-u nk:pw -H 'Cookie: c=1')
	run nkh -L "${creds[@]}" "$(H /r/other)"
	[ "$status" -eq 0 ]
	[ "$output" = "host=other.test:$NGINX_PORT auth= cookie= referer=" ]
	run nkh -L -H 'Authorization: Bearer t' "$(H /r/other)"
	[ "$output" = "host=other.test:$NGINX_PORT auth= cookie= referer=" ]
	# Same host, another port and scheme: none either.
	run nkh -L "${creds[@]}" "$(H /r/otherport)"
	[ "$output" = "host=nk.test:$NGINX_SPORT auth= cookie= referer=" ]
}

@test "redirect: --referer URL;auto sets Referer on each hop" {
	run nkh -L -e 'http://start.test/;auto' "$(H /r/samehost)"
	[ "$output" = "host=nk.test:$NGINX_PORT auth= cookie= referer=http://nk.test:$NGINX_PORT/r/samehost" ]
}

@test "verbose: the steps, the request head and the response head" {
	run nkh -v -o /dev/null "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "* Resolved nk.test in "*" ms (--resolve)" ]]
	[ "${lines[1]}" = "*   Trying 127.0.0.1:$NGINX_PORT... connected" ]
	[ "${lines[2]}" = "* Connected to nk.test (127.0.0.1) port $NGINX_PORT (#0)" ]
	[ "${lines[3]}" = "> GET /hello.txt HTTP/1.1" ]
	[ "${lines[4]}" = "> Host: nk.test:$NGINX_PORT" ]
	[ "${lines[7]}" = "> " ]
	[ "${lines[8]}" = "< HTTP/1.1 200 OK" ]
	[ "${lines[-1]}" = "* Connection #0 to nk.test left intact" ]
}

@test "reuse: several URLs to one host share one connection" {
	run nkh -v -o /dev/null -o /dev/null -o /dev/null "$(H /hello.txt)" \
		"$(H /100k.txt)" "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^\* Connected to' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^\* Re-using existing connection #0 with host nk.test' <<<"$output")" -eq 2 ]
	run nkh -w '%{num_connects} ' -o /dev/null -o /dev/null \
		"$(S /hello.txt)" "$(S /hello.txt)"
	[ "$output" = "1 0 " ]
}

@test "reuse: a connection the server closed while idle is replaced" {
	cat >"$BATS_TEST_TMPDIR/c.case" <<-'EOF'
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\none\n
	pause 300
	close
	conn
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ntwo\n
	EOF
	start_raw "$BATS_TEST_TMPDIR/c.case" "$BATS_TEST_TMPDIR/rec"
	local u="http://127.0.0.1:$RAW_PORT"
	run timeout 10 nk-http "$u/1" "$u/2"
	[ "$status" -eq 0 ]
	[ "$output" = $'one\ntwo' ]
	head -1 "$BATS_TEST_TMPDIR/rec/conn-2" | cmp - <(printf 'GET /2 HTTP/1.1\r\n')
	# The same after the server's FIN arrived, with nk waiting in between.
	cat >"$BATS_TEST_TMPDIR/d.case" <<-'EOF'
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\none\n
	close
	conn
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ntwo\n
	conn
	recv
	pause 1500
	send HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nthree\n
	EOF
	start_raw "$BATS_TEST_TMPDIR/d.case"
	u="http://127.0.0.1:$RAW_PORT"
	run timeout 10 nk-http -v "$u/1" "$u/2"
	[ "$status" -eq 0 ]
	[[ "$output" == *$'one\n'* ]]
	[[ "$output" == *$'two'* ]]
}

@test "reuse: a keep-alive connection carries two requests, recorded" {
	cat >"$BATS_TEST_TMPDIR/k.case" <<-'EOF'
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\none\n
	recv
	send HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\ntwo\n\r\n0\r\n\r\n
	recv
	send HTTP/1.1 204 No Content\r\n\r\n
	drain
	EOF
	start_raw "$BATS_TEST_TMPDIR/k.case" "$BATS_TEST_TMPDIR/rec"
	local u="http://127.0.0.1:$RAW_PORT"
	run timeout 10 nk-http "$u/1" "$u/2" "$u/3"
	[ "$status" -eq 0 ]
	[ "$output" = $'one\ntwo' ]
	[ "$(grep -c '^GET' "$BATS_TEST_TMPDIR/rec/conn-1")" -eq 3 ]
	[ ! -e "$BATS_TEST_TMPDIR/rec/conn-2" ]
}

@test "gzip: --compressed decodes what nginx compresses" {
	run nkh --compressed -D "$BATS_TEST_TMPDIR/h" -o "$BATS_TEST_TMPDIR/out" "$(S /gz/100k.txt)"
	[ "$status" -eq 0 ]
	grep -qx $'Content-Encoding: gzip\r' "$BATS_TEST_TMPDIR/h"
	cmp "$NGINX_DIR/www/gz/100k.txt" "$BATS_TEST_TMPDIR/out"
	# Without it the body is the gzip stream, as sent.
	nkh -H 'Accept-Encoding: gzip' "$(H /gz/100k.txt)" | gzip -dc | cmp - "$NGINX_DIR/www/gz/100k.txt"
}

@test "write-out: curl's variables" {
	run nkh -o /dev/null -w '%{http_code} %{size_download} %{content_type} %{remote_ip} %{remote_port} %{exitcode} %{num_redirects} %{method} %{scheme}\n' "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$output" = "200 12 text/plain 127.0.0.1 $NGINX_PORT 0 0 GET http" ]
	run nkh -o /dev/null -w '%header{content-length}|%header{x-none}|%{http_version}|100%%|a\tb\\n' "$(S /hello.txt)"
	[ "$output" = $'12||1.1|100%|a\tb\\n' ]
	run nkh -o /dev/null -w '%{stderr}to stderr%{stdout}' "$(H /hello.txt)"
	[ "$output" = "to stderr" ]
	run nkh -o /dev/null -w '%{nosuch}x' "$(H /hello.txt)"
	[ "$output" = $'nk-http: unknown --write-out variable: \'nosuch\'\nx' ]
	run nkh -o /dev/null -w '%{onerror}failed' "$(H /hello.txt)"
	[ "$output" = "" ]
	run nkh -o /dev/null -w '%{header_json}' "$(H /hello.txt)"
	[ "$(jq -r '."content-type"[0], ."content-length"[0]' <<<"$output")" = $'text/plain\n12' ]
	printf '%%{http_code}\\n' >"$BATS_TEST_TMPDIR/fmt"
	run nkh -o /dev/null -w "@$BATS_TEST_TMPDIR/fmt" "$(H /status/404)"
	[ "$output" = "404" ]
}

@test "write-out: sizes and times add up" {
	run nkh -o /dev/null -w '%{size_header} %{size_request} %{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} %{time_total}' "$(S /hello.txt)"
	[ "$status" -eq 0 ]
	read -r sh sr tn tc ta tp ts tt <<<"$output"
	[ "$sh" -gt 100 ] && [ "$sr" -gt 50 ]
	# Each phase starts after the one before.
	awk -v a="$tn" -v b="$tc" -v c="$ta" -v d="$tp" -v e="$ts" -v f="$tt" \
		'BEGIN { exit !(a <= b && b < c && c <= d && d < e && e <= f && f < 5) }'
}

@test "write-out: %{json} lists every hop and every address tried" {
	# ::1 is tried and refused (nginx listens on 127.0.0.1 only).
	run timeout 10 nk-http -L --cacert "$NGINX_DIR/certs/ca.pem" \
		--resolve "nk.test:$NGINX_PORT:::1,127.0.0.1" \
		--resolve "nk.test:$NGINX_SPORT:127.0.0.1" \
		-o /dev/null -w '%{json}' "$(H /r/tohttps)"
	[ "$status" -eq 0 ]
	local j=$output
	[ "$(jq -r '.http_code, .num_redirects, .url_effective, (.hops|length)' <<<"$j")" = \
	  "$(printf '200\n1\nhttps://nk.test:%s/hello.txt\n2' "$NGINX_SPORT")" ]
	[ "$(jq -r '.hops[0].http_code, .hops[0].redirect_url, .hops[1].tls.version' <<<"$j")" = \
	  "$(printf '302\nhttps://nk.test:%s/hello.txt\nTLSv1.3' "$NGINX_SPORT")" ]
	[ "$(jq -r '.hops[0].attempts | map(.address + " " + .result + " " + (.why // "-")) | .[]' <<<"$j")" = \
	  "$(printf '::1 COULDNT_CONNECT Connection refused\n127.0.0.1 OK -')" ]
	jq -e '.hops[1].time_start > 0 and .hops[1].time_total > 0 and .time_total >= .hops[1].time_start' <<<"$j"
}

@test "write-out: a failed connect reports exit code, message and attempts" {
	local port; port=$(fast_port)
	run timeout 10 nk-http -s -w '%{exitcode}|%{errormsg}|%{http_code}\n%{json}%{onerror}\nfailed' "http://127.0.0.1:$port/"
	[ "$status" -eq 7 ]
	[ "${lines[0]}" = "7|Failed to connect to 127.0.0.1 port $port: Connection refused|000" ]
	[ "$(jq -r '.exitcode, .hops[0].attempts[0].result, .hops[0].attempts[0].why' <<<"${lines[1]}")" = \
	  "$(printf '7\nCOULDNT_CONNECT\nConnection refused')" ]
	[ "${lines[2]}" = "failed" ]
}

@test "errors: exit codes 6 and 7, one line each" {
	run timeout 10 nk-http --resolve nosuch.test:80:127.0.0.1 http://no.such.host.invalid/
	[ "$status" -eq 6 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "nk-http: (6) "*"no.such.host.invalid"* ]]
	run timeout 10 nk-http "http://127.0.0.1:$(fast_port)/"
	[ "$status" -eq 7 ]
	[ "${#lines[@]}" -eq 1 ]
	run timeout 10 nk-http -s "http://127.0.0.1:$(fast_port)/"
	[ "$status" -eq 7 ]
	[ "$output" = "" ]
	run timeout 10 nk-http -sS "http://127.0.0.1:$(fast_port)/"
	[ "${#lines[@]}" -eq 1 ]
}

@test "errors: usage mistakes exit 2" {
	run nk-http
	[ "$status" -eq 2 ]
	run nk-http --no-such-option http://x/
	[ "$status" -eq 2 ]
	run nk-http --max-time abc http://x/
	[ "$status" -eq 2 ]
	run nk-http -C - http://x/
	[ "$status" -eq 2 ]
	run nk-http --resolve bad http://x/
	[ "$status" -eq 49 ]
	run nk-http "gopher://nk.test/"
	[ "$status" -eq 1 ]
	[ "$output" = 'nk-http: (1) Protocol "gopher" not supported: nk http fetches http and https URLs' ]
}

@test "errors: the exit status is the last URL's, as curl 7.88's (an earlier failure is not remembered)" {
	# curl 7.88 here: the same three commands give 0, 0 and 7
	run nkh -s -o /dev/null -o /dev/null -o /dev/null "$(H /hello.txt)" \
		"http://127.0.0.1:$(fast_port)/" "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	run nkh -s -f -o /dev/null -o /dev/null -o /dev/null "$(H /status/404)" \
		"http://127.0.0.1:$(fast_port)/" "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	run nkh -s -o /dev/null -o /dev/null "$(H /hello.txt)" \
		"http://127.0.0.1:$(fast_port)/"
	[ "$status" -eq 7 ]
	run nkh -f -s --fail-early -o /dev/null "$(H /status/404)" "http://127.0.0.1:$(fast_port)/"
	[ "$status" -eq 22 ]
}

@test "retry: each retry is announced (not with -s), and counted" {
	start_raw "$SERVERS_DIR/cases/retry-503.case"
	run timeout 10 nk-http --retry 2 -w ' %{num_retries} %{http_code}' "http://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 0 ]
	[ "$output" = $'nk-http: Transient problem: HTTP error 503 (transient). Will retry in 0.0 seconds, 2 retries left.\nok\n 1 200' ]
	start_raw "$SERVERS_DIR/cases/retry-503.case"
	run timeout 10 nk-http --retry 2 -s "http://127.0.0.1:$RAW_PORT/"
	[ "$output" = "ok" ]
}

@test "connect-to and -4/-6 reach the server by another route" {
	run timeout 10 nk-http --connect-to "elsewhere.test:80:127.0.0.1:$NGINX_PORT" \
		http://elsewhere.test/hello.txt
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	run timeout 10 nk-http -6 "http://127.0.0.1:$NGINX_PORT/hello.txt"
	[ "$status" -ne 0 ]
	run timeout 10 nk-http -4 "http://localhost:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
}

@test "--max-filesize stops a large body before anything is written" {
	cd "$BATS_TEST_TMPDIR"
	run nkh --max-filesize 99999 -o out "$(H /100k.txt)"
	[ "$status" -eq 63 ]
	[ "$(ls -A)" = "" ]
	run nkh --max-filesize 100k -o out "$(H /100k.txt)"
	[ "$status" -eq 0 ]
	# Decoded bytes count: a small gzip body that inflates past the limit.
	run nkh --compressed --max-filesize 50000 -o out2 "$(H /gz/100k.txt)"
	[ "$status" -eq 63 ]
	[ ! -e out2 ]
}

@test "version and help" {
	run nk-http --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "nk-http 0.1.0 (libnk 0.1.0)" ]]
	[[ "${lines[1]}" == OpenSSL* ]]
	run nk-http --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--write-out FORMAT"* ]]
}
