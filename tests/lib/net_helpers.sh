# Helpers for the resolve, echo and connect bats files; sourced after
# `load ../lib/common`.

# start_peer MODE [ADDR]: starts tests/servers/net_peer.py in MODE and sets
# PEER_PORT and PEER_PID.
start_peer() {
	local log="$BATS_TEST_TMPDIR/peer-$1.log"
	start_bg "$log" python3 "$TESTS_DIR/servers/net_peer.py" "$@"
	PEER_PID=$BG_PID
	local line
	line=$(wait_for_line "$log" '^Listening on ') || return 1
	PEER_PORT=${line##*:}
}

# ms_since START_NS: milliseconds since a `date +%s%N` reading.
ms_since() {
	echo $(( ($(date +%s%N) - $1) / 1000000 ))
}

# has_ipv6_loopback: can we listen on ::1?
has_ipv6_loopback() {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null
}
