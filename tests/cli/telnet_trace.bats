#!/usr/bin/env bats
# nk telnet --trace (each chunk sent and received as --hexdump's lines on
# stderr, in a pipe) over TCP, UDP and ws://, and --ws-hex (a binary
# WebSocket message shown as hex lines). Real peers: socat echoing with
# cat, a python3 UDP echo, tests/servers/ws_server.py.

load ../lib/common

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# hexline TEXT OFFSET HEX: one ncat -x line, padded to 73 columns (HEX
# as it shows, the extra space after the eighth byte included).
hexline() {
	printf '%-73s\n' "$(printf '%s   %-50s%s' "$2" "$3" "$1")"
}

# cat_server: socat echoing each client on a free port; sets PORT.
cat_server() {
	PORT=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/socat.log" \
		socat TCP-LISTEN:"$PORT",bind=127.0.0.1,reuseaddr,fork EXEC:cat
	timeout 5 sh -c 'until ss -Hltn "sport = :$1" | grep -q .; do sleep 0.05; done' sh "$PORT"
}

@test "--trace: what went out (>) and came back (<) on stderr, ncat -x's lines; stdout untouched" {
	cat_server
	run timeout 10 sh -c 'printf "hello\n" | nk-telnet --raw --trace 127.0.0.1 "$1" 2>"$2"' \
		sh "$PORT" "$BATS_TEST_TMPDIR/err"
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	local want=$BATS_TEST_TMPDIR/want got=$BATS_TEST_TMPDIR/got
	{
		echo '> length=6 from=0 to=5'
		hexline 'hello.' 0000 '68 65 6c 6c 6f 0a'
		echo '< length=6 from=0 to=5'
		hexline 'hello.' 0000 '68 65 6c 6c 6f 0a'
	} >"$want"
	# The time in each header varies: checked by its form, then dropped.
	grep -Eq '^> [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}  length=6 ' \
		"$BATS_TEST_TMPDIR/err"
	sed -E 's/^([<>]) [^ ]+ [^ ]+  /\1 /' "$BATS_TEST_TMPDIR/err" >"$got"
	diff "$want" "$got"
}

@test "--trace: 40 KiB each way: offsets run on per direction; stdout is the echo, byte for byte" {
	cat_server
	head -c 40960 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	status=0
	timeout 20 nk-telnet --raw --trace 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/in" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	# Each direction's chunks sum to 40960, and the last ends at 40959.
	local dir
	for dir in '>' '<'; do
		[ "$(awk -v d="$dir" '$1 == d { sub(/.*length=/, ""); n += $1 } END { print n }' \
			"$BATS_TEST_TMPDIR/err")" -eq 40960 ]
		grep "^$dir " "$BATS_TEST_TMPDIR/err" | tail -n1 | grep -q ' to=40959$'
	done
	# Each direction's hex lines, put back together, are its bytes.
	python3 -c '
import sys
out = {">": bytearray(), "<": bytearray()}
d = None
for line in open(sys.argv[1]):
    if line[0] in "<>":
        d = line[0]
    else:
        out[d] += bytes.fromhex(line[7:56])
data = open(sys.argv[2], "rb").read()
sys.exit(0 if out[">"] == data and out["<"] == data else 1)
' "$BATS_TEST_TMPDIR/err" "$BATS_TEST_TMPDIR/in"
}

@test "--trace with -u: each datagram a chunk, both ways" {
	start_bg "$BATS_TEST_TMPDIR/udp.log" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("port", s.getsockname()[1], flush=True)
while True:
    d, peer = s.recvfrom(70000)
    s.sendto(d.upper(), peer)
'
	local line
	line=$(wait_for_line "$BATS_TEST_TMPDIR/udp.log" '^port ')
	run timeout 10 sh -c 'printf "ab\ncd\n" | nk-telnet -u --trace --eof-wait 0.3 127.0.0.1 "$1" 2>"$2"' \
		sh "${line#port }" "$BATS_TEST_TMPDIR/err"
	[ "$status" -eq 0 ]
	[ "$output" = "AB
CD" ]
	[ "$(grep -c '^> .* length=3 ' "$BATS_TEST_TMPDIR/err")" -eq 2 ]
	[ "$(grep -c '^< .* length=3 ' "$BATS_TEST_TMPDIR/err")" -eq 2 ]
	grep -qx "$(hexline 'CD.' 0000 '43 44 0a')" "$BATS_TEST_TMPDIR/err"
}

@test "--trace: a closed stderr does not end the session; at a terminal and with --exec it is refused (2)" {
	cat_server
	run timeout 10 sh -c 'printf "hi\n" | nk-telnet --raw --trace 127.0.0.1 "$1" 2>&-' sh "$PORT"
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	run timeout 10 nk-telnet --trace --exec cat 127.0.0.1 "$PORT"
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: --exec takes no --trace: the program has the connection" ]
	# script(1) gives nk a terminal for stdin and stdout.
	run timeout 10 script -qec "nk-telnet --trace 127.0.0.1 $PORT" /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"nk-telnet: --trace is for a pipe; at a terminal use --hexdump FILE"* ]]
}

@test "--ws-hex: a binary message is shown as hex lines; text stays text; --trace shows payloads" {
	start_bg "$BATS_TEST_TMPDIR/ws.log" "$PY" "$TESTS_DIR/servers/ws_server.py"
	local port
	port=$(wait_for_line "$BATS_TEST_TMPDIR/ws.log" '^[0-9]+$')
	status=0
	printf 'bin\000\377 and more than sixteen bytes' |
		timeout 10 nk-telnet -b --ws-hex --eof-wait 0.3 "ws://127.0.0.1:$port/echo" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 0 ]
	{
		hexline 'bin...and.more.t' 0000 '62 69 6e 00 ff 20 61 6e  64 20 6d 6f 72 65 20 74'
		hexline 'han.sixteen.byte' 0010 '68 61 6e 20 73 69 78 74  65 65 6e 20 62 79 74 65'
		hexline 's' 0020 '73'
	} >"$BATS_TEST_TMPDIR/want"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/out"
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	run timeout 10 sh -c 'printf "plain\n" | nk-telnet --ws-hex --trace --eof-wait 0.3 "$1" 2>"$2"' \
		sh "ws://127.0.0.1:$port/echo" "$BATS_TEST_TMPDIR/err"
	[ "$status" -eq 0 ]
	[ "$output" = plain ]
	grep -q '^> .* length=5 from=0 to=4$' "$BATS_TEST_TMPDIR/err"
	grep -q '^< .* length=5 from=0 to=4$' "$BATS_TEST_TMPDIR/err"
	run timeout 10 nk-telnet --ws-hex 127.0.0.1 80
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: --ws-hex needs a ws:// or wss:// URL" ]
}
