#!/usr/bin/env bats
# nk telnet ws:// and wss://: WebSocket sessions against a real server
# (tests/servers/ws_server.py, Debian's python3-websockets) and a scripted
# raw-socket peer for what no real server sends (tests/servers/ws_raw.py):
# messages both ways, subprotocols, headers, fragments, 1 MiB by sha256,
# pings, close codes, -1, the size limit, protocol violations with the
# close code nk answers them with, and wss:// verified against the test CA.

load ../lib/common

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

setup_file() {
	sh "$BATS_TEST_DIRNAME/../certs/mkcerts.sh" "$BATS_FILE_TMPDIR/certs" \
		>/dev/null 2>&1
}

# ws_start [--tls]: the real server; sets WS_PORT, its log in $T/ws.log.
ws_start() {
	local c=$BATS_FILE_TMPDIR/certs
	if [ "${1:-}" = --tls ]; then
		set -- --tls "$c/ip-chain.pem" "$c/leaf.key"
	fi
	start_bg "$BATS_TEST_TMPDIR/ws.log" "$PY" \
		"$TESTS_DIR/servers/ws_server.py" "$@"
	WS_PORT=$(wait_for_line "$BATS_TEST_TMPDIR/ws.log" '^[0-9]+$')
}

# raw_start MODE: the scripted peer; sets RAW_PORT, its log in $T/raw.log.
raw_start() {
	start_bg "$BATS_TEST_TMPDIR/raw.log" "$PY" \
		"$TESTS_DIR/servers/ws_raw.py" "$1"
	RAW_PORT=$(wait_for_line "$BATS_TEST_TMPDIR/raw.log" '^[0-9]+$')
}

# ws ARGS... < input: nk-telnet bounded, stdout to $T/out, stderr to $T/err.
ws() {
	status=0
	timeout 10 nk-telnet "$@" >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" || status=$?
}

out_is() { [ "$(cat "$BATS_TEST_TMPDIR/out")" = "$1" ]; }
err_is() { [ "$(cat "$BATS_TEST_TMPDIR/err")" = "$1" ]; }

@test "ws://: each piped line one text message, each message received one line, close 1000" {
	ws_start
	ws --eof-wait 0.2 "ws://127.0.0.1:$WS_PORT/echo" \
		< <(printf 'hello\nw\303\266rld\nlast, no newline')
	[ "$status" -eq 0 ]
	printf 'hello\nw\303\266rld\nlast, no newline\n' >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/out"
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	wait_for_line "$BATS_TEST_TMPDIR/ws.log" '^closed 1000 $' >/dev/null
}

@test "ws://: -v says each step; the server's close shown with its code" {
	ws_start
	ws -v --eof-wait 0.1 "ws://127.0.0.1:$WS_PORT/echo" </dev/null
	[ "$status" -eq 0 ]
	err_is "Connected to 127.0.0.1 (127.0.0.1) port $WS_PORT.
WebSocket open: ws://127.0.0.1:$WS_PORT/echo
WebSocket closed by the server: 1000"
}

@test "--ws-protocol: offered in order, the server's choice checked; -H adds a header" {
	ws_start
	ws --ws-protocol x-other --ws-protocol superchat -H 'X-Test: yes' \
		--eof-wait 0.2 "ws://127.0.0.1:$WS_PORT/proto" </dev/null
	[ "$status" -eq 0 ]
	out_is "protocol: superchat"
	ws --eof-wait 0.2 "ws://127.0.0.1:$WS_PORT/proto" </dev/null
	out_is "protocol: None"
	ws -H 'X-Test: yes' --eof-wait 0.2 "ws://127.0.0.1:$WS_PORT/headers" \
		</dev/null
	out_is "X-Test: yes"
}

@test "-H: CR or LF in a header is refused before connecting (exit 2)" {
	ws -H $'X-A: 1\r\nX-B: 2' "ws://127.0.0.1:9/echo" </dev/null
	[ "$status" -eq 2 ]
	err_is 'nk-telnet: refused header "X-A": control byte \r in its value " 1\r\nX-B: 2"'
	ws --ws-protocol 'a b' "ws://127.0.0.1:9/echo" </dev/null
	[ "$status" -eq 2 ]
	err_is 'nk-telnet: refused WebSocket protocol "a b": not a token'
}

@test "fragmented messages come out whole: text in three pieces, binary in two" {
	ws_start
	ws --eof-wait 0.2 "ws://127.0.0.1:$WS_PORT/frag" </dev/null
	[ "$status" -eq 0 ]
	printf 'Hello, w\303\266rld\n\000\001\002\377' >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/out"
}

@test "1 MiB of random bytes: -b sends it, the echo matches by sha256; a 1 MiB message received whole" {
	ws_start
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	ws -b --eof-wait 0.3 "ws://127.0.0.1:$WS_PORT/echo" <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	ws --eof-wait 0.2 "ws://127.0.0.1:$WS_PORT/big" </dev/null
	[ "$status" -eq 0 ]
	local sum
	sum=$(wait_for_line "$BATS_TEST_TMPDIR/ws.log" '^sha256 ')
	[ "sha256 $(sha256sum <"$BATS_TEST_TMPDIR/out" | cut -d' ' -f1)" = "$sum" ]
}

@test "--max-message: a bigger message is refused from its header, close 1009, exit 63" {
	ws_start
	ws --max-message 1000 "ws://127.0.0.1:$WS_PORT/big" </dev/null
	[ "$status" -eq 63 ]
	[ ! -s "$BATS_TEST_TMPDIR/out" ]
	err_is "nk-telnet: WebSocket: a message over the limit of 1000 bytes"
	wait_for_line "$BATS_TEST_TMPDIR/ws.log" '^closed 1009' >/dev/null
}

@test "ping: the server's ping is answered; --ping shows each round trip" {
	ws_start
	ws --eof-wait 0.2 "ws://127.0.0.1:$WS_PORT/ping" </dev/null
	[ "$status" -eq 0 ]
	out_is "pong received"
	ws --ping 0.25 --eof-wait 0.1 "ws://127.0.0.1:$WS_PORT/echo" \
		< <(sleep 0.7; echo hi)
	[ "$status" -eq 0 ]
	out_is "hi"
	[ "$(grep -c '^pong: [0-9]*\.[0-9][0-9][0-9] ms$' "$BATS_TEST_TMPDIR/err")" -ge 2 ]
	[ "$(grep -vc '^pong: ' "$BATS_TEST_TMPDIR/err")" -eq 0 ]
}

@test "a close with a code of the server's: code and reason shown, exit 0" {
	ws_start
	ws "ws://127.0.0.1:$WS_PORT/close/4001" </dev/null
	[ "$status" -eq 0 ]
	err_is "WebSocket closed by the server: 4001 bye now"
}

@test "-1: one message sent, one received, then close 1000" {
	ws_start
	ws -1 "ws://127.0.0.1:$WS_PORT/echo" < <(echo one; echo two; sleep 3)
	[ "$status" -eq 0 ]
	out_is "one"
	wait_for_line "$BATS_TEST_TMPDIR/ws.log" '^closed 1000 $' >/dev/null
}

@test "input that is not UTF-8 is not sent as text (exit 26); -b sends it" {
	ws_start
	ws "ws://127.0.0.1:$WS_PORT/echo" < <(printf 'caf\351\n')
	[ "$status" -eq 26 ]
	err_is "nk-telnet: input is not UTF-8 text: use -b to send it as binary"
	ws -b --eof-wait 0.2 "ws://127.0.0.1:$WS_PORT/echo" < <(printf 'caf\351\n')
	[ "$status" -eq 0 ]
	printf 'caf\351\n' | cmp - "$BATS_TEST_TMPDIR/out"
}

@test "violations: a masked frame or opcode 3 gets close 1002, bad UTF-8 1007 (exit 8), an oversize header 1009 (exit 63)" {
	local mode code exit msg
	for mode in masked:1002:8:"a masked frame from the server" \
	            opcode:1002:8:"unknown opcode 0x3" \
	            utf8:1007:8:"a text message that is not UTF-8" \
	            big:1009:63:"a message over the limit of 1048576 bytes"; do
		IFS=: read -r mode code exit msg <<<"$mode"
		raw_start "$mode"
		ws --max-message 1048576 "ws://127.0.0.1:$RAW_PORT/" </dev/null
		[ "$status" -eq "$exit" ]
		err_is "nk-telnet: WebSocket: $msg"
		[ ! -s "$BATS_TEST_TMPDIR/out" ]
		wait_for_line "$BATS_TEST_TMPDIR/raw.log" "^client close: $code\$" >/dev/null
		stop_all
	done
}

@test "handshake: a wrong Sec-WebSocket-Accept exits 8, a 404 exits 22" {
	raw_start badaccept
	ws "ws://127.0.0.1:$RAW_PORT/" </dev/null
	[ "$status" -eq 8 ]
	err_is 'nk-telnet: WebSocket handshake: Sec-WebSocket-Accept does not match the key ("eHh4eHh4eHh4eHh4eHh4eHh4eHg=")'
	stop_all
	raw_start status404
	ws "ws://127.0.0.1:$RAW_PORT/" </dev/null
	[ "$status" -eq 22 ]
	err_is "nk-telnet: WebSocket handshake: server answered 404 Not Found, not 101 Switching Protocols"
}

@test "a server's close is echoed with its code; ours waits for the server's" {
	raw_start hello
	ws --eof-wait 0.1 "ws://127.0.0.1:$RAW_PORT/" </dev/null
	[ "$status" -eq 0 ]
	out_is "hello"
	wait_for_line "$BATS_TEST_TMPDIR/raw.log" '^client close: 1000$' >/dev/null
}

@test "wss://: verified against the test CA; unverified fails with 60; -k goes on" {
	ws_start --tls
	local c=$BATS_FILE_TMPDIR/certs
	ws --cacert "$c/root.pem" --eof-wait 0.2 \
		"wss://127.0.0.1:$WS_PORT/echo" < <(echo hi)
	[ "$status" -eq 0 ]
	out_is "hi"
	ws "wss://127.0.0.1:$WS_PORT/echo" < <(echo hi)
	[ "$status" -eq 60 ]
	err_is "nk-telnet: certificate verification failed for 127.0.0.1: unknown issuer: CN=nk Test Root"
	ws -k --eof-wait 0.2 "wss://127.0.0.1:$WS_PORT/echo" < <(echo hi)
	[ "$status" -eq 0 ]
	out_is "hi"
}

@test "ws:// options: refused without a ws URL, and a ws URL refuses what it cannot use" {
	ws -b 127.0.0.1 80 </dev/null
	[ "$status" -eq 2 ]
	err_is "nk-telnet: -H, -b, -1, --ws-protocol, --ping and --max-message need a ws:// or wss:// URL"
	ws --tls ws://127.0.0.1/ </dev/null
	[ "$status" -eq 2 ]
	ws ws://127.0.0.1/ 80 </dev/null
	[ "$status" -eq 2 ]
	err_is "nk-telnet: a ws:// or wss:// URL takes its port in the URL, and none of --tls, -u, -U, -l, -z, -C, --lf, --raw and --telnet"
}

# At a terminal (tmux): the line editor sends each line typed, messages show
# made safe, Ctrl-D closes with 1000 and the terminal is given back.
tm() { tmux -L "$TMUX_SOCK" -f /dev/null "$@"; }

teardown() {
	[ -z "${TMUX_SOCK:-}" ] || tm kill-server 2>/dev/null || true
	stop_all
}

screen_has() {
	local i
	for i in $(seq 100); do
		tm capture-pane -p | grep -Eq -- "$1" && return 0
		sleep 0.05
	done
	echo "the screen never showed /$1/:" >&2
	tm capture-pane -p >&2
	return 1
}

@test "tty: typed lines are messages, binary shown escaped, Ctrl-D closes and restores the terminal" {
	command -v tmux >/dev/null || skip "tmux is not installed"
	ws_start
	TMUX_SOCK="nk-ws-$$-$BATS_TEST_NUMBER"
	tm new-session -d -x 80 -y 24 "stty -g >'$BATS_TEST_TMPDIR/stty.before';
		env TERM=xterm LC_ALL=C.UTF-8 HOME='$BATS_TEST_TMPDIR' '$NK_BIN/nk-telnet' ws://127.0.0.1:$WS_PORT/frag;
		echo EXIT=\$?; stty -g >'$BATS_TEST_TMPDIR/stty.after'; sleep 60"
	screen_has '^\\x00\\x01\\x02\\xff$'
	screen_has '^Hello, wörld$'
	tm send-keys -l 'typed here'
	tm send-keys Enter
	# the line as typed, then the server's echo of it
	screen_has '^typed here$'
	local i
	for i in $(seq 100); do
		[ "$(tm capture-pane -p | grep -c '^typed here$')" -eq 2 ] && break
		sleep 0.05
	done
	[ "$(tm capture-pane -p | grep -c '^typed here$')" -eq 2 ]
	tm send-keys C-d
	screen_has '^EXIT=0$'
	screen_has '^WebSocket closed by the server: 1000$'
	cmp "$BATS_TEST_TMPDIR/stty.before" "$BATS_TEST_TMPDIR/stty.after"
	wait_for_line "$BATS_TEST_TMPDIR/ws.log" '^closed 1000 $' >/dev/null
}

@test "-x: through an HTTP CONNECT proxy, with -o logging the messages received" {
	ws_start
	start_bg "$BATS_TEST_TMPDIR/proxy.log" "$PY" "$TESTS_DIR/servers/proxy.py" \
		--record "$BATS_TEST_TMPDIR/proxy.rec"
	local pport
	pport=$(wait_for_line "$BATS_TEST_TMPDIR/proxy.log" '^Listening on ' |
		sed 's/.*://')
	ws -x "http://127.0.0.1:$pport" -o "$BATS_TEST_TMPDIR/got" --eof-wait 0.2 \
		"ws://127.0.0.1:$WS_PORT/echo" < <(printf 'one\ntwo\n')
	[ "$status" -eq 0 ]
	out_is "one
two"
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = "onetwo" ]
	grep -q "^CONNECT 127.0.0.1:$WS_PORT HTTP/1.1" "$BATS_TEST_TMPDIR/proxy.rec"
}

@test "a server that never answers our close: nk waits 3 s, says so, exits 28" {
	raw_start mute
	local t0=$SECONDS
	ws --eof-wait 0 "ws://127.0.0.1:$RAW_PORT/" </dev/null
	[ "$status" -eq 28 ]
	err_is "nk-telnet: no WebSocket close from the server within 3 s"
	[ $((SECONDS - t0)) -ge 2 ] && [ $((SECONDS - t0)) -le 5 ]
	wait_for_line "$BATS_TEST_TMPDIR/raw.log" '^client close: 1000$' >/dev/null
	wait_for_line "$BATS_TEST_TMPDIR/raw.log" '^client gone$' >/dev/null
}
