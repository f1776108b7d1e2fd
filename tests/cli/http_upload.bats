#!/usr/bin/env bats
# nk http sending bodies: -T against nginx's DAV module (what arrives is
# compared by sha256 with what was sent), and against the scripted server
# where the exact request bytes matter (Content-Length, chunked framing,
# Expect, early answers, redirects, a server that stops reading).
load ../lib/common
load ../lib/http

UP="$TESTS_DIR/servers/upload"
UA='User-Agent: nk/0.1.0\r\nAccept: */*\r\n'

setup_file() {
	start_nginx
}

teardown_file() {
	stop_nginx
}

H() { echo "http://nk.test:$NGINX_PORT$1"; }
S() { echo "https://nk.test:$NGINX_SPORT$1"; }

nkh() {
	# shellcheck disable=SC2046 # NKR gives separate words on purpose
	timeout -k 2 20 nk-http $(NKR) "$@"
}

# raw CASE: the scripted server for tests/servers/upload/CASE.case,
# recording into $REC; sets URL to its /d/ path.
raw() {
	REC=$(mktemp -d "$BATS_TEST_TMPDIR/rec.XXXXXX")
	start_raw "$UP/$1.case" "$REC"
	URL="http://127.0.0.1:$RAW_PORT/d/"
}

# sent N: what nk sent on connection N (the port made fixed).
sent() {
	sed "s/127\.0\.0\.1:$RAW_PORT/HOST/" "$REC/conn-$1"
}

# want FORMAT ARGS...: the expected bytes, with "Host: HOST".
want() {
	# shellcheck disable=SC2059 # the format is the test's
	printf "$@"
}

# dav_same FILE NAME: FILE arrived whole at /dav/NAME.
dav_same() {
	[ "$(sha256sum <"$1")" = "$(sha256sum <"$NGINX_DIR/www/dav/$2")" ]
}

@test "upload: -T FILE sends Content-Length and Expect, the body after 100" {
	printf abc >"$BATS_TEST_TMPDIR/f3"
	raw continue
	run timeout 10 nk-http -T "$BATS_TEST_TMPDIR/f3" "$URL?q=1"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	want "PUT /d/f3?q=1 HTTP/1.1\r\nHost: HOST\r\n$UA"'Content-Length: 3\r\nExpect: 100-continue\r\n\r\nabc' |
		cmp - <(sent 1)
}

@test "upload: -T - sends chunks, and the last chunk, as curl" {
	raw continue
	run timeout 10 sh -c 'printf abc | nk-http -T - "$1"' sh "$URL"
	[ "$status" -eq 0 ]
	want "PUT /d/ HTTP/1.1\r\nHost: HOST\r\n$UA"'Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n3\r\nabc\r\n0\r\n\r\n' |
		cmp - <(sent 1)
}

@test "upload: an empty -T - is one last chunk; an empty file no Expect" {
	raw continue
	run timeout 10 nk-http -T - "$URL" </dev/null
	[ "$status" -eq 0 ]
	want "PUT /d/ HTTP/1.1\r\nHost: HOST\r\n$UA"'Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n0\r\n\r\n' |
		cmp - <(sent 1)
	: >"$BATS_TEST_TMPDIR/empty"
	stop_raw
	raw ok
	run timeout 10 nk-http -T "$BATS_TEST_TMPDIR/empty" "$URL"
	[ "$status" -eq 0 ]
	want "PUT /d/empty HTTP/1.1\r\nHost: HOST\r\n$UA"'Content-Length: 0\r\n\r\n' |
		cmp - <(sent 1)
}

@test "upload: a 417 to Expect: sent again without it" {
	printf abc >"$BATS_TEST_TMPDIR/f3"
	raw 417
	run timeout 10 nk-http -T "$BATS_TEST_TMPDIR/f3" "$URL"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	want "PUT /d/f3 HTTP/1.1\r\nHost: HOST\r\n$UA"'Content-Length: 3\r\nExpect: 100-continue\r\n\r\n' |
		cmp - <(sent 1)
	want "PUT /d/f3 HTTP/1.1\r\nHost: HOST\r\n$UA"'Content-Length: 3\r\n\r\nabc' |
		cmp - <(sent 2)
}

@test "upload: a final answer instead of 100: no body sent, the answer is the result" {
	printf abc >"$BATS_TEST_TMPDIR/f3"
	raw 413
	run timeout 10 nk-http -T "$BATS_TEST_TMPDIR/f3" "$URL"
	[ "$status" -eq 0 ]
	[ "$output" = 'big!' ]
	want "PUT /d/f3 HTTP/1.1\r\nHost: HOST\r\n$UA"'Content-Length: 3\r\nExpect: 100-continue\r\n\r\n' |
		cmp - <(sent 1)
}

@test "upload: an early answer from a server that stops reading ends the upload" {
	head -c 32M /dev/zero >"$BATS_TEST_TMPDIR/big"
	raw 413
	run timeout 10 nk-http -H 'Expect:' -T "$BATS_TEST_TMPDIR/big" -v "$URL"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = 'big!' ]
	[[ "$output" == *"* Upload stopped after "*" of 33554432 bytes: the server answered first"* ]]
}

@test "upload: a server that stops reading: --max-time ends it with 28" {
	raw stall
	run timeout 10 sh -c 'nk-http -T - -H "Expect:" -m 1 "$1" </dev/zero' sh "$URL"
	[ "$status" -eq 28 ]
	[[ "$output" == *"bytes of the request body sent"* ]]
}

# redirect CODE ARGS...: nk with ARGS against a CODE redirect to /b.
redirect() {
	local code=$1
	shift
	sed "s/CODE/$code/" "$UP/redirect.case" >"$BATS_TEST_TMPDIR/r.case"
	REC=$(mktemp -d "$BATS_TEST_TMPDIR/rec.XXXXXX")
	start_raw "$BATS_TEST_TMPDIR/r.case" "$REC"
	URL="http://127.0.0.1:$RAW_PORT/a"
	run timeout 10 nk-http -L -H 'Expect:' "$@" "$URL"
	stop_raw
}

@test "upload: -L: 301, 302, 303 turn POST into GET; 307, 308 send it again" {
	printf abc >"$BATS_TEST_TMPDIR/f3"
	local code
	for code in 301 302 303 307 308; do
		redirect $code -X POST -T "$BATS_TEST_TMPDIR/f3"
		[ "$status" -eq 0 ]
		[ "$output" = ok ]
		if [ $code -lt 307 ]; then
			want "POST /a HTTP/1.1\r\nHost: HOST\r\n$UA"'Content-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: HOST\r\n'"$UA"'\r\n'
		else
			want "POST /a HTTP/1.1\r\nHost: HOST\r\n$UA"'Content-Length: 3\r\n\r\nabcPOST /b HTTP/1.1\r\nHost: HOST\r\n'"$UA"'Content-Length: 3\r\n\r\nabc'
		fi | cmp - <(sent 1)
	done
}

@test "upload: -L: PUT stays PUT on 301 and 302, not on 303; --post30x keep POST" {
	printf abc >"$BATS_TEST_TMPDIR/f3"
	local body="Content-Length: 3\r\n\r\nabc"
	redirect 301 -T "$BATS_TEST_TMPDIR/f3"
	want "PUT /a HTTP/1.1\r\nHost: HOST\r\n$UA$body""PUT /b HTTP/1.1\r\nHost: HOST\r\n$UA$body" | cmp - <(sent 1)
	redirect 303 -T "$BATS_TEST_TMPDIR/f3"
	want "PUT /a HTTP/1.1\r\nHost: HOST\r\n$UA$body""GET /b HTTP/1.1\r\nHost: HOST\r\n$UA\r\n" | cmp - <(sent 1)
	local code
	for code in 301 302 303; do
		redirect $code -X POST --post$code -T "$BATS_TEST_TMPDIR/f3"
		[ "$status" -eq 0 ]
		want "POST /a HTTP/1.1\r\nHost: HOST\r\n$UA$body""POST /b HTTP/1.1\r\nHost: HOST\r\n$UA$body" | cmp - <(sent 1)
	done
}

@test "upload: -L 307 with standard input: sent again while kept, else 65" {
	redirect 307 -T - <<<"small"
	[ "$status" -eq 0 ]
	local req="HTTP/1.1\r\nHost: HOST\r\n$UA"'Transfer-Encoding: chunked\r\n\r\n6\r\nsmall\n\r\n0\r\n\r\n'
	want "PUT /a $req""PUT /b $req" | cmp - <(sent 1)
	head -c 100000 /dev/zero >"$BATS_TEST_TMPDIR/100k"
	redirect 307 -T - < <(cat "$BATS_TEST_TMPDIR/100k")
	[ "$status" -eq 65 ]
	[[ "$output" == *"cannot follow the 307 redirect: the request body came from a source that cannot be read again"* ]]
	[ ! -e "$REC/conn-2" ]
}

@test "upload: -T a missing file or a directory: 26 before any connection" {
	raw ok
	run timeout 10 nk-http -T "$BATS_TEST_TMPDIR/missing" "$URL"
	[ "$status" -eq 26 ]
	[[ "$output" == *"cannot read $BATS_TEST_TMPDIR/missing: No such file or directory"* ]]
	run timeout 10 nk-http -T "$BATS_TEST_TMPDIR" "$URL"
	[ "$status" -eq 26 ]
	[[ "$output" == *"cannot read $BATS_TEST_TMPDIR: Is a directory"* ]]
	[ ! -e "$REC/conn-1" ]
}

@test "upload: -I with -T is curl's error 2; -0 with -T - is 25" {
	printf abc >"$BATS_TEST_TMPDIR/f3"
	run timeout 10 nk-http -I -T "$BATS_TEST_TMPDIR/f3" http://127.0.0.1:9/
	[ "$status" -eq 2 ]
	[[ "$output" == *"You can only select one HTTP request method!"* ]]
	raw ok
	run timeout 10 nk-http -0 -T - "$URL" </dev/null
	[ "$status" -eq 25 ]
	[ ! -e "$REC/conn-1" ]
}

@test "upload: -w size_upload, size_request; -v says what was sent" {
	printf abc >"$BATS_TEST_TMPDIR/f3"
	raw continue
	run timeout 10 nk-http -v -w '%{size_upload} %{size_request}\n' -T "$BATS_TEST_TMPDIR/f3" "$URL"
	[ "$status" -eq 0 ]
	# size_request: the head only, as curl counts it for -T.
	[ "${lines[-1]}" = "3 $(($(wc -c <"$REC/conn-1") - 3))" ]
	[[ "$output" == *"* Upload complete: 3 bytes of request body sent"* ]]
	stop_raw
	raw continue
	run timeout 10 nk-http -s -o /dev/null -w '%{json}' -T "$BATS_TEST_TMPDIR/f3" "$URL"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"size_upload":3,'* ]]
}

@test "upload: a JSON POST from memory (examples/post_json), sent again on 307" {
	sed "s/CODE/307/" "$UP/redirect.case" >"$BATS_TEST_TMPDIR/r.case"
	REC="$BATS_TEST_TMPDIR/rec"
	start_raw "$BATS_TEST_TMPDIR/r.case" "$REC"
	run timeout 10 "$NK_BUILD/examples/post_json" "http://127.0.0.1:$RAW_PORT/a" '{"a": 1}'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = ok ]
	local h='Host: HOST\r\nUser-Agent: nk/0.1.0\r\nAccept: application/json\r\nContent-Length: 8\r\nContent-Type: application/json\r\n\r\n{"a": 1}'
	want "POST /a HTTP/1.1\r\n$h""POST /b HTTP/1.1\r\n$h" | cmp - <(sent 1)
}

@test "upload: DAV PUT over http: 0 bytes, 1 byte, 1 MiB from a file and stdin" {
	local d=$BATS_TEST_TMPDIR
	: >"$d/zero"
	printf x >"$d/one"
	head -c 1048576 /dev/urandom >"$d/mib"
	local f
	for f in zero one mib; do
		run nkh -sS -T "$d/$f" "$(H /dav/)"
		[ "$status" -eq 0 ]
		dav_same "$d/$f" "$f"
		run nkh -sS -T - "$(H /dav/in-$f)" < <(cat "$d/$f")
		[ "$status" -eq 0 ]
		dav_same "$d/$f" "in-$f"
	done
}

@test "upload: DAV PUT over https: 1 MiB from a file and stdin" {
	local d=$BATS_TEST_TMPDIR
	head -c 1048576 /dev/urandom >"$d/smib"
	run nkh -sS -T "$d/smib" "$(S /dav/)"
	[ "$status" -eq 0 ]
	dav_same "$d/smib" smib
	run nkh -sS -T - "$(S /dav/in-smib)" < <(cat "$d/smib")
	[ "$status" -eq 0 ]
	dav_same "$d/smib" in-smib
}

@test "upload: --retry sends the body again from its start, only if it can" {
	printf abc >"$BATS_TEST_TMPDIR/f3"
	raw retry
	run timeout 10 nk-http -s -H "Expect:" --retry 1 --retry-delay 0.1 -T "$BATS_TEST_TMPDIR/f3" "$URL"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	local req="PUT /d/f3 HTTP/1.1\r\nHost: HOST\r\n$UA"'Content-Length: 3\r\n\r\nabc'
	want "$req" | cmp - <(sent 1)
	want "$req" | cmp - <(sent 2)
	# From a pipe, past what is kept: the 503 stands.
	stop_raw
	raw retry
	run timeout 10 sh -c 'head -c 100000 /dev/zero | nk-http -sS -H "Expect:" --retry 1 --retry-delay 0.1 -T - -w "%{http_code}" "$1"' sh "$URL"
	[ "$status" -eq 0 ]
	[ "$output" = 503 ]
}

@test "upload: the progress meter shows what was sent" {
	cd "$BATS_TEST_TMPDIR"
	printf 'recv\nsend HTTP/1.1 201 Created\\r\\nContent-Length: 0\\r\\n\\r\\n\n' >p.case
	start_raw p.case
	local cmd
	printf -v cmd '(printf abc; sleep 1.3; printf def) | nk-http -H Expect: -T - -o out http://127.0.0.1:%s/' "$RAW_PORT"
	run timeout -k 2 20 script -qec "$cmd" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"sent 6 B  "*"B/s"* ]]
}

@test "upload: a server that reads slowly: --max-time ends it with 28" {
	raw slowread
	run timeout 10 sh -c 'nk-http -T - -H "Expect:" -m 1 "$1" </dev/zero' sh "$URL"
	[ "$status" -eq 28 ]
	[[ "$output" == *"Operation timed out after 1"[0-9][0-9][0-9]" milliseconds with "*" bytes of the request body sent"* ]]
}
