#!/usr/bin/env bats
# nk telnet --exec CMD: a program (/bin/sh -c) with its stdin and stdout
# on the connection, in listen mode (talked to by nc, ncat, ncat --ssl and
# nk) and connect mode (against socat); its exit status as nk's, no
# zombies, SIGPIPE as a program expects it, and the refusal under TLS
# without verification. Certificates from tests/certs/mkcerts.sh.

load ../lib/common
load ../lib/listen

setup_file() {
	listen_tls_setup
}

@test "-l --exec cat: 1 MiB from nc comes back whole (sha256); 'tr a-z A-Z' for ncat" {
	local port
	port=$(free_port)
	listen_bg "$port" --exec cat 127.0.0.1 "$port"
	timeout 30 nc -N 127.0.0.1 "$port" <"$BATS_FILE_TMPDIR/a" >"$BATS_TEST_TMPDIR/out"
	wait_nk; [ "$NK_ST" -eq 0 ]
	[ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$BATS_FILE_TMPDIR/a")" ]
	[ ! -s "$BATS_TEST_TMPDIR/lout" ]
	port=$(free_port)
	listen_bg "$port" --exec 'tr a-z A-Z' -v 127.0.0.1 "$port"
	run timeout 10 ncat 127.0.0.1 "$port" < <(printf 'hello, World\n')
	[ "$status" -eq 0 ]
	[ "$output" = "HELLO, WORLD" ]
	wait_nk; [ "$NK_ST" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/lerr")" = "Connection from 127.0.0.1 port $(sed -n 's/^Connection from 127.0.0.1 port \([0-9]*\)\.$/\1/p' "$BATS_TEST_TMPDIR/lerr").
Running /bin/sh -c 'tr a-z A-Z'.
The program exited with status 0." ]
}

@test "--exec in connect mode against socat: both ways, the program's status is nk's" {
	local port
	port=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/socat.log" socat \
		TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr \
		SYSTEM:"echo from-socat; cat >'$BATS_TEST_TMPDIR/got'"
	wait_listen "$port"
	run timeout 10 nk-telnet 127.0.0.1 "$port" --exec 'read l; echo "got $l"; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = "" ]
	timeout 5 sh -c 'until [ -s "$1" ]; do sleep 0.1; done' sh "$BATS_TEST_TMPDIR/got"
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = "got from-socat" ]
}

@test "--exec: a program ended by a signal gives 128+N; one that cannot run 127 (sh's)" {
	local port
	port=$(free_port)
	listen_bg "$port" --exec 'kill -TERM $$' 127.0.0.1 "$port"
	timeout 10 nc -N 127.0.0.1 "$port" </dev/null || true
	wait_nk; [ "$NK_ST" -eq 143 ]
	port=$(free_port)
	listen_bg "$port" --exec 'no-such-program-nk' 127.0.0.1 "$port"
	timeout 10 nc -N 127.0.0.1 "$port" </dev/null || true
	wait_nk; [ "$NK_ST" -eq 127 ]
	grep -q 'no-such-program-nk' "$BATS_TEST_TMPDIR/lerr"
}

@test "--exec: SIGPIPE is the program's again: a write to a client gone kills it (141)" {
	local port
	port=$(free_port)
	# The client closes; the first late write draws its RST, the second
	# raises SIGPIPE, which nk must not have left ignored.
	listen_bg "$port" --exec 'cat >/dev/null; sleep 0.3; echo late; sleep 0.3; echo later; exit 9' \
		127.0.0.1 "$port"
	timeout 10 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.shutdown(socket.SHUT_WR)
s.close()' "$port"
	wait_nk; [ "$NK_ST" -eq 141 ]
}

@test "--exec --keep-open: clients one after another, a fresh program each, no zombie left" {
	local port
	port=$(free_port)
	listen_bg "$port" --keep-open --exec 'echo "n=$(cat)"' 127.0.0.1 "$port"
	run timeout 10 nc -N 127.0.0.1 "$port" < <(printf one)
	[ "$output" = "n=one" ]
	run timeout 10 nc -N 127.0.0.1 "$port" < <(printf two)
	[ "$output" = "n=two" ]
	kill -0 "$NK_PID"
	# NK_PID is timeout's; nk is its child. nk's own children: none, not
	# even a defunct one.
	local nk
	nk=$(ps -o pid= --ppid "$NK_PID" | tr -d ' ')
	[ -n "$nk" ]
	[ -z "$(ps -o pid=,stat= --ppid "$nk")" ]
	kill -TERM "$NK_PID"
	wait_nk
}

@test "-l --tls --exec: refused (2) without --cacert unless -k; with -k, 1 MiB through cat and back" {
	run timeout 10 nk-telnet -l "${SRV[@]}" --exec cat 127.0.0.1 "$(free_port)"
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: --exec over TLS would run CMD for any client: verify clients with --cacert, or accept any with -k" ]
	local port
	port=$(free_port)
	listen_bg "$port" "${SRV[@]}" -k --exec 'cat; exit 5' 127.0.0.1 "$port"
	timeout 30 nk-telnet --raw --tls --cacert "$C/root.pem" --eof-wait 0 127.0.0.1 "$port" \
		<"$BATS_FILE_TMPDIR/a" >"$BATS_TEST_TMPDIR/out"
	wait_nk; [ "$NK_ST" -eq 5 ]
	[ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$BATS_FILE_TMPDIR/a")" ]
	# ncat --ssl, verifying nk, gets the program's answer.
	port=$(free_port)
	# ncat closes the whole TLS connection at the end of its input, so it
	# waits (--no-shutdown) for the program, which ends after one line.
	listen_bg "$port" "${SRV[@]}" -k --exec 'read l; echo "$l" | tr a-z A-Z' \
		127.0.0.1 "$port"
	run timeout 10 ncat --ssl --ssl-verify --ssl-trustfile "$C/root.pem" --no-shutdown \
		127.0.0.1 "$port" < <(printf 'from ncat\n')
	[ "$status" -eq 0 ]
	[ "$output" = "FROM NCAT" ]
	wait_nk; [ "$NK_ST" -eq 0 ]
}

@test "-l --tls --cacert --exec: nk with a client certificate talks to the program" {
	local port
	port=$(free_port)
	listen_bg "$port" "${SRV[@]}" --cacert "$C/root.pem" --exec 'tr a-z A-Z' 127.0.0.1 "$port"
	run timeout 10 nk-telnet --tls --cacert "$C/root.pem" --cert "$C/client.pem" \
		--key "$C/client.key" --eof-wait 0 127.0.0.1 "$port" < <(printf 'over tls\n')
	[ "$status" -eq 0 ]
	[ "$output" = "OVER TLS" ]
	wait_nk; [ "$NK_ST" -eq 0 ]
}

@test "--exec: refused with -u, -z, -o and --hexdump (2)" {
	run timeout 10 nk-telnet -u --exec cat 127.0.0.1 1
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: --exec takes none of -z, -u, --hexdump and -o" ]
	run timeout 10 nk-telnet -o "$BATS_TEST_TMPDIR/x" --exec cat 127.0.0.1 1
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: --exec takes none of -z, -u, --hexdump and -o" ]
}

@test "--tls --exec in connect mode: the program talks to ncat --ssl -l through nk's relay" {
	local port
	port=$(free_port)
	printf 'hello from ncat\n' >"$BATS_TEST_TMPDIR/nin"
	ncat --ssl -l 127.0.0.1 "$port" --ssl-cert "$C/ip-chain.pem" --ssl-key "$C/leaf.key" \
		--no-shutdown <"$BATS_TEST_TMPDIR/nin" >"$BATS_TEST_TMPDIR/ngot" 2>/dev/null &
	echo "$!" >>"$BATS_TEST_TMPDIR/pids"
	wait_listen "$port"
	run timeout 10 nk-telnet --tls --cacert "$C/root.pem" 127.0.0.1 "$port" \
		--exec 'read l; echo "got: $l"; exit 4'
	[ "$status" -eq 4 ]
	[ "$output" = "" ]
	timeout 5 sh -c 'until [ -s "$1" ]; do sleep 0.1; done' sh "$BATS_TEST_TMPDIR/ngot"
	[ "$(cat "$BATS_TEST_TMPDIR/ngot")" = "got: hello from ncat" ]
}
