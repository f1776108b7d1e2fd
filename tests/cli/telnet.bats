#!/usr/bin/env bats
# nk telnet in a pipe: half-close, byte-exact transfer, -q, --idle-timeout,
# the exit statuses; the telnet negotiation byte for byte against a scripted
# server and against inetutils telnetd; --tls against openssl s_server and
# a TLS peer that talks after our close_notify.

load ../lib/common
load ../servers/telnet_test

setup_file() {
	# A throwaway certificate for localhost and 127.0.0.1.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$BATS_FILE_TMPDIR/key.pem" -out "$BATS_FILE_TMPDIR/cert.pem" \
		-days 2 -subj /CN=localhost \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
}

# nk_pipe ARGS... < input: runs nk-telnet with stdout to $T/out and stderr
# to $T/err, bounded; sets status.
nk_pipe() {
	status=0
	timeout 10 nk-telnet "$@" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
}

# wait_output: until nk has shown something of the server's, bounded. Input
# sent before the server's opening negotiation arrives would make the stream
# plain bytes; under valgrind nk may read the two in either order.
wait_output() {
	local i
	for i in $(seq 200); do
		[ -s "$BATS_TEST_TMPDIR/out" ] && return 0
		sleep 0.05
	done
}

err_is() {
	local got
	got=$(cat "$BATS_TEST_TMPDIR/err")
	[ "$got" = "$1" ] || { echo "stderr: $got" >&2; echo "wanted: $1" >&2; return 1; }
}

@test "pipe: data, end of input, everything echoed back by nk echo, exit 0" {
	start_echo
	printf 'line one\r\nline two\n\0\377end\r' >"$BATS_TEST_TMPDIR/in"
	nk_pipe 127.0.0.1 "$ECHO_PORT" <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	# Quiet in a pipe unless asked.
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "pipe: half-close against socat, and -v says who closed first" {
	local port
	port=$(free_port)
	# fork: wait_port's probe gets a cat of its own.
	start_bg "$BATS_TEST_TMPDIR/socat.log" \
		socat TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork EXEC:cat
	wait_port "$port"
	printf 'hello socat\n' >"$BATS_TEST_TMPDIR/in"
	nk_pipe -v 127.0.0.1 "$port" <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	err_is "Trying 127.0.0.1...
Connected to 127.0.0.1 (127.0.0.1) port $port.
Sent EOF to 127.0.0.1; still reading what it sends.
Connection closed by foreign host, after our end of input."
}

@test "pipe: 2 MiB of random bytes pass unchanged with --raw" {
	start_echo
	head -c 2097152 /dev/urandom >"$BATS_TEST_TMPDIR/big"
	nk_pipe --raw 127.0.0.1 "$ECHO_PORT" <"$BATS_TEST_TMPDIR/big"
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/out"
}

@test "-q: quits that many seconds after the end of input" {
	mkdir "$BATS_TEST_TMPDIR/spool"
	start_peer --send 'banner\r\n' --control "$BATS_TEST_TMPDIR/spool" \
		--record "$BATS_TEST_TMPDIR/rec"
	local t0 t1
	t0=$(date +%s%N)
	nk_pipe -q 0.5 127.0.0.1 "$PEER_PORT" < <(sleep 0.3; printf 'x')
	t1=$(date +%s%N)
	[ "$status" -eq 0 ]
	same_bytes "$BATS_TEST_TMPDIR/out" 'banner\r\n'
	same_bytes "$BATS_TEST_TMPDIR/rec" 'x'
	# 0.3 s of input, then 0.5 s: well under the 10 s the server would
	# otherwise hold the connection.
	[ $(((t1 - t0) / 1000000)) -ge 750 ]
	[ $(((t1 - t0) / 1000000)) -lt 3000 ]
}

@test "--idle-timeout: a silent session ends with 28" {
	mkdir "$BATS_TEST_TMPDIR/spool"
	start_peer --control "$BATS_TEST_TMPDIR/spool"
	nk_pipe --idle-timeout 0.5 127.0.0.1 "$PEER_PORT" < <(sleep 5)
	[ "$status" -eq 28 ]
	err_is "nk-telnet: no data either way for 0.5 s (--idle-timeout)"
}

@test "a refused port: exit 7 and the reason" {
	local port
	port=$(free_port)
	nk_pipe 127.0.0.1 "$port" </dev/null
	[ "$status" -eq 7 ]
	err_is "nk-telnet: Failed to connect to 127.0.0.1 port $port: Connection refused"
}

@test "a server that never answers the SYN: --connect-timeout, exit 28" {
	start_peer --blackhole
	nk_pipe --connect-timeout 0.5 127.0.0.1 "$PEER_PORT" </dev/null
	[ "$status" -eq 28 ]
	# The time is measured: 500 ms and a little.
	grep -Eqx "nk-telnet: Failed to connect to 127.0.0.1 port $PEER_PORT: Connection timed out after 5[0-9]{2} ms" \
		"$BATS_TEST_TMPDIR/err"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 1 ]
}

@test "a name that does not resolve: exit 6" {
	unshare -rn true 2>/dev/null || skip "no user and network namespaces here"
	# A namespace without network: nothing can leave the machine.
	status=0
	timeout 10 unshare -rn "$NK_BIN/nk-telnet" nk-test.invalid 23 </dev/null \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 6 ]
	grep -q '^nk-telnet: Could not resolve host: nk-test.invalid' "$BATS_TEST_TMPDIR/err"
}

@test "a server that resets the connection: exit 56" {
	start_peer --send 'before the reset\r\n' --reset-after 0.3
	nk_pipe 127.0.0.1 "$PEER_PORT" < <(sleep 5)
	[ "$status" -eq 56 ]
	same_bytes "$BATS_TEST_TMPDIR/out" 'before the reset\r\n'
	err_is "nk-telnet: recv from 127.0.0.1 port $PEER_PORT: Connection reset by peer"
}

@test "a reader that goes away (EPIPE) ends the session quietly with 0" {
	mkdir "$BATS_TEST_TMPDIR/spool"
	start_peer --send 'abcdefghijklmnop' --repeat 100000 \
		--control "$BATS_TEST_TMPDIR/spool"
	run bash -c 'timeout 10 nk-telnet 127.0.0.1 "$1" < <(sleep 5 2>/dev/null) 2>"$2" | head -c 5;
		echo " ${PIPESTATUS[0]}"' _ "$PEER_PORT" "$BATS_TEST_TMPDIR/err"
	[ "$output" = "abcde 0" ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "SIGTERM ends the session even while a write to stdout is blocked" {
	mkdir "$BATS_TEST_TMPDIR/spool"
	start_peer --send 'abcdefghijklmnop' --repeat 100000 \
		--control "$BATS_TEST_TMPDIR/spool"
	# A reader that opens the pipe and never reads: the pipe fills.
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	start_bg "$BATS_TEST_TMPDIR/reader.log" \
		sh -c 'exec sleep 10 <"$0"' "$BATS_TEST_TMPDIR/fifo"
	timeout 10 nk-telnet 127.0.0.1 "$PEER_PORT" < <(sleep 5 2>/dev/null) \
		>"$BATS_TEST_TMPDIR/fifo" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$! rc=0
	sleep 0.5
	kill -TERM "$pid"
	wait_gone "$pid" 2
	wait "$pid" || rc=$?
	# timeout(1) reports a child killed by SIGTERM as 128 + 15.
	[ "$rc" -eq 143 ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "bad usage: one line and exit 2" {
	nk_pipe </dev/null
	[ "$status" -eq 2 ]
	err_is "nk-telnet: missing HOST (see nk telnet --help)"
	nk_pipe -e xy localhost </dev/null
	[ "$status" -eq 2 ]
	err_is "nk-telnet: -e takes ^X, a single character or none, not 'xy'"
	nk_pipe localhost 70000 </dev/null
	[ "$status" -eq 2 ]
	err_is "nk-telnet: port takes 1 to 65535, not '70000'"
	nk_pipe localhost no-such-service </dev/null
	[ "$status" -eq 2 ]
	err_is "nk-telnet: unknown port or service 'no-such-service'"
	nk_pipe --cacert /dev/null localhost 443 </dev/null
	[ "$status" -eq 2 ]
	err_is "nk-telnet: --cacert, --capath, -k, --servername, --cert and --key need --tls"
	nk_pipe -q soon localhost </dev/null
	[ "$status" -eq 2 ]
	err_is "nk-telnet: -q takes a number of seconds, not 'soon'"
	nk_pipe localhost 80 extra </dev/null
	[ "$status" -eq 2 ]
	err_is "nk-telnet: one HOST and one PORT, not 'extra' too (see nk telnet --help)"
	nk_pipe --raw --telnet localhost </dev/null
	[ "$status" -eq 2 ]
	err_is "nk-telnet: --raw and --telnet contradict each other"
}

# --- the telnet protocol, byte for byte -------------------------------

@test "negotiation: accepted and refused options, answered exactly" {
	# WILL ECHO, WILL SGA, DO TTYPE, DO NAWS, DO 99, WILL 99, DO BINARY.
	start_peer --record "$BATS_TEST_TMPDIR/rec" \
		--send '\xff\xfb\x01\xff\xfb\x03\xff\xfd\x18\xff\xfd\x1f\xff\xfd\x63\xff\xfb\x63\xff\xfd\x00hi\r\n'
	nk_pipe 127.0.0.1 "$PEER_PORT" < <(wait_output; printf 'x')
	[ "$status" -eq 0 ]
	same_bytes "$BATS_TEST_TMPDIR/out" 'hi\r\n'
	wait_gone "$PEER_PID"
	# In a pipe there is no terminal: no TTYPE, no NAWS.
	same_bytes "$BATS_TEST_TMPDIR/rec" \
		'\xff\xfd\x01\xff\xfd\x03\xff\xfc\x18\xff\xfc\x1f\xff\xfc\x63\xff\xfe\x63\xff\xfb\x00x'
}

@test "negotiation: a server repeating WILL ECHO gets one answer" {
	start_peer --record "$BATS_TEST_TMPDIR/rec" --send '\xff\xfb\x01' --repeat 500
	nk_pipe 127.0.0.1 "$PEER_PORT" < <(sleep 0.3)
	[ "$status" -eq 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/out" ]
	wait_gone "$PEER_PID"
	same_bytes "$BATS_TEST_TMPDIR/rec" '\xff\xfd\x01'
}

@test "negotiation: DONT and WONT for options never on get no answer" {
	start_peer --record "$BATS_TEST_TMPDIR/rec" \
		--send '\xff\xfe\x1f\xff\xfc\x01\xff\xfe\x63\xff\xfc\x63ok'
	nk_pipe 127.0.0.1 "$PEER_PORT" < <(sleep 0.3)
	[ "$status" -eq 0 ]
	same_bytes "$BATS_TEST_TMPDIR/out" 'ok'
	wait_gone "$PEER_PID"
	same_bytes "$BATS_TEST_TMPDIR/rec" ''
}

@test "NVT data: IAC IAC is 0xff, CR NUL is CR; our 0xff goes out doubled" {
	start_peer --record "$BATS_TEST_TMPDIR/rec" \
		--send '\xff\xfb\x01a\xff\xffb\r\0c\r\n'
	nk_pipe 127.0.0.1 "$PEER_PORT" < <(wait_output; printf '\377\r')
	[ "$status" -eq 0 ]
	same_bytes "$BATS_TEST_TMPDIR/out" 'a\xffb\rc\r\n'
	wait_gone "$PEER_PID"
	# A final bare CR gets its NUL at the end of input.
	same_bytes "$BATS_TEST_TMPDIR/rec" '\xff\xfd\x01\xff\xff\r\0'
}

@test "negotiation: an over-long subnegotiation is dropped whole" {
	local junk
	junk=$(printf 'z%.0s' $(seq 2000))
	start_peer --record "$BATS_TEST_TMPDIR/rec" \
		--send "\\xff\\xfa\\x18\\x01${junk}\\xff\\xf0ok\\xff\\xfb\\x03"
	nk_pipe -vv 127.0.0.1 "$PEER_PORT" < <(sleep 0.3)
	[ "$status" -eq 0 ]
	same_bytes "$BATS_TEST_TMPDIR/out" 'ok'
	grep -qx 'RCVD SB TERMINAL-TYPE: too long or broken, ignored' "$BATS_TEST_TMPDIR/err"
	wait_gone "$PEER_PID"
	# Still in step afterwards: the WILL SGA behind it is answered.
	same_bytes "$BATS_TEST_TMPDIR/rec" '\xff\xfd\x03'
}

@test "a negotiation in the middle of the stream is data, both ways" {
	mkdir "$BATS_TEST_TMPDIR/spool"
	start_peer --record "$BATS_TEST_TMPDIR/rec" --send 'a\xff\xffb\xff\x01' \
		--control "$BATS_TEST_TMPDIR/spool"
	nk_pipe 127.0.0.1 "$PEER_PORT" < <(sleep 0.3; printf '\377\r1';
		# after data: not the server negotiating
		spool '\377\373\001'; sleep 0.5;
		printf '\377\r2'; sleep 0.3; spool '' eof)
	[ "$status" -eq 0 ]
	same_bytes "$BATS_TEST_TMPDIR/out" 'a\xff\xffb\xff\x01\xff\xfb\x01'
	wait_gone "$PEER_PID"
	same_bytes "$BATS_TEST_TMPDIR/rec" '\xff\r1\xff\r2'
}

@test "a server that opens with a negotiation speaks telnet on any port" {
	start_peer --record "$BATS_TEST_TMPDIR/rec" --send '\xff\xfb\x01a\xff\xffb'
	nk_pipe 127.0.0.1 "$PEER_PORT" < <(wait_output; printf '\377\r1')
	[ "$status" -eq 0 ]
	same_bytes "$BATS_TEST_TMPDIR/out" 'a\xffb'
	wait_gone "$PEER_PID"
	same_bytes "$BATS_TEST_TMPDIR/rec" '\xff\xfd\x01\xff\xff\r\x001'
}

@test "--telnet: nk opens the negotiation on any port" {
	start_peer --record "$BATS_TEST_TMPDIR/rec" --send 'x\xff\xfb\x01y'
	nk_pipe --telnet 127.0.0.1 "$PEER_PORT" < <(sleep 0.3; printf '\377')
	[ "$status" -eq 0 ]
	same_bytes "$BATS_TEST_TMPDIR/out" 'xy'
	wait_gone "$PEER_PID"
	same_bytes "$BATS_TEST_TMPDIR/rec" '\xff\xfd\x03\xff\xfd\x01\xff\xff'
}

@test "port 23: nk opens the negotiation itself, as telnet(1) does" {
	start_peer --record "$BATS_TEST_TMPDIR/rec" --send 'login: '
	nk_pipe --connect-to 127.0.0.1:23:127.0.0.1:"$PEER_PORT" 127.0.0.1 23 \
		< <(sleep 0.3)
	[ "$status" -eq 0 ]
	same_bytes "$BATS_TEST_TMPDIR/out" 'login: '
	wait_gone "$PEER_PID"
	same_bytes "$BATS_TEST_TMPDIR/rec" '\xff\xfd\x03'
}

@test "-vv traces the negotiation" {
	start_peer --send '\xff\xfb\x01\xff\xfd\x63\xff\xf9'
	nk_pipe -vv 127.0.0.1 "$PEER_PORT" < <(sleep 0.3)
	[ "$status" -eq 0 ]
	grep -v -e '^Trying ' -e '^Connected to ' -e '^Sent EOF' -e '^Connection closed' \
		"$BATS_TEST_TMPDIR/err" >"$BATS_TEST_TMPDIR/trace"
	[ "$(cat "$BATS_TEST_TMPDIR/trace")" = "The server speaks telnet: negotiating.
RCVD WILL ECHO
SENT DO ECHO
server ECHO is on
RCVD DO 99
SENT WONT 99
RCVD GA" ]
}

@test "--raw: no telnet at all, IAC bytes pass both ways" {
	start_peer --record "$BATS_TEST_TMPDIR/rec" --send '\xff\xfb\x01hi'
	nk_pipe --raw 127.0.0.1 "$PEER_PORT" < <(sleep 0.3; printf '\377\r')
	[ "$status" -eq 0 ]
	same_bytes "$BATS_TEST_TMPDIR/out" '\xff\xfb\x01hi'
	wait_gone "$PEER_PID"
	same_bytes "$BATS_TEST_TMPDIR/rec" '\xff\r'
}

@test "a real telnetd: negotiation succeeds and the login program talks" {
	[ -x /usr/sbin/telnetd ] || skip "inetutils-telnetd is not installed"
	local port login=$BATS_TEST_TMPDIR/login.sh
	cat >"$login" <<-'EOF'
	#!/bin/sh
	echo "harmless login program"
	printf 'name? '
	read name
	echo "hello, $name"
	# telnetd may drop what a program wrote just before it exited.
	sleep 3
	EOF
	chmod +x "$login"
	port=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/socat.log" socat \
		TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork \
		EXEC:"/usr/sbin/telnetd -h -E $login"
	wait_port "$port"
	# Answer the prompt once it shows, then wait for the greeting.
	nk_pipe -vv 127.0.0.1 "$port" < <(
		for i in $(seq 100); do
			grep -q 'name? ' "$BATS_TEST_TMPDIR/out" 2>/dev/null && break
			sleep 0.05
		done
		printf 'world\r\n'
		for i in $(seq 100); do
			grep -q 'hello' "$BATS_TEST_TMPDIR/out" 2>/dev/null && break
			sleep 0.05
		done)
	[ "$status" -eq 0 ]
	grep -q '^harmless login program' "$BATS_TEST_TMPDIR/out"
	grep -q 'hello, world' "$BATS_TEST_TMPDIR/out"
	# The options telnetd asks for: what nk agrees to and refuses.
	grep -qx 'SENT DO SUPPRESS-GO-AHEAD' "$BATS_TEST_TMPDIR/err"
	grep -qx 'SENT DO ECHO' "$BATS_TEST_TMPDIR/err"
	grep -qx 'SENT WONT TERMINAL-TYPE' "$BATS_TEST_TMPDIR/err"
	grep -qx 'SENT WONT LINEMODE' "$BATS_TEST_TMPDIR/err"
	grep -qx 'SENT DONT AUTHENTICATION' "$BATS_TEST_TMPDIR/err"
	# No option is answered twice.
	[ -z "$(grep '^SENT' "$BATS_TEST_TMPDIR/err" | sort | uniq -d)" ]
}

# --- TLS ----------------------------------------------------------------

@test "--tls: a request typed to openssl s_server, and its reply" {
	local port
	port=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/s_server.log" openssl s_server -www \
		-accept 127.0.0.1:"$port" -naccept 1 \
		-cert "$BATS_FILE_TMPDIR/cert.pem" -key "$BATS_FILE_TMPDIR/key.pem"
	wait_for_line "$BATS_TEST_TMPDIR/s_server.log" '^ACCEPT' >/dev/null
	nk_pipe -v --tls --cacert "$BATS_FILE_TMPDIR/cert.pem" localhost "$port" \
		< <(printf 'GET / HTTP/1.0\r\n\r\n')
	[ "$status" -eq 0 ]
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/out")" = $'HTTP/1.0 200 ok\r' ]
	grep -q '</HTML>' "$BATS_TEST_TMPDIR/out"
	grep -Eqx 'TLS: TLSv1\.[23], [A-Z0-9_-]+; certificate verified for localhost\.' \
		"$BATS_TEST_TMPDIR/err"
}

@test "--tls: after our close_notify the server's last words still arrive" {
	start_peer --tls "$BATS_FILE_TMPDIR/cert.pem" "$BATS_FILE_TMPDIR/key.pem" \
		--record "$BATS_TEST_TMPDIR/rec" --send 'hello\r\n' \
		--after-eof 'sent after your close_notify\r\n'
	nk_pipe -v --tls --cacert "$BATS_FILE_TMPDIR/cert.pem" localhost "$PEER_PORT" \
		< <(printf 'request\r\n')
	[ "$status" -eq 0 ]
	same_bytes "$BATS_TEST_TMPDIR/out" 'hello\r\nsent after your close_notify\r\n'
	same_bytes "$BATS_TEST_TMPDIR/rec" 'request\r\n'
	grep -qx 'Sent close_notify and EOF to localhost; still reading what it sends.' \
		"$BATS_TEST_TMPDIR/err"
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/err")" = \
		"Connection closed by foreign host, after our end of input." ]
}

@test "--tls: the server closes first: all its bytes arrive, nk exits when its input ends" {
	mkdir "$BATS_TEST_TMPDIR/spool"
	start_peer --tls "$BATS_FILE_TMPDIR/cert.pem" "$BATS_FILE_TMPDIR/key.pem" \
		--send 'hello\r\n' --control "$BATS_TEST_TMPDIR/spool"
	(sleep 0.3; spool 'last words\r\n'; sleep 0.1; spool '' eof) &
	local t0 t1
	t0=$(date +%s%N)
	# As nc and ncat: the server may still read, so the input goes on
	# to its end (telnet_eof.bats).
	nk_pipe -v --tls --cacert "$BATS_FILE_TMPDIR/cert.pem" localhost "$PEER_PORT" \
		< <(sleep 1.5)
	t1=$(date +%s%N)
	[ "$status" -eq 0 ]
	same_bytes "$BATS_TEST_TMPDIR/out" 'hello\r\nlast words\r\n'
	grep -qx "The server closed its side; still sending our input." "$BATS_TEST_TMPDIR/err"
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/err")" = "Sent all our input; connection closed." ]
	! grep -q '^Sent close_notify' "$BATS_TEST_TMPDIR/err"
	# It waited for its input, and no longer.
	[ $(((t1 - t0) / 1000000)) -ge 1400 ]
	[ $(((t1 - t0) / 1000000)) -lt 3500 ]
}

@test "--tls: an unknown issuer fails with 60; -k goes on and says so" {
	start_peer --tls "$BATS_FILE_TMPDIR/cert.pem" "$BATS_FILE_TMPDIR/key.pem" \
		--send 'secret\r\n'
	nk_pipe --tls --capath "$BATS_TEST_TMPDIR" localhost "$PEER_PORT" </dev/null
	[ "$status" -eq 60 ]
	[ ! -s "$BATS_TEST_TMPDIR/out" ]
	grep -q '^nk-telnet: .*certificate' "$BATS_TEST_TMPDIR/err"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 1 ]

	start_peer --tls "$BATS_FILE_TMPDIR/cert.pem" "$BATS_FILE_TMPDIR/key.pem" \
		--send 'secret\r\n'
	nk_pipe -v -k --tls --capath "$BATS_TEST_TMPDIR" localhost "$PEER_PORT" \
		< <(sleep 0.3)
	[ "$status" -eq 0 ]
	same_bytes "$BATS_TEST_TMPDIR/out" 'secret\r\n'
	grep -q '; certificate NOT verified (--insecure): ' "$BATS_TEST_TMPDIR/err"
}
