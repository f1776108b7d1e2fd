#!/usr/bin/env bats
# nk http -Z as one poll loop of tasks sharing connections (nk/task.h,
# nk_fetch_new_shared): HTTP/2 streams multiplexed on one connection
# against nginx (TLS, h2 by ALPN), nghttpd (h2c) and the scripted peer
# (servers/h2peer.py), which answers only when several streams are open
# at once, refuses streams with GOAWAY, or resets one of several;
# examples/parallel.c, the same from C.
load ../lib/common
load ../lib/http
load ../lib/h2

bats_require_minimum_version 1.5.0

setup_file() {
	NGINX_CONF_IN="$TESTS_DIR/servers/nginx_h2.conf.in" start_nginx
	head -c 1048576 /dev/urandom >"$NGINX_DIR/www/1m.bin"
}

teardown_file() {
	stop_nginx
}

# sum: adds the numbers of its input, one a line
sum() { awk '{ n += $1 } END { print n + 0 }'; }

@test "mux: three streams open at once on one connection (the peer answers only then), GET and POST" {
	peer together
	run -0 timeout 10 nk-http -Z -sS --http2-prior-knowledge \
		-w '%{num_connects} %{http_version}\n' "$PEER/a" "$PEER/b" "$PEER/c"
	[ "$output" = "s1
1 2
s3
0 2
s5
0 2" ]
	peer together
	run -0 timeout 10 nk-http -Z -sS --http2-prior-knowledge -d x \
		-w '%{num_connects}\n' "$PEER/a" "$PEER/b" "$PEER/c"
	[ "$output" = "s1
1
s3
0
s5
0" ]
}

@test "mux: GOAWAY refuses two of four streams: they go again on one new connection" {
	peer goaway-multi
	run -0 timeout 10 nk-http -Z -sS --http2-prior-knowledge \
		-w '%{num_connects}\n' "$PEER/a" "$PEER/b" "$PEER/c" "$PEER/d"
	[ "$output" = "s1
1
s3
0
s1
1
s3
0" ]
}

@test "mux: one stream reset (92) among three: the others' output is whole, the exit is 92" {
	peer rst-one
	run -92 --separate-stderr timeout 10 nk-http -Z -sS --http2-prior-knowledge \
		"$PEER/a" "$PEER/b" "$PEER/c"
	[ "$output" = "s1
s5" ]
	[ "$stderr" = "nk-http: (92) HTTP/2 stream 3 was not closed cleanly: INTERNAL_ERROR (err 2)" ]
}

@test "mux: 40 URLs over https from nginx: one connection, all HTTP/2, bodies whole" {
	local args=() i
	for i in $(seq 40); do
		args+=(-o "$BATS_TEST_TMPDIR/o$i" "$(S /1m.bin)")
	done
	run -0 nkh -Z -s -w '%{num_connects} %{http_version}\n' "${args[@]}"
	[ "$(printf '%s\n' "${lines[@]}" | cut -d' ' -f1 | sum)" = 1 ]
	[ "$(printf '%s\n' "${lines[@]}" | cut -d' ' -f2 | sort -u)" = 2 ]
	for i in $(seq 40); do
		cmp "$BATS_TEST_TMPDIR/o$i" "$NGINX_DIR/www/1m.bin"
	done
}

@test "mux: --parallel-immediate opens a connection for each transfer that starts together" {
	local urls=() i
	for i in $(seq 5); do urls+=("$(S /hello.txt)"); done
	run -0 nkh -Z -s --parallel-immediate -o /dev/null -w '%{num_connects}\n' "${urls[@]}"
	[ "$(printf '%s\n' "${lines[@]}" | grep -c '^[01]$')" = 5 ]
	[ "$(printf '%s\n' "${lines[@]}" | sum)" = 5 ]
	run -0 nkh -Z -s -o /dev/null -w '%{num_connects}\n' "${urls[@]}"
	[ "$(printf '%s\n' "${lines[@]}" | sum)" = 1 ]
}

@test "mux: HTTP/1.1 -Z shares kept connections across transfers (--parallel-max 2: two connections for 20)" {
	local urls=() i
	for i in $(seq 20); do urls+=("$(S /hello.txt)"); done
	run -0 nkh -Z --parallel-max 2 --http1.1 -s -w '%{num_connects}\n' "${urls[@]}"
	[ "$(printf '%s\n' "${lines[@]}" | grep -c '^hello world$')" = 20 ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -v hello | sum)" = 2 ]
}

@test "mux: 200 small files over h2c from nghttpd, in command-line order, one connection" {
	nghttpd_start
	local urls=() i
	for i in $(seq 200); do urls+=("http://127.0.0.1:$NGH/hello.txt"); done
	run -0 timeout 20 nk-http -Z -s --http2-prior-knowledge -w '%{num_connects}\n' "${urls[@]}"
	[ "$(printf '%s\n' "${lines[@]}" | grep -c '^hello world$')" = 200 ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -v hello | sum)" = 1 ]
	[ "${lines[0]}" = "hello world" ]
	[ "${lines[1]}" = 1 ]
}

@test "mux: examples/parallel fetches several URLs at once from C, on one HTTP/2 connection" {
	nghttpd_start
	local u="http://127.0.0.1:$NGH"
	run -0 timeout 10 "$NK_BUILD/examples/parallel" \
		--http2-prior-knowledge "$u/hello.txt" "$u/1m.bin" "$u/hello.txt"
	[ "$output" = "$u/hello.txt: 200, 12 bytes, HTTP/2, connection #0
$u/1m.bin: 200, 1048576 bytes, HTTP/2, connection #0
$u/hello.txt: 200, 12 bytes, HTTP/2, connection #0" ]
	run -6 timeout 10 "$NK_BUILD/examples/parallel" "http://nk.invalid/"
	[ "$output" = "http://nk.invalid/: error 6: Could not resolve host: nk.invalid" ]
}
