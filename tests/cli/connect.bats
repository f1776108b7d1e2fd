#!/usr/bin/env bats
# libnk's connect path through a tool (nk echo): curl's exit statuses and
# messages, --resolve and --connect-to, -4/-6, Happy Eyeballs, and a
# connect that never completes. Only loopback addresses are used; the
# "never completes" peer is a listener whose full backlog drops SYNs.

load ../lib/common
source "$TESTS_DIR/lib/net_helpers.sh"
bats_require_minimum_version 1.5.0

@test "refused on every address: exit 7 naming the host and what was tried" {
	local port; port=$(free_port)
	run --separate-stderr nk-echo --resolve "multi.invalid:$port:127.0.0.1,127.0.0.2" \
		multi.invalid "$port" x
	[ "$status" -eq 7 ]
	[ "$output" = "" ]
	[ "$stderr" = "nk-echo: Failed to connect to multi.invalid port $port: Connection refused (tried 127.0.0.1, 127.0.0.2)" ]
}

@test "a connect that never completes: exit 28 at --connect-timeout" {
	start_peer blackhole
	local t0; t0=$(date +%s%N)
	run --separate-stderr timeout 10 nk-echo --connect-timeout 0.5 127.0.0.1 "$PEER_PORT" x
	local took; took=$(ms_since "$t0")
	[ "$status" -eq 28 ]
	[[ "$stderr" =~ ^nk-echo:\ Failed\ to\ connect\ to\ 127\.0\.0\.1\ port\ $PEER_PORT:\ Connection\ timed\ out\ after\ [0-9]+\ ms$ ]]
	[ "$took" -ge 450 ]
	[ "$took" -lt 3000 ]
}

@test "Happy Eyeballs: a dead first address, the live one wins after the delay" {
	start_peer blackhole 127.0.0.2
	# The live server takes the same port on 127.0.0.1.
	start_bg "$BATS_TEST_TMPDIR/live.log" nk-echo --listen "127.0.0.1:$PEER_PORT"
	wait_for_line "$BATS_TEST_TMPDIR/live.log" '^Listening on |Address already in use' >/dev/null
	grep -q '^Listening on ' "$BATS_TEST_TMPDIR/live.log" ||
		skip "port $PEER_PORT is taken on 127.0.0.1"
	run --separate-stderr timeout 10 nk-echo --resolve "race.invalid:$PEER_PORT:127.0.0.2,127.0.0.1" \
		race.invalid "$PEER_PORT" hi
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^ECHO\ race\.invalid\ \(127\.0\.0\.1\)\ port\ $PEER_PORT:\ connected\ in\ ([0-9]+)\.[0-9]{3}\ ms$ ]]
	local ms=${BASH_REMATCH[1]}
	# RFC 8305's 250 ms Connection Attempt Delay, then the second address.
	[ "$ms" -ge 245 ]
	[ "$ms" -lt 1500 ]
}

@test "a refused first address hands over at once, not after the delay" {
	start_echo 127.0.0.1
	has_ipv6_loopback || skip "no IPv6 loopback"
	run --separate-stderr nk-echo --resolve "both.invalid:$ECHO_PORT:[::1],127.0.0.1" \
		both.invalid "$ECHO_PORT" hi
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^ECHO\ both\.invalid\ \(127\.0\.0\.1\)\ port\ $ECHO_PORT:\ connected\ in\ ([0-9]+)\.[0-9]{3}\ ms$ ]]
	[ "${BASH_REMATCH[1]}" -lt 200 ]
}

@test "-4 and -6 choose the family of the addresses tried" {
	start_echo 127.0.0.1
	local r="both.invalid:$ECHO_PORT:[::1],127.0.0.1"
	run --separate-stderr nk-echo -4 --resolve "$r" both.invalid "$ECHO_PORT" hi
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^ECHO\ both\.invalid\ \(127\.0\.0\.1\) ]]
	run --separate-stderr nk-echo -6 --resolve "$r" both.invalid "$ECHO_PORT" hi
	[ "$status" -eq 7 ]
	[[ "$stderr" =~ ^nk-echo:\ Failed\ to\ connect\ to\ both\.invalid\ port\ $ECHO_PORT:\ .+\ \(tried\ ::1\)$ ]]
	run --separate-stderr nk-echo -6 127.0.0.1 "$ECHO_PORT" hi
	[ "$status" -eq 6 ]
	[ "$stderr" = "nk-echo: Could not resolve host: 127.0.0.1 (no IPv6 address)" ]
}

@test "--connect-to sends a host:port somewhere else" {
	start_echo 127.0.0.1
	run --separate-stderr nk-echo --connect-to "svc.invalid:7:127.0.0.1:$ECHO_PORT" \
		svc.invalid 7 hi
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^ECHO\ svc\.invalid\ \(127\.0\.0\.1\)\ port\ $ECHO_PORT: ]]
	# An entry for another port does not apply.
	run --separate-stderr nk-echo --connect-to "svc.invalid:8:127.0.0.1:$ECHO_PORT" \
		svc.invalid 7 hi
	[ "$status" -eq 6 ]
	[ "$stderr" = "nk-echo: Could not resolve host: svc.invalid" ]
}

@test "an unknown host: exit 6; bad overrides: exit 49" {
	run --separate-stderr nk-echo nosuchhost.invalid 7 x
	[ "$status" -eq 6 ]
	[ "$stderr" = "nk-echo: Could not resolve host: nosuchhost.invalid" ]
	run --separate-stderr nk-echo --resolve 'h:7:not-an-ip' h 7 x
	[ "$status" -eq 49 ]
	[ "$stderr" = "nk-echo: bad --resolve entry 'h:7:not-an-ip': 'not-an-ip' is not an IP address" ]
	run --separate-stderr nk-echo --connect-to 'h:7:g' h 7 x
	[ "$status" -eq 49 ]
	[ "$stderr" = "nk-echo: bad --connect-to entry 'h:7:g': expected HOST1:PORT1:HOST2:PORT2 (IPv6 addresses in brackets)" ]
	run --separate-stderr nk-echo --connect-timeout soon h 7 x
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-echo: --connect-timeout takes a number of seconds, not 'soon'" ]
}
