# Helpers for the tests of nk telnet -l: nk listening in the background,
# its exit status, and a wait for any listener that does not connect to
# it (a one-shot server such as ncat -l would take the probe for its
# client).

# listen_bg PORT ARGS...: nk telnet -l ARGS in the background (stdin from
# $LISTEN_IN, default /dev/null; stdout to $BATS_TEST_TMPDIR/lout, stderr
# to lerr), once it listens. Sets NK_PID (that of timeout, nk's parent).
listen_bg() {
	local port=$1; shift
	timeout 60 nk-telnet -l "$@" <"${LISTEN_IN:-/dev/null}" \
		>"$BATS_TEST_TMPDIR/lout" 2>"$BATS_TEST_TMPDIR/lerr" &
	NK_PID=$!
	echo "$NK_PID" >>"$BATS_TEST_TMPDIR/pids"
	wait_listen "$port" || {
		echo "nk telnet -l does not listen on $port" >&2
		return 1
	}
}

# wait_nk: nk's exit status into NK_ST, bounded by listen_bg's timeout.
wait_nk() {
	NK_ST=0
	wait "$NK_PID" || NK_ST=$?
}

# wait_listen PORT: until something listens on TCP PORT (5 s at most).
wait_listen() {
	local i
	for i in $(seq 50); do
		ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# listen_tls_setup: for setup_file: the certificates of
# tests/certs/mkcerts.sh in $C, and 1 MiB of random bytes in each of
# $BATS_FILE_TMPDIR/a and b.
listen_tls_setup() {
	export C="$BATS_FILE_TMPDIR/certs"
	"$TESTS_DIR/certs/mkcerts.sh" "$C" >/dev/null 2>&1
	head -c 1048576 /dev/urandom >"$BATS_FILE_TMPDIR/a"
	head -c 1048576 /dev/urandom >"$BATS_FILE_TMPDIR/b"
}

# A TLS listener's options: the certificate for 127.0.0.1, under root.pem.
SRV=(--tls --cert "$BATS_FILE_TMPDIR/certs/ip-chain.pem" --key "$BATS_FILE_TMPDIR/certs/leaf.key")

sha() { sha256sum <"$1" | cut -d' ' -f1; }
