#!/usr/bin/env bats
# nk http's -:/--next (option groups), -T with globbing, several -b and
# --variable NAME[N-M]: each whole run's requests, recorded by a
# keep-alive peer (tests/servers/recpeer.py), are compared byte for byte
# with what curl 7.88 sends for the same command line, with the exit
# statuses and the connections used.
load ../lib/common
load ../lib/http

bats_require_minimum_version 1.5.0

setup() {
	D=$BATS_TEST_TMPDIR
	cd "$D"
}

need_curl() {
	curl --version 2>/dev/null | grep -q '^curl 7\.88\.' ||
		skip "curl 7.88 is the reference and is not installed"
}

# peer_run CLIENT ARGS...: runs CLIENT -q ARGS against a fresh recpeer,
# with @P@ in ARGS standing for http://127.0.0.1:PORT. Leaves the exit
# status in $rc, stdout and stderr in $D/NAME.out and $D/NAME.err, and
# the requests in $D/NAME.rec (port as PORT, the User-Agent as UA), NAME
# being curl or nk.
peer_run() {
	local client=$1 name=curl a args=()
	shift
	[ "$client" = curl ] || name=nk
	: >"$D/$name.raw"
	start_bg "$D/peer.log" "$PYTHON" "$TESTS_DIR/servers/recpeer.py" "$D/$name.raw"
	local pid=$BG_PID line port
	line=$(wait_for_line "$D/peer.log" '^Listening on ') || return 1
	port=${line##*:}
	for a in "$@"; do args+=("${a//@P@/http://127.0.0.1:$port}"); done
	for a in "$D"/*.cfg; do
		[ -f "$a" ] && sed -i "s|@P@|http://127.0.0.1:$port|g" "$a"
	done
	rc=0
	timeout -k 2 20 "$client" -q "${args[@]}" <"${IN:-/dev/null}" \
		>"$D/$name.out" 2>"$D/$name.err" || rc=$?
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	sed -E -e "s/$port/PORT/g" -e 's/^User-Agent: (nk|curl)\/[^\r]*\r$/User-Agent: UA\r/' \
		"$D/$name.raw" >"$D/$name.rec"
	sed -i "s/$port/PORT/g" "$D/$name.out"
	for a in "$D"/*.cfg; do
		[ -f "$a" ] && sed -i "s|http://127.0.0.1:$port|@P@|g" "$a"
	done
	return 0
}

# like_curl ARGS...: nk sends every request curl 7.88 sends, in the same
# order on the same connections, writes the same to stdout and exits as
# it does. Leaves nk's exit status in $rc.
like_curl() {
	need_curl
	peer_run curl "$@"
	local crc=$rc
	peer_run nk-http "$@"
	if ! cmp "$D/curl.rec" "$D/nk.rec"; then
		diff "$D/curl.rec" "$D/nk.rec" >&2 || true
		return 1
	fi
	if ! cmp "$D/curl.out" "$D/nk.out"; then
		diff "$D/curl.out" "$D/nk.out" >&2 || true
		return 1
	fi
	[ "$rc" = "$crc" ] || { echo "exit $rc, curl $crc" >&2; return 1; }
}

# The number of requests recorded in $D/nk.rec, and of connections.
requests() { grep -c '^== conn ' "$D/nk.rec"; }
conns() { grep '^== conn ' "$D/nk.rec" | sort -u | wc -l; }

@test "next: each group has its own options, on one connection, as curl" {
	like_curl -s -H 'X-One: 1' -u me:pw -b a=1 @P@/one \
		-: -X PUT -d 'two=2' -H 'X-Two: 2' @P@/two \
		--next @P@/three
	[ "$rc" -eq 0 ]
	[ "$(requests)" -eq 3 ]
	[ "$(conns)" -eq 1 ]
	grep -q '^X-One: 1' "$D/nk.rec"
	# The third group has none of the first two's options.
	sed -n '/GET \/three/,$p' "$D/nk.rec" | grep -c ':' | grep -qx 3
}

@test "next: -o, -w and -D belong to their group" {
	like_curl -s -o one.txt -w 'w1 %{http_code}\n' -D h1.txt @P@/one \
		-: -w 'w2 %{url_effective}\n' @P@/two -: @P@/three
	[ "$rc" -eq 0 ]
	printf 'w1 200\nbody /two\nw2 http://127.0.0.1:PORT/two\nbody /three\n' |
		cmp - "$D/nk.out"
	[ "$(cat one.txt)" = "body /one" ]
	grep -q '^HTTP/1.1 200 OK' h1.txt
	[ "$(grep -c '^HTTP/' h1.txt)" -eq 1 ]
}

@test "next: global options count for every group, wherever they stand" {
	like_curl @P@/one -: -s @P@/404 -: -f @P@/x404 -: @P@/two
	[ "$rc" -eq 0 ]
	# -s from the second group: nothing on stderr, not even -f's error.
	[ ! -s "$D/nk.err" ]
	peer_run nk-http @P@/one -: -v @P@/two
	[ "$(grep -c '^> GET ' "$D/nk.err")" -eq 2 ]
	grep -q '^\* Re-using existing connection' "$D/nk.err"
	[ "$(conns)" -eq 1 ]
}

@test "next: the exit status is the last transfer's, as curl's" {
	# A failed group then a good one: 0.
	like_curl -s -f @P@/404 -: @P@/ok
	[ "$rc" -eq 0 ]
	# A good group then a failed one: 22.
	like_curl -s @P@/ok -: -f @P@/404
	[ "$rc" -eq 22 ]
	# In one group too: the last URL's.
	like_curl -s -f @P@/404 @P@/ok
	[ "$rc" -eq 0 ]
	like_curl -s -f @P@/ok @P@/404
	[ "$rc" -eq 22 ]
}

@test "next: --fail-early stops the run at the first failure, whichever group" {
	like_curl -s @P@/ok -: -f @P@/404 -: @P@/never --fail-early
	[ "$rc" -eq 22 ]
	! grep -q never "$D/nk.rec"
	[ "$(requests)" -eq 2 ]
}

@test "next: before any URL it does nothing; a trailing one is a missing URL (2)" {
	like_curl -s -H 'X-A: 1' -: --next @P@/one -: -H 'X-B: 2' @P@/two
	[ "$rc" -eq 0 ]
	[ "$(requests)" -eq 2 ]
	grep -q '^X-A: 1' "$D/nk.rec"
	# curl runs the groups before it, then fails.
	like_curl -s @P@/one -:
	[ "$rc" -eq 2 ]
	[ "$(requests)" -eq 1 ]
	grep -qx 'nk-http: no URL given (see nk http --help)' "$D/nk.err"
}

@test "next: in -K files (curl's test 430): three files, a group each" {
	local x
	for x in a b c; do
		printf -- '--next\nurl = "@P@/43%s"\nheader = "%s: %s"\ndata = "%s"\n' \
			"$x" "$x" "$x" "$x" >"$D/$x.cfg"
	done
	like_curl -s -K "$D/a.cfg" -K "$D/b.cfg" -K "$D/c.cfg"
	[ "$rc" -eq 0 ]
	[ "$(requests)" -eq 3 ]
	[ "$(conns)" -eq 1 ]
	[ "$(grep -c '^POST /43' "$D/nk.rec")" -eq 3 ]
	[ "$(grep -c '^c: c' "$D/nk.rec")" -eq 1 ]
}

@test "next: cookies: the engine is shared by the groups, -b strings joined with ';'" {
	like_curl -s -b 'a=1' -b 'b=2; c=3' -b x=y @P@/one
	grep -q $'^Cookie: a=1;b=2; c=3;x=y\r$' "$D/nk.rec"
	printf 'localhost\tFALSE\t/\tFALSE\t0\tf\tfile\n127.0.0.1\tFALSE\t/\tFALSE\t0\tg\tfile2\n' >jar.in
	like_curl -s -b jar.in -b s=1 @P@/two
	grep -q $'^Cookie: g=file2; s=1\r$' "$D/nk.rec"
	# A cookie set in the first group goes with the second one's engine.
	like_curl -s -c jar.out @P@/setcookie -: -b '' @P@/next -: @P@/none
	grep -q $'^Cookie: sid=42\r$' "$D/nk.rec"
	[ "$(grep -c '^Cookie:' "$D/nk.rec")" -eq 1 ]
	grep -q 'sid	42' jar.out
}

@test "-T globbing: {a,b} and [1-3] files, to URL/NAME, uploads slowest, as curl" {
	printf A >a.txt
	printf BB >b.txt
	printf 1 >file1.txt
	printf 22 >file2.txt
	printf 333 >file3.txt
	like_curl -s -T '{a,b}.txt' @P@/up/ -T 'file[1-3].txt' '@P@/x[1-2]'
	[ "$rc" -eq 0 ]
	[ "$(requests)" -eq 8 ]
	grep '^PUT' "$D/nk.rec" | tr -d '\r' >got
	printf 'PUT /up/%s HTTP/1.1\n' a.txt b.txt >want
	printf 'PUT /x%s HTTP/1.1\n' 1 2 1 2 1 2 >>want
	cmp want got
	grep -q '^333$' "$D/nk.rec"
}

@test "-T globbing: -g sends the name as it is; a bad pattern is exit 3, no traffic" {
	printf A >a.txt
	like_curl -s -g -T '{a,b}.txt' @P@/up/
	[ "$rc" -eq 26 ]
	[ ! -s "$D/nk.rec" ]
	peer_run nk-http -s -S -T 'file[1-.txt' @P@/up/
	[ "$rc" -eq 3 ]
	[ ! -s "$D/nk.rec" ]
	[ "$(wc -l <"$D/nk.err")" -eq 1 ]
}

@test "--variable NAME[N-M]: a byte range of a file or a text (curl 8.12)" {
	printf '0123456789abcdef' >v.txt
	peer_run nk-http -s --variable 'a[2-5]@v.txt' --variable 'b[10-]@v.txt' \
		--variable 'c[3-100]=hello' --variable 'd[20-30]=abc' \
		--variable 'e[0-0]=xyz' \
		--expand-url '@P@/{{a}}/{{b}}/{{c}}/{{d}}/{{e}}'
	[ "$rc" -eq 0 ]
	grep -q '^GET /2345/abcdef/lo//x HTTP/1.1' "$D/nk.rec"
	# From the environment the value is whole, as in curl.
	export VV=hello
	peer_run nk-http -s --variable '%VV[1-2]=no' \
		--expand-url '@P@/{{VV}}'
	grep -q '^GET /hello HTTP/1.1' "$D/nk.rec"
}

@test "--variable NAME[N-M]: a malformed range is exit 2 before any traffic" {
	local v
	for v in 'x[5-2]=abc' 'x[2]=abc' 'x[2-5x]=abc' 'x[1-2=abc'; do
		peer_run nk-http -s --variable "$v" --expand-url '@P@/{{x}}'
		[ "$rc" -eq 2 ]
		[ ! -s "$D/nk.rec" ]
		[ "$(cat "$D/nk.err")" = "nk-http: option --variable: syntax error in --variable argument" ]
	done
	# Not a range (no digit after '['): curl's warning, skipped.
	peer_run nk-http -s --variable 'x[a-2]=abc' --expand-url '@P@/{{x}}'
	[ "$rc" -eq 0 ]
	grep -q '^GET / HTTP/1.1' "$D/nk.rec"
}
