# Helpers for bats files that test against the Apache auth peer
# (apache_auth.sh). Load after ../lib/common:
#     load ../servers/apache_auth
# start_apache_auth in setup_file, stop_apache_auth in teardown_file.

# start_apache_auth: Apache on a free port; sets APACHE_PORT, APACHE_DIR
# and APACHE_PID. User "nk", password "pass w0rd", realm "nk digest":
# /digest/ (Digest), /stale/ (Digest, nonces stale after 1 s), /basic/
# (Basic), each with index.txt.
start_apache_auth() {
	local _try
	if [ "$(id -u)" -eq 0 ]; then
		# Apache serves as nobody: a directory it can reach
		APACHE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/nk-apache.XXXXXX")
		chmod 755 "$APACHE_DIR"
	else
		APACHE_DIR="$BATS_FILE_TMPDIR/apache"
	fi
	for _try in 1 2 3; do
		rm -f "$APACHE_DIR/port"
		"$TESTS_DIR/servers/apache_auth.sh" "$APACHE_DIR" \
			>"$APACHE_DIR.log" 2>&1 </dev/null &
		APACHE_PID=$!
		local _i
		for _i in $(seq 100); do
			[ -s "$APACHE_DIR/port" ] && break
			kill -0 "$APACHE_PID" 2>/dev/null || break
			sleep 0.05
		done
		APACHE_PORT=$(cat "$APACHE_DIR/port" 2>/dev/null || true)
		if [ -n "$APACHE_PORT" ] && wait_port "$APACHE_PORT" 5; then
			export APACHE_PORT APACHE_DIR APACHE_PID
			return 0
		fi
		stop_pid "$APACHE_PID"
	done
	cat "$APACHE_DIR.log" "$APACHE_DIR/error.log" >&2 2>/dev/null
	return 1
}

stop_apache_auth() {
	[ -n "${APACHE_PID:-}" ] && stop_pid "$APACHE_PID"
	case ${APACHE_DIR:-} in
	"${TMPDIR:-/tmp}"/nk-apache.*) rm -rf "$APACHE_DIR" "$APACHE_DIR.log" ;;
	esac
	return 0
}
