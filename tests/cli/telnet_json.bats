#!/usr/bin/env bats
# nk telnet --json: one JSON object a line, each -z check on stdout and a
# stream session's summary on stderr, with the field names of nk resolve
# --json and nk tls --json. Every line is parsed by python3's json module
# and its fields compared exactly. Peers: socat, ncat, OpenBSD nc, and
# tests/servers/net_peer.py (silent, blackhole).

load ../lib/common
load ../lib/listen
source "$TESTS_DIR/lib/net_helpers.sh"

# field FILE LINE EXPR: the Python expression EXPR over the JSON object on
# line LINE (1-based; -1 the last) of FILE, printed as JSON.
field() {
	python3 -c 'import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
o = json.loads(lines[int(sys.argv[2]) - 1 if int(sys.argv[2]) > 0 else int(sys.argv[2])])
print(json.dumps(eval(sys.argv[3])))' "$@"
}

keys() { field "$1" "$2" 'sorted(o)'; }

ZKEYS='["address", "address_port", "elapsed_ms", "error", "exit_code", "host", "open", "port"]'
SKEYS='["address", "address_port", "bytes_received", "bytes_sent", "elapsed_ms", "ended", "error", "exit_code", "host", "port", "tls"]'

@test "-z --json: one line per port, open and refused, exit 7 for the refused one" {
	local port closed
	port=$(free_port)
	closed=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/socat.log" socat \
		TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork OPEN:/dev/null
	wait_port "$port"
	status=0
	timeout 10 nk-telnet -z --json 127.0.0.1 "$port" "$closed" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 7 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 2 ]
	[ "$(keys "$BATS_TEST_TMPDIR/out" 1)" = "$ZKEYS" ]
	[ "$(keys "$BATS_TEST_TMPDIR/out" 2)" = "$ZKEYS" ]
	[ "$(field "$BATS_TEST_TMPDIR/out" 1 '[o["host"], o["port"], o["address"], o["address_port"], o["open"], o["exit_code"], o["error"]]')" = \
		"[\"127.0.0.1\", $port, \"127.0.0.1\", $port, true, 0, null]" ]
	[ "$(field "$BATS_TEST_TMPDIR/out" 2 '[o["port"], o["address"], o["open"], o["exit_code"], o["error"]["code"], o["error"]["name"], o["error"]["message"]]')" = \
		"[$closed, null, false, 7, 7, \"COULDNT_CONNECT\", \"Failed to connect to 127.0.0.1 port $closed: Connection refused\"]" ]
	[ "$(field "$BATS_TEST_TMPDIR/out" 1 'isinstance(o["elapsed_ms"], float) and o["elapsed_ms"] >= 0')" = true ]
	# The error goes to stderr as without --json.
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "nk-telnet: Failed to connect to 127.0.0.1 port $closed: Connection refused" ]
}

@test "-z --json -w: a port that never answers is open false, exit 28, OPERATION_TIMEDOUT" {
	start_peer blackhole
	status=0
	timeout 10 nk-telnet -z --json -w 0.3 127.0.0.1 "$PEER_PORT" \
		>"$BATS_TEST_TMPDIR/out" 2>/dev/null || status=$?
	[ "$status" -eq 28 ]
	[ "$(field "$BATS_TEST_TMPDIR/out" 1 '[o["open"], o["exit_code"], o["error"]["name"], o["elapsed_ms"] >= 250]')" = \
		'[false, 28, "OPERATION_TIMEDOUT", true]' ]
}

@test "--json: a session's summary is the last line on stderr; stdout has only the data" {
	local port
	port=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/socat.log" socat \
		TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork EXEC:cat
	wait_port "$port"
	status=0
	printf 'hello\n' | timeout 10 nk-telnet --json --eof-wait 0 127.0.0.1 "$port" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = hello ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 1 ]
	[ "$(keys "$BATS_TEST_TMPDIR/err" -1)" = "$SKEYS" ]
	[ "$(field "$BATS_TEST_TMPDIR/err" -1 '[o["host"], o["port"], o["address"], o["tls"], o["bytes_sent"], o["bytes_received"], o["ended"], o["exit_code"], o["error"]]')" = \
		"[\"127.0.0.1\", $port, \"127.0.0.1\", false, 6, 6, \"server-closed\", 0, null]" ]
}

@test "--json: -w's idle end and a peer that drops input say so" {
	start_peer silent
	status=0
	timeout 10 nk-telnet --json -w 0.3 127.0.0.1 "$PEER_PORT" < <(sleep 3) \
		>/dev/null 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 28 ]
	[ "$(field "$BATS_TEST_TMPDIR/err" -1 '[o["ended"], o["exit_code"], o["error"]["name"], o["error"]["message"]]')" = \
		'["idle-timeout", 28, "OPERATION_TIMEDOUT", "no data either way for 0.3 s (-w)"]' ]

	# A server that reads 1000 bytes and closes: the rest is not sent.
	local port
	port=$(free_port)
	head -c 4194304 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	start_bg "$BATS_TEST_TMPDIR/py.log" timeout 20 python3 \
		"$TESTS_DIR/servers/closer.py" "$port" 1000
	wait_listen "$port"
	status=0
	timeout 20 nk-telnet --json 127.0.0.1 "$port" <"$BATS_TEST_TMPDIR/in" \
		>/dev/null 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 55 ] || [ "$status" -eq 56 ]
	[ "$(field "$BATS_TEST_TMPDIR/err" -1 '[o["ended"], o["exit_code"] == '"$status"', o["error"]["message"].endswith("bytes of input not sent")]')" = \
		'["error", true, true]' ]
}

@test "-l --json: the client's address; ncat as the client" {
	local port
	port=$(free_port)
	printf 'from nk\n' | timeout 10 nk-telnet -l --json 127.0.0.1 "$port" \
		>"$BATS_TEST_TMPDIR/lout" 2>"$BATS_TEST_TMPDIR/err" &
	local nk=$!
	echo "$nk" >>"$BATS_TEST_TMPDIR/pids"
	wait_listen "$port"
	printf 'from ncat\n' | timeout 10 ncat 127.0.0.1 "$port" >"$BATS_TEST_TMPDIR/out"
	status=0
	wait "$nk" || status=$?
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/lout")" = "from ncat" ]
	[ "$(field "$BATS_TEST_TMPDIR/err" -1 '[o["host"], o["address"], o["port"], o["bytes_received"], o["exit_code"]]')" = \
		"[\"127.0.0.1\", \"127.0.0.1\", $port, 10, 0]" ]
	[ "$(field "$BATS_TEST_TMPDIR/err" -1 'o["address_port"] != '"$port")" = true ]
}

@test "-U --json: a path with a quote and a control character stays valid JSON" {
	local sock=$BATS_TEST_TMPDIR/$'a"b\tc'
	# socat would take the quote for its own syntax.
	start_bg "$BATS_TEST_TMPDIR/py.log" timeout 20 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
c, _ = s.accept()
while True:
    d = c.recv(65536)
    if not d:
        break
    c.sendall(d)
c.close()' "$sock"
	local i
	for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	status=0
	printf 'x' | timeout 10 nk-telnet --json --eof-wait 0 -U "$sock" \
		>/dev/null 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 0 ]
	[ "$(field "$BATS_TEST_TMPDIR/err" -1 '[o["host"] == sys.argv[4], o["port"], o["address_port"], o["bytes_sent"]]' "$sock")" = \
		'[true, null, null, 1]' ]
}
