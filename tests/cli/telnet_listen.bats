#!/usr/bin/env bats
# nk telnet for scripts, as nc and ncat: -z checks that ports open
# (exit 0 or 7, nothing sent), -C sends CR LF for each piped LF, and
# -s/--source binds a local address (and port) before connecting. Real
# peers on 127.0.0.1: socat, and a python3 server that reports the
# client's address.

load ../lib/common
load ../lib/listen

# peer_server PORT: answers each client with "ADDR PORT\n", its address.
peer_server() {
	start_bg "$BATS_TEST_TMPDIR/peer.log" python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
while True:
    c, a = s.accept()
    c.sendall(("%s %d\n" % a).encode())
    c.close()' "$1"
	wait_port "$1"
}

# cat_server PORT: socat echoing every client's bytes back.
cat_server() {
	start_bg "$BATS_TEST_TMPDIR/socat.log" \
		socat TCP-LISTEN:"$1",bind=127.0.0.1,reuseaddr,fork EXEC:cat
	wait_port "$1"
}

@test "-z: an open port exits 0 having sent nothing, a closed one 7" {
	local port closed
	port=$(free_port)
	closed=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/socat.log" \
		socat -u TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork \
		OPEN:"$BATS_TEST_TMPDIR/got",creat,append
	wait_port "$port"
	status=0
	echo data | timeout 10 nk-telnet -z 127.0.0.1 "$port" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/out" ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	sleep 0.3
	[ ! -s "$BATS_TEST_TMPDIR/got" ]
	status=0
	timeout 10 nk-telnet -z 127.0.0.1 "$closed" \
		2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 7 ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "nk-telnet: Failed to connect to 127.0.0.1 port $closed: Connection refused" ]
}

@test "-z HOST PORT PORT: each port in turn, -v says the open ones, 7 for the closed one" {
	local port closed
	port=$(free_port)
	closed=$(free_port)
	cat_server "$port"
	status=0
	timeout 10 nk-telnet -z -v 127.0.0.1 "$closed" "$port" \
		2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 7 ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "nk-telnet: Failed to connect to 127.0.0.1 port $closed: Connection refused
Connected to 127.0.0.1 (127.0.0.1) port $port." ]
	status=0
	timeout 10 nk-telnet -z 127.0.0.1 "$port" "$port" || status=$?
	[ "$status" -eq 0 ]
}

@test "-z: usage errors exit 2 (no PORT, --tls, a second PORT without -z)" {
	run timeout 10 nk-telnet -z 127.0.0.1
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: -z needs a PORT" ]
	run timeout 10 nk-telnet -z --tls 127.0.0.1 1
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: -z checks TCP ports only: leave out --tls" ]
	run timeout 10 nk-telnet 127.0.0.1 1 2
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: one HOST and one PORT, not '2' too (see nk telnet --help)" ]
}

@test "-C: each piped LF goes out as CR LF, one already after CR stays; without -C bytes pass as they are" {
	local port
	port=$(free_port)
	cat_server "$port"
	local opt
	for opt in -C --crlf; do
		printf 'a\nb\r\nc\n\n' | timeout 10 nk-telnet --raw "$opt" 127.0.0.1 "$port" \
			>"$BATS_TEST_TMPDIR/out"
		[ "$(od -An -c "$BATS_TEST_TMPDIR/out" | tr -s ' ')" = " a \r \n b \r \n c \r \n \r \n" ]
	done
	printf 'a\nb\r\n' | timeout 10 nk-telnet --raw 127.0.0.1 "$port" >"$BATS_TEST_TMPDIR/out"
	[ "$(od -An -c "$BATS_TEST_TMPDIR/out" | tr -s ' ')" = " a \n b \r \n" ]
}

@test "-C: a megabyte with CRs and LFs split across reads matches the expected conversion" {
	local port
	port=$(free_port)
	cat_server "$port"
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	python3 -c '
import re, sys
d = open(sys.argv[1], "rb").read()
sys.stdout.buffer.write(re.sub(rb"(?<!\r)\n", b"\r\n", d))' "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/want"
	timeout 60 nk-telnet --raw -C 127.0.0.1 "$port" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	[ "$(sha256sum <"$BATS_TEST_TMPDIR/out")" = "$(sha256sum <"$BATS_TEST_TMPDIR/want")" ]
}

@test "--source ADDR and -s ADDR:PORT: the server sees that address and port" {
	local port lport
	port=$(free_port)
	peer_server "$port"
	run timeout 10 nk-telnet --raw --source 127.0.0.2 127.0.0.1 "$port" </dev/null
	[ "$status" -eq 0 ]
	[ "${output%% *}" = "127.0.0.2" ]
	stop_all
	port=$(free_port)
	lport=$(free_port)
	peer_server "$port"
	run timeout 10 nk-telnet --raw -s "127.0.0.3:$lport" 127.0.0.1 "$port" </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "127.0.0.3 $lport" ]
}

@test "--source: the other family fails with 7, a bad address with 2" {
	local port
	port=$(free_port)
	cat_server "$port"
	run timeout 10 nk-telnet -z --source ::1 127.0.0.1 "$port"
	[ "$status" -eq 7 ]
	[ "$output" = "nk-telnet: Failed to connect to 127.0.0.1 port $port: Address family not supported by protocol" ]
	run timeout 10 nk-telnet -z --source '[::1]:80' 127.0.0.1 "$port"
	[ "$status" -eq 7 ]
	run timeout 10 nk-telnet -z --source bad 127.0.0.1 "$port"
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: bad source address 'bad': IPv4 or IPv6 literal, [v6] with a :PORT" ]
	run timeout 10 nk-telnet -z --source 127.0.0.1:0x 127.0.0.1 "$port"
	[ "$status" -eq 2 ]
}

sha() { sha256sum <"$1" | cut -d' ' -f1; }

@test "-l: 1 MiB from nc, ncat and socat clients arrives whole (sha256), exit 0" {
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	local client port
	for client in nc ncat socat; do
		port=$(free_port)
		listen_bg "$port" 127.0.0.1 "$port"
		case $client in
		nc) timeout 20 nc -N 127.0.0.1 "$port" <"$BATS_TEST_TMPDIR/in" ;;
		ncat) timeout 20 ncat --send-only 127.0.0.1 "$port" <"$BATS_TEST_TMPDIR/in" ;;
		socat) timeout 20 socat -u - TCP:127.0.0.1:"$port" <"$BATS_TEST_TMPDIR/in" ;;
		esac
		wait_nk; [ "$NK_ST" -eq 0 ]
		[ "$(sha "$BATS_TEST_TMPDIR/lout")" = "$(sha "$BATS_TEST_TMPDIR/in")" ]
	done
}

@test "-l PORT: 1 MiB piped into nk reaches nc, ncat and socat clients whole" {
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	local client port
	for client in nc ncat socat; do
		port=$(free_port)
		LISTEN_IN=$BATS_TEST_TMPDIR/in listen_bg "$port" "$port"
		case $client in
		nc) timeout 20 nc -d 127.0.0.1 "$port" >"$BATS_TEST_TMPDIR/out" ;;
		ncat) timeout 20 ncat --recv-only 127.0.0.1 "$port" >"$BATS_TEST_TMPDIR/out" ;;
		socat) timeout 20 socat -u TCP:127.0.0.1:"$port" - >"$BATS_TEST_TMPDIR/out" ;;
		esac
		wait_nk; [ "$NK_ST" -eq 0 ]
		[ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$BATS_TEST_TMPDIR/in")" ]
	done
}

@test "nk -l and nk: 1 MiB each way at once, compared by sha256" {
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/a"
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/b"
	local port
	port=$(free_port)
	LISTEN_IN=$BATS_TEST_TMPDIR/a listen_bg "$port" 127.0.0.1 "$port"
	timeout 30 nk-telnet --raw 127.0.0.1 "$port" <"$BATS_TEST_TMPDIR/b" >"$BATS_TEST_TMPDIR/out"
	wait_nk; [ "$NK_ST" -eq 0 ]
	[ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$BATS_TEST_TMPDIR/a")" ]
	[ "$(sha "$BATS_TEST_TMPDIR/lout")" = "$(sha "$BATS_TEST_TMPDIR/b")" ]
}

@test "-l with -o and --hexdump logs the session" {
	local port
	port=$(free_port)
	listen_bg "$port" -o "$BATS_TEST_TMPDIR/got" --hexdump "$BATS_TEST_TMPDIR/hex" \
		127.0.0.1 "$port"
	printf 'hello\n' | timeout 20 socat -u - TCP:127.0.0.1:"$port"
	wait_nk; [ "$NK_ST" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = "hello" ]
	grep -q '^< .* length=6 from=0 to=5$' "$BATS_TEST_TMPDIR/hex"
}

@test "-l --keep-open serves two clients in turn, -v says who; a signal ends it" {
	local port
	port=$(free_port)
	listen_bg "$port" --keep-open -v 127.0.0.1 "$port"
	printf 'one\n' | timeout 10 nc -N 127.0.0.1 "$port"
	printf 'two\n' | timeout 10 socat -u - TCP:127.0.0.1:"$port"
	timeout 10 sh -c 'until [ "$(wc -l <"$1")" -ge 2 ]; do sleep 0.1; done' sh "$BATS_TEST_TMPDIR/lout"
	kill -0 "$NK_PID"
	[ "$(cat "$BATS_TEST_TMPDIR/lout")" = "one
two" ]
	[ "$(grep -c '^Connection from 127.0.0.1 port [0-9]*\.$' "$BATS_TEST_TMPDIR/lerr")" -eq 2 ]
	kill -TERM "$NK_PID"
	wait_nk
	[ "$NK_ST" -ne 0 ]
	! kill -0 "$NK_PID" 2>/dev/null
}

@test "-l: usage errors exit 2, a port in use 2 with bind's reason" {
	run timeout 10 nk-telnet -l -z 127.0.0.1 1
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: -l takes none of -z, --source and --servername" ]
	run timeout 10 nk-telnet --keep-open 127.0.0.1 1
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: --keep-open needs -l" ]
	local port
	port=$(free_port)
	cat_server "$port"
	run timeout 10 nk-telnet -l 127.0.0.1 "$port"
	[ "$status" -eq 2 ]
	[[ "$output" == "nk-telnet: bind 127.0.0.1 port $port: Address already in use" ]]
}
