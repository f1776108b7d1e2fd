#!/usr/bin/env bats
# Faults (issue 7): nk against servers that reset, stall, trickle, lie
# about lengths or never stop talking; a full disk and a closed pipe;
# signals in the middle of a transfer; --max-time in every phase; the
# limits on heads; file descriptors over a thousand URLs; a TLS server
# that breaks off its own handshake. Every run is bounded in time, and
# each checks the exact exit status and error line, and what is (and is
# not) left on disk.
#
# Already covered elsewhere, not repeated here: tests/cli/http_raw.bats
# (reset before the reply and mid-body to stdout, close mid-head, mid-chunk
# and mid-body, the 100 KiB line limit on both sides, a head over 300 KiB,
# --max-filesize with a small announced length and with none, --max-time
# on a silent server, a stalled body and a trickle), http_output.bats
# (-o /dev/full and stdout on /dev/full: 23; SIGINT and SIGTERM on a
# stalled transfer to -o; failures and --max-time leave no file),
# http_tls.bats (--connect-timeout and -m on a silent TLS server),
# connect.bats (a connect that never completes, through nk echo),
# resolve.bats (nk resolve against a DNS server that never answers),
# tls.bats (nk tls: a server that closes on the ClientHello, or is mute).

load ../lib/common
load ../lib/http
source "$TESTS_DIR/lib/net_helpers.sh"
bats_require_minimum_version 1.5.0

FAULT_CASES="$SERVERS_DIR/fault_cases"
# How late a deadline may fire: process start-up and scheduling. A slow
# build (valgrind) raises it through the environment.
MARGIN_MS=${NK_TEST_MARGIN_MS:-1000}


# no_leftovers DIR: DIR holds no temporary file of nk's.
no_leftovers() {
	local left
	left=$(find "$1" -name '.*.nk-*')
	[ -z "$left" ] || { echo "left behind: $left" >&2; return 1; }
}

# fetch CASE [nk-http options...]: serves fault_cases/CASE.case and runs
# nk-http on it from a fresh directory ($BATS_TEST_TMPDIR/dl), with
# stdout and stderr apart; sets status, output, stderr and TOOK (ms).
fetch() {
	local case=$1; shift
	start_raw "$FAULT_CASES/$case.case"
	mkdir -p "$BATS_TEST_TMPDIR/dl"
	cd "$BATS_TEST_TMPDIR/dl" || return 1
	local t0; t0=$(date +%s%N)
	run --separate-stderr timeout -k 2 30 nk-http "$@" \
		"http://127.0.0.1:$RAW_PORT/f"
	TOOK=$(ms_since "$t0")
	stop_raw
}

# within MS: TOOK is at least MS minus 10% (the deadline was waited for)
# and at most MS plus the margin (and nothing waited longer).
within() {
	local ms=$1
	if [ "$TOOK" -lt $((ms * 9 / 10)) ] || [ "$TOOK" -gt $((ms + MARGIN_MS)) ]; then
		echo "took ${TOOK} ms, want ${ms} ms (+${MARGIN_MS})" >&2
		return 1
	fi
}

# --- resets and closes in the middle -----------------------------------

@test "reset mid-header: 56, nothing under the -o name, no temporary file" {
	fetch reset-mid-header -o out
	[ "$status" -eq 56 ]
	[ "$stderr" = "nk-http: (56) recv from 127.0.0.1 port $RAW_PORT: Connection reset by peer" ]
	[ "$output" = "" ]
	[ "$(ls -A)" = "" ]
}

@test "reset mid-chunk: 56, the bytes that came on stdout, nothing left by -o" {
	fetch reset-mid-chunk
	[ "$status" -eq 56 ]
	[ "$output" = "helloworld" ]
	[ "$stderr" = "nk-http: (56) recv from 127.0.0.1 port $RAW_PORT: Connection reset by peer" ]
	fetch reset-mid-chunk -o out
	[ "$status" -eq 56 ]
	[ "$(ls -A)" = "" ]
}

@test "reset mid-body: 56; an existing file under the -o name keeps what came" {
	fetch reset-mid-body -o out
	[ "$status" -eq 56 ]
	[ "$stderr" = "nk-http: (56) recv from 127.0.0.1 port $RAW_PORT: Connection reset by peer" ]
	[ "$(ls -A)" = "" ]
	# Written in place, as curl (nk-http(1), "Output files").
	echo old >out
	fetch reset-mid-body -o out
	[ "$status" -eq 56 ]
	[ "$(cat out)" = "hello" ]
	no_leftovers .
}

@test "close mid-chunk and mid-body: 18 naming what is missing, nothing left" {
	fetch close-mid-body -o out
	[ "$status" -eq 18 ]
	[ "$stderr" = "nk-http: (18) transfer closed with 5 bytes remaining to read" ]
	[ "$(ls -A)" = "" ]
	fetch close-mid-chunk -o out
	[ "$status" -eq 18 ]
	[ "$stderr" = "nk-http: (18) transfer closed before the end of the chunked body" ]
	[ "$(ls -A)" = "" ]
}

# --- where the output goes -----------------------------------------------

# pipe_head CMD...: CMD's output (nk-http, maybe wrapped) through `head -c1`,
# which closes the pipe after one byte; sets rc (nk's status), first (the
# byte head read) and errf (nk's stderr).
pipe_head() {
	errf="$BATS_TEST_TMPDIR/err"
	"$@" 2>"$errf" | head -c1 >"$BATS_TEST_TMPDIR/first"
	rc=${PIPESTATUS[0]}
	first=$(cat "$BATS_TEST_TMPDIR/first")
}

@test "a closed pipe: exit 23 with one line, never death by SIGPIPE" {
	start_raw "$FAULT_CASES/big-body.case"
	local url="http://127.0.0.1:$RAW_PORT/big"
	pipe_head timeout -k 2 20 nk-http "$url"
	[ "$first" = 0 ]
	[ "$rc" -eq 23 ]
	[ "$(cat "$errf")" = "nk-http: (23) writing to stdout: Broken pipe" ]
	# -s: the same status, and quiet.
	pipe_head timeout -k 2 20 nk-http -s "$url"
	[ "$rc" -eq 23 ]
	[ ! -s "$errf" ]
	# Started with SIGPIPE at its default (it may be inherited ignored):
	# nk ignores it itself, so it still ends with 23, not 141.
	pipe_head env --default-signal=PIPE timeout -k 2 20 nk-http -s "$url"
	[ "$rc" -eq 23 ]
	[ ! -s "$errf" ]
}

@test "a full disk: -o /dev/full and -D /dev/full are 23" {
	fetch close-each -o /dev/full
	[ "$status" -eq 23 ]
	[ "$stderr" = "nk-http: (23) writing to /dev/full: No space left on device" ]
	# the head that cannot be saved fails the transfer: no body is kept
	fetch close-each -D /dev/full -o out
	[ "$status" -eq 23 ]
	[ "$stderr" = "nk-http: (23) writing to /dev/full: No space left on device" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/dl")" ]
}

# interrupt SIGNAL: two transfers to -o, the first complete, the second
# trickling; SIGNAL (by PID) while the second is under way. The first file
# is whole, the second exists under no name, the exit status is death by
# the signal (as curl, which does not catch them), and nothing is said.
interrupt() {
	local sig=$1
	start_raw "$FAULT_CASES/close-each.case"
	local port1=$RAW_PORT
	start_raw "$FAULT_CASES/trickle.case"
	mkdir -p "$BATS_TEST_TMPDIR/dl"
	cd "$BATS_TEST_TMPDIR/dl" || return 1
	env --default-signal="$sig" timeout -k 2 30 nk-http \
		-o one "http://127.0.0.1:$port1/1" \
		-o two "http://127.0.0.1:$RAW_PORT/2" 2>err &
	local pid=$! i
	for i in $(seq 100); do
		grep -qs 'first bytes' .two.nk-* && break
		sleep 0.05
	done
	grep -qs 'first bytes' .two.nk-*
	# timeout(1) passes the signal on to nk and dies of it the same way.
	kill -"$sig" "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq $((128 + $(kill -l "$sig"))) ]
	[ "$(cat one)" = "ok" ]
	[ ! -e two ]
	no_leftovers .
	[ ! -s err ]
}

@test "SIGINT during a trickle to -o: 130, the temporary file removed" {
	interrupt INT
}

@test "SIGTERM during a trickle to -o: 143, the temporary file removed" {
	interrupt TERM
}

@test "SIGHUP during a trickle to -o: 129, the temporary file removed" {
	interrupt HUP
}

# --- --max-time in each phase --------------------------------------------

@test "--max-time in the resolve phase: a DNS server that never answers" {
	silent_dns_netns
	local ns=$NETNS
	local t0; t0=$(date +%s%N)
	run --separate-stderr timeout -k 2 20 ip netns exec "$ns" \
		"$NK_BIN/nk-http" -m 0.5 http://slow.example.test/
	TOOK=$(ms_since "$t0")
	[ "$status" -eq 28 ]
	[[ "$stderr" =~ ^nk-http:\ \(28\)\ Resolving\ timed\ out\ after\ [0-9]+\ ms:\ slow\.example\.test$ ]]
	[ "$output" = "" ]
	within 500
}

@test "--max-time in the connect phase: a listener whose queue is full" {
	start_peer blackhole
	local t0; t0=$(date +%s%N)
	run --separate-stderr timeout -k 2 20 nk-http -m 0.5 "http://127.0.0.1:$PEER_PORT/"
	TOOK=$(ms_since "$t0")
	[ "$status" -eq 28 ]
	[[ "$stderr" =~ ^nk-http:\ \(28\)\ Failed\ to\ connect\ to\ 127\.0\.0\.1\ port\ $PEER_PORT:\ Connection\ timed\ out\ after\ [0-9]+\ ms$ ]]
	within 500
}

@test "--max-time in the TLS handshake: a server that accepts and says nothing" {
	start_peer silent
	local t0; t0=$(date +%s%N)
	run --separate-stderr timeout -k 2 20 nk-http -m 0.5 "https://127.0.0.1:$PEER_PORT/"
	TOOK=$(ms_since "$t0")
	[ "$status" -eq 28 ]
	[ "$stderr" = "nk-http: (28) TLS handshake with 127.0.0.1 timed out" ]
	within 500
}

@test "--max-time in the head: part of it, then silence" {
	fetch head-stalls -m 0.5 -o out
	[ "$status" -eq 28 ]
	[[ "$stderr" =~ ^nk-http:\ \(28\)\ Operation\ timed\ out\ after\ [0-9]+\ milliseconds\ waiting\ for\ the\ response\ from\ 127\.0\.0\.1:$RAW_PORT$ ]]
	[ "$(ls -A)" = "" ]
	within 500
}

@test "--max-time in the body: a trickle, and a stall, to stdout and -o" {
	fetch trickle -m 0.7
	[ "$status" -eq 28 ]
	[[ "$output" =~ ^first\ bytes$'\n'\.+$ ]]
	[[ "$stderr" =~ ^nk-http:\ \(28\)\ Operation\ timed\ out\ after\ [0-9]+\ milliseconds\ with\ [0-9]+\ out\ of\ 600\ bytes\ received$ ]]
	within 700
	fetch body-stalls -m 0.5 -o out
	[ "$status" -eq 28 ]
	[[ "$stderr" =~ ^nk-http:\ \(28\)\ Operation\ timed\ out\ after\ [0-9]+\ milliseconds\ with\ 5\ out\ of\ 10\ bytes\ received$ ]]
	[ "$(ls -A)" = "" ]
	within 500
}

# --- limits on what a server may send ------------------------------------

@test "header fields: 1000 are taken, 1001 are refused with 56 naming the limit" {
	fetch headers-1000
	[ "$status" -eq 0 ]
	[ "$output" = "ok" ]
	fetch headers-1001
	[ "$status" -eq 56 ]
	[ "$stderr" = "nk-http: (56) more than 1000 response header fields" ]
	[ "$output" = "" ]
}

@test "a hundred thousand small headers: 56, at the field or the head limit" {
	# 300000 bytes of "a:\n": within the head limit; the count refuses them.
	fetch headers-100000-tiny -o out
	[ "$status" -eq 56 ]
	[ "$stderr" = "nk-http: (56) more than 1000 response header fields" ]
	[ "$(ls -A)" = "" ]
	# 2 MB of them: the head limit comes first.
	fetch headers-100000 -o out
	[ "$status" -eq 56 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "nk-http: (56) "*307200* ]]
	[ "$(ls -A)" = "" ]
	[ "$TOOK" -lt $((2000 + MARGIN_MS)) ]
}

@test "the head limit: 307200 bytes are taken, 307201 refused" {
	fetch head-at-limit
	[ "$status" -eq 0 ]
	[ "$output" = "ok" ]
	fetch head-over-limit
	[ "$status" -eq 56 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "nk-http: (56) "*307200* ]]
	[ "$output" = "" ]
}

# peak_kib CMD...: the peak resident size of CMD in KiB (its status is
# ignored).
peak_kib() {
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" "$@" >/dev/null 2>&1 || true
	tail -n1 "$BATS_TEST_TMPDIR/rss"
}

@test "an endless header line: 56 at the 100 KiB limit, in little memory" {
	[ -x /usr/bin/time ] || skip "needs /usr/bin/time"
	fetch endless-header-line
	[ "$status" -eq 56 ]
	[ "$stderr" = "nk-http: (56) response header line longer than 102400 bytes" ]
	[ "$TOOK" -lt $((2000 + MARGIN_MS)) ]
	# Peak memory against the same tool fetching a small reply: the
	# gigabyte on offer costs at most a few MiB more (the head buffer is
	# 300 KiB). Measured this way, sanitizers and valgrind add alike.
	start_raw "$FAULT_CASES/close-each.case"
	local base; base=$(peak_kib timeout -k 2 20 nk-http "http://127.0.0.1:$RAW_PORT/")
	start_raw "$FAULT_CASES/endless-header-line.case"
	local peak; peak=$(peak_kib timeout -k 2 20 nk-http "http://127.0.0.1:$RAW_PORT/")
	echo "peak RSS: ${peak} KiB, small reply ${base} KiB" >&2
	[ "$base" -gt 0 ]
	[ "$peak" -lt $((base + 4096)) ]
}

@test "--max-filesize and a 10 GiB Content-Length: 63 at the head, nothing written" {
	fetch huge-length --max-filesize 1M -o out
	[ "$status" -eq 63 ]
	[ "$stderr" = "nk-http: (63) Maximum file size exceeded: the body is 10737418240 bytes, the limit 1048576" ]
	[ "$(ls -A)" = "" ]
	# The server never sends a byte of body: waiting for one would be 28.
	[ "$TOOK" -lt $((1000 + MARGIN_MS)) ]
	# Without a limit the length is taken at its word (and -m ends it).
	fetch huge-length -m 0.5
	[ "$status" -eq 28 ]
	[[ "$stderr" == *"with 0 out of 10737418240 bytes received" ]]
}

@test "--max-filesize on a chunked body: 63 as soon as the limit is passed" {
	fetch chunked-over-limit --max-filesize 8
	[ "$status" -eq 63 ]
	[ "$output" = "0123" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "nk-http: (63) Maximum file size exceeded"* ]]
	# The server hangs after the chunk that passes the limit: a client
	# that read on would wait for ever.
	[ "$TOOK" -lt $((1000 + MARGIN_MS)) ]
	fetch chunked-over-limit --max-filesize 8 -o out
	[ "$status" -eq 63 ]
	[ "$(ls -A)" = "" ]
	fetch chunked-over-limit --max-filesize 10 -m 0.6
	[ "$status" -eq 28 ]
	[ "$output" = "0123456789" ]
}

# --- file descriptors ------------------------------------------------------

@test "a thousand URLs under ulimit -n 64, each on a new connection" {
	start_raw "$FAULT_CASES/close-each.case"
	local urls=() outs=() i
	for i in $(seq 1000); do
		urls+=("http://127.0.0.1:$RAW_PORT/$i")
		outs+=(-o "f$i" "http://127.0.0.1:$RAW_PORT/o$i")
	done
	mkdir -p "$BATS_TEST_TMPDIR/dl"
	cd "$BATS_TEST_TMPDIR/dl" || return 1
	run --separate-stderr timeout -k 2 120 bash -c 'ulimit -n 64 && exec "$@"' \
		nk-http nk-http "${urls[@]}"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "${#lines[@]}" -eq 1000 ]
	[ "$(sort -u <<<"$output")" = "ok" ]
	# To files: each transfer's file descriptor is closed too.
	run --separate-stderr timeout -k 2 120 bash -c 'ulimit -n 64 && exec "$@"' \
		nk-http nk-http "${outs[@]}"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$(ls | wc -l)" -eq 1000 ]
	[ "$(cat f1 f500 f1000)" = "ok"$'\n'"ok"$'\n'"ok" ]
	[ "$(cat f* | sort | uniq -c | awk '{print $1, $2}')" = "1000 ok" ]
	no_leftovers .
}

# --- TLS cut off in the middle of the handshake ----------------------------

# start_tls_fault MODE: tests/servers/fault_tls.py in MODE with a
# certificate for nk.test; sets TLS_PORT and CERTS.
start_tls_fault() {
	CERTS="$BATS_TEST_TMPDIR/certs"
	"$SERVERS_DIR/http_certs.sh" "$CERTS" >/dev/null
	local log="$BATS_TEST_TMPDIR/tls-$1.log"
	start_bg "$log" "$PYTHON" "$SERVERS_DIR/fault_tls.py" \
		"$CERTS/server.pem" "$CERTS/server.key" "$1"
	local line
	line=$(wait_for_line "$log" '^Listening on ') || return 1
	TLS_PORT=${line##*:}
	TLS_LOG=$log
}

@test "nk tls and nk http: a server that closes mid-handshake is 35" {
	local mode
	for mode in head half; do
		start_tls_fault "$mode"
		run --separate-stderr timeout -k 2 20 nk-tls --cacert "$CERTS/ca.pem" \
			--resolve "nk.test:$TLS_PORT:127.0.0.1" "nk.test:$TLS_PORT"
		[ "$status" -eq 35 ]
		[ "$stderr" = "nk-tls: TLS handshake with nk.test (127.0.0.1) failed: the server closed the connection" ]
		run --separate-stderr timeout -k 2 20 nk-http --cacert "$CERTS/ca.pem" \
			--resolve "nk.test:$TLS_PORT:127.0.0.1" "https://nk.test:$TLS_PORT/"
		[ "$status" -eq 35 ]
		[ "$stderr" = "nk-http: (35) TLS handshake with nk.test (127.0.0.1) failed: the server closed the connection" ]
		[ "$output" = "" ]
		# The cut fell inside the server's first flight, both times.
		[ "$(grep -c '^flight [0-9]* bytes, sent [0-9]' "$TLS_LOG")" -eq 2 ]
		! grep -E '^flight ([0-9]+) bytes, sent \1$' "$TLS_LOG"
	done
}

@test "nk tls and nk http: a reset mid-handshake is 35" {
	start_tls_fault reset
	run --separate-stderr timeout -k 2 20 nk-tls --cacert "$CERTS/ca.pem" \
		--resolve "nk.test:$TLS_PORT:127.0.0.1" "nk.test:$TLS_PORT"
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: TLS handshake with nk.test (127.0.0.1) failed: Connection reset by peer" ]
	run --separate-stderr timeout -k 2 20 nk-http --cacert "$CERTS/ca.pem" \
		--resolve "nk.test:$TLS_PORT:127.0.0.1" -o "$BATS_TEST_TMPDIR/out" \
		"https://nk.test:$TLS_PORT/"
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-http: (35) TLS handshake with nk.test (127.0.0.1) failed: Connection reset by peer" ]
	[ ! -e "$BATS_TEST_TMPDIR/out" ]
	no_leftovers "$BATS_TEST_TMPDIR"
}
