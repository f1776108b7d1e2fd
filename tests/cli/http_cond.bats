#!/usr/bin/env bats
# nk http's files and conditions: -r/--range, -z/--time-cond,
# --etag-save, --etag-compare, -R/--remote-time. The request heads
# byte for byte against curl 7.88's to the same scripted peer
# (rawhttp.py), with the output, the files and the exit status; then
# nginx, which honours Range, If-Modified-Since and If-None-Match.
load ../lib/common
load ../lib/http

bats_require_minimum_version 1.5.0

setup_file() {
	start_nginx
	# The served file's time, known: -z and -R compare against it.
	touch -d '2023-01-02 10:00:00 UTC' "$NGINX_DIR/www/hello.txt"
}

teardown_file() {
	stop_nginx
}

setup() {
	D=$BATS_TEST_TMPDIR
	OLD='Mon, 02 Jan 2023 10:00:00 GMT'
}

teardown() {
	stop_all
}

nkh() {
	# shellcheck disable=SC2046
	timeout -k 2 20 nk-http $(NKR) "$@"
}

H() { echo "http://nk.test:$NGINX_PORT$1"; }

need_curl() {
	curl --version 2>/dev/null | grep -q '^curl 7\.88\.' ||
		skip "curl 7.88 is the reference and is not installed"
}

# serve RESPONSE...: a case file of one connection per response.
serve() {
	raw_serve "$D/c.case" "$@"
}

# A 200 with a Last-Modified of $OLD, an ETag and a body of 10 bytes.
OK200() {
	printf '%s' "HTTP/1.1 200 OK\\r\\nLast-Modified: $OLD\\r\\nETag: \"abc-1\"\\r\\nContent-Length: 10\\r\\n\\r\\n0123456789"
}

# run_client CLIENT ARGS...: CLIENT -s ARGS (@URL@ is the peer's URL) in
# a fresh directory $D/CLIENT (files in $D/CLIENT.in/ are copied there
# first) against $D/c.case; leaves $rc, stdout in $D/CLIENT.out and the
# requests in $D/CLIENT.req with their User-Agent and port made neutral.
run_client() {
	local client=$1 a args=() rec name
	shift
	name=$(basename "$client")
	rec=$(mktemp -d "$D/rec.XXXX")
	rm -rf "${D:?}/$name"
	mkdir "$D/$name"
	[ -d "$D/in" ] && cp -p "$D/in/." "$D/$name/" -R
	start_raw "$D/c.case" "$rec"
	for a in "$@"; do args+=("${a//@URL@/http://127.0.0.1:$RAW_PORT/x}"); done
	rc=0
	(cd "$D/$name" && timeout -k 2 20 "$client" -s "${args[@]}" \
		</dev/null >"$D/$name.out" 2>"$D/$name.err") || rc=$?
	stop_raw
	raw_requests "$rec" >"$D/$name.req"
}

# as_curl ARGS...: nk sends the request heads curl sends, exits as it
# does, writes the same stdout and leaves the same files (names, bytes
# and modification times).
as_curl() {
	need_curl
	run_client nk-http "$@"
	local nkrc=$rc
	run_client curl "$@"
	if ! cmp "$D/curl.req" "$D/nk-http.req"; then
		diff "$D/curl.req" "$D/nk-http.req" >&2 || true
		return 1
	fi
	[ "$nkrc" = "$rc" ] || { echo "exit $nkrc, curl $rc" >&2; return 1; }
	cmp "$D/curl.out" "$D/nk-http.out"
	local f t1 t2 now
	now=$(date +%s)
	diff <(cd "$D/curl" && ls -A) <(cd "$D/nk-http" && ls -A)
	for f in "$D"/curl/*; do
		[ -e "$f" ] || continue
		cmp "$f" "$D/nk-http/${f##*/}"
		# A time set (-R) or kept (a file left as it was) is the same;
		# files just written may differ by a second or two.
		t1=$(stat -c %Y "$f")
		t2=$(stat -c %Y "$D/nk-http/${f##*/}")
		if [ $((now - t1)) -gt 60 ] || [ $((now - t2)) -gt 60 ]; then
			[ "$t1" = "$t2" ] || { echo "mtime $t2, curl $t1" >&2; return 1; }
		fi
	done
}

# ---- -r/--range --------------------------------------------------------

@test "range: each form of -r goes as curl sends it, a 206 written as it is" {
	serve 'HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-4/10\r\nContent-Length: 5\r\n\r\n01234'
	local r
	for r in 0-4 500- -500 0-1,5-9 7; do
		as_curl -r "$r" @URL@
		[ "$(cat "$D/nk-http.out")" = 01234 ]
	done
	as_curl --range 0-4 -o part @URL@
	grep -q $'^Range: bytes=0-4\r$' "$D/nk-http.req"
}

@test "range: a server that ignores it: the whole body, exit 0; with -C it is 33" {
	serve "$(OK200)"
	as_curl -r 2-3 @URL@
	[ "$(cat "$D/nk-http.out")" = 0123456789 ]
	as_curl -C 2 @URL@
	[ "$rc" = 33 ]
	[ ! -s "$D/nk-http.out" ]
}

@test "range: curl's warnings for a number alone and for other characters" {
	serve "$(OK200)"
	# Under -s: no warning.
	[ -z "$(nkh -s -r a-b --help 2>&1 >/dev/null)" ]
	run nkh -r 7 -r 'a-b' --help
	[ "${lines[0]}" = "nk-http: warning: A specified range MUST include at least one dash (-). Appending one for you!" ]
	[ "${lines[1]}" = "nk-http: warning: Invalid character is found in given range. A specified range MUST have only digits in 'start'-'stop'. The server's response to this request is uncertain." ]
	as_curl -r 1-2x @URL@
	grep -q $'^Range: bytes=1-2x\r$' "$D/nk-http.req"
}

@test "range: a number too large for a range point is exit 2, as curl" {
	need_curl
	run -2 nkh -r 99999999999999999999 "$(H /hello.txt)"
	[ "$output" = "nk-http: -r: unsupported range point '99999999999999999999'" ]
	run -2 curl -s -r 99999999999999999999 "$(H /hello.txt)"
}

@test "range: nginx answers 206 with the bytes asked for" {
	run -0 nkh -s -r 2-6 -w '%{http_code}' "$(H /hello.txt)"
	[ "$output" = "llo w206" ]
	run -0 nkh -s -r -3 "$(H /hello.txt)"
	[ "$output" = "ld" ]
	run -0 nkh -s -r 0-0,-1 -i "$(H /hello.txt)"
	[[ "$output" == *"multipart/byteranges"* ]]
	[[ "$output" == *"Content-Range: bytes 0-0/12"* ]]
	[[ "$output" == *"Content-Range: bytes 11-11/12"* ]]
}

# ---- -z/--time-cond ----------------------------------------------------

@test "time-cond: the HTTP-date forms and curl's free forms, as curl sends them" {
	serve "HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nhi"
	local z
	for z in 'Thu, 19 Oct 2023 12:00:00 GMT' 'Thursday, 19-Oct-23 12:00:00 GMT' \
	         'Thu Oct 19 12:00:00 2023' '19 Oct 2023 12:00:00' 'Oct 19 2023' \
	         '2023 Oct 19' '19-Oct-2023' 20231019 '20231019 12:00' \
	         '19 Oct 2023 12:00:00 +0200' '19 Oct 2023 12:00 EST' \
	         'Oct 19 2023 12:00 CEST' '1 Jan 70 00:00:01' '1 Jan 1999'; do
		as_curl -z "$z" @URL@
		grep -q '^If-Modified-Since: ' "$D/nk-http.req"
	done
	as_curl -z 'Oct 19 2023' @URL@
	grep -q $'^If-Modified-Since: Thu, 19 Oct 2023 00:00:00 GMT\r$' "$D/nk-http.req"
}

@test "time-cond: -DATE is If-Unmodified-Since, =DATE Last-Modified, +DATE the default" {
	serve "HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nhi"
	as_curl -z '-Oct 19 2023' @URL@
	grep -q $'^If-Unmodified-Since: Thu, 19 Oct 2023 00:00:00 GMT\r$' "$D/nk-http.req"
	as_curl --time-cond '=Oct 19 2023' @URL@
	grep -q $'^Last-Modified: Thu, 19 Oct 2023 00:00:00 GMT\r$' "$D/nk-http.req"
	as_curl -z '+Oct 19 2023' @URL@
	grep -q $'^If-Modified-Since: ' "$D/nk-http.req"
	# A -H of the same name is sent instead; other headers after it.
	as_curl -z 'Oct 19 2023' -H 'If-Modified-Since: x' -H 'X-A: 1' -b 'c=1' @URL@
	grep -q $'^If-Modified-Since: x\r$' "$D/nk-http.req"
	as_curl -z 'Oct 19 2023' -H 'X-A: 1' -b 'c=1' -r 0-1 @URL@
	as_curl -z 'Oct 19 2023' -H 'If-Modified-Since:' @URL@
	! grep -q '^If-Modified-Since' "$D/nk-http.req"
}

@test "time-cond: a FILE's modification time; a date that is neither: curl's warning, no condition" {
	serve "HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nhi"
	mkdir -p "$D/in"
	touch -d '2021-03-04 05:06:07 UTC' "$D/in/ref"
	as_curl -z ref @URL@
	grep -q $'^If-Modified-Since: Thu, 04 Mar 2021 05:06:07 GMT\r$' "$D/nk-http.req"
	local bad
	for bad in bogus '2023-10-19 12:00' '' -; do
		as_curl -z "$bad" @URL@
		! grep -q '^If-' "$D/nk-http.req"
	done
	run -0 nkh -z nonsense --help
	[ "${lines[0]}" = "nk-http: warning: Illegal date format for -z, --time-cond (and not a file name). Disabling time condition. See curl_getdate(3) for valid date syntax." ]
}

@test "time-cond: a 200 whose Last-Modified fails the condition is a 304: no body, no file, as curl" {
	serve "$(OK200)"
	# Not newer than the condition: a 304 for -w, nothing written.
	as_curl -z 'Oct 19 2023' -w '%{http_code}' @URL@
	[ "$(cat "$D/nk-http.out")" = 304 ]
	as_curl -z 'Oct 19 2023' -o out -R @URL@
	[ ! -e "$D/nk-http/out" ]
	# An existing file is left as it was.
	mkdir -p "$D/in"
	printf 'mine\n' >"$D/in/out"
	touch -d '2020-01-01 00:00:00 UTC' "$D/in/out"
	as_curl -z 'Oct 19 2023' -o out @URL@
	[ "$(cat "$D/nk-http/out")" = mine ]
	# The head is still shown.
	as_curl -z 'Oct 19 2023' -i @URL@
	# Newer, unmodified-since a later date, or with a range: the body.
	as_curl -z 'Oct 19 2022' -w '%{http_code}' @URL@
	[ "$(cat "$D/nk-http.out")" = 0123456789200 ]
	as_curl -z '-Oct 19 2023' -w '%{http_code}' @URL@
	[ "$(cat "$D/nk-http.out")" = 0123456789200 ]
	as_curl -z '-Oct 19 2022' -w '%{http_code}' @URL@
	[ "$(cat "$D/nk-http.out")" = 304 ]
	as_curl -z 'Oct 19 2023' -r 0-1 @URL@
	[ "$(cat "$D/nk-http.out")" = 0123456789 ]
}

@test "time-cond: nginx's 304, and its 200 when the file is newer" {
	local ref="$D/ref"
	touch -d '2023-01-02 10:00:00 UTC' "$ref"
	rm -f "$D/got"
	run -0 nkh -s -z "$ref" -w '%{http_code}' -o "$D/got" "$(H /hello.txt)"
	[ "$output" = 304 ]
	[ ! -e "$D/got" ]
	run -0 nkh -s -z 'Jan 1 2023' -w '%{http_code}' "$(H /hello.txt)"
	[ "$output" = "hello world
200" ]
	run -0 nkh -s -z '-Jan 1 2023' -w '%{http_code}' -o /dev/null "$(H /hello.txt)"
	[ "$output" = 412 ]
}

# ---- --etag-save, --etag-compare ---------------------------------------

@test "etag: --etag-save writes the ETag and a newline, as curl; none: an empty file" {
	serve 'HTTP/1.1 200 OK\r\nETag:  \t"x-1"  \r\nContent-Length: 2\r\n\r\nhi'
	as_curl --etag-save e @URL@
	[ "$(od -An -c "$D/nk-http/e" | tr -s ' ')" = ' " x - 1 " \n' ]
	as_curl --etag-save - @URL@
	[ "$(cat "$D/nk-http.out")" = '"x-1"
hi' ]
	serve 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi'
	mkdir -p "$D/in"
	printf 'old\n' >"$D/in/e"
	as_curl --etag-save e @URL@
	[ ! -s "$D/nk-http/e" ]
}

@test "etag: --etag-compare sends the file's lines as If-None-Match, as curl" {
	serve "$(OK200)"
	mkdir -p "$D/in"
	printf '"q1"\r\n"q2"\n' >"$D/in/ec"
	: >"$D/in/empty"
	as_curl --etag-compare ec @URL@
	grep -q $'^If-None-Match: "q1""q2"\r$' "$D/nk-http.req"
	as_curl --etag-compare empty @URL@
	grep -q $'^If-None-Match: ""\r$' "$D/nk-http.req"
	as_curl -H 'If-None-Match: z' -H 'X-A: 1' --etag-compare ec @URL@
	# A file not there, with --etag-save: "" and the ETag saved.
	as_curl --etag-compare e --etag-save e @URL@
	grep -q $'^If-None-Match: ""\r$' "$D/nk-http.req"
	[ "$(cat "$D/nk-http/e")" = '"abc-1"' ]
	as_curl --etag-compare ec --etag-save ec @URL@
	[ "$(cat "$D/nk-http/ec")" = '"abc-1"' ]
}

@test "etag: a file to compare that is not there, or to save that cannot be made: exit 26" {
	serve "$(OK200)"
	as_curl --etag-compare nofile @URL@
	[ "$rc" = 26 ]
	[ ! -s "$D/nk-http.req" ]
	as_curl --etag-save nodir/e @URL@
	[ "$rc" = 26 ]
	run -26 nkh --etag-compare "$D/nofile" "$(H /hello.txt)"
	[ "$output" = "nk-http: Failed to open $D/nofile" ]
	run -26 nkh --etag-save "$D/nodir/e" "$(H /hello.txt)"
	[ "${lines[0]}" = "nk-http: warning: Failed creating file for saving etags: \"$D/nodir/e\". Skip this transfer" ]
	[ "${lines[1]}" = "nk-http: no transfer performed" ]
}

@test "etag: nginx: save, then compare: a 304 that leaves the file as it was" {
	cd "$D"
	run -0 nkh -s --etag-save etag -o got -w '%{http_code}' "$(H /hello.txt)"
	[ "$output" = 200 ]
	[ "$(cat got)" = "hello world" ]
	[[ "$(cat etag)" == '"'*'"' ]]
	run -0 nkh -s --etag-compare etag -o got -w '%{http_code}' "$(H /hello.txt)"
	[ "$output" = 304 ]
	[ "$(cat got)" = "hello world" ]
	printf '"other"\n' >etag2
	run -0 nkh -s --etag-compare etag2 -w '%{http_code}' "$(H /hello.txt)"
	[ "$output" = "hello world
200" ]
}

# ---- -R/--remote-time --------------------------------------------------

@test "remote-time: -o and -O files get Last-Modified's time, as curl; stdout is untouched" {
	serve "$(OK200)"
	as_curl -R -o out @URL@
	[ "$(stat -c %Y "$D/nk-http/out")" = "$(date -d "$OLD" +%s)" ]
	as_curl --remote-time -O @URL@
	[ "$(stat -c %Y "$D/nk-http/x")" = "$(date -d "$OLD" +%s)" ]
	as_curl -R @URL@
	# No Last-Modified: the time the file was written.
	serve 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi'
	as_curl -R -o out @URL@ || true
	[ "$(( $(date +%s) - $(stat -c %Y "$D/nk-http/out") ))" -lt 60 ]
}

@test "remote-time: nginx's file time" {
	cd "$D"
	run -0 nkh -s -R -o got "$(H /hello.txt)"
	[ "$(stat -c %Y got)" = "$(date -d '2023-01-02 10:00:00 UTC' +%s)" ]
}
