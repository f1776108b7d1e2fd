#!/usr/bin/env bats
# nk http where it must act as curl does (issue 13, the fetch engine):
# each test plays a scripted server (rawhttp.py, or tls_raw.py over TLS)
# and checks the exit status, the exact output and what went on the wire.
load ../lib/common
load ../lib/http

# tls_case NAME: runs tests/servers/cases/NAME.case as raw_case does, but
# over TLS (tests/servers/tls_raw.py, a certificate for nk.test).
tls_case() {
	local case="$SERVERS_DIR/cases/compat/$1.case"
	local certs="$BATS_TEST_TMPDIR/certs" log="$BATS_TEST_TMPDIR/tls.log"
	"$SERVERS_DIR/http_certs.sh" "$certs" >/dev/null
	start_bg "$log" "$PYTHON" "$SERVERS_DIR/tls_raw.py" \
		"$certs/server.pem" "$certs/server.key" "$case"
	local pid=$BG_PID line
	line=$(wait_for_line "$log" '^Listening on ') || return 1
	local port=${line##*:} rc=0 want_exit want_err
	want_exit=$(raw_meta exit "$case")
	raw_meta body "$case" >"$BATS_TEST_TMPDIR/want"
	want_err=$(raw_meta error "$case") || want_err=
	timeout -k 2 20 nk-http -sS --cacert "$certs/ca.pem" \
		--resolve "nk.test:$port:127.0.0.1" "https://nk.test:$port/case" \
		>"$BATS_TEST_TMPDIR/got" 2>"$BATS_TEST_TMPDIR/err" || rc=$?
	stop_pid "$pid"
	cat "$BATS_TEST_TMPDIR/err" >&2
	[ "$rc" = "$want_exit" ]
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ -z "$want_err" ] || grep -qF -- "$want_err" "$BATS_TEST_TMPDIR/err"
}

# --- TLS truncation -----------------------------------------------------

@test "compat: https body ended by a close without close_notify is 56" {
	tls_case tls-close-no-notify
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "nk-http: (56) the TLS stream was cut: the server closed the connection without a close_notify, so the body (11 bytes) may be truncated" ]
}

@test "compat: https body ended by close_notify is whole" {
	tls_case tls-close-notify
}

@test "compat: https Content-Length body, then a close without close_notify, is whole" {
	tls_case tls-length-no-notify
}

# --- codings and redirects ----------------------------------------------

@test "compat: Content-Encoding none with --compressed is no coding" {
	raw_case compat/encoding-none
}

@test "compat: an empty Location is not followed" {
	raw_case compat/redirect-empty-location
}
