#!/usr/bin/env bats
# nk telnet when the peer closes its side first: a server (or, with -l, a
# client) that half-closes at once (ncat --recv-only, nc -N, socat with no
# input) still reads, so all of nk's input must reach it, compared by
# sha256, in every stream mode (auto, --raw, --telnet, -U, -l). A peer
# that closes for good instead gets a one-line error saying how much input
# was not sent, and a non-zero status: never 0 with input unsent.

load ../lib/common

setup() {
	IN=$BATS_TEST_TMPDIR/in
	head -c 1048576 /dev/urandom >"$IN"
}

sha() { sha256sum <"$1" | cut -d' ' -f1; }

# until_ok WHAT CMD...: until CMD succeeds, for at most 5 s.
until_ok() {
	local what=$1 i; shift
	for i in $(seq 50); do
		"$@" && return 0
		sleep 0.1
	done
	echo "timed out waiting for $what" >&2
	return 1
}

listening() { ss -Hltn "sport = :$1" | grep -q .; }

# peer_bg READY CMD...: a one-shot peer writing what it reads to
# $BATS_TEST_TMPDIR/out, with no input of its own; READY is a check that
# it is there (it must not connect: the peer would take it for its
# client).
peer_bg() {
	local ready=$1; shift
	start_bg "$BATS_TEST_TMPDIR/peer.log" sh -c \
		'out=$1; shift; exec timeout 30 "$@" </dev/null >"$out"' sh \
		"$BATS_TEST_TMPDIR/out" "$@"
	PEER_PID=$BG_PID
	until_ok "the peer" $ready
}

# peer NAME PORT: a one-shot server on PORT that closes its side at once.
peer() {
	case $1 in
	ncat) peer_bg "listening $2" ncat -l --recv-only 127.0.0.1 "$2" ;;
	nc) peer_bg "listening $2" nc -N -l 127.0.0.1 "$2" ;;
	socat) peer_bg "listening $2" socat \
		TCP-LISTEN:"$2",bind=127.0.0.1,reuseaddr STDIO ;;
	esac
}

# run_nk ARGS...: nk telnet with $IN as input, status in NK_ST.
run_nk() {
	NK_ST=0
	timeout 30 nk-telnet "$@" <"$IN" >"$BATS_TEST_TMPDIR/nkout" \
		2>"$BATS_TEST_TMPDIR/err" || NK_ST=$?
}

@test "a server that half-closes at once (ncat, nc -N, socat) gets all 1 MiB, auto and --raw" {
	local p mode port
	for p in ncat nc socat; do
		for mode in "" --raw; do
			port=$(free_port)
			peer "$p" "$port"
			run_nk $mode 127.0.0.1 "$port"
			wait "$PEER_PID" || true
			echo "peer $p mode '$mode': status $NK_ST" >&2
			[ "$NK_ST" -eq 0 ]
			[ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$IN")" ]
		done
	done
}

@test "--telnet: a half-closing server gets all the input, after the offer" {
	local port
	# Text without IAC or CR: telnet encoding leaves it as it is.
	base64 -w 76 "$IN" | head -c 1048576 >"$BATS_TEST_TMPDIR/text"
	IN=$BATS_TEST_TMPDIR/text
	port=$(free_port)
	peer ncat "$port"
	run_nk --telnet 127.0.0.1 "$port"
	wait "$PEER_PID" || true
	[ "$NK_ST" -eq 0 ]
	[ "$(tail -c 1048576 "$BATS_TEST_TMPDIR/out" | sha256sum | cut -d' ' -f1)" = "$(sha "$IN")" ]
	# Only the option offer comes before it.
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/out")" -lt $((1048576 + 64)) ]
}

@test "-v says the server closed first and that all input went" {
	local port
	port=$(free_port)
	peer ncat "$port"
	run_nk -v 127.0.0.1 "$port"
	wait "$PEER_PID" || true
	[ "$NK_ST" -eq 0 ]
	# Which comes first, the server's FIN or our end of input, is the
	# scheduler's choice (a slow build reads all of stdin first).
	grep -qx -e 'The server closed its side; still sending our input.' \
		-e 'Connection closed by foreign host.' "$BATS_TEST_TMPDIR/err"
	grep -qx 'Sent all our input; connection closed.' "$BATS_TEST_TMPDIR/err"
}

# all_or_counted: either every byte of $IN arrived in $BATS_TEST_TMPDIR/out
# and nk exited 0, or nk exited 55 or 56 with one line counting the loss
# (ncat's -U and TLS listeners close the whole connection when they see
# their own empty input, before or after reading ours, as load decides).
all_or_counted() {
	if [ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$IN")" ]; then
		[ "$NK_ST" -eq 0 ]
		return 0
	fi
	[ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 1 ]
	[ "$NK_ST" -eq 55 ] || [ "$NK_ST" -eq 56 ]
	grep -Eq ': [1-9][0-9]* bytes of input not sent$' "$BATS_TEST_TMPDIR/err"
}

@test "-U: a Unix socket server that half-closes at once gets all 1 MiB (socat); ncat: all, or the loss counted" {
	local p sock=$BATS_TEST_TMPDIR/s
	for p in socat ncat; do
		rm -f "$sock"
		case $p in
		socat) peer_bg "test -S $sock" socat UNIX-LISTEN:"$sock" STDIO ;;
		ncat) peer_bg "test -S $sock" ncat -l -U --recv-only "$sock" ;;
		esac
		run_nk -U "$sock"
		wait "$PEER_PID" || true
		echo "peer $p: status $NK_ST" >&2
		cat "$BATS_TEST_TMPDIR/err" >&2
		if [ "$p" = ncat ]; then
			all_or_counted
			continue
		fi
		[ "$NK_ST" -eq 0 ]
		[ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$IN")" ]
	done
}

@test "-l: a client that half-closes at once (nc -N, socat) gets all 1 MiB piped into nk later" {
	local c port
	for c in nc socat; do
		port=$(free_port)
		# The input comes late, after the client's FIN.
		{ sleep 0.5; cat "$IN"; } | timeout 30 nk-telnet -l 127.0.0.1 \
			"$port" >/dev/null 2>"$BATS_TEST_TMPDIR/err" &
		local nk=$!
		echo "$nk" >>"$BATS_TEST_TMPDIR/pids"
		until_ok "nk -l" listening "$port"
		case $c in
		nc) timeout 30 nc -N 127.0.0.1 "$port" </dev/null >"$BATS_TEST_TMPDIR/out" ;;
		socat) timeout 30 socat TCP:127.0.0.1:"$port" STDIO </dev/null >"$BATS_TEST_TMPDIR/out" ;;
		esac
		NK_ST=0
		wait "$nk" || NK_ST=$?
		[ "$NK_ST" -eq 0 ]
		[ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$IN")" ]
	done
}

# closer PORT N [DELAY]: tests/servers/closer.py, a server that closes
# its side after DELAY seconds, reads N bytes, then closes for good.
closer() {
	start_bg "$BATS_TEST_TMPDIR/peer.log" timeout 30 python3 \
		"$TESTS_DIR/servers/closer.py" "$@"
	PEER_PID=$BG_PID
	until_ok "the server" listening "$1"
}

@test "a server that closes for good after 16 KiB: exit 55, one line saying how much was not sent" {
	local port spec mode
	# After 0.5 s all the input is in the kernels' buffers: only the
	# reset tells that it never arrived.
	for spec in :0 --raw:0 --raw:0.5 :0.5; do
		mode=${spec%%:*}
		port=$(free_port)
		closer "$port" 16384 "${spec#*:}"
		run_nk $mode 127.0.0.1 "$port"
		cat "$BATS_TEST_TMPDIR/err" >&2
		[ "$NK_ST" -ne 0 ]
		[ "$NK_ST" -eq 55 ] || [ "$NK_ST" -eq 56 ]
		[ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 1 ]
		grep -Eq '^nk-telnet: .*: [1-9][0-9]* bytes of input not sent$' "$BATS_TEST_TMPDIR/err"
	done
}

@test "the same server with input from a pipe: non-zero, the loss said" {
	local port
	port=$(free_port)
	closer "$port" 16384
	NK_ST=0
	cat "$IN" | timeout 30 nk-telnet 127.0.0.1 "$port" >/dev/null \
		2>"$BATS_TEST_TMPDIR/err" || NK_ST=$?
	cat "$BATS_TEST_TMPDIR/err" >&2
	[ "$NK_ST" -eq 55 ] || [ "$NK_ST" -eq 56 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 1 ]
	grep -Eq 'not sent$' "$BATS_TEST_TMPDIR/err"
}

# tls_pair DIR: a throwaway self-signed certificate for localhost.
tls_pair() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/key.pem" \
		-out "$1/cert.pem" -days 1 -subj /CN=localhost \
		-addext subjectAltName=DNS:localhost 2>/dev/null
}

@test "--tls: a server that closes TCP without close_notify after its reply: exit 0 as before" {
	local port
	tls_pair "$BATS_TEST_TMPDIR"
	port=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/peer.log" timeout 20 python3 -c '
import os, socket, ssl, sys, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2] + "/cert.pem", sys.argv[2] + "/key.pem")
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
c, _ = s.accept()
t = ctx.wrap_socket(c, server_side=True)
t.recv(100)
t.sendall(b"reply\n")
time.sleep(0.2)
os.close(t.detach())' "$port" "$BATS_TEST_TMPDIR"
	until_ok "the server" listening "$port"
	NK_ST=0
	printf 'x' | timeout 20 nk-telnet --tls --cacert "$BATS_TEST_TMPDIR/cert.pem" \
		localhost "$port" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || NK_ST=$?
	[ "$NK_ST" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = reply ]
}

@test "--tls: ncat --ssl -l that closes at once: never 0 with input lost; 55 and the count" {
	local port
	port=$(free_port)
	# With no input of its own, ncat's TLS listener closes the whole
	# connection, not just its side.
	peer_bg "listening $port" ncat -l --ssl --recv-only 127.0.0.1 "$port"
	run_nk --tls -k 127.0.0.1 "$port"
	wait "$PEER_PID" || true
	cat "$BATS_TEST_TMPDIR/err" >&2
	# Under load ncat may close before the handshake ends (35).
	[ "$NK_ST" -eq 35 ] && return 0
	all_or_counted
}
