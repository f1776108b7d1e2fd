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

teardown() {
	stop_all
}
