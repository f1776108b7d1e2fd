#!/usr/bin/env bats
# nk echo: the checking client against nk's own server and against peers
# that misbehave on purpose (tests/servers/net_peer.py), and the server's
# concurrency, half-close, bounded buffering and clean stop.

load ../lib/common
source "$TESTS_DIR/lib/net_helpers.sh"
bats_require_minimum_version 1.5.0

RTT='[0-9]+\.[0-9]{3}'

@test "messages from arguments: one ping-style line each, then the summary" {
	start_echo
	run --separate-stderr nk-echo 127.0.0.1 "$ECHO_PORT" hello world
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[[ "${lines[0]}" =~ ^ECHO\ 127\.0\.0\.1\ \(127\.0\.0\.1\)\ port\ $ECHO_PORT:\ connected\ in\ $RTT\ ms$ ]]
	[[ "${lines[1]}" =~ ^6\ bytes\ from\ 127\.0\.0\.1\ port\ $ECHO_PORT:\ seq=1\ time=$RTT\ ms$ ]]
	[[ "${lines[2]}" =~ ^6\ bytes\ from\ 127\.0\.0\.1\ port\ $ECHO_PORT:\ seq=2\ time=$RTT\ ms$ ]]
	[ "${lines[3]}" = "--- 127.0.0.1 port $ECHO_PORT echo statistics ---" ]
	[[ "${lines[4]}" =~ ^2\ sent,\ 2\ received,\ 0\ mismatched,\ 12\ bytes,\ time\ [0-9]+\.[0-9]\ ms$ ]]
	[[ "${lines[5]}" =~ ^rtt\ min/avg/max/mdev\ =\ $RTT/$RTT/$RTT/$RTT\ ms$ ]]
	[ "${#lines[@]}" -eq 6 ]
}

@test "messages from stdin lines, the last one without a newline" {
	start_echo
	run --separate-stderr bash -c "printf 'one\ntwo\nthree' | nk-echo localhost $ECHO_PORT"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^4\ bytes\ from\ 127\.0\.0\.1\ .*\ seq=1\  ]]
	[[ "${lines[2]}" =~ ^4\ bytes\ from\ .*\ seq=2\  ]]
	[[ "${lines[3]}" =~ ^5\ bytes\ from\ .*\ seq=3\  ]]
	[ "${lines[4]}" = "--- localhost port $ECHO_PORT echo statistics ---" ]
	[[ "${lines[5]}" =~ ^3\ sent,\ 3\ received,\ 0\ mismatched,\ 13\ bytes, ]]
	# Empty stdin: nothing to send, an empty summary, success.
	run --separate-stderr nk-echo -q 127.0.0.1 "$ECHO_PORT" </dev/null
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^0\ sent,\ 0\ received,\ 0\ mismatched,\ 0\ bytes, ]]
	[ "${#lines[@]}" -eq 2 ]
}

@test "--count and --size: large generated payloads, -q prints the summary only" {
	start_echo
	run --separate-stderr nk-echo -q --count 3 --size 1M 127.0.0.1 "$ECHO_PORT"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "--- 127.0.0.1 port $ECHO_PORT echo statistics ---" ]
	[[ "${lines[1]}" =~ ^3\ sent,\ 3\ received,\ 0\ mismatched,\ 3145728\ bytes, ]]
	[[ "${lines[2]}" =~ ^rtt\ min/avg/max/mdev ]]
	[ "${#lines[@]}" -eq 3 ]
	run --separate-stderr nk-echo --count 2 --size 100k 127.0.0.1 "$ECHO_PORT"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^102400\ bytes\ from\ .*\ seq=1\  ]]
	[[ "${lines[2]}" =~ ^102400\ bytes\ from\ .*\ seq=2\  ]]
	# --size alone sends one message; --count alone sends 64 bytes each.
	run --separate-stderr nk-echo -q --size 7 127.0.0.1 "$ECHO_PORT"
	[[ "${lines[1]}" =~ ^1\ sent,\ 1\ received,\ 0\ mismatched,\ 7\ bytes, ]]
	run --separate-stderr nk-echo -q --count 2 127.0.0.1 "$ECHO_PORT"
	[[ "${lines[1]}" =~ ^2\ sent,\ 2\ received,\ 0\ mismatched,\ 128\ bytes, ]]
}

@test "the generated payload is recognisable text ending in a newline" {
	start_peer upper
	# An upper-casing peer shows the pattern: the first byte that differs
	# is the 'n' of "nk-echo seq=1 off=0 ".
	run --separate-stderr nk-echo --size 64 127.0.0.1 "$PEER_PORT"
	[ "$status" -eq 100 ]
	[[ "${lines[1]}" =~ ^64\ bytes\ from\ .*\ MISMATCH\ at\ byte\ 0\ \(sent\ 0x6e,\ got\ 0x4e\)$ ]]
}

@test "--interval paces the messages" {
	start_echo
	local t0; t0=$(date +%s%N)
	run --separate-stderr nk-echo -q --count 3 --interval 0.2 127.0.0.1 "$ECHO_PORT"
	local took; took=$(ms_since "$t0")
	[ "$status" -eq 0 ]
	[ "$took" -ge 400 ]
	[ "$took" -lt 3000 ]
}

@test "many clients at once against one server, all intact" {
	start_echo
	local pids=() i
	for i in $(seq 20); do
		nk-echo -q --count 5 --size 64k 127.0.0.1 "$ECHO_PORT" \
			>"$BATS_TEST_TMPDIR/c$i.out" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		timeout 20 tail --pid="${pids[i]}" -f /dev/null
		wait "${pids[i]}"
	done
	for i in $(seq 20); do
		grep -q '^5 sent, 5 received, 0 mismatched, 327680 bytes,' "$BATS_TEST_TMPDIR/c$i.out"
	done
	kill -0 "$ECHO_PID"
}

@test "half-close: a client that sends FIN still gets all its echo" {
	start_echo
	head -c 300000 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	# socat shuts down its write side at the end of stdin and keeps
	# reading until the server closes.
	local t0; t0=$(date +%s%N)
	timeout 10 socat -t 5 -T 5 - TCP:127.0.0.1:"$ECHO_PORT" \
		<"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	# The server closed once the echo was out; socat did not have to
	# wait out its 5 s.
	[ "$(ms_since "$t0")" -lt 3000 ]
}

@test "a client that never reads cannot make the server grow" {
	start_echo
	local rss0; rss0=$(awk '/^VmRSS/ {print $2}' "/proc/$ECHO_PID/status")
	# The flooder sends for 2 s and never reads; the server stops reading
	# once its 64 KiB backlog for that client is full.
	python3 "$TESTS_DIR/servers/net_peer.py" flood 127.0.0.1 "$ECHO_PORT" 2 \
		>"$BATS_TEST_TMPDIR/flood" &
	local fpid=$!
	sleep 1
	# Meanwhile another client is served normally.
	run --separate-stderr nk-echo -q --count 3 --size 10k 127.0.0.1 "$ECHO_PORT"
	[ "$status" -eq 0 ]
	wait "$fpid"
	local took rss1; took=$(cat "$BATS_TEST_TMPDIR/flood")
	rss1=$(awk '/^VmRSS/ {print $2}' "/proc/$ECHO_PID/status")
	# Socket buffers on both sides hold a few MB at most.
	[ "$took" -lt 64000000 ]
	[ $((rss1 - rss0)) -lt 4096 ]
}

@test "a peer that echoes something else: exit 100, the mismatch named" {
	start_peer upper
	run --separate-stderr nk-echo 127.0.0.1 "$PEER_PORT" hello MiXeD
	[ "$status" -eq 100 ]
	[ "$stderr" = "" ]
	[[ "${lines[1]}" =~ ^6\ bytes\ from\ 127\.0\.0\.1\ port\ $PEER_PORT:\ seq=1\ time=$RTT\ ms\ MISMATCH\ at\ byte\ 0\ \(sent\ 0x68,\ got\ 0x48\)$ ]]
	[[ "${lines[2]}" =~ \ seq=2\ .*\ MISMATCH\ at\ byte\ 1\ \(sent\ 0x69,\ got\ 0x49\)$ ]]
	[[ "${lines[4]}" =~ ^2\ sent,\ 2\ received,\ 2\ mismatched,\ 12\ bytes, ]]
	# The echoed bytes themselves are never printed.
	[[ "$output" != *HELLO* ]]
	# An echo that matches after all (digits have no case) is fine.
	run --separate-stderr nk-echo -q 127.0.0.1 "$PEER_PORT" 12345
	[ "$status" -eq 0 ]
}

@test "a peer that closes mid-echo: exit 56, which message and how much came back" {
	start_peer close-mid
	run --separate-stderr nk-echo 127.0.0.1 "$PEER_PORT" 'hello world'
	[ "$status" -eq 56 ]
	[ "$stderr" = "nk-echo: connection closed by 127.0.0.1 port $PEER_PORT during message 1: 6 of 12 bytes came back" ]
	[ "${lines[1]}" = "--- 127.0.0.1 port $PEER_PORT echo statistics ---" ]
	[[ "${lines[2]}" =~ ^1\ sent,\ 0\ received,\ 0\ mismatched,\ 0\ bytes, ]]
	[ "${#lines[@]}" -eq 3 ]
}

@test "a peer that accepts but never answers: exit 28 after --timeout" {
	start_peer silent
	local t0; t0=$(date +%s%N)
	run --separate-stderr nk-echo --timeout 0.5 127.0.0.1 "$PEER_PORT" ping
	local took; took=$(ms_since "$t0")
	[ "$status" -eq 28 ]
	[[ "$stderr" =~ ^nk-echo:\ timed\ out\ after\ [0-9]+\ ms\ waiting\ for\ the\ echo\ of\ message\ 1:\ 0\ of\ 5\ bytes\ came\ back$ ]]
	[ "$took" -ge 450 ]
	[ "$took" -lt 3000 ]
}

@test "refused port: exit 7 with curl's message" {
	local port; port=$(free_port)
	run --separate-stderr nk-echo 127.0.0.1 "$port" x
	[ "$status" -eq 7 ]
	[ "$output" = "" ]
	[ "$stderr" = "nk-echo: Failed to connect to 127.0.0.1 port $port: Connection refused" ]
}

@test "the server stops on SIGTERM and SIGINT with exit 0, clients open" {
	local sig
	for sig in TERM INT; do
		local log="$BATS_TEST_TMPDIR/srv-$sig.log"
		nk-echo --listen 127.0.0.1:0 -v >"$log" 2>&1 &
		local pid=$!
		echo "$pid" >>"$BATS_TEST_TMPDIR/pids"
		local line; line=$(wait_for_line "$log" '^Listening on ')
		local port=${line##*:}
		# A client that stays connected while the server stops.
		python3 -c 'import socket,sys,time; s=socket.create_connection(("127.0.0.1",int(sys.argv[1]))); time.sleep(10)' \
			"$port" &
		local cpid=$!
		echo "$cpid" >>"$BATS_TEST_TMPDIR/pids"
		wait_for_line "$log" 'connection from 127\.0\.0\.1 port [0-9]+ \(1 connected\)'
		kill -"$sig" "$pid"
		local rc=0
		timeout 5 tail --pid="$pid" -f /dev/null
		wait "$pid" || rc=$?
		[ "$rc" -eq 0 ]
		grep -q "^nk-echo: stopping on signal [0-9]*, closing 1 clients$" "$log"
		kill "$cpid"
		wait "$cpid" || true
	done
}

@test "--listen: the Listening line, IPv6 in brackets, the wildcard" {
	start_echo 127.0.0.1
	grep -Eq "^Listening on 127\.0\.0\.1:$ECHO_PORT$" "$BATS_TEST_TMPDIR/echo.log"
	start_bg "$BATS_TEST_TMPDIR/any.log" nk-echo --listen 0
	local line; line=$(wait_for_line "$BATS_TEST_TMPDIR/any.log" '^Listening on ')
	local port=${line##*:}
	[[ "$line" = "Listening on 0.0.0.0:$port" || "$line" = "Listening on [::]:$port" ]]
	run --separate-stderr nk-echo -q 127.0.0.1 "$port" x
	[ "$status" -eq 0 ]
	has_ipv6_loopback || skip "no IPv6 loopback"
	grep -qx "Listening on \[::\]:$port" "$BATS_TEST_TMPDIR/any.log"
	start_bg "$BATS_TEST_TMPDIR/v6.log" nk-echo --listen '[::1]:0'
	line=$(wait_for_line "$BATS_TEST_TMPDIR/v6.log" '^Listening on ')
	[[ "$line" =~ ^Listening\ on\ \[::1\]:[0-9]+$ ]]
	run --separate-stderr nk-echo ::1 "${line##*:}" six
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^4\ bytes\ from\ ::1\ port ]]
}

@test "bad usage exits 2 with one line" {
	run --separate-stderr nk-echo
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-echo: need HOST and PORT (or --listen); try --help" ]
	run --separate-stderr nk-echo 127.0.0.1 7 --count 2 hello
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-echo: --count and --size generate messages; they do not mix with MESSAGE arguments" ]
	run --separate-stderr nk-echo --size 0 127.0.0.1 7
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-echo: --size takes a byte count from 1 to 1G (suffix k or M), not '0'" ]
	run --separate-stderr nk-echo 127.0.0.1 0 x
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-echo: PORT takes a whole number from 1 to 65535, not '0'" ]
	run --separate-stderr nk-echo --listen '::1:0'
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-echo: --listen: put an IPv6 address in brackets: [::1]:PORT" ]
	run --separate-stderr nk-echo --listen 127.0.0.1:0 somehost
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-echo: --listen takes no HOST or MESSAGE arguments" ]
}

@test "--listen on a port in use: exit 2 naming the address" {
	start_echo 127.0.0.1
	run --separate-stderr nk-echo --listen "127.0.0.1:$ECHO_PORT"
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-echo: bind 127.0.0.1 port $ECHO_PORT: Address already in use" ]
}
