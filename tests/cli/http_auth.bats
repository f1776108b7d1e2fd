#!/usr/bin/env bats
# nk http's --digest, --anyauth, --basic and --oauth2-bearer: against a
# real Apache (tests/servers/apache_auth.sh: Digest and Basic areas), and
# against rawhttp.py recording peers whose request bytes must equal curl
# 7.88's for the same command (modulo User-Agent, the port, and Digest's
# random cnonce and the response hash that depends on it).
load ../lib/common
load ../lib/http
load ../servers/apache_auth

bats_require_minimum_version 1.5.0

setup_file() {
	[ -x /usr/sbin/apache2 ] || return 0
	start_apache_auth
}

teardown_file() {
	stop_apache_auth
}

setup() {
	D=$BATS_TEST_TMPDIR
	CH='WWW-Authenticate: Digest realm="r", nonce="n1", qop="auth"'
}

need_apache() {
	[ -n "${APACHE_PORT:-}" ] || skip "apache2 is not installed"
}

need_curl() {
	command -v curl >/dev/null || skip "curl is the reference and is not installed"
}

A() { echo "http://127.0.0.1:$APACHE_PORT$1"; }

# get BODY ARGS...: nk http with the peer's user and password, and ARGS,
# exits 0 with BODY.
get() {
	local want=$1
	shift
	run -0 timeout 20 nk-http -s -u 'nk:pass w0rd' "$@"
	[ "$output" = "$want" ]
}

# access: Apache's log lines for PATH since the last call, as
# "STATUS AUTH-SCHEME" per request.
access() {
	local n=${LOGSEEN:-0}
	sed -n "$((n + 1)),\$p" "$APACHE_DIR/access.log" |
		sed -E 's/^[^"]*"([A-Z]+) ([^ ]*) [^"]*" ([0-9]+) "([A-Za-z-]*).*/\1 \2 \3 \4/'
	LOGSEEN=$(wc -l <"$APACHE_DIR/access.log")
}

# rec TAG CASE CLIENT ARGS...: CLIENT (nk-http or curl) against rawhttp.py
# serving CASE, @U@ in ARGS the server's base URL; $rc its status, its
# stdout in $D/TAG.out, every request byte it sent (all connections) in
# $D/TAG.req, normalized.
rec() {
	local tag=$1 case=$2 client=$3 a args=()
	shift 3
	rm -rf "$D/rec.$tag"
	start_raw "$case" "$D/rec.$tag"
	for a in "$@"; do args+=("${a//@U@/http://127.0.0.1:$RAW_PORT}"); done
	rc=0
	timeout -k 2 20 "$client" -s "${args[@]}" >"$D/$tag.out" \
		2>"$D/$tag.err" || rc=$?
	stop_raw
	cat "$D/rec.$tag"/conn-* 2>/dev/null | sed -E \
		-e 's/^User-Agent: [^\r]*/User-Agent: UA/' \
		-e 's/cnonce="[^"]*"/cnonce="C"/' \
		-e 's/response="[0-9a-f]*"/response="R"/' \
		-e "s/127\\.0\\.0\\.1:$RAW_PORT/127.0.0.1:PORT/g" >"$D/$tag.req"
}

# same TAG CASE ARGS...: nk and curl, the same command on the same script:
# the same status, output and request bytes.
same() {
	local tag=$1 case=$2
	shift 2
	need_curl
	rec "$tag.curl" "$case" curl "$@"
	local crc=$rc
	rec "$tag.nk" "$case" nk-http "$@"
	diff "$D/$tag.curl.req" "$D/$tag.nk.req"
	cmp "$D/$tag.curl.out" "$D/$tag.nk.out"
	[ "$rc" -eq "$crc" ]
}

# ---- Apache ------------------------------------------------------------

@test "auth: --digest with the right password gets the page (Apache)" {
	need_apache
	access >/dev/null
	get "digest ok" --digest "$(A /digest/index.txt)"
	[ "$(access)" = "$(printf 'GET /digest/index.txt 401 -\nGET /digest/index.txt 200 Digest')" ]
	# the first 401 is not a failure when it is answered
	get "digest ok" -f --digest "$(A /digest/index.txt)"
}

@test "auth: the Digest answer Apache took has curl's fields in curl's order" {
	need_apache
	access >/dev/null
	run -0 timeout 20 nk-http -s --digest -u 'nk:pass w0rd' "$(A '/digest/index.txt?a=b')"
	sed 's/\\"/"/g' "$APACHE_DIR/access.log" | tail -n 1 | grep -E '"GET /digest/index.txt\?a=b HTTP/1.1" 200 "Digest username="nk", realm="nk digest", nonce="[^"]+", uri="/digest/index.txt\?a=b", cnonce="[A-Za-z0-9+/=]{44}", nc=00000001, qop=auth, response="[0-9a-f]{32}", algorithm=MD5"$'
}

@test "auth: --digest with a wrong password shows the 401 and exits 0, -f 22" {
	need_apache
	run -0 timeout 20 nk-http -s --digest -u 'nk:wrong' -w '%{http_code}' "$(A /digest/index.txt)"
	[[ "$output" == *"401" ]]
	[[ "$output" == *"Unauthorized"* ]]
	run -22 timeout 20 nk-http -s -f --digest -u 'nk:wrong' "$(A /digest/index.txt)"
	[ -z "$output" ]
	# curl's -v line for it
	run -0 timeout 20 nk-http -s -v --digest -u 'nk:wrong' -o /dev/null "$(A /digest/index.txt)"
	[[ "$output" == *"Authentication problem. Ignoring this."* ]]
}

@test "auth: curl agrees on the wrong password (Apache)" {
	need_apache
	need_curl
	run -0 timeout 20 curl -s --digest -u 'nk:wrong' -o /dev/null -w '%{http_code}' "$(A /digest/index.txt)"
	[ "$output" = 401 ]
	run -22 timeout 20 curl -s -f --digest -u 'nk:wrong' "$(A /digest/index.txt)"
}

@test "auth: --anyauth picks Digest where Apache asks for it, Basic where it asks for that" {
	need_apache
	access >/dev/null
	get "digest ok" --anyauth "$(A /digest/index.txt)"
	get "basic ok" --anyauth "$(A /basic/index.txt)"
	[ "$(access)" = "$(printf 'GET /digest/index.txt 401 -\nGET /digest/index.txt 200 Digest\nGET /basic/index.txt 401 -\nGET /basic/index.txt 200 Basic')" ]
}

@test "auth: --basic sends Basic up front; Digest's area refuses it" {
	need_apache
	access >/dev/null
	get "basic ok" --basic "$(A /basic/index.txt)"
	run -0 timeout 20 nk-http -s --basic -u 'nk:pass w0rd' -w '%{http_code}' -o /dev/null "$(A /digest/index.txt)"
	[ "$output" = 401 ]
	[ "$(access)" = "$(printf 'GET /basic/index.txt 200 Basic\nGET /digest/index.txt 401 Basic')" ]
}

@test "auth: each URL of a command line starts without credentials, as in curl 7.88" {
	need_apache
	access >/dev/null
	run -0 timeout 20 nk-http -s --digest -u 'nk:pass w0rd' "$(A /digest/index.txt)" "$(A /digest/index.txt)"
	[ "$output" = "$(printf 'digest ok\ndigest ok')" ]
	[ "$(access)" = "$(printf 'GET /digest/index.txt 401 -\nGET /digest/index.txt 200 Digest\nGET /digest/index.txt 401 -\nGET /digest/index.txt 200 Digest')" ]
}

@test "auth: Apache's short-lived nonces (/stale/) are answered" {
	need_apache
	# curl and nk start each URL afresh, so Apache's stale=true needs one
	# transfer to outlive its nonce: the recording peer below plays it
	get "stale ok" --digest "$(A /stale/index.txt)"
}

# ---- recording peers, against curl -------------------------------------

@test "auth: --digest -d probes with Content-Length: 0, the body goes once (as curl)" {
	printf 'recv\nsend HTTP/1.1 401 No\\r\\n%s\\r\\nContent-Length: 2\\r\\n\\r\\nno\nrecv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok\n' "$CH" >"$D/c.case"
	same probe "$D/c.case" --digest -u a:b -d hello '@U@/p?q=1'
	[ "$(cat "$D/probe.nk.out")" = ok ]
	[ "$(grep -c '^POST /p?q=1 ' "$D/probe.nk.req")" -eq 2 ]
	grep -q $'^Content-Length: 0\r$' "$D/probe.nk.req"
	[ "$(grep -c 'hello' "$D/probe.nk.req")" -eq 1 ]
	grep -q 'uri="/p?q=1", cnonce="C", nc=00000001, qop=auth' "$D/probe.nk.req"
}

@test "auth: --digest -d: a probe that gets a 2xx sends the real request anyway (as curl)" {
	printf 'recv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nyo\nrecv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok\n' >"$D/c.case"
	same probe2 "$D/c.case" --digest -u a:b -d hello '@U@/p'
	[ "$(grep -c 'hello' "$D/probe2.nk.req")" -eq 1 ]
}

@test "auth: --anyauth -d sends the body first, then again with Digest (as curl)" {
	printf 'recv\nsend HTTP/1.1 401 No\\r\\n%s\\r\\nWWW-Authenticate: Basic realm="b"\\r\\nContent-Length: 2\\r\\n\\r\\nno\nrecv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok\n' "$CH" >"$D/c.case"
	same any "$D/c.case" --anyauth -u a:b -d hello '@U@/p'
	[ "$(grep -c 'hello' "$D/any.nk.req")" -eq 2 ]
	grep -q '^Authorization: Digest ' "$D/any.nk.req"
}

@test "auth: --anyauth with a body that cannot be sent again exits 65" {
	printf 'recv\nsend HTTP/1.1 401 No\\r\\n%s\\r\\nContent-Length: 2\\r\\n\\r\\nno\nrecv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok\n' "$CH" >"$D/c.case"
	start_raw "$D/c.case"
	run -65 bash -c "head -c 100000 /dev/zero | timeout -k 2 20 nk-http -sS --anyauth -u a:b -T - http://127.0.0.1:$RAW_PORT/p"
	[[ "$output" == "nk-http: "*"cannot send the body again with credentials"* ]]
}

@test "auth: a stale nonce restarts nc with the new nonce (as curl)" {
	printf 'recv\nsend HTTP/1.1 401 No\\r\\n%s\\r\\nContent-Length: 0\\r\\n\\r\\n\nrecv\nsend HTTP/1.1 401 No\\r\\nWWW-Authenticate: Digest realm="r", nonce="n2", qop="auth", stale=true\\r\\nContent-Length: 0\\r\\n\\r\\n\nrecv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok\n' "$CH" >"$D/c.case"
	same stale "$D/c.case" --digest -u a:b '@U@/s'
	grep -q 'nonce="n1", uri="/s", cnonce="C", nc=00000001' "$D/stale.nk.req"
	grep -q 'nonce="n2", uri="/s", cnonce="C", nc=00000001' "$D/stale.nk.req"
	[ "$(cat "$D/stale.nk.out")" = ok ]
}

@test "auth: -L to the same host keeps Digest, nc counts up (as curl)" {
	printf 'recv\nsend HTTP/1.1 401 No\\r\\n%s\\r\\nContent-Length: 0\\r\\n\\r\\n\nrecv\nsend HTTP/1.1 302 Found\\r\\nLocation: /b\\r\\nContent-Length: 0\\r\\n\\r\\n\nrecv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok\n' "$CH" >"$D/c.case"
	same redir "$D/c.case" -L --digest -u a:b '@U@/a'
	grep -q 'uri="/b", cnonce="C", nc=00000002' "$D/redir.nk.req"
}

@test "auth: -L to another host sends no credentials there (Digest and Bearer)" {
	printf 'recv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok\n' >"$D/ok.case"
	local auth first
	for auth in "--digest -u a:b" "--oauth2-bearer tok"; do
		start_raw "$D/ok.case" "$D/recb"
		local pb=$RAW_PORT bpid=$RAW_PID
		first=
		[ "$auth" = "--oauth2-bearer tok" ] ||
			first=$(printf 'recv\nsend HTTP/1.1 401 No\\r\\n%s\\r\\nContent-Length: 0\\r\\n\\r\\n' "$CH")
		printf '%s\nrecv\nsend HTTP/1.1 302 Found\\r\\nLocation: http://b.test:%s/x\\r\\nContent-Length: 0\\r\\n\\r\\n\n' "$first" "$pb" >"$D/a.case"
		start_raw "$D/a.case" "$D/reca"
		# shellcheck disable=SC2086
		run -0 timeout -k 2 20 nk-http -s -L --resolve "b.test:$pb:127.0.0.1" $auth "http://127.0.0.1:$RAW_PORT/a"
		[ "$output" = ok ]
		stop_raw
		RAW_PID=$bpid stop_raw
		grep -q '^Authorization: ' "$D"/reca/conn-*
		run ! grep -a '^Authorization' "$D"/recb/conn-*
		rm -rf "$D/reca" "$D/recb"
	done
}

@test "auth: --oauth2-bearer, also with -u, sends the same bytes as curl" {
	printf 'recv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok\n' >"$D/ok.case"
	same b1 "$D/ok.case" --oauth2-bearer 'tok.en_1' '@U@/x'
	grep -q $'^Authorization: Bearer tok.en_1\r$' "$D/b1.nk.req"
	same b2 "$D/ok.case" -u a:b --oauth2-bearer tok '@U@/x'
	grep -q $'^Authorization: Bearer tok\r$' "$D/b2.nk.req"
	# --digest --basic: two schemes, so nothing goes up front
	same b3 "$D/ok.case" -u a:b --digest --basic '@U@/x'
	run ! grep -q '^Authorization' "$D/b3.nk.req"
}

@test "auth: a Bearer token with CR or LF is refused before any traffic (exit 2, as -H)" {
	run -2 nk-http -s --oauth2-bearer $'tok\r\nX-Evil: 1' http://127.0.0.1:9/
	[ "$output" = 'nk-http: bad --oauth2-bearer token: control character \x0d in it' ]
	run -2 nk-http -s -H $'A: tok\r\nX-Evil: 1' http://127.0.0.1:9/
}

@test "auth: --oauth2-bearer and --digest in a config file's host section go to that host alone" {
	printf 'recv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok\n' >"$D/ok.case"
	printf '[host a.test]\noauth2-bearer = "sec.tok"\n' >"$D/a.cfg"
	start_raw "$D/ok.case" "$D/rec"
	run -0 timeout -k 2 20 nk-http -q -s -K "$D/a.cfg" \
		--resolve "a.test:$RAW_PORT:127.0.0.1" --resolve "c.test:$RAW_PORT:127.0.0.1" \
		"http://a.test:$RAW_PORT/" "http://c.test:$RAW_PORT/"
	stop_raw
	[ "$output" = okok ]
	[ "$(cat "$D"/rec/conn-* | grep -ac '^Authorization: Bearer sec.tok')" -eq 1 ]
	[ "$(cat "$D"/rec/conn-* | grep -ac '^Authorization')" -eq 1 ]
	[ "$(cat "$D"/rec/conn-* | grep -a -A1 '^Host: a.test' | grep -ac 'Bearer sec.tok')" -eq 1 ]
}

@test "auth: --pipeline sends ahead only what the scheme sends up front" {
	printf 'recv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok\nrecv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok\n' >"$D/ok2.case"
	rec pd "$D/ok2.case" nk-http --pipeline --digest -u a:b '@U@/1' '@U@/2'
	[ "$rc" -eq 0 ]
	[ "$(grep -c '^GET /' "$D/pd.req")" -eq 2 ]
	run ! grep -q '^Authorization' "$D/pd.req"
	rec pb "$D/ok2.case" nk-http --pipeline --oauth2-bearer t '@U@/1' '@U@/2'
	[ "$(grep -c $'^Authorization: Bearer t\r$' "$D/pb.req")" -eq 2 ]
}
