#!/usr/bin/env bats
# nk telnet's -q/--hold (how long to wait for the peer after the end of
# input; -1 for ever) and -w (nc's -w: the connect timeout and the idle
# timeout at once). Real peers: socat, nk echo, and tests/servers/net_peer.py
# (silent: reads and never answers; blackhole: never completes a connect).

load ../lib/common
source "$TESTS_DIR/lib/net_helpers.sh"

# nk_run ARGS...: nk telnet, stdout and stderr to files, status in NK_ST,
# elapsed milliseconds in NK_MS.
nk_run() {
	local t0
	t0=$(date +%s%N)
	NK_ST=0
	timeout 20 nk-telnet "$@" >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" || NK_ST=$?
	NK_MS=$(ms_since "$t0")
}

# talker PORT: socat that says hello, reads everything and does not close
# for 30 s (-t: socat's own wait after our EOF).
talker() {
	start_bg "$BATS_TEST_TMPDIR/socat.log" socat -t 30 \
		TCP-LISTEN:"$1",bind=127.0.0.1,reuseaddr,fork \
		SYSTEM:'echo hello; cat >/dev/null; sleep 30'
	wait_port "$1"
}

@test "--hold SECS (-q): quits that long after the end of input, exit 0, the server's data shown" {
	local port
	port=$(free_port)
	talker "$port"
	nk_run --hold 0.5 --eof-wait 0 127.0.0.1 "$port" < <(printf 'x\n')
	[ "$NK_ST" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = hello ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	[ "$NK_MS" -ge 450 ] && [ "$NK_MS" -lt 3000 ]
	nk_run -v --hold 0.3 --eof-wait 0 127.0.0.1 "$port" </dev/null
	[ "$NK_ST" -eq 0 ]
	grep -qx 'Quitting 0.3 s after end of input (-q).' "$BATS_TEST_TMPDIR/err"
}

@test "-q -1: waits for the server for ever; -w bounds it (exit 28, one line)" {
	local port
	port=$(free_port)
	talker "$port"
	# Without -w it is still there when timeout(1) stops it.
	NK_ST=0
	timeout 1.5 nk-telnet -q -1 --eof-wait 0 127.0.0.1 "$port" </dev/null \
		>"$BATS_TEST_TMPDIR/out" 2>&1 || NK_ST=$?
	[ "$NK_ST" -eq 124 ]
	nk_run -q -1 -w 0.6 --eof-wait 0 127.0.0.1 "$port" </dev/null
	[ "$NK_ST" -eq 28 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = hello ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "nk-telnet: no data either way for 0.6 s (-w)" ]
	[ "$NK_MS" -ge 550 ] && [ "$NK_MS" -lt 3000 ]
}

@test "-q: a bad number is exit 2 with one line" {
	nk_run -q abc 127.0.0.1 1 </dev/null
	[ "$NK_ST" -eq 2 ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "nk-telnet: -q takes a number of seconds, not 'abc'" ]
	nk_run -q -x 127.0.0.1 1 </dev/null
	[ "$NK_ST" -eq 2 ]
	nk_run -w -1 127.0.0.1 1 </dev/null
	[ "$NK_ST" -eq 2 ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "nk-telnet: -w takes a number of seconds, not '-1'" ]
}

@test "-w: a silent server and no input for that long ends it with 28 and one line" {
	start_peer silent
	nk_run -w 0.5 127.0.0.1 "$PEER_PORT" < <(sleep 5)
	[ "$NK_ST" -eq 28 ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "nk-telnet: no data either way for 0.5 s (-w)" ]
	[ "$NK_MS" -ge 450 ] && [ "$NK_MS" -lt 3000 ]
}

@test "-w: data either way keeps the session going" {
	start_echo
	# A line every 0.3 s for 1.2 s, under -w 0.6: never idle that long.
	nk_run -w 0.6 --eof-wait 0 127.0.0.1 "$ECHO_PORT" \
		< <(for i in 1 2 3 4; do echo "$i"; sleep 0.3; done)
	[ "$NK_ST" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf '1\n2\n3\n4')" ]
}

@test "-w is the connect timeout too, as nc -w; --connect-timeout given wins" {
	start_peer blackhole
	nk_run -w 0.5 127.0.0.1 "$PEER_PORT" </dev/null
	[ "$NK_ST" -eq 28 ]
	grep -Eqx "nk-telnet: Failed to connect to 127.0.0.1 port $PEER_PORT: Connection timed out after 5[0-9]{2} ms" \
		"$BATS_TEST_TMPDIR/err"
	nk_run -w 5 --connect-timeout 0.3 127.0.0.1 "$PEER_PORT" </dev/null
	[ "$NK_ST" -eq 28 ]
	[ "$NK_MS" -lt 2000 ]
	# -z checks with it too.
	nk_run -z -w 0.4 127.0.0.1 "$PEER_PORT"
	[ "$NK_ST" -eq 28 ]
	[ "$NK_MS" -lt 2000 ]
}

@test "--idle-timeout given with -w keeps its own value and name" {
	start_peer silent
	nk_run -w 5 --idle-timeout 0.4 127.0.0.1 "$PEER_PORT" < <(sleep 5)
	[ "$NK_ST" -eq 28 ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "nk-telnet: no data either way for 0.4 s (--idle-timeout)" ]
}

@test "-u: -q -1 keeps waiting after the end of input until -w" {
	local port
	port=$(free_port)
	# socat's UDP server reads and never answers.
	start_bg "$BATS_TEST_TMPDIR/socat.log" socat -u \
		UDP-RECV:"$port",bind=127.0.0.1 OPEN:/dev/null
	sleep 0.2
	nk_run -u -q -1 -w 1 --eof-wait 0.2 127.0.0.1 "$port" < <(printf 'x\n')
	[ "$NK_ST" -eq 28 ]
	[ "$NK_MS" -ge 900 ]
	# Without -q -1 the quiet end comes after --eof-wait: exit 0.
	nk_run -u -w 1 --eof-wait 0.2 127.0.0.1 "$port" < <(printf 'x\n')
	[ "$NK_ST" -eq 0 ]
	[ "$NK_MS" -lt 900 ]
}
