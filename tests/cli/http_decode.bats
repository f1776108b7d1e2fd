#!/usr/bin/env bats
# nk http --compressed against br and zstd bodies (issue 17): a scripted
# server (rawhttp.py) sends bodies made here by Debian's brotli and zstd
# commands; each test checks the exact bytes (cmp), the exit status and the
# error line. curl 7.88 fetches the same replies where it agrees, so the
# decoded bytes are checked against a second decoder too.
load ../lib/common
load ../lib/http

bats_require_minimum_version 1.5.0

setup_file() {
	local d="$BATS_FILE_TMPDIR"
	# 700 KB of lines a shifted or partial copy cannot match
	seq 1 20000 | sed 's/$/ lines of text for the decoder/' >"$d/plain.txt"
	brotli -c "$d/plain.txt" >"$d/plain.br"
	zstd -q -c "$d/plain.txt" >"$d/plain.zst"
	gzip -c -n "$d/plain.txt" | brotli -c >"$d/plain.gz.br"
}

# serve CODING FILE [SEND]: a server whose one reply has
# Content-Encoding CODING and FILE for body (with its length), sent by
# sendfile or by SEND (a case-file line); sets RAW_PORT.
serve() {
	local case="$BATS_TEST_TMPDIR/reply.case"
	{
		printf 'recv\nsend HTTP/1.1 200 OK\\r\\nContent-Encoding: %s\\r\\n' "$1"
		printf 'Content-Length: %s\\r\\nConnection: close\\r\\n\\r\\n\n' \
			"$(stat -c %s "$2")"
		printf '%s\n' "${3:-sendfile $2}"
	} >"$case"
	start_raw "$case"
}

# fetch [ARGS...]: nk-http --compressed from the server into got, its
# stderr in err, its exit status in rc.
fetch() {
	rc=0
	timeout -k 2 20 nk-http -sS --compressed "$@" \
		"http://127.0.0.1:$RAW_PORT/x" >"$BATS_TEST_TMPDIR/got" \
		2>"$BATS_TEST_TMPDIR/err" || rc=$?
	cat "$BATS_TEST_TMPDIR/err" >&2
}

# curl_too FILE CODING: curl --compressed gets the same reply and the same
# bytes as nk did.
curl_too() {
	command -v curl >/dev/null || return 0
	serve "$2" "$1"
	timeout -k 2 20 curl -sS --compressed "http://127.0.0.1:$RAW_PORT/x" \
		-o "$BATS_TEST_TMPDIR/curl"
	stop_raw
	cmp "$BATS_TEST_TMPDIR/curl" "$BATS_TEST_TMPDIR/got"
}

err_is() {
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "$1" ]
}

@test "decode: br" {
	serve br "$BATS_FILE_TMPDIR/plain.br"
	fetch
	stop_raw
	[ "$rc" = 0 ]
	cmp "$BATS_FILE_TMPDIR/plain.txt" "$BATS_TEST_TMPDIR/got"
	curl_too "$BATS_FILE_TMPDIR/plain.br" br
}

@test "decode: zstd" {
	serve zstd "$BATS_FILE_TMPDIR/plain.zst"
	fetch
	stop_raw
	[ "$rc" = 0 ]
	cmp "$BATS_FILE_TMPDIR/plain.txt" "$BATS_TEST_TMPDIR/got"
	curl_too "$BATS_FILE_TMPDIR/plain.zst" zstd
}

@test "decode: without --compressed a br body is written as it came" {
	serve br "$BATS_FILE_TMPDIR/plain.br"
	rc=0
	timeout -k 2 20 nk-http -sS "http://127.0.0.1:$RAW_PORT/x" \
		>"$BATS_TEST_TMPDIR/got" || rc=$?
	stop_raw
	[ "$rc" = 0 ]
	cmp "$BATS_FILE_TMPDIR/plain.br" "$BATS_TEST_TMPDIR/got"
}

@test "decode: Content-Encoding gzip, br undoes br, then gzip" {
	serve "gzip, br" "$BATS_FILE_TMPDIR/plain.gz.br"
	fetch
	stop_raw
	[ "$rc" = 0 ]
	cmp "$BATS_FILE_TMPDIR/plain.txt" "$BATS_TEST_TMPDIR/got"
	curl_too "$BATS_FILE_TMPDIR/plain.gz.br" "gzip, br"
}

@test "decode: the codings in the wrong order are exit 61" {
	serve "br, gzip" "$BATS_FILE_TMPDIR/plain.gz.br"
	fetch
	stop_raw
	[ "$rc" = 61 ]
	err_is "nk-http: (61) broken gzip data: incorrect header check"
}

# cut_short CODING FILE: FILE without its last 10 bytes is exit 61, after what
# it decoded. curl 7.88 ends a truncated br or zstd body (as a truncated
# gzip one) with exit 0 and what it decoded; nk reports it, as it does for
# gzip.
cut_short() {
	local f="$BATS_TEST_TMPDIR/cut" n
	n=$(stat -c %s "$2")
	head -c $((n - 10)) "$2" >"$f"
	serve "$1" "$f"
	fetch
	stop_raw
	[ "$rc" = 61 ]
	err_is "nk-http: (61) broken $1 data: the stream is truncated"
	[ -s "$BATS_TEST_TMPDIR/got" ]
	cmp -n "$(stat -c %s "$BATS_TEST_TMPDIR/got")" \
		"$BATS_FILE_TMPDIR/plain.txt" "$BATS_TEST_TMPDIR/got"
}

@test "decode: a truncated br body is exit 61, after what it decoded" {
	cut_short br "$BATS_FILE_TMPDIR/plain.br"
}

@test "decode: a truncated zstd body is exit 61, after what it decoded" {
	cut_short zstd "$BATS_FILE_TMPDIR/plain.zst"
}

@test "decode: bytes after the end of a br stream are exit 61" {
	local f="$BATS_TEST_TMPDIR/more.br"
	{ cat "$BATS_FILE_TMPDIR/plain.br"; printf 'x'; } >"$f"
	serve br "$f"
	fetch
	stop_raw
	[ "$rc" = 61 ]
	err_is "nk-http: (61) broken br data: data after the end of the stream"
	cmp "$BATS_FILE_TMPDIR/plain.txt" "$BATS_TEST_TMPDIR/got"
}

@test "decode: zstd frames one after another are one body" {
	local f="$BATS_TEST_TMPDIR/two.zst"
	printf 'and a second frame\n' | zstd -q -c >"$BATS_TEST_TMPDIR/b.zst"
	cat "$BATS_FILE_TMPDIR/plain.zst" "$BATS_TEST_TMPDIR/b.zst" >"$f"
	serve zstd "$f"
	fetch
	stop_raw
	[ "$rc" = 0 ]
	{ cat "$BATS_FILE_TMPDIR/plain.txt"; printf 'and a second frame\n'; } |
		cmp - "$BATS_TEST_TMPDIR/got"
	curl_too "$f" zstd
}

# RFC 9659 §3: HTTP senders keep zstd windows to 8 MiB. curl 7.88 takes up
# to libzstd's default of 128 MiB; nk refuses more than 8 MiB before it
# allocates the window.
@test "decode: a zstd window over 8 MiB is refused with 61" {
	local f="$BATS_TEST_TMPDIR/wide.zst"
	zstd -q -c --long=24 <"$BATS_FILE_TMPDIR/plain.txt" >"$f"
	zstd -lv "$f" 2>&1 | grep -q 'Window Size: 16.0 MiB'
	serve zstd "$f"
	fetch
	stop_raw
	[ "$rc" = 61 ]
	err_is "nk-http: (61) broken zstd data: the window is over the 8 MiB limit"
	[ ! -s "$BATS_TEST_TMPDIR/got" ]
	# and 8 MiB itself decodes
	zstd -q -c --long=23 <"$BATS_FILE_TMPDIR/plain.txt" >"$f"
	serve zstd "$f"
	fetch
	stop_raw
	[ "$rc" = 0 ]
	cmp "$BATS_FILE_TMPDIR/plain.txt" "$BATS_TEST_TMPDIR/got"
}

# trickle_line FILE: a case-file line sending FILE's bytes one at a time.
trickle_line() {
	printf 'trickle 2 %s' "$(od -An -v -tx1 "$1" | tr -d ' \n' | sed 's/../\\x&/g')"
}

@test "decode: br and zstd bodies in 1-byte reads" {
	local t="$BATS_TEST_TMPDIR/small.txt" c
	printf 'It was the best of times, it was the worst of times.\n' >"$t"
	for c in br zstd; do
		if [ $c = br ]; then brotli -c "$t" >"$t.$c"; else zstd -q -c "$t" >"$t.$c"; fi
		serve $c "$t.$c" "$(trickle_line "$t.$c")"
		fetch
		stop_raw
		[ "$rc" = 0 ]
		cmp "$t" "$BATS_TEST_TMPDIR/got"
	done
}

@test "decode: an unknown coding is still exit 61" {
	serve lzma "$BATS_FILE_TMPDIR/plain.zst"
	fetch
	stop_raw
	[ "$rc" = 61 ]
	err_is 'nk-http: (61) unsupported content encoding "lzma"'
}

# A real br encoder on the wire: nginx with Debian's brotli filter module
# (libnginx-mod-http-brotli-filter; Debian has no zstd module for nginx).
# nk asks with -H until --compressed names br itself.
@test "decode: nginx's brotli filter, chunked, decodes to the file" {
	local d="$BATS_TEST_TMPDIR/nginx" mod=/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so
	[ -f "$mod" ]
	mkdir -p "$d/tmp" "$d/www"
	cp "$BATS_FILE_TMPDIR/plain.txt" "$d/www/plain.txt"
	local port pid
	port=$(fast_port)
	cat >"$d/nginx.conf" <<-CONF
		load_module $mod;
		daemon off;
		master_process off;
		worker_processes 1;
		pid $d/nginx.pid;
		error_log $d/error.log warn;
		events { worker_connections 16; }
		http {
			access_log off;
			client_body_temp_path $d/tmp/body;
			proxy_temp_path $d/tmp/proxy;
			fastcgi_temp_path $d/tmp/fastcgi;
			uwsgi_temp_path $d/tmp/uwsgi;
			scgi_temp_path $d/tmp/scgi;
			types { text/plain txt; }
			brotli on;
			brotli_types text/plain;
			server {
				listen 127.0.0.1:$port;
				root $d/www;
			}
		}
	CONF
	nginx -c "$d/nginx.conf" -p "$d" >"$d/stdout.log" 2>&1 </dev/null &
	pid=$!
	wait_port "$port" 3 || { cat "$d/error.log" "$d/stdout.log" >&2; stop_pid "$pid"; return 1; }
	rc=0
	timeout -k 2 20 nk-http -sS --compressed -H 'Accept-Encoding: br' \
		-D "$BATS_TEST_TMPDIR/head" "http://127.0.0.1:$port/plain.txt" \
		>"$BATS_TEST_TMPDIR/got" || rc=$?
	timeout -k 2 20 nk-http -sS -H 'Accept-Encoding: br' \
		"http://127.0.0.1:$port/plain.txt" >"$BATS_TEST_TMPDIR/raw" || rc=$?
	stop_pid "$pid"
	[ "$rc" = 0 ]
	grep -qx $'Content-Encoding: br\r' "$BATS_TEST_TMPDIR/head"
	grep -qx $'Transfer-Encoding: chunked\r' "$BATS_TEST_TMPDIR/head"
	cmp "$BATS_FILE_TMPDIR/plain.txt" "$BATS_TEST_TMPDIR/got"
	brotli -dc "$BATS_TEST_TMPDIR/raw" | cmp "$BATS_FILE_TMPDIR/plain.txt" -
}
