#!/usr/bin/env bats
# Regression tests for bugs that the issue 7 work (sanitizers, valgrind,
# cppcheck, clang-tidy) found in the tools and the library; each names
# what was wrong. Bugs that only a sanitizer build can see are covered by
# the existing suites run under `make check SANITIZE=1 CC=clang`, and
# named in the comments here.
#
# cmd/echo/main.c: comparing an echo of a generated message computed
# `m->data + offset` with m->data NULL (undefined behaviour; clang's UBSan
# stops nk echo with "applying zero offset to null pointer"): seen by
# tests/cli/echo.bats ("--count and --size ...") in a clang sanitizer build.

load ../lib/common
load ../lib/http
bats_require_minimum_version 1.5.0

FAULT_CASES="$SERVERS_DIR/fault_cases"

# lib/fetch.c read the prefix length of a no_proxy entry with atoi(), so
# "127.0.0.0/x" (or "/", "/-1") was taken as /0: every IPv4 address went
# around the proxy. Now such an entry matches nothing.
@test "no_proxy: an entry with a bad prefix length is no wildcard" {
	start_raw "$FAULT_CASES/close-each.case"
	# A proxy that is not there: a request through it fails with 7.
	local proxy
	proxy="127.0.0.1:$(fast_port)"
	local url="http://127.0.0.1:$RAW_PORT/"
	local bad
	for bad in 127.0.0.0/x 127.0.0.0/ 127.0.0.0/-1 10.0.0.0/8x 127.0.0.0/0008; do
		http_proxy=$proxy no_proxy=$bad run --separate-stderr \
			timeout -k 2 10 nk-http "$url"
		[ "$status" -eq 7 ]
		[ "$stderr" = "nk-http: (7) Failed to connect to 127.0.0.1 port ${proxy##*:}: Connection refused" ]
	done
	# Good prefixes still go direct; one that does not cover the host
	# does not.
	local good
	for good in 127.0.0.0/8 127.0.0.1/32 0.0.0.0/0; do
		http_proxy=$proxy no_proxy=$good run --separate-stderr \
			timeout -k 2 10 nk-http "$url"
		[ "$status" -eq 0 ]
		[ "$output" = "ok" ]
	done
	http_proxy=$proxy no_proxy=10.0.0.0/8 run timeout -k 2 10 nk-http "$url"
	[ "$status" -eq 7 ]
}

# cmd/tls/starttls.c checked its 4096-byte line limit only while waiting
# for a line's end: a longer line that arrived whole in one read was
# copied into the 4097-byte line buffer, overflowing it with the server's
# bytes (nk-tls died of SIGSEGV; ASan: global-buffer-overflow). Found by
# fuzz_starttls; tests/unit/test_regress_starttls.c has the unit case.
@test "STARTTLS: a 5000-byte line in one packet is refused with 35, no crash" {
	local proto greet
	for proto in smtp:220 imap:'* OK' pop3:+OK ftp:220; do
		greet=${proto#*:}
		start_bg "$BATS_TEST_TMPDIR/long-${proto%%:*}.log" "$PYTHON" -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
print("Listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
c, _ = s.accept()
c.sendall(sys.argv[1].encode() + b" " + b"a" * 5000 + b"\r\n")
c.settimeout(5)
try:
    while c.recv(4096):
        pass
except OSError:
    pass
' "$greet"
		local line
		line=$(wait_for_line "$BATS_TEST_TMPDIR/long-${proto%%:*}.log" '^Listening on ')
		run --separate-stderr timeout -k 2 10 nk-tls --starttls "${proto%%:*}" \
			"127.0.0.1:${line##*:}"
		[ "$status" -eq 35 ]
		[ "$stderr" = "nk-tls: STARTTLS: $(tr a-z A-Z <<<"${proto%%:*}") server sent a line longer than 4096 bytes" ]
		stop_all
	done
}
