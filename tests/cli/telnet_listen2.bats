#!/usr/bin/env bats
# nk telnet -l over UDP (-l -u: the first datagram's sender becomes the
# peer, as nc -lu) and over a Unix socket (-l -U PATH: the socket file
# made, a stale one replaced, removed at exit). Real clients: socat,
# OpenBSD nc, and a python3 UDP client that paces what it sends and
# records each datagram it gets, so boundaries are checked exactly.

load ../lib/common

sha() { sha256sum <"$1" | cut -d' ' -f1; }

# nk_bg ARGS...: nk telnet ARGS in the background, stdin from $NK_IN
# (default /dev/null), stdout to $BATS_TEST_TMPDIR/lout, stderr to lerr.
# Sets NK_PID (that of timeout, nk's parent).
nk_bg() {
	timeout 60 nk-telnet "$@" <"${NK_IN:-/dev/null}" \
		>"$BATS_TEST_TMPDIR/lout" 2>"$BATS_TEST_TMPDIR/lerr" &
	NK_PID=$!
	echo "$NK_PID" >>"$BATS_TEST_TMPDIR/pids"
}

# wait_nk: nk's exit status into NK_ST, bounded by nk_bg's timeout.
wait_nk() {
	NK_ST=0
	wait "$NK_PID" || NK_ST=$?
}

# udp_bg PORT ARGS...: nk telnet -l -u ARGS in the background, once it
# has bound UDP PORT.
udp_bg() {
	local port=$1 i
	shift
	nk_bg -l -u "$@"
	for i in $(seq 50); do
		ss -Hlun "sport = :$port" | grep -q . && return 0
		sleep 0.1
	done
	echo "nk telnet -l -u does not bind $port" >&2
	return 1
}

# unix_bg PATH ARGS...: nk telnet -l -U PATH ARGS in the background, once
# a socket listens at PATH (not only a file there: a stale one may be).
unix_bg() {
	local path=$1
	shift
	nk_bg -l -U "$@" "$path"
	timeout 5 sh -c 'until ss -Hlx "src = $1" | grep -q .; do sleep 0.05; done' \
		sh "$path" || { echo "nothing listens at $path after 5s" >&2; return 1; }
}

# udp_client PORT FILE SIZE: python3 sends FILE to 127.0.0.1:PORT in
# SIZE-byte datagrams, a short pause after each (UDP has no flow control:
# an unpaced burst outruns any reader), then records every datagram that
# comes back until 1.5 s pass without one: "LEN HEX" lines in
# $BATS_TEST_TMPDIR/dgrams.
udp_client() {
	timeout 30 python3 -c '
import socket, sys, time
port, path, size, log = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# Room for nk'"'"'s burst of replies (capped at net.core.rmem_max).
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.connect(("127.0.0.1", port))
data = open(path, "rb").read()
for i in range(0, len(data), size):
    s.send(data[i:i + size])
    time.sleep(0.0005)
s.settimeout(1.5)
with open(log, "w") as f:
    while True:
        try:
            d = s.recv(70000)
        except socket.timeout:
            break
        f.write("%d %s\n" % (len(d), d.hex()))
' "$1" "$2" "$3" "$BATS_TEST_TMPDIR/dgrams"
}

@test "-l -u: socat's datagram arrives; nk's line goes back to it as one datagram" {
	local port
	port=$(free_port)
	printf 'reply\n' >"$BATS_TEST_TMPDIR/in"
	NK_IN=$BATS_TEST_TMPDIR/in udp_bg "$port" 127.0.0.1 "$port"
	printf 'hello\n' | timeout 10 socat -t 1.5 - UDP:127.0.0.1:"$port" \
		>"$BATS_TEST_TMPDIR/got"
	wait_nk
	[ "$NK_ST" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/lout")" = hello ]
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = reply ]
	[ ! -s "$BATS_TEST_TMPDIR/lerr" ]
}

@test "-l -u PORT (every address): nc -u's line arrives, nk's answers it" {
	local port
	port=$(free_port)
	printf 'pong\n' >"$BATS_TEST_TMPDIR/in"
	NK_IN=$BATS_TEST_TMPDIR/in udp_bg "$port" "$port"
	(printf 'ping\n'; sleep 1.5) | timeout 10 nc -u -q 0 127.0.0.1 "$port" \
		>"$BATS_TEST_TMPDIR/got" || true
	wait_nk
	[ "$NK_ST" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/lout")" = ping ]
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = pong ]
}

@test "-l -u: 1 MiB of random bytes in 1 KiB datagrams arrives whole (sha256)" {
	local port
	port=$(free_port)
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	udp_bg "$port" 127.0.0.1 "$port"
	udp_client "$port" "$BATS_TEST_TMPDIR/in" 1024
	wait_nk
	[ "$NK_ST" -eq 0 ]
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/lout")" = 1048576 ]
	[ "$(sha "$BATS_TEST_TMPDIR/lout")" = "$(sha "$BATS_TEST_TMPDIR/in")" ]
}

@test "-l -u: 200 lines piped into nk go to the first sender, each line one datagram" {
	local port
	port=$(free_port)
	seq 1 200 >"$BATS_TEST_TMPDIR/in"
	printf 'go\n' >"$BATS_TEST_TMPDIR/go"
	NK_IN=$BATS_TEST_TMPDIR/in udp_bg "$port" 127.0.0.1 "$port"
	udp_client "$port" "$BATS_TEST_TMPDIR/go" 3
	wait_nk
	[ "$NK_ST" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/lout")" = go ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/dgrams")" -eq 200 ]
	# Each datagram is one line, newline included, in order.
	local n len hex
	n=0
	while read -r len hex; do
		n=$((n + 1))
		[ "$hex" = "$(printf '%d\n' "$n" | od -An -tx1 | tr -d ' \n')" ]
		[ "$len" -eq $((${#n} + 1)) ]
	done <"$BATS_TEST_TMPDIR/dgrams"
}

@test "-l -u -v: says where it listens and who the peer is; another sender is not heard" {
	local port
	port=$(free_port)
	udp_bg "$port" -v --eof-wait 2 127.0.0.1 "$port"
	printf 'first\n' | timeout 5 socat -u - UDP:127.0.0.1:"$port"
	sleep 0.3
	printf 'other\n' | timeout 5 socat -u - UDP:127.0.0.1:"$port"
	wait_nk
	[ "$NK_ST" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/lout")" = first ]
	grep -qx "Listening on 127.0.0.1 port $port (UDP)." "$BATS_TEST_TMPDIR/lerr"
	grep -Eqx 'Datagram from 127\.0\.0\.1 port [0-9]+\.' "$BATS_TEST_TMPDIR/lerr"
}

@test "-l -u: --keep-open is refused (2); a port in use is 2 with bind's reason" {
	run timeout 10 nk-telnet -l -u --keep-open 127.0.0.1 "$(free_port)"
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: -l -u takes one peer, the first datagram's sender: no --keep-open" ]
	local port
	port=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/socat.log" socat -u UDP-RECV:"$port",bind=127.0.0.1 -
	sleep 0.3
	run timeout 10 nk-telnet -l -u 127.0.0.1 "$port"
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: bind 127.0.0.1 port $port: Address already in use" ]
}

@test "-l -U: 1 MiB from socat UNIX-CONNECT and nc -U arrives whole; the socket file goes at exit" {
	local sock=$BATS_TEST_TMPDIR/l.sock client
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	for client in socat nc; do
		unix_bg "$sock"
		case $client in
		socat) timeout 20 socat -u - UNIX-CONNECT:"$sock" <"$BATS_TEST_TMPDIR/in" ;;
		nc) timeout 20 nc -N -U "$sock" <"$BATS_TEST_TMPDIR/in" ;;
		esac
		wait_nk
		[ "$NK_ST" -eq 0 ]
		[ "$(sha "$BATS_TEST_TMPDIR/lout")" = "$(sha "$BATS_TEST_TMPDIR/in")" ]
		[ ! -e "$sock" ]
	done
}

@test "-l -U: 1 MiB piped into nk reaches socat and nc -U clients whole" {
	local sock=$BATS_TEST_TMPDIR/l.sock client
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	for client in socat nc; do
		NK_IN=$BATS_TEST_TMPDIR/in unix_bg "$sock"
		case $client in
		socat) timeout 20 socat -u UNIX-CONNECT:"$sock" - >"$BATS_TEST_TMPDIR/out" ;;
		nc) timeout 20 nc -d -U "$sock" >"$BATS_TEST_TMPDIR/out" ;;
		esac
		wait_nk
		[ "$NK_ST" -eq 0 ]
		[ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$BATS_TEST_TMPDIR/in")" ]
	done
}

@test "-l -U: a stale socket is replaced; a file or a live socket at PATH is refused (2)" {
	local sock=$BATS_TEST_TMPDIR/l.sock
	# A socket file whose server is gone: bound, never removed.
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$sock"
	[ -S "$sock" ]
	unix_bg "$sock" -v
	printf 'fresh\n' | timeout 10 socat -u - UNIX-CONNECT:"$sock"
	wait_nk
	[ "$NK_ST" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/lout")" = fresh ]
	grep -qx "Connection on $sock." "$BATS_TEST_TMPDIR/lerr"
	[ ! -e "$sock" ]

	printf 'keep me\n' >"$sock"
	run timeout 10 nk-telnet -l -U "$sock"
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: -l -U: $sock exists and is not a socket" ]
	[ "$(cat "$sock")" = "keep me" ]
	rm "$sock"

	start_bg "$BATS_TEST_TMPDIR/socat.log" socat UNIX-LISTEN:"$sock",fork EXEC:cat
	timeout 5 sh -c 'until [ -S "$1" ]; do sleep 0.05; done' sh "$sock"
	run timeout 10 nk-telnet -l -U "$sock"
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: -l -U: something already listens on $sock" ]
	[ "$(printf 'still\n' | timeout 5 socat -t 1 - UNIX-CONNECT:"$sock")" = still ]
}

@test "-l -U --keep-open: two clients in turn; a signal while waiting removes the socket" {
	local sock=$BATS_TEST_TMPDIR/l.sock
	unix_bg "$sock" --keep-open
	printf 'one\n' | timeout 10 nc -N -U "$sock"
	printf 'two\n' | timeout 10 socat -u - UNIX-CONNECT:"$sock"
	timeout 10 sh -c 'until [ "$(wc -l <"$1")" -ge 2 ]; do sleep 0.1; done' sh "$BATS_TEST_TMPDIR/lout"
	[ "$(cat "$BATS_TEST_TMPDIR/lout")" = "one
two" ]
	[ -S "$sock" ]
	# timeout passes TERM on to nk, which waits in accept.
	kill -TERM "$NK_PID"
	wait_nk
	[ "$NK_ST" -ne 0 ]
	[ ! -e "$sock" ]
}
