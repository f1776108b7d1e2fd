# Shared helpers for the bats command-line tests. Every server a test starts
# is recorded by PID and stopped in teardown; every wait is bounded.

NK_BIN=${NK_BIN:-$(cd "$BATS_TEST_DIRNAME/../../build/bin" && pwd)}
NK_BUILD=${NK_BUILD:-$(cd "$NK_BIN/.." && pwd)}
PATH="$NK_BIN:$PATH"
export NK_BIN NK_BUILD PATH
TESTS_DIR=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

# The PIDs this test started, in a file so subshells can add to it.
_pidfile() { echo "$BATS_TEST_TMPDIR/pids"; }

# start_bg LOGFILE CMD...: runs CMD in the background with stdout and stderr
# to LOGFILE and records its PID. Sets BG_PID.
start_bg() {
	local logf=$1; shift
	"$@" >"$logf" 2>&1 </dev/null &
	BG_PID=$!
	echo "$BG_PID" >>"$(_pidfile)"
}

# stop_pid PID: TERM, then KILL after 3 seconds; only PIDs we started.
stop_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	# A stopped process's status (143 after TERM) is not the caller's
	# failure: bats runs tests under set -e.
	for i in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

stop_all() {
	local f; f=$(_pidfile)
	[ -f "$f" ] || return 0
	local pid
	for pid in $(tac "$f"); do stop_pid "$pid"; done
	rm -f "$f"
}

# wait_for_line FILE REGEX [SECONDS]: waits until FILE has a line matching
# REGEX (extended) and prints the first such line.
wait_for_line() {
	local f=$1 re=$2 secs=${3:-5} i
	for i in $(seq $((secs * 20))); do
		if [ -f "$f" ] && grep -Eq -- "$re" "$f"; then
			grep -Em1 -- "$re" "$f"
			return 0
		fi
		sleep 0.05
	done
	echo "timed out waiting for /$re/ in $f:" >&2
	cat "$f" >&2 2>/dev/null
	return 1
}

# wait_port PORT [SECONDS]: waits until something listens on 127.0.0.1:PORT.
wait_port() {
	local port=$1 secs=${2:-5} i
	for i in $(seq $((secs * 20))); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "nothing listens on port $port after ${secs}s" >&2
	return 1
}

# free_port: a port the kernel just handed out and released. For peers that
# cannot report the port they bound (socat, nginx); nk's own servers take
# port 0 and print the port instead.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_echo [ADDR]: starts nk's own echo server on port 0 and sets
# ECHO_PORT and ECHO_PID.
start_echo() {
	local addr=${1:-127.0.0.1}
	start_bg "$BATS_TEST_TMPDIR/echo.log" nk-echo --listen "$addr:0"
	ECHO_PID=$BG_PID
	local line
	line=$(wait_for_line "$BATS_TEST_TMPDIR/echo.log" '^Listening on ') || return 1
	ECHO_PORT=${line##*:}
}

# silent_dns_netns: makes a network namespace, NETNS, whose resolv.conf
# (ip netns exec bind-mounts /etc/netns/NAME/resolv.conf) points at a UDP
# server on its own loopback that reads queries and never answers: a resolver
# that hangs, with no traffic leaving the machine. Skips the test unless root
# and the kernel allow namespaces; teardown removes it.
silent_dns_netns() {
	[ "$(id -u)" -eq 0 ] || skip "needs root for ip netns"
	NETNS="nk-$$-$BATS_TEST_NUMBER"
	ip netns add "$NETNS" 2>/dev/null || { NETNS=; skip "ip netns add refused by the kernel"; }
	mkdir -p "/etc/netns/$NETNS"
	printf 'nameserver 127.0.0.1\noptions timeout:5 attempts:1\n' >"/etc/netns/$NETNS/resolv.conf"
	ip netns exec "$NETNS" ip link set lo up
	start_bg "$BATS_TEST_TMPDIR/dns.log" ip netns exec "$NETNS" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
print("ready", flush=True)
while True:
    s.recvfrom(4096)
'
	wait_for_line "$BATS_TEST_TMPDIR/dns.log" '^ready$' >/dev/null
}

netns_cleanup() {
	[ -n "${NETNS:-}" ] || return 0
	ip netns del "$NETNS" 2>/dev/null || true
	rm -rf "/etc/netns/$NETNS"
	rmdir /etc/netns 2>/dev/null || true
	NETNS=
}

teardown() {
	stop_all
	netns_cleanup
}
