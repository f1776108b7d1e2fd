#!/usr/bin/env bats
# nk http's cookies (-b, -c, -j): the Cookie headers on the wire and the
# cookie jar file, byte for byte against what curl 7.88 sends and writes
# for the same server (rawhttp.py, one connection per request).
load ../lib/common
load ../lib/http

bats_require_minimum_version 1.5.0

setup() {
	D=$BATS_TEST_TMPDIR
	curl --version 2>/dev/null | grep -q '^curl 7\.88\.' ||
		skip "curl 7.88 is the reference and is not installed"
	# An expiry within RFC 6265bis's 400 days, where nk and curl agree.
	EXP=$(date -u -d '+2 days' '+%a, %d %b %Y %H:%M:%S GMT')
}

# serve RESPONSE...: a case file of one connection per response.
serve() {
	raw_serve "$D/c.case" "$@"
}

# set_cookies LINE...: a 200 response with these Set-Cookie values.
ok_with() {
	local h="HTTP/1.1 200 OK\\r\\nConnection: close\\r\\n" l
	for l in "$@"; do h+="Set-Cookie: $l\\r\\n"; done
	printf '%s' "${h}Content-Length: 2\\r\\n\\r\\nok"
}

# redirect_with LOCATION LINE...: a 302 with these Set-Cookie values.
redirect_with() {
	local h="HTTP/1.1 302 Found\\r\\nConnection: close\\r\\nLocation: $1\\r\\n" l
	shift
	for l in "$@"; do h+="Set-Cookie: $l\\r\\n"; done
	printf '%s' "${h}Content-Length: 0\\r\\n\\r\\n"
}

# run CLIENT ARGS...: CLIENT -s ARGS against $D/c.case (@PORT@ is the
# port; www.nk.test and other.test resolve to the server); leaves $rc and
# the requests in $D/CLIENT.req, their User-Agent and port made neutral.
run_client() {
	local client=$1 a args=() rec
	shift
	rec=$(mktemp -d "$D/rec.XXXX")
	start_raw "$D/c.case" "$rec"
	for a in "$@"; do args+=("${a//@PORT@/$RAW_PORT}"); done
	rc=0
	timeout -k 2 20 "$client" -s --resolve "www.nk.test:$RAW_PORT:127.0.0.1" \
		--resolve "other.test:$RAW_PORT:127.0.0.1" "${args[@]}" \
		</dev/null >/dev/null 2>"$D/err" || rc=$?
	stop_raw
	raw_requests "$rec" >"$D/$(basename "$client").req"
}

# as_curl ARGS...: nk sends what curl sends, exits as it does, and writes
# the same jar ($D/jar.nk-http against $D/jar.curl, when -c @JAR@).
as_curl() {
	local a nk=() cu=()
	for a in "$@"; do nk+=("${a//@JAR@/$D/jar.nk-http}"); cu+=("${a//@JAR@/$D/jar.curl}"); done
	run_client nk-http "${nk[@]}"
	local nkrc=$rc
	run_client curl "${cu[@]}"
	if ! cmp "$D/curl.req" "$D/nk-http.req"; then
		diff "$D/curl.req" "$D/nk-http.req" >&2 || true
		return 1
	fi
	[ "$nkrc" = "$rc" ] || { echo "exit $nkrc, curl $rc" >&2; return 1; }
	if [ -e "$D/jar.curl" ]; then
		diff "$D/jar.curl" "$D/jar.nk-http" >&2
	fi
}

U=http://www.nk.test:@PORT@

@test "cookies: Set-Cookie variants over a redirect, sent and saved as curl" {
	serve "$(redirect_with /two 'a=1; Path=/' 'bb=2; Path=/two; HttpOnly' \
		's=3; Secure' "e=4; Expires=$EXP; SameSite=Lax" 'd=5; Domain=nk.test' \
		'p=6; Domain=co.uk' 'q=7; domain=.nk.test; path=/one' 'bad' '=; x')" \
		"$(ok_with 'a=10; Path=/')" "$(ok_with)"
	as_curl -L -c @JAR@ -H 'X-A: b' -e ref "$U/one/x" "$U/two/y"
	grep -qx $'Cookie: bb=2; a=10\r' "$D/nk-http.req"

	# Refused: Secure over http, a public suffix, no '='.
	! grep -q 's=3\|p=6\|bad' "$D/jar.nk-http"
	grep -q "co.uk" "$D/jar.nk-http" && return 1
	# The jar lists the replaced a=10 in a=1's place (its age is kept).
	tail -1 "$D/jar.nk-http" | grep -q "	a	10$"
}

@test "cookies: -b NAME=VALUE goes after the jar's cookies, and a file is read" {
	serve "$(ok_with)"
	printf 'www.nk.test\tFALSE\t/\tFALSE\t0\tf\tv\n#HttpOnly_.nk.test\tTRUE\t/\tFALSE\t0\tg\tw\n' >"$D/in"
	as_curl -b "$D/in" "$U/"
	grep -qx $'Cookie: f=v; g=w\r' "$D/nk-http.req"
	as_curl -b 'x=1; y=2' "$U/"
	grep -qx $'Cookie: x=1; y=2\r' "$D/nk-http.req"
	serve "$(redirect_with /r 'j=1')" "$(ok_with)"
	as_curl -L -b 'x=1; y=2' -c @JAR@ "$U/"
	grep -qx $'Cookie: j=1; x=1; y=2\r' "$D/nk-http.req"
}

# two_hosts CLIENT ARGS...: www.nk.test redirects to other.test (another
# server, so the Location can name its port); the requests each server got
# in $D/CLIENT.a and $D/CLIENT.b.
two_hosts() {
	local client=$1
	shift
	mkdir -p "$D/$client.ra" "$D/$client.rb"
	serve "$(ok_with 'o=3')"
	start_raw "$D/c.case" "$D/$client.rb"
	local pid_b=$RAW_PID port_b=$RAW_PORT
	serve "$(redirect_with "http://other.test:$port_b/o" 'a=1' 'h=2; Domain=nk.test')"
	start_raw "$D/c.case" "$D/$client.ra"
	rc=0
	timeout -k 2 20 "$client" -s -L --resolve "www.nk.test:$RAW_PORT:127.0.0.1" \
		--resolve "other.test:$port_b:127.0.0.1" "$@" \
		"http://www.nk.test:$RAW_PORT/" >/dev/null 2>"$D/err" || rc=$?
	stop_raw
	RAW_PID=$pid_b stop_raw
	grep -h '^Cookie' "$D/$client.ra"/conn-* >"$D/$client.a" || true
	grep -h '^Cookie' "$D/$client.rb"/conn-* >"$D/$client.b" || true
}

@test "cookies: a redirect to another host takes only that host's cookies, never -H Cookie" {
	printf 'www.nk.test\tFALSE\t/\tFALSE\t0\tk\t1\n' >"$D/in"
	for c in nk-http curl; do
		two_hosts "$c" -b "$D/in" -c "$D/jar.$c" -H 'Cookie: mine=1'
		[ "$rc" -eq 0 ]
	done
	printf 'Cookie: k=1\r\nCookie: mine=1\r\n' | cmp - "$D/nk-http.a"
	[ ! -s "$D/nk-http.b" ]
	cmp "$D/curl.a" "$D/nk-http.a"
	cmp "$D/curl.b" "$D/nk-http.b"
	sed 's/:[0-9]*//' "$D/jar.curl" | diff - <(sed 's/:[0-9]*//' "$D/jar.nk-http")
}

@test "cookies: Max-Age=0 and an Expires in the past delete, -j drops session cookies" {
	printf 'www.nk.test\tFALSE\t/\tFALSE\t0\ts\t1\nwww.nk.test\tFALSE\t/\tFALSE\t4102444800\tm\t2\nwww.nk.test\tFALSE\t/\tFALSE\t4102444800\tx\t3\nwww.nk.test\tFALSE\t/\tFALSE\t4102444800\tk\t4\n' >"$D/in"
	serve "$(redirect_with /2 'm=; Max-Age=0' 'x=; Expires=Thu, 01 Jan 1970 00:00:01 GMT')" "$(ok_with)"
	# curl reads the -b file again before it writes the jar, so the
	# deleted cookies come back in its jar: the wire is compared, and
	# nk's jar holds what the server left (DIFFERENCES FROM CURL).
	as_curl -L -j -b "$D/in" "$U/"
	run_client nk-http -L -j -b "$D/in" -c "$D/jar" "$U/"
	[ "$(grep -c nk.test "$D/jar")" = 1 ]
	grep -q '	k	4$' "$D/jar"
	printf 'Cookie: k=4; x=3; m=2\r\nCookie: k=4\r\n' | cmp - <(grep -h '^Cookie' "$D/nk-http.req")
}

@test "cookies: the jar is written when the transfer fails" {
	serve "HTTP/1.1 200 OK\\r\\nSet-Cookie: a=1\\r\\nContent-Length: 10\\r\\n\\r\\nabc"
	as_curl -c @JAR@ "$U/"
	[ "$rc" -eq 18 ]
	grep -q '	a	1$' "$D/jar.nk-http"
}

@test "cookies: curl's jar is read by nk and nk's by curl" {
	serve "$(ok_with "c=1; Expires=$EXP" 'h=2; HttpOnly; Domain=nk.test' 'p=3; Path=/x')"
	run_client curl -c "$D/cj" "$U/x/y"
	run_client nk-http -c "$D/nj" "$U/x/y"
	cmp "$D/cj" "$D/nj"
	serve "$(ok_with)"
	run_client nk-http -b "$D/cj" "$U/x/z"
	grep -qx $'Cookie: c=1; h=2; p=3\r' "$D/nk-http.req"
	run_client curl -b "$D/nj" "$U/x/z"
	cmp "$D/nk-http.req" "$D/curl.req"
}

@test "cookies: a cookie file that does not exist starts an empty jar; -c - writes to stdout" {
	serve "$(ok_with 'a=1')"
	run_client nk-http -b "$D/none" "$U/"
	[ "$rc" -eq 0 ]
	run nk-http -s -c - --resolve "www.nk.test:1:127.0.0.1" http://www.nk.test:1/
	[ "$status" -eq 7 ]
	[ "${lines[0]}" = "# Netscape HTTP Cookie File" ]
}
