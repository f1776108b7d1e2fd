#!/usr/bin/env bats
# nk telnet -U (Unix domain stream sockets) and -u (UDP) against real
# peers: socat as a Unix socket server and as a UDP echo, and a Python UDP
# peer that records each datagram it gets (its length and bytes), so the
# datagram boundaries are checked exactly, not only the bytes.

load ../lib/common

sha() { sha256sum <"$1" | cut -d' ' -f1; }

# wait_sock PATH: waits up to 5 s for a socket file at PATH.
wait_sock() {
	timeout 5 sh -c 'until [ -S "$1" ]; do sleep 0.05; done' sh "$1" ||
		{ echo "no socket at $1 after 5s" >&2; return 1; }
}

# unix_cat PATH: socat serving cat on a Unix socket at PATH, ready.
unix_cat() {
	start_bg "$BATS_TEST_TMPDIR/socat.log" socat UNIX-LISTEN:"$1" EXEC:cat
	wait_sock "$1"
}

# udp_run INPUT ARGS...: `run`s nk-telnet -u ARGS, bounded, with INPUT (a
# printf format) on its stdin.
udp_run() {
	local input=$1
	shift
	run timeout 10 sh -c 'in=$1; shift; printf "$in" | nk-telnet -u "$@"' \
		sh "$input" "$@"
}

# udp_peer MODE: a Python UDP peer on 127.0.0.1, port 0; sets UDP_PORT.
# Each datagram's length and hex go to $BATS_TEST_TMPDIR/dgrams, one line
# each. MODE: echo (sends it back), silent (answers nothing), late (answers
# "late\n" 0.4 s after each datagram).
udp_peer() {
	start_bg "$BATS_TEST_TMPDIR/udp.log" python3 -c '
import socket, sys, time
mode, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("port", s.getsockname()[1], flush=True)
while True:
    d, peer = s.recvfrom(70000)
    with open(log, "a") as f:
        f.write("%d %s\n" % (len(d), d.hex()))
    if mode == "echo":
        s.sendto(d, peer)
    elif mode == "late":
        time.sleep(0.4)
        s.sendto(b"late\n", peer)
' "$1" "$BATS_TEST_TMPDIR/dgrams"
	local line
	line=$(wait_for_line "$BATS_TEST_TMPDIR/udp.log" '^port ') || return 1
	UDP_PORT=${line#port }
}

@test "-U: 1 MiB of random bytes through socat's Unix socket cat, unchanged" {
	local sock=$BATS_TEST_TMPDIR/s.sock in=$BATS_TEST_TMPDIR/in
	head -c 1048576 /dev/urandom >"$in"
	unix_cat "$sock"
	status=0
	timeout 30 nk-telnet -U "$sock" <"$in" >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/out")" = 1048576 ]
	[ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$in")" ]
}

@test "-U: --unixsock and -v: the status line names the path; no telnet offer" {
	local sock=$BATS_TEST_TMPDIR/s.sock
	start_bg "$BATS_TEST_TMPDIR/socat.log" socat UNIX-LISTEN:"$sock" \
		SYSTEM:'od -An -c'
	wait_sock "$sock"
	run timeout 10 sh -c 'printf "hi\n" | nk-telnet -v --unixsock "$1" 2>"$2"' \
		sh "$sock" "$BATS_TEST_TMPDIR/err"
	[ "$status" -eq 0 ]
	# What the server got is exactly our bytes: no IAC offer before them.
	[ "$(echo $output)" = 'h i \n' ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "Connected to $sock.
Sent EOF to $sock; still reading what it sends.
Connection closed by foreign host, after our end of input." ]
}

@test "-U: no socket there is exit 7 with the reason; misuse is exit 2" {
	run nk-telnet -U "$BATS_TEST_TMPDIR/none.sock" </dev/null
	[ "$status" -eq 7 ]
	[ "$output" = "nk-telnet: Failed to connect to $BATS_TEST_TMPDIR/none.sock: No such file or directory" ]
	: >"$BATS_TEST_TMPDIR/plain"
	run nk-telnet -U "$BATS_TEST_TMPDIR/plain" </dev/null
	[ "$status" -eq 7 ]
	[ "$output" = "nk-telnet: Failed to connect to $BATS_TEST_TMPDIR/plain: Connection refused" ]
	run nk-telnet -U /tmp/x.sock 80 </dev/null
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: -U takes a socket path and no PORT, not '80'" ]
	run nk-telnet -U --tls /tmp/x.sock </dev/null
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: --tls works over TCP only, not with -U" ]
	run nk-telnet -U -u /tmp/x.sock </dev/null
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: -U and -u cannot be combined (a Unix datagram socket is not supported)" ]
	run nk-telnet -U "/tmp/$(printf '%0120d' 0)" </dev/null
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: -U: socket path must be 1 to 107 bytes long" ]
}

@test "-u: each line is one datagram, newline included; the last without one as it is" {
	udp_peer echo
	status=0
	printf 'a\nbb\n\nccc' | timeout 10 nk-telnet -u 127.0.0.1 "$UDP_PORT" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	[ "$(cat "$BATS_TEST_TMPDIR/dgrams")" = "$(printf '2 610a\n3 62620a\n1 0a\n3 636363')" ]
	[ "$(od -An -tx1 "$BATS_TEST_TMPDIR/out" | tr -d ' \n')" = 610a62620a0a636363 ]
}

@test "-u: datagrams of 1, 1400, 9000 and 65507 bytes, and a longer line in 65507-byte pieces" {
	udp_peer echo
	local in=$BATS_TEST_TMPDIR/in n
	: >"$in"
	# Random bytes without newlines, each line ended by one.
	for n in 0 1399 8999 65506 70000; do
		head -c $((n * 2)) /dev/urandom | tr -d '\n' | head -c "$n" >>"$in"
		printf '\n' >>"$in"
	done
	status=0
	timeout 20 nk-telnet -u 127.0.0.1 "$UDP_PORT" <"$in" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 0 ]
	[ "$(cut -d' ' -f1 "$BATS_TEST_TMPDIR/dgrams" | tr '\n' ' ')" = "1 1400 9000 65507 65507 4494 " ]
	# Each datagram's bytes, in order, are the input.
	cut -d' ' -f2 "$BATS_TEST_TMPDIR/dgrams" | tr -d '\n' | xxd -r -p >"$BATS_TEST_TMPDIR/got"
	[ "$(sha "$BATS_TEST_TMPDIR/got")" = "$(sha "$in")" ]
	[ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$in")" ]
}

@test "-u: socat's UDP echo (UDP-LISTEN to cat) answers, in order" {
	local port
	port=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/socat.log" socat UDP-LISTEN:"$port",bind=127.0.0.1 EXEC:cat
	sleep 0.3
	udp_run 'one\ntwo\nthree\n' 127.0.0.1 "$port"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'one\ntwo\nthree')" ]
}

@test "-u: a reply after the end of input still shows; a silent peer ends it after --eof-wait" {
	udp_peer late
	udp_run 'q\n' 127.0.0.1 "$UDP_PORT"
	[ "$status" -eq 0 ]
	[ "$output" = late ]
	stop_all
	udp_peer silent
	local t0=$SECONDS
	udp_run 'q\n' --eof-wait 0.2 127.0.0.1 "$UDP_PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ $((SECONDS - t0)) -le 2 ]
	# -q ends it that long after the end of input, replies or not.
	stop_all
	udp_peer late
	udp_run 'q\n' -q 0.1 127.0.0.1 "$UDP_PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "-u: --idle-timeout is exit 28; a port nobody listens on is exit 7; no PORT is exit 2" {
	udp_peer silent
	run timeout 10 sh -c 'sleep 5 | nk-telnet -u --idle-timeout 0.3 127.0.0.1 "$1"' sh "$UDP_PORT"
	[ "$status" -eq 28 ]
	[ "$output" = "nk-telnet: no datagram either way for 300 ms" ]
	local port
	port=$(free_port)
	udp_run 'x\n' 127.0.0.1 "$port"
	[ "$status" -eq 7 ]
	[ "$output" = "nk-telnet: recv: Connection refused (port unreachable)" ]
	run nk-telnet -u 127.0.0.1 </dev/null
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: -u needs a PORT" ]
	run nk-telnet -u --tls 127.0.0.1 53 </dev/null
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: --tls works over TCP only, not with -u" ]
}

# strip_headers FILE: the hex lines of a --hexdump log, without the headers.
strip_headers() { grep -v '^[<>] ' "$1"; }

@test "--hexdump: headers with direction, time and offsets; the hex lines are ncat -x's exactly" {
	command -v ncat >/dev/null || skip "ncat is not installed"
	local sock=$BATS_TEST_TMPDIR/s.sock in=$BATS_TEST_TMPDIR/in
	printf 'hello world, this is a longer line\000\001\377\n' >"$in"
	unix_cat "$sock"
	status=0
	timeout 10 nk-telnet -U "$sock" --hexdump "$BATS_TEST_TMPDIR/hex" <"$in" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 0 ]
	cmp "$in" "$BATS_TEST_TMPDIR/out"
	local ts='[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}'
	[ "$(grep -c '' "$BATS_TEST_TMPDIR/hex")" -eq 8 ]
	sed -n 1p "$BATS_TEST_TMPDIR/hex" | grep -Eqx "> $ts  length=38 from=0 to=37"
	sed -n 5p "$BATS_TEST_TMPDIR/hex" | grep -Eqx "< $ts  length=38 from=0 to=37"
	local want='0000   68 65 6c 6c 6f 20 77 6f  72 6c 64 2c 20 74 68 69  hello.world,.thi
0010   73 20 69 73 20 61 20 6c  6f 6e 67 65 72 20 6c 69  s.is.a.longer.li
0020   6e 65 00 01 ff 0a                                 ne....          '
	[ "$(sed -n 2,4p "$BATS_TEST_TMPDIR/hex")" = "$want" ]
	[ "$(sed -n 6,8p "$BATS_TEST_TMPDIR/hex")" = "$want" ]
	# The same exchange through ncat -x: the same hex lines.
	stop_all
	rm -f "$sock"
	unix_cat "$sock"
	timeout 10 ncat -U "$sock" -x "$BATS_TEST_TMPDIR/ncat.hex" <"$in" >/dev/null
	[ "$(strip_headers "$BATS_TEST_TMPDIR/hex")" = "$(cat "$BATS_TEST_TMPDIR/ncat.hex")" ]
}

@test "--hexdump: offsets go on per direction across chunks; -o holds exactly what came" {
	udp_peer echo
	status=0
	printf 'ab\ncd\n' | timeout 10 nk-telnet -u 127.0.0.1 "$UDP_PORT" \
		--hexdump "$BATS_TEST_TMPDIR/hex" -o "$BATS_TEST_TMPDIR/got" \
		>"$BATS_TEST_TMPDIR/out" || status=$?
	[ "$status" -eq 0 ]
	[ "$(sed -E 's/^([<>]) [0-9/]+ [0-9:.]+  /\1 T  /' "$BATS_TEST_TMPDIR/hex" | sort)" = "$(sort <<'EOT'
> T  length=3 from=0 to=2
0000   61 62 0a                                          ab.             
> T  length=3 from=3 to=5
0000   63 64 0a                                          cd.             
< T  length=3 from=0 to=2
0000   61 62 0a                                          ab.             
< T  length=3 from=3 to=5
0000   63 64 0a                                          cd.             
EOT
)" ]
	[ "$(od -An -tx1 "$BATS_TEST_TMPDIR/got" | tr -d ' \n')" = 61620a63640a ]
}

@test "-o: 1 MiB received through a Unix socket, byte for byte; a log that cannot be created is exit 23" {
	local sock=$BATS_TEST_TMPDIR/s.sock in=$BATS_TEST_TMPDIR/in
	head -c 1048576 /dev/urandom >"$in"
	unix_cat "$sock"
	status=0
	timeout 30 nk-telnet --raw -U "$sock" -o "$BATS_TEST_TMPDIR/got" <"$in" \
		>/dev/null 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 0 ]
	[ "$(sha "$BATS_TEST_TMPDIR/got")" = "$(sha "$in")" ]
	run nk-telnet -U "$sock" -o "$BATS_TEST_TMPDIR/no/such/dir/f" </dev/null
	[ "$status" -eq 23 ]
	[ "$output" = "nk-telnet: -o: cannot create $BATS_TEST_TMPDIR/no/such/dir/f: No such file or directory" ]
	run nk-telnet -U "$sock" --hexdump "$BATS_TEST_TMPDIR/no/h" </dev/null
	[ "$status" -eq 23 ]
	[ "$output" = "nk-telnet: --hexdump: cannot create $BATS_TEST_TMPDIR/no/h: No such file or directory" ]
}

@test "-u: at a terminal, a datagram's control characters are shown escaped; --raw-output passes them" {
	udp_peer echo
	local pty='
import os, pty, subprocess, sys
m, s = pty.openpty()
p = subprocess.Popen(["nk-telnet", "-u"] + sys.argv[1:], stdin=subprocess.PIPE,
                     stdout=s, stderr=s)
os.close(s)
p.stdin.write(b"\x1b[31mred\x07\n")
p.stdin.close()
out = b""
while True:
    try:
        d = os.read(m, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
p.wait(timeout=10)
sys.stdout.write(repr(out) + " %d\n" % p.returncode)
'
	run timeout 10 python3 -c "$pty" 127.0.0.1 "$UDP_PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "b'^[[31mred^G\\r\\n' 0" ]
	run timeout 10 python3 -c "$pty" --raw-output 127.0.0.1 "$UDP_PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "b'\\x1b[31mred\\x07\\r\\n' 0" ]
}
