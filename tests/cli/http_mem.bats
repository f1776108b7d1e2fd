#!/usr/bin/env bats
# nk http's memory on one large transfer (issue 17's "Memory" goal: at most
# 100 allocations and 150 KiB of peak heap; curl's own suite records 99 and
# 130 KB for 512 MB): 8 MiB from nginx over http under valgrind memcheck
# (the allocations) and massif (the peak heap), and the growth of the read
# buffer and header array that keeps the peak low (lib/fetch/room.c).
load ../lib/common
load ../lib/http
bats_require_minimum_version 1.5.0

# What the measures allow: nk made 40 (39 to /dev/null) allocations and a 31 KiB peak here
# when they were set (a 16 KiB read buffer, 64 header fields; before, 44
# and 555 KiB with a 512 KiB buffer and 1000 fields). The peak bound is
# well under the goal's 150 KiB so that a buffer that grows back shows.
MAX_ALLOCS=50
MAX_PEAK=$((64 * 1024))

# nginx as the other http tests have it, but HTTP/2 on its https port
# (ALPN; the plain port stays HTTP/1.1), and /many: a head of 300 fields.
setup_file() {
	local loc="$BATS_FILE_TMPDIR/many.loc" i
	{
		echo 'location = /many {'
		for i in $(seq 300); do
			printf '\tadd_header X-Many-%03d %s always;\n' "$i" \
				"$(head -c 60 /dev/zero | tr '\0' v)"
		done
		echo '	default_type text/plain;'
		echo '	return 200 "ok\n";'
		echo '}'
	} >"$loc"
	sed -e 's|listen 127.0.0.1:@SPORT@ ssl;|listen 127.0.0.1:@SPORT@ ssl http2;|' \
		-e "/root @ROOT@;/r $loc" "$SERVERS_DIR/nginx.conf.in" \
		>"$BATS_FILE_TMPDIR/nginx_mem.conf.in"
	NGINX_CONF_IN="$BATS_FILE_TMPDIR/nginx_mem.conf.in" start_nginx
	head -c $((8 * 1024 * 1024)) /dev/urandom >"$NGINX_DIR/www/8m.bin"
}

teardown_file() {
	stop_nginx
}

setup() {
	cd "$BATS_TEST_TMPDIR"
}

teardown() {
	stop_all
}

# The binary itself: under scripts/valgrind.sh NK_BIN holds wrapper
# scripts (valgrind in valgrind does not run), and a sanitizer build and
# valgrind exclude each other.
# Sets NKH (not in a subshell: skip must end the test itself).
real_nk_http() {
	command -v valgrind >/dev/null || skip "needs valgrind"
	NKH="$NK_BIN/nk-http"
	[ "$(head -c 4 "$NKH" | od -An -c | tr -d ' ')" = '177ELF' ] ||
		skip "nk-http is a wrapper (already under valgrind)"
	if nm "$NKH" 2>/dev/null | grep -q '__asan_\|__ubsan_\|__tsan_'; then
		skip "a sanitizer build"
	fi
}

@test "mem: 8 MiB over http in at most $MAX_ALLOCS allocations, none left" {
	real_nk_http
	local log="$BATS_TEST_TMPDIR/memcheck.log"
	run timeout -k 2 60 valgrind --tool=memcheck --error-exitcode=99 \
		--log-file="$log" "$NKH" -s -o out.bin \
		"http://127.0.0.1:$NGINX_PORT/8m.bin"
	[ "$status" -eq 0 ]
	cmp out.bin "$NGINX_DIR/www/8m.bin"
	local line; line=$(grep 'total heap usage:' "$log")
	echo "$line" >&2
	local n; n=$(sed -E 's/.*usage: ([0-9,]+) allocs.*/\1/' <<<"$line" | tr -d ,)
	[ "$n" -gt 0 ]
	[ "$n" -le "$MAX_ALLOCS" ]
	grep -q 'in use at exit: 0 bytes in 0 blocks' "$log"
}

# massif_peak LIMIT URL [OPTION...]: nk-http fetches URL into out.bin
# under massif, whole; the largest snapshot (the allocator's overhead
# counted in) is at most LIMIT bytes.
massif_peak() {
	local limit=$1 url=$2 ms="$BATS_TEST_TMPDIR/massif.out"
	shift 2
	run timeout -k 2 60 valgrind --tool=massif --pages-as-heap=no \
		--massif-out-file="$ms" "$NKH" "$@" -s -o out.bin "$url"
	[ "$status" -eq 0 ]
	cmp out.bin "$NGINX_DIR/www/8m.bin"
	local peak
	peak=$(awk -F= '/^mem_heap_B=/ { b = $2 }
		/^mem_heap_extra_B=/ { if (b + $2 > m) m = b + $2 }
		END { print m + 0 }' "$ms")
	echo "peak heap: $peak bytes" >&2
	[ "$peak" -gt 0 ]
	[ "$peak" -le "$limit" ]
}

@test "mem: 8 MiB over http with a peak heap of at most 64 KiB (massif)" {
	real_nk_http
	massif_peak "$MAX_PEAK" "http://127.0.0.1:$NGINX_PORT/8m.bin"
}

# Over TLS the body goes through the read buffer, which grows as reads
# fill it (to 128 KiB). The rest of the peak is OpenSSL's and the TLS
# layer's 64 KiB receive buffer: 667 KiB measured, 1131 KiB before.
@test "mem: 8 MiB over https (http/1.1) whole, with a peak heap of at most 768 KiB" {
	real_nk_http
	# shellcheck disable=SC2046
	massif_peak $((768 * 1024)) "https://nk.test:$NGINX_SPORT/8m.bin" \
		--http1.1 $(NKR)
}

# The head and the fields grow past what the fetcher starts with.

@test "mem: a response with 300 header fields shows them all" {
	local c="$BATS_TEST_TMPDIR/many.case"
	printf 'recv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\nrepeat 300 X-Many: %s\\r\\n\nsend \\r\\nhello\nclose\n' \
		"$(head -c 60 /dev/zero | tr '\0' v)" >"$c"
	start_raw "$c"
	run --separate-stderr nk-http -s -S -D head.txt "http://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello" ]
	[ "$(grep -c '^X-Many: v\{60\}'$'\r''$' head.txt)" -eq 300 ]
	# 20 KiB of head: the read buffer grew for it too.
	[ "$(wc -c <head.txt)" -gt 20000 ]
}

# HTTP/2 hands a head over whole: the buffer and the array are at their
# largest before the connection (lib/fetch/room.c, fetch_ready_for).
@test "mem: over HTTP/2 a head of 300 fields and 22 KiB arrives whole" {
	# shellcheck disable=SC2046
	run --separate-stderr timeout -k 2 20 nk-http $(NKR) -s -S -D head.txt \
		"https://nk.test:$NGINX_SPORT/many"
	[ "$status" -eq 0 ]
	[ "$output" = "ok" ]
	[ "$(head -n 1 head.txt)" = $'HTTP/2 200 \r' ]
	[ "$(grep -c '^x-many-[0-9]\{3\}: v\{60\}'$'\r''$' head.txt)" -eq 300 ]
	[ "$(wc -c <head.txt)" -gt 22000 ]
}

@test "mem: 1001 header fields are one too many: 56" {
	local c="$BATS_TEST_TMPDIR/toomany.case"
	printf 'recv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\nrepeat 1000 X-Many: v\\r\\n\nsend \\r\\nhello\nclose\n' >"$c"
	start_raw "$c"
	run --separate-stderr nk-http -s -S "http://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 56 ]
	[ "$output" = "" ]
	[ "$stderr" = "nk-http: (56) more than 1000 response header fields" ]
}

@test "mem: 1000 header fields are the most, and all there" {
	local c="$BATS_TEST_TMPDIR/most.case"
	printf 'recv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\nrepeat 999 X-Many: v\\r\\n\nsend \\r\\nhello\nclose\n' >"$c"
	start_raw "$c"
	run --separate-stderr nk-http -s -S -D head.txt "http://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello" ]
	[ "$(grep -c '^X-Many: v'$'\r''$' head.txt)" -eq 999 ]
}
