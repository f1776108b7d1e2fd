#!/usr/bin/env bats
# nk http's --trace, --trace-ascii, --trace-time, --trace-ids and -#:
# the dumps byte for byte against curl 7.88's for the same server (the
# scripted rawhttp.py; "== Info:" lines are nk's own words and are left
# out of the comparison), HTTPS and redirects against nginx, and curl's
# progress bar.
load ../lib/common
load ../lib/http

bats_require_minimum_version 1.5.0

setup_file() {
	start_nginx
}

teardown_file() {
	stop_nginx
}

setup() {
	D=$BATS_TEST_TMPDIR
	curl --version 2>/dev/null | grep -q '^curl 7\.88\.' ||
		skip "curl 7.88 is the reference and is not installed"
}

# case_file RESPONSE: $D/c.case, each connection reads one request and
# gets RESPONSE (escapes as rawhttp.py reads them).
case_file() {
	printf 'recv\nsend %s\nclose\n' "$1" >"$D/c.case"
}

# both ARGS...: nk http and curl, each `-s -A UA ARGS` with @PORT@ the
# raw server's port, one after the other against $D/c.case; their exit
# statuses in $nk_rc and $curl_rc, stdout and stderr in $D/{nk,curl}.out
# and .err; stdin is a pipe from $IN (default /dev/null). A trace file named T.trace in ARGS is made T-nk.trace and
# T-curl.trace.
both() {
	local client a args
	start_raw "$D/c.case"
	for client in nk curl; do
		args=()
		for a in "$@"; do
			a=${a//@PORT@/$RAW_PORT}
			args+=("${a//.trace/-$client.trace}")
		done
		local rc=0 bin=nk-http
		[ "$client" = curl ] && bin=curl
		timeout -k 2 20 "$bin" -s -A UA "${args[@]}" < <(cat "${IN:-/dev/null}") \
			>"$D/$client.out" 2>"$D/$client.err" || rc=$?
		eval "${client}_rc=$rc"
	done
	stop_raw
}

# noinfo FILE: the trace without its "== Info:" lines (and without the
# port, which is in the Host line's length only for both alike).
noinfo() {
	grep -av '^== Info: ' "$1"
}

# undump KIND: the bytes of the hex dumps (--trace) of the blocks KIND
# on stdin
undump() {
	"$PYTHON" -c '
import sys
kind = sys.argv[1].encode()
out, on = bytearray(), False
for line in sys.stdin.buffer:
    if line[:1] in b"=<":
        on = line.startswith(kind)
    elif on:
        out += bytes.fromhex(line[6:54].decode())
sys.stdout.buffer.write(out)' "$1"
}

# all bytes 0 to 255, as rawhttp.py escapes
all_bytes() {
	local i
	for i in $(seq 0 255); do printf '\\x%02x' "$i"; done
}

@test "trace: --trace dumps every byte 0..255 in hex and ASCII exactly as curl" {
	case_file "HTTP/1.1 200 OK\\r\\nContent-Length: 256\\r\\n\\r\\n$(all_bytes)"
	both --trace "$D/t.trace" -o /dev/null "http://127.0.0.1:@PORT@/bin"
	[ "$nk_rc" = 0 ] && [ "$curl_rc" = 0 ]
	noinfo "$D/t-curl.trace" >"$D/want"
	noinfo "$D/t-nk.trace" >"$D/got"
	diff -u "$D/want" "$D/got"
	# the hex and the text of the body, line by line
	grep -aFx '<= Recv data, 256 bytes (0x100)' "$D/got"
	grep -aFx '0070: 70 71 72 73 74 75 76 77 78 79 7a 7b 7c 7d 7e 7f pqrstuvwxyz{|}~.' "$D/got"
	grep -aFx '00f0: f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd fe ff ................' "$D/got"
	local n=$((68 + ${#RAW_PORT}))
	grep -aFx "=> Send header, $n bytes ($(printf '0x%x' $n))" "$D/got"
	# nk's steps are there, as its -v shows them
	grep -aq '^== Info: ' "$D/t-nk.trace"
}

@test "trace: --trace-ascii: heads a line each, a chunked body with its framing, a POST body, as curl" {
	case_file "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\nX-A: 1\\r\\n\\r\\n5\\r\\nhello\\r\\n6\\r\\n world\\r\\n0\\r\\n\\r\\n"
	both --trace-ascii "$D/t.trace" -d 'a=1&b=2' "http://127.0.0.1:@PORT@/p"
	[ "$nk_rc" = 0 ] && [ "$curl_rc" = 0 ]
	noinfo "$D/t-curl.trace" >"$D/want"
	noinfo "$D/t-nk.trace" >"$D/got"
	diff -u "$D/want" "$D/got"
	grep -aFx '=> Send data, 7 bytes (0x7)' "$D/got"
	grep -aFx '<= Recv header, 28 bytes (0x1c)' "$D/got"
	grep -aFx '<= Recv data, 26 bytes (0x1a)' "$D/got"
	grep -aFx '0000: 5' "$D/got"
	[ "$(cat "$D/nk.out")" = "hello world" ]
}

@test "trace: a chunked upload from stdin is traced with its framing, as curl" {
	case_file "HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok"
	printf 'hello upload' >"$D/in"
	IN=$D/in both --trace-ascii "$D/t.trace" -T - "http://127.0.0.1:@PORT@/u"
	[ "$nk_rc" = 0 ] && [ "$curl_rc" = 0 ]
	noinfo "$D/t-curl.trace" >"$D/want"
	noinfo "$D/t-nk.trace" >"$D/got"
	diff -u "$D/want" "$D/got"
	grep -aFx '=> Send data, 17 bytes (0x11)' "$D/got"
	grep -aFx '0003: hello upload' "$D/got"
}

@test "trace: --trace - writes the trace and the body to stdout in curl's order" {
	case_file "HTTP/1.1 200 OK\\r\\nContent-Length: 6\\r\\n\\r\\nhello\\n"
	both --trace-ascii - "http://127.0.0.1:@PORT@/x"
	[ "$nk_rc" = 0 ] && [ "$curl_rc" = 0 ]
	noinfo "$D/curl.out" >"$D/want"
	noinfo "$D/nk.out" >"$D/got"
	diff -u "$D/want" "$D/got"
	# the body right after its dump
	grep -A2 -F '<= Recv data, 6 bytes (0x6)' "$D/got" | tail -1 | grep -Fx hello
	[ ! -s "$D/nk.err" ]
}

@test "trace: % is stderr; a file that cannot be opened gets the trace on stderr, exit 0, as curl" {
	case_file "HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\n\\r\\nhi\\n"
	both --trace-ascii % "http://127.0.0.1:@PORT@/x"
	[ "$nk_rc" = 0 ] && [ "$curl_rc" = 0 ]
	[ "$(cat "$D/nk.out")" = hi ]
	diff -u <(noinfo "$D/curl.err") <(noinfo "$D/nk.err")
	both --trace-ascii "$D/no/such/dir/t" "http://127.0.0.1:@PORT@/x"
	[ "$nk_rc" = 0 ] && [ "$curl_rc" = 0 ]
	[ "$(cat "$D/nk.out")" = hi ]
	[ ! -e "$D/no" ]
	diff -u <(noinfo "$D/curl.err") <(noinfo "$D/nk.err")
	grep -qFx '<= Recv data, 3 bytes (0x3)' "$D/nk.err"
}

@test "trace: --trace-time and --trace-ids prefix each block and each -v line" {
	case_file "HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\n\\r\\nhi\\n"
	start_raw "$D/c.case"
	local u="http://127.0.0.1:$RAW_PORT/x"
	run -0 timeout 20 nk-http -s --trace-ascii "$D/t" --trace-time --trace-ids \
		-o /dev/null -o /dev/null "$u" "$u"
	timeout 20 nk-http -s -v --trace-time -o /dev/null "$u" 2>"$D/err"
	stop_raw
	local ts='[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{6} '
	# every line is a prefixed block head or a dump line
	run grep -Evc "^(${ts}\[[01]-(x|[0-9]+)\] (== Info: |=> Send |<= Recv )|[0-9a-f]{4}: )" "$D/t"
	[ "$output" = 0 ] || { cat "$D/t"; false; }
	# before the connection "x", then its number; the second transfer is 1
	grep -Eq "^${ts}\[0-x\] == Info: " "$D/t"
	grep -Eq "^${ts}\[0-0\] => Send header, " "$D/t"
	# the server closes each connection: the second one is #1
	grep -Eq "^${ts}\[1-1\] <= Recv data, 3 bytes \(0x3\)$" "$D/t"
	# -v: every line begins with the time
	run grep -Evc "^${ts}[*<>] " "$D/err"
	[ "$output" = 0 ] || { cat "$D/err"; false; }
	grep -Eq "^${ts}> GET /x HTTP/1.1" "$D/err"
	grep -Eq "^${ts}< HTTP/1.1 200 OK" "$D/err"
}

@test "trace: -v and --trace replace each other with curl's warning" {
	case_file "HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\n\\r\\nhi\\n"
	start_raw "$D/c.case"
	local u="http://127.0.0.1:$RAW_PORT/x" c
	for c in nk-http curl; do
		timeout 20 "$c" --no-progress-meter -v --trace-ascii "$D/$c.t" \
			-o /dev/null "$u" 2>"$D/$c.err1"
		timeout 20 "$c" --no-progress-meter --trace "$D/$c.t2" -v \
			-o /dev/null "$u" 2>"$D/$c.err2"
	done
	stop_raw
	head -1 "$D/nk-http.err1" | grep -Fx 'Warning: --trace-ascii overrides an earlier trace/verbose option'
	[ "$(head -1 "$D/nk-http.err1")" = "$(head -1 "$D/curl.err1")" ]
	[ "$(wc -l <"$D/nk-http.err1")" = 1 ]
	grep -q '^<= Recv data' "$D/nk-http.t"
	[ "$(head -1 "$D/nk-http.err2")" = "$(head -1 "$D/curl.err2")" ]
	grep -q '^> GET /x' "$D/nk-http.err2"
	[ ! -e "$D/nk-http.t2" ]
}

@test "trace: HTTPS shows the decrypted bytes, and no SSL data" {
	run -0 timeout 20 nk-http -s $(NKR) --trace-ascii "$D/t" \
		"https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$output" = "hello world" ]
	grep -Fx '0000: GET /hello.txt HTTP/1.1' "$D/t"
	grep -Fx '<= Recv data, 12 bytes (0xc)' "$D/t"
	grep -Fx '0000: hello world.' "$D/t"
	! grep -q 'SSL data' "$D/t"
	# the handshake's outcome among the Info lines
	grep -q '^== Info: .*TLSv1\.[23]' "$D/t"
}

@test "trace: -L traces both hops, the redirect's body too" {
	run -0 timeout 20 nk-http -s $(NKR) -L --trace-ascii "$D/t" \
		"http://nk.test:$NGINX_PORT/r/302"
	[ "$output" = "hello world" ]
	[ "$(grep -c '^=> Send header, ' "$D/t")" = 2 ]
	grep -Fx '0000: GET /r/302 HTTP/1.1' "$D/t"
	grep -Fx '0000: GET /hello.txt HTTP/1.1' "$D/t"
	grep -Fx '0000: HTTP/1.1 302 Moved Temporarily' "$D/t"
	grep -Fx '0000: HTTP/1.1 200 OK' "$D/t"
	[ "$(grep -c '^<= Recv data, ' "$D/t")" = 2 ]
}

@test "trace: --trace and -# are global: they cover the groups after --next" {
	local u="http://nk.test:$NGINX_PORT/hello.txt"
	run -0 timeout 20 nk-http -s $(NKR) --trace-ascii "$D/t" "$u" \
		--next $(NKR) -H 'X-Second: 1' "$u"
	[ "$output" = $'hello world\nhello world' ]
	[ "$(grep -c '^=> Send header, ' "$D/t")" = 2 ]
	grep -q 'X-Second: 1' "$D/t"
	COLUMNS=40 run -0 timeout 20 nk-http $(NKR) -# -o "$D/a" "$u" \
		--next $(NKR) -o "$D/b" "$u"
	[ "$(grep -o '100\.0%' <<<"$output" | wc -l)" = 2 ]
}

@test "trace: large bodies are traced whole (no splice, no sendfile)" {
	local f="$NGINX_DIR/www/random.bin"
	run -0 timeout 20 nk-http -s $(NKR) --trace "$D/t" -o "$D/got" \
		"http://nk.test:$NGINX_PORT/random.bin"
	cmp "$f" "$D/got"
	[ "$(sed -n 's/^<= Recv data, \([0-9]*\) bytes.*/\1/p' "$D/t" |
		paste -sd+ | bc)" = 300000 ]
	# the hex dumps of the body, read back, are the file
	undump '<= Recv data' <"$D/t" | cmp - "$f"
	# a file upload, sent with sendfile(2) when not traced
	head -c 200000 /dev/urandom >"$D/up"
	case_file "HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok"
	start_raw "$D/c.case" "$D/rec"
	run -0 timeout 20 nk-http -s --trace "$D/t2" -T "$D/up" \
		"http://127.0.0.1:$RAW_PORT/up"
	stop_raw
	[ "$(sed -n 's/^=> Send data, \([0-9]*\) bytes.*/\1/p' "$D/t2" |
		paste -sd+ | bc)" = 200000 ]
	tail -c 200000 "$D/rec/conn-1" | cmp - "$D/up"
	undump '=> Send data' <"$D/t2" | cmp - "$D/up"
}

# bar ARGS...: nk http's and curl's stderr with -# and COLUMNS=40
bar() {
	local c
	for c in nk-http curl; do
		COLUMNS=40 timeout 20 "$c" -# -o /dev/null "$@" 2>"$D/$c.bar" || true
	done
}

@test "progress-bar: the final line for a known size, as curl" {
	bar $(NKR) "http://nk.test:$NGINX_PORT/100k.txt"
	printf '\r%33s 100.0%%\n' '' | tr ' ' '#' | sed 's/#100\.0/ 100.0/' >"$D/want"
	cmp "$D/curl.bar" "$D/want" || { od -c "$D/curl.bar" | tail -4; false; }
	# nk draws at most every 100 ms: the last frame is the same
	tail -c 42 "$D/nk-http.bar" | cmp - "$D/want"
	# many known sizes: one bar each
	bar $(NKR) "http://nk.test:$NGINX_PORT/hello.txt" \
		"http://nk.test:$NGINX_PORT/hello.txt"
	cmp "$D/curl.bar" "$D/nk-http.bar"
}

@test "progress-bar: an unknown size (chunked) ends with a newline; -s shows none; an error goes first" {
	case_file "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n0\\r\\n\\r\\n"
	start_raw "$D/c.case"
	bar "http://127.0.0.1:$RAW_PORT/x"
	od -c "$D/nk-http.bar" >&2
	od -c "$D/curl.bar" >&2
	printf '\n' | cmp - "$D/nk-http.bar"
	cmp "$D/curl.bar" "$D/nk-http.bar"
	bar -s "http://127.0.0.1:$RAW_PORT/x"
	[ ! -s "$D/nk-http.bar" ] && [ ! -s "$D/curl.bar" ]
	stop_raw
	bar -f "http://nk.test:$NGINX_PORT/status/404" $(NKR)
	sed 's/^curl: /nk-http: /' "$D/curl.bar" | cmp - "$D/nk-http.bar"
	grep -q '(22)' "$D/nk-http.bar"
	# no request went: no newline
	bar "http://127.0.0.1:1/"
	[ "$(tail -c 1 "$D/nk-http.bar" | od -An -c | tr -d ' ')" = '\n' ]
	[ "$(wc -l <"$D/nk-http.bar")" = 1 ]
}

@test "trace: pipelined responses: each body's bytes traced once, the next head not among them" {
	printf 'recv\nrecv\nsend %s%s\nclose\n' \
		'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' \
		'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nxyz' >"$D/c.case"
	start_raw "$D/c.case"
	run -0 timeout 20 nk-http -s --pipeline --trace-ascii "$D/t" \
		"http://127.0.0.1:$RAW_PORT/a" "http://127.0.0.1:$RAW_PORT/b"
	stop_raw
	[ "$output" = abcxyz ]
	grep -A5 -Fx '<= Recv data, 13 bytes (0xd)' "$D/t" >"$D/got"
	printf '%s\n' '<= Recv data, 13 bytes (0xd)' '0000: 3' '0003: abc' \
		'0008: 0' '000b: ' >"$D/want"
	diff -u "$D/want" <(head -5 "$D/got")
	[ "$(grep -c '^0000: HTTP/1.1 200 OK$' "$D/t")" = 2 ]
	grep -A1 -Fx '<= Recv data, 3 bytes (0x3)' "$D/t" | grep -Fx '0000: xyz'
}
