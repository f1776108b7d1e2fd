#!/usr/bin/env bats
# nk http --pipeline: requests for the next URLs go out before the answers
# come back, on one connection, and the answers are read in order. Against
# the scripted raw server, which proves the order (it reads every request
# before it answers any: a client that waited would hang), and nginx.
load ../lib/common
load ../lib/http

setup_file() {
	start_nginx
}

teardown_file() {
	stop_nginx
}

# pcase NAME: writes a case file from stdin and prints its path.
pcase() {
	cat >"$BATS_TEST_TMPDIR/$1.case"
	echo "$BATS_TEST_TMPDIR/$1.case"
}

@test "pipeline: three requests before any answer, answers in one piece" {
	start_raw "$(pcase p <<-'EOF'
	recv
	recv
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\none\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\ntwo\n\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nthree\n
	drain
	EOF
	)" "$BATS_TEST_TMPDIR/rec"
	local u="http://127.0.0.1:$RAW_PORT"
	run timeout -k 2 10 nk-http --pipeline -w '%{num_connects}%{http_code} ' \
		"$u/1" "$u/2" "$u/3"
	[ "$status" -eq 0 ]
	[ "$output" = $'one\n1200 two\n0200 three\n0200 ' ]
	[ "$(grep -c '^GET' "$BATS_TEST_TMPDIR/rec/conn-1")" -eq 3 ]
	grep -q '^GET /3 HTTP/1.1' "$BATS_TEST_TMPDIR/rec/conn-1"
	[ ! -e "$BATS_TEST_TMPDIR/rec/conn-2" ]
}

@test "pipeline: without it, the same server is never answered" {
	start_raw "$(pcase p <<-'EOF'
	recv
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\none\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ntwo\n
	EOF
	)"
	local u="http://127.0.0.1:$RAW_PORT"
	run timeout -k 2 10 nk-http -m 1 "$u/1" "$u/2"
	[ "$status" -eq 28 ]
}

@test "pipeline: the server closes early, the rest go again one at a time" {
	start_raw "$(pcase p <<-'EOF'
	recv
	recv
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\none\n
	close
	conn
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ntwo\n
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nthree\n
	drain
	EOF
	)" "$BATS_TEST_TMPDIR/rec"
	local u="http://127.0.0.1:$RAW_PORT"
	timeout -k 2 10 nk-http -v --pipeline "$u/1" "$u/2" "$u/3" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = $'one\ntwo\nthree' ]
	grep -qx '\* Pipelining 2 more requests on connection #0' \
		"$BATS_TEST_TMPDIR/err"
	grep -qx '\* Connection #0 ends with 2 pipelined requests unanswered: they go again one at a time' \
		"$BATS_TEST_TMPDIR/err"
	[ "$(grep -c 'Pipelining' "$BATS_TEST_TMPDIR/err")" -eq 1 ]
	printf 'GET /2 HTTP/1.1\r\n' | cmp -n 17 - "$BATS_TEST_TMPDIR/rec/conn-2"
	[ "$(grep -c '^GET' "$BATS_TEST_TMPDIR/rec/conn-2")" -eq 2 ]
	[ ! -e "$BATS_TEST_TMPDIR/rec/conn-3" ]
}

@test "pipeline: Connection: close in the middle, the rest on a new connection" {
	start_raw "$(pcase p <<-'EOF'
	recv
	recv
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\none\nHTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 4\r\n\r\ntwo\n
	close
	conn
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nthree\n
	drain
	EOF
	)" "$BATS_TEST_TMPDIR/rec"
	local u="http://127.0.0.1:$RAW_PORT"
	run timeout -k 2 10 nk-http --pipeline "$u/1" "$u/2" "$u/3"
	[ "$status" -eq 0 ]
	[ "$output" = $'one\ntwo\nthree' ]
	[ "$(grep -c '^GET' "$BATS_TEST_TMPDIR/rec/conn-2")" -eq 1 ]
	grep -q '^GET /3 ' "$BATS_TEST_TMPDIR/rec/conn-2"
}

@test "pipeline: HEAD responses have no body, in a pipeline too" {
	start_raw "$(pcase p <<-'EOF'
	recv
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 9999\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\n
	drain
	EOF
	)" "$BATS_TEST_TMPDIR/rec"
	local u="http://127.0.0.1:$RAW_PORT"
	run timeout -k 2 10 nk-http --pipeline -I -w '%{http_code}\n' "$u/a" "$u/b"
	[ "$status" -eq 0 ]
	[ "$output" = $'HTTP/1.1 200 OK\r\nContent-Length: 9999\r\n\r\n200\nHTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\n404' ]
	[ "$(grep -c '^HEAD' "$BATS_TEST_TMPDIR/rec/conn-1")" -eq 2 ]
}

@test "pipeline: a POST is never sent ahead" {
	start_raw "$(pcase p <<-'EOF'
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\none\n
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ntwo\n
	drain
	EOF
	)"
	local u="http://127.0.0.1:$RAW_PORT"
	timeout -k 2 10 nk-http -v --pipeline -X POST "$u/1" "$u/2" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = $'one\ntwo' ]
	! grep -q 'Pipelining' "$BATS_TEST_TMPDIR/err"
}

@test "pipeline: a redirect's next request goes on a connection of its own" {
	start_raw "$(pcase p <<-'EOF'
	recv
	recv
	send HTTP/1.1 302 Found\r\nLocation: /moved\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ntwo\n
	drain
	conn
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\none\n
	drain
	EOF
	)" "$BATS_TEST_TMPDIR/rec"
	local u="http://127.0.0.1:$RAW_PORT"
	run timeout -k 2 10 nk-http --pipeline -L "$u/1" "$u/2"
	[ "$status" -eq 0 ]
	[ "$output" = $'one\ntwo' ]
	grep -q '^GET /moved ' "$BATS_TEST_TMPDIR/rec/conn-2"
}

@test "pipeline: 300 files from nginx over http and https, byte for byte" {
	local urls=() surls=() want="$BATS_TEST_TMPDIR/want" i
	: >"$want"
	for i in $(seq 1 100); do
		urls+=("http://nk.test:$NGINX_PORT/hello.txt"
		       "http://nk.test:$NGINX_PORT/random.bin"
		       "http://nk.test:$NGINX_PORT/dir/file.txt")
		cat "$NGINX_DIR/www/hello.txt" "$NGINX_DIR/www/random.bin" \
			"$NGINX_DIR/www/dir/file.txt" >>"$want"
	done
	# shellcheck disable=SC2046
	timeout -k 2 60 nk-http $(NKR) --pipeline -w '%{stderr}%{num_connects}' \
		"${urls[@]}" >"$BATS_TEST_TMPDIR/got" 2>"$BATS_TEST_TMPDIR/w"
	cmp "$BATS_TEST_TMPDIR/got" "$want"
	# one connection for all
	[ "$(cat "$BATS_TEST_TMPDIR/w")" = "1$(printf '0%.0s' $(seq 299))" ]
	for i in "${!urls[@]}"; do surls+=("${urls[$i]/http:\/\/nk.test:$NGINX_PORT/https://nk.test:$NGINX_SPORT}"); done
	# shellcheck disable=SC2046
	timeout -k 2 60 nk-http $(NKR) --pipeline "${surls[@]}" \
		>"$BATS_TEST_TMPDIR/got2"
	cmp "$BATS_TEST_TMPDIR/got2" "$want"
}

# Bodies bound for stdout are gathered and written together; what is held
# goes out before nk waits for the network, and before -w or -D - write.

@test "pipeline: 300 small bodies to stdout leave in a few write calls" {
	local urls=() want="$BATS_TEST_TMPDIR/want" i
	: >"$want"
	for i in $(seq 1 300); do
		urls+=("http://nk.test:$NGINX_PORT/hello.txt")
		cat "$NGINX_DIR/www/hello.txt" >>"$want"
	done
	# (LeakSanitizer cannot run under ptrace: in a sanitizer build this
	# run alone goes without it)
	# shellcheck disable=SC2046
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	timeout -k 2 60 strace -o "$BATS_TEST_TMPDIR/trace" -e trace=write \
		nk-http $(NKR) -s --pipeline "${urls[@]}" >"$BATS_TEST_TMPDIR/got"
	cmp "$BATS_TEST_TMPDIR/got" "$want"
	local writes
	writes=$(grep -c '^write(1,' "$BATS_TEST_TMPDIR/trace")
	# one per wait for the network at most (a read brings many
	# responses), never one per body
	[ "$writes" -ge 1 ]
	[ "$writes" -le 30 ]
}

@test "pipeline: a body already here is written before nk waits for the next" {
	start_raw "$(pcase p <<-'EOF'
	recv
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\none\nHTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\ntwo\n
	hang
	EOF
	)"
	local u="http://127.0.0.1:$RAW_PORT" out="$BATS_TEST_TMPDIR/out"
	start_bg "$BATS_TEST_TMPDIR/err" sh -c 'exec nk-http -s --pipeline "$@" >"$0"' \
		"$out" "$u/1" "$u/2"
	local pid=$BG_PID
	wait_for_line "$out" '^two$' 5
	# nk is still waiting for the rest of the second body
	kill -0 "$pid"
	[ "$(cat "$out")" = $'one\ntwo' ]
	stop_pid "$pid"
}

@test "stdout: each piece of a slow body is out before nk waits again" {
	start_raw "$(pcase p <<-'EOF'
	recv
	send HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nfirst\n\r\n
	hang
	EOF
	)"
	local out="$BATS_TEST_TMPDIR/out"
	start_bg "$BATS_TEST_TMPDIR/err" sh -c 'exec nk-http -s "$1" >"$0"' \
		"$out" "http://127.0.0.1:$RAW_PORT/"
	wait_for_line "$out" '^first$' 5
	kill -0 "$BG_PID"
	stop_pid "$BG_PID"
}

@test "pipeline: bodies, -D - and -w reach stdout in order" {
	start_raw "$(pcase p <<-'EOF'
	recv
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\none\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ntwo\n
	drain
	EOF
	)"
	local u="http://127.0.0.1:$RAW_PORT"
	run timeout -k 2 10 nk-http -s --pipeline -D - -w '[%{http_code}]' \
		"$u/1" "$u/2"
	[ "$status" -eq 0 ]
	[ "$output" = $'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\none\n[200]HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ntwo\n[200]' ]
}

@test "pipeline: stdout on a full disk or a closed pipe: 23 and why" {
	local u="http://nk.test:$NGINX_PORT/hello.txt"
	# shellcheck disable=SC2046
	run timeout -k 2 10 sh -c 'nk-http "$@" >/dev/full' sh $(NKR) \
		--pipeline "$u" "$u" "$u"
	[ "$status" -eq 23 ]
	# each transfer that could not write says so, in the same words
	[ "$(sort -u <<<"$output")" = "nk-http: (23) writing to stdout: No space left on device" ]
	# a pipe whose reader is gone before nk writes (SIGPIPE as a shell
	# leaves it)
	# shellcheck disable=SC2046
	run timeout -k 2 10 python3 -c '
import os, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
r, w = os.pipe()
os.close(r)
os.dup2(w, 1)
os.execvp("nk-http", ["nk-http"] + sys.argv[1:])' $(NKR) --pipeline "$u" "$u" "$u"
	[ "$status" -eq 23 ]
	[ "$(sort -u <<<"$output")" = "nk-http: (23) writing to stdout: Broken pipe" ]
}

@test "stdout: the start of a body that came with its head stays ahead of the spliced rest" {
	# 1000 bytes arrive with the head and are held; the other 200000
	# come later and go by splice(2) straight to stdout
	local d=$BATS_TEST_TMPDIR
	{ printf 'HTTP/1.1 200 OK\r\nContent-Length: 201000\r\n\r\n'
	  head -c 1000 /dev/zero | tr '\0' a; } >"$d/part1"
	head -c 200000 /dev/zero | tr '\0' c >"$d/part2"
	start_raw "$(pcase p <<-'EOF'
	recv
	sendfile part1
	pause 300
	sendfile part2
	drain
	EOF
	)"
	timeout -k 2 10 nk-http -s "http://127.0.0.1:$RAW_PORT/" >"$d/out"
	tail -c 1000 "$d/part1" | cat - "$d/part2" | cmp - "$d/out"
}
