# Shared by tests/cli/tls_starttls*.bats: a scripted STARTTLS peer, nk-tls
# run against it, and what the client sent as the peer logged it. Needs
# common.bash and C (the test certificates' directory).

# starttls_peer SCRIPT [ARGS...]: starts tests/servers/SCRIPT with the test
# certificate; sets PORT and LOG. A new log each time: the last peer's
# "Listening" line must not be taken for this one's.
starttls_peer() {
	local script=$1 line
	shift
	NPEER=$((${NPEER:-0} + 1))
	LOG="$BATS_TEST_TMPDIR/peer.$NPEER.log"
	start_bg "$LOG" python3 "$TESTS_DIR/servers/$script" \
		"$C/valid-chain.pem" "$C/leaf.key" "$@"
	line=$(wait_for_line "$LOG" '^Listening on ') || return 1
	PORT=${line##*:}
}

# starttls PROTO [nk-tls options...]: nk-tls against valid.test on PORT.
starttls() {
	local proto=$1; shift
	run --separate-stderr timeout 20 nk-tls --cacert "$C/root.pem" \
		--resolve "valid.test:$PORT:127.0.0.1" --starttls "$proto" "$@" \
		"valid.test:$PORT"
}

# The client's lines as the peer logged them.
client_lines() {
	sed -n 's/^C: //p' "$LOG"
}
