#!/usr/bin/env bats
# nk telnet in a pipe with megabytes of data: every byte passes, in both
# directions, whatever it holds (bytes that look like telnet in the middle
# of a stream are data), and the half-close waits for a quiet server, so
# nginx sends a big reply whole and a server that answers only after our
# EOF still gets it. Compared by sha256.

load ../lib/common
load ../lib/http

setup_file() {
	start_nginx
	# Random bytes with IAC WILL/DO sequences at the start and inside
	# (the issue's pattern at byte 5400).
	local big=$BATS_FILE_TMPDIR/big.bin
	{ printf '\377\373\362'; head -c 5397 /dev/urandom
	  printf '\377\373\362\377\375\001'; head -c 16777216 /dev/urandom; } >"$big"
	cp "$big" "$NGINX_DIR/www/big.bin"
}

teardown_file() {
	stop_nginx
}

sha() { sha256sum <"$1" | cut -d' ' -f1; }

# body FILE: the bytes after the header of the HTTP reply in FILE.
body() {
	"$PYTHON" -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.stdout.buffer.write(d[d.index(b"\r\n\r\n")+4:])' "$1"
}

@test "pipe: 16 MiB of random bytes with IAC sequences through socat's cat, unchanged" {
	local port
	port=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/socat.log" \
		socat TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork EXEC:cat
	wait_port "$port"
	status=0
	timeout 60 nk-telnet 127.0.0.1 "$port" <"$BATS_FILE_TMPDIR/big.bin" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 0 ]
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/out")" = "$(stat -c %s "$BATS_FILE_TMPDIR/big.bin")" ]
	[ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$BATS_FILE_TMPDIR/big.bin")" ]
}

@test "pipe: a 16 MiB file from nginx arrives whole, with and without --raw" {
	local raw
	for raw in "" --raw; do
		status=0
		printf 'GET /big.bin HTTP/1.0\r\nHost: nk.test\r\n\r\n' |
			timeout 60 nk-telnet $raw 127.0.0.1 "$NGINX_PORT" \
			>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
		[ "$status" -eq 0 ]
		body "$BATS_TEST_TMPDIR/out" >"$BATS_TEST_TMPDIR/body"
		[ "$(stat -c %s "$BATS_TEST_TMPDIR/body")" = "$(stat -c %s "$BATS_FILE_TMPDIR/big.bin")" ]
		[ "$(sha "$BATS_TEST_TMPDIR/body")" = "$(sha "$BATS_FILE_TMPDIR/big.bin")" ]
	done
}

@test "pipe: a server that answers only after our EOF gets it, and its 16 MiB reply arrives whole" {
	local port big=$BATS_FILE_TMPDIR/big.bin
	port=$(free_port)
	# It reads to the end, then sends the hash of what it read and a file.
	start_bg "$BATS_TEST_TMPDIR/socat.log" \
		socat TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork \
		SYSTEM:"sha256sum | cut -c1-64; cat '$big'"
	wait_port "$port"
	{ sha "$big"; cat "$big"; } >"$BATS_TEST_TMPDIR/want"
	status=0
	timeout 60 nk-telnet -v 127.0.0.1 "$port" <"$big" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/want"
	grep -qx 'Connection closed by foreign host, after our end of input.' \
		"$BATS_TEST_TMPDIR/err"
}

@test "--eof-wait: the half-close waits for that much quiet; 0 sends it at once" {
	local port
	port=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/socat.log" \
		socat TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork SYSTEM:"cat; echo done"
	wait_port "$port"
	local wait start end
	for wait in 0 2.5; do
		start=$(date +%s%N)
		printf 'x\n' | timeout 20 nk-telnet --eof-wait "$wait" 127.0.0.1 "$port" \
			>"$BATS_TEST_TMPDIR/out"
		end=$(date +%s%N)
		[ "$(cat "$BATS_TEST_TMPDIR/out")" = "x
done" ]
		# A lower bound only: a busy machine can only make it slower.
		[ $(((end - start) / 1000000)) -ge "$(awk "BEGIN { print $wait * 1000 }")" ]
	done
	run nk-telnet --eof-wait soon 127.0.0.1 "$port" </dev/null
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: --eof-wait takes a number of seconds, not 'soon'" ]
}
