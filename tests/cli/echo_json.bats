#!/usr/bin/env bats
# nk echo --json: the statistics and every mismatch as one JSON object,
# checked with jq: against nk's own server (a good run), a peer that
# echoes upper case (tests/servers/net_peer.py upper: mismatches), one
# that closes mid-echo, and a port where nobody listens.

load ../lib/common
source "$TESTS_DIR/lib/net_helpers.sh"
bats_require_minimum_version 1.5.0

# shape: the document with its timings replaced by "T" (they vary), keys
# sorted, on one line.
shape() {
	jq -cS '(.. | objects | select(has("time_ms")) .time_ms) |= "T"
		| if .connect_ms then .connect_ms = "T" else . end
		| if .rtt_ms then .rtt_ms |= map_values("T") else . end' "$1"
}

@test "--json: a good run against nk's own server" {
	start_echo
	run --separate-stderr nk-echo --json 127.0.0.1 "$ECHO_PORT" hello world
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/j"
	[ "$(shape "$BATS_TEST_TMPDIR/j")" = '{"address":"127.0.0.1","bytes":12,"connect_ms":"T","error":null,"host":"127.0.0.1","mismatched":0,"mismatches":[],"port":'"$ECHO_PORT"',"received":2,"rtt_ms":{"avg":"T","max":"T","mdev":"T","min":"T"},"sent":2,"time_ms":"T"}' ]
	# The timings are numbers, min <= avg <= max.
	jq -e '(.rtt_ms | .min <= .avg and .avg <= .max and .mdev >= 0)
		and (.connect_ms | type == "number") and (.time_ms | type == "number")' \
		"$BATS_TEST_TMPDIR/j" >/dev/null
	# Generated messages too, --json wins over -q.
	run --separate-stderr nk-echo --json -q --count 3 --size 100k 127.0.0.1 "$ECHO_PORT"
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.sent, .received, .mismatched, .bytes, .mismatches]' <<<"$output")" = '[3,3,0,307200,[]]' ]
}

@test "--json: every mismatch, with its message, offset and bytes; exit 100" {
	start_peer upper
	run --separate-stderr nk-echo --json 127.0.0.1 "$PEER_PORT" hello 12345 MiXeD
	[ "$status" -eq 100 ]
	[ "$stderr" = "" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/j"
	[ "$(shape "$BATS_TEST_TMPDIR/j")" = '{"address":"127.0.0.1","bytes":18,"connect_ms":"T","error":null,"host":"127.0.0.1","mismatched":2,"mismatches":[{"bytes":6,"got":72,"offset":0,"sent":104,"seq":1,"time_ms":"T"},{"bytes":6,"got":73,"offset":1,"sent":105,"seq":3,"time_ms":"T"}],"port":'"$PEER_PORT"',"received":3,"rtt_ms":{"avg":"T","max":"T","mdev":"T","min":"T"},"sent":3,"time_ms":"T"}' ]
}

@test "--json: a run cut short carries its error; no connection still gives the object" {
	start_peer close-mid
	run --separate-stderr nk-echo --json 127.0.0.1 "$PEER_PORT" 'hello world'
	[ "$status" -eq 56 ]
	[ "$stderr" = "nk-echo: connection closed by 127.0.0.1 port $PEER_PORT during message 1: 6 of 12 bytes came back" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/j"
	[ "$(jq -c '[.sent, .received, .rtt_ms, .mismatches]' "$BATS_TEST_TMPDIR/j")" = '[1,0,null,[]]' ]
	[ "$(jq -c .error "$BATS_TEST_TMPDIR/j")" = '{"code":56,"name":"RECV_ERROR","message":"connection closed by 127.0.0.1 port '"$PEER_PORT"' during message 1: 6 of 12 bytes came back"}' ]
	local port
	port=$(free_port)
	run --separate-stderr nk-echo --json 127.0.0.1 "$port" x
	[ "$status" -eq 7 ]
	[ "$stderr" = "nk-echo: Failed to connect to 127.0.0.1 port $port: Connection refused" ]
	[ "$(jq -cS . <<<"$output")" = '{"address":null,"bytes":0,"connect_ms":null,"error":{"code":7,"message":"Failed to connect to 127.0.0.1 port '"$port"': Connection refused","name":"COULDNT_CONNECT"},"host":"127.0.0.1","mismatched":0,"mismatches":[],"port":'"$port"',"received":0,"rtt_ms":null,"sent":0,"time_ms":0}' ]
}
