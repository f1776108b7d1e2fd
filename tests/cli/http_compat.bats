#!/usr/bin/env bats
# nk http where it must act as curl does (issue 13, the fetch engine):
# each test plays a scripted server (rawhttp.py, or tls_raw.py over TLS)
# and checks the exit status, the exact output and what went on the wire.
load ../lib/common
load ../lib/http

bats_require_minimum_version 1.5.0

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

# --- the Host header ------------------------------------------------------

@test "compat: several -H Host send the first one only" {
	local rec="$BATS_TEST_TMPDIR/rec"
	start_raw "$SERVERS_DIR/cases/compat/ok.case" "$rec"
	run timeout 10 nk-http -sS -H "Host: one" -H "X-A: 1" -H "host: two" \
		-H "Host: three" "http://127.0.0.1:$RAW_PORT/a"
	stop_raw
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	printf 'GET /a HTTP/1.1\r\nHost: one\r\nUser-Agent: nk/0.1.0\r\nAccept: */*\r\nX-A: 1\r\n\r\n' |
		cmp - "$rec/conn-1"
}

# redirect_to HOST: a server (RAW_PORT) whose 302 sends -L to HOST on the
# port of a second one (FAR_PORT, requests recorded in $BATS_TEST_TMPDIR/far),
# both reached through --resolve.
redirect_to() {
	start_raw "$SERVERS_DIR/cases/compat/ok.case" "$BATS_TEST_TMPDIR/far"
	FAR_PORT=$RAW_PORT FAR_PID=$RAW_PID
	printf 'recv\nsend HTTP/1.1 302 Found\\r\\nLocation: http://%s:%s/b\\r\\nContent-Length: 0\\r\\n\\r\\n\n' \
		"$1" "$FAR_PORT" >"$BATS_TEST_TMPDIR/near.case"
	start_raw "$BATS_TEST_TMPDIR/near.case" "$BATS_TEST_TMPDIR/near"
}

@test "compat: a -H Host does not follow a redirect to another host" {
	redirect_to other.test
	run timeout 10 nk-http -sS -L -H "Host: mine" \
		--resolve "nk.test:$RAW_PORT:127.0.0.1" \
		--resolve "other.test:$FAR_PORT:127.0.0.1" "http://nk.test:$RAW_PORT/a"
	stop_raw
	stop_pid "$FAR_PID"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	head -2 "$BATS_TEST_TMPDIR/near/conn-1" | cmp - <(printf 'GET /a HTTP/1.1\r\nHost: mine\r\n')
	head -2 "$BATS_TEST_TMPDIR/far/conn-1" | cmp - <(printf 'GET /b HTTP/1.1\r\nHost: other.test:%s\r\n' "$FAR_PORT")
}

@test "compat: a -H Host follows a redirect to another port of the same host" {
	redirect_to nk.test
	run timeout 10 nk-http -sS -L -H "Host: mine" \
		--resolve "nk.test:$RAW_PORT:127.0.0.1" \
		--resolve "nk.test:$FAR_PORT:127.0.0.1" "http://nk.test:$RAW_PORT/a"
	stop_raw
	stop_pid "$FAR_PID"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	head -2 "$BATS_TEST_TMPDIR/far/conn-1" | cmp - <(printf 'GET /b HTTP/1.1\r\nHost: mine\r\n')
}

# --- proxies ----------------------------------------------------------------

@test "compat: a CONNECT to a long host name keeps its port" {
	local l=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
	local host="$l.$l.$l.$l.$l.example" rec="$BATS_TEST_TMPDIR/rec"
	start_raw "$SERVERS_DIR/cases/compat/connect-403.case" "$rec"
	run --separate-stderr timeout 10 nk-http -sS -x "http://127.0.0.1:$RAW_PORT" \
		"https://$host:8443/x"
	stop_raw
	[ "$status" -eq 56 ]
	[ "$stderr" = "nk-http: (56) CONNECT tunnel to ${host:0:100} through proxy 127.0.0.1:$RAW_PORT failed, response 403" ]
	printf 'CONNECT %s:8443 HTTP/1.1\r\nHost: %s:8443\r\nUser-Agent: nk/0.1.0\r\nProxy-Connection: Keep-Alive\r\n\r\n' \
		"$host" "$host" | cmp - "$rec/conn-1"
}

# --- resume -----------------------------------------------------------------

@test "compat: -C answered with 404 is 33 (stdout)" {
	raw_case compat/resume-404
}

@test "compat: -C answered without a body is not refused" {
	raw_case compat/resume-empty
	raw_case compat/resume-304
}

@test "compat: -C answered with 404 leaves the file as it was (33; 22 with -f)" {
	local f="$BATS_TEST_TMPDIR/part" opt want
	for opt in "" -f; do
		want=33
		[ "$opt" = -f ] && want=22
		printf hello >"$f"
		start_raw "$SERVERS_DIR/cases/compat/resume-404.case"
		run --separate-stderr timeout 10 nk-http -sS -C - ${opt:+"$opt"} -o "$f" \
			"http://127.0.0.1:$RAW_PORT/a"
		stop_raw
		[ "$status" -eq "$want" ]
		[ "$(cat "$f")" = hello ]
		[ "$output" = "" ]
	done
}

# --- the body of a redirect -----------------------------------------------

# redirect_body CASE: runs the case with its requests recorded; sets REC.
redirect_body() {
	REC="$BATS_TEST_TMPDIR/rec"
	start_raw "$SERVERS_DIR/cases/compat/$1.case" "$REC"
	run --separate-stderr timeout 10 nk-http -sS -L --max-time 5 \
		"http://127.0.0.1:$RAW_PORT/a"
	stop_raw
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
}

@test "compat: -L does not wait for a redirect body framed by a close" {
	redirect_body redirect-body-unframed
	[ "$(head -1 "$REC/conn-2")" = $'GET /b HTTP/1.1\r' ]
}

@test "compat: -L does not wait for a large redirect body" {
	redirect_body redirect-body-large
	[ "$(head -1 "$REC/conn-2")" = $'GET /b HTTP/1.1\r' ]
}

@test "compat: -L reads a small redirect body and keeps the connection" {
	redirect_body redirect-body-small
	[ "$(grep -c '^GET /' "$REC/conn-1")" -eq 2 ]
	[ ! -e "$REC/conn-2" ]
}

# --- trailers -----------------------------------------------------------------

@test "compat: -i shows chunked trailers after the body" {
	raw_case compat/trailers
}

@test "compat: -D shows chunked trailers after the head" {
	start_raw "$SERVERS_DIR/cases/compat/trailers.case"
	run --separate-stderr timeout 10 nk-http -sS -D "$BATS_TEST_TMPDIR/h" \
		"http://127.0.0.1:$RAW_PORT/a"
	stop_raw
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nX-Trailer: yes\r\nX-Other: 2\r\n' |
		cmp - "$BATS_TEST_TMPDIR/h"
}

# --- a reused connection that dies before answering -------------------------

# reused_dies ARGS...: two requests to the reused-dies server; sets REC.
reused_dies() {
	REC="$BATS_TEST_TMPDIR/rec"
	rm -rf "$REC"
	start_raw "$SERVERS_DIR/cases/compat/reused-dies.case" "$REC"
	run --separate-stderr timeout 10 nk-http -sS "$@" \
		"http://127.0.0.1:$RAW_PORT/a" "http://127.0.0.1:$RAW_PORT/b"
	stop_raw
}

@test "compat: a POST is not sent again when its reused connection dies" {
	reused_dies -X POST
	[ "$status" -eq 52 ]
	[ "$output" = ok ]
	[ "$stderr" = "nk-http: (52) empty reply from server, on a reused connection: a POST is not sent again (the server may have acted on it)" ]
	[ "$(grep -c '^POST /' "$REC/conn-1")" -eq 2 ]
	[ ! -e "$REC/conn-2" ]
}

@test "compat: idempotent requests go again on a new connection" {
	local m
	for m in GET PUT DELETE; do
		reused_dies -X "$m"
		[ "$status" -eq 0 ]
		[ "$output" = $'ok\nok2' ]
		[ "$(head -1 "$REC/conn-2")" = "$m /b HTTP/1.1"$'\r' ]
	done
}

@test "compat: --retry-all-errors sends a POST again on a new connection" {
	reused_dies -X POST --retry-all-errors
	[ "$status" -eq 0 ]
	[ "$output" = $'ok\nok2' ]
	[ "$(head -1 "$REC/conn-2")" = $'POST /b HTTP/1.1\r' ]
}

@test "compat: a POST does not go on a kept connection the server has closed since" {
	REC="$BATS_TEST_TMPDIR/rec"
	start_raw "$SERVERS_DIR/cases/compat/closed-after-answer.case" "$REC"
	# stdout read late: the close is there before the second request.
	run --separate-stderr bash -c 'set -o pipefail; timeout 10 nk-http -sS \
		-X POST "$1/a" "$1/b" | { sleep 0.3; wc -c; }' _ \
		"http://127.0.0.1:$RAW_PORT"
	stop_raw
	[ "$status" -eq 0 ]
	[ "$output" = 409600 ]
	[ "$stderr" = "" ]
	[ "$(head -1 "$REC/conn-1")" = $'POST /a HTTP/1.1\r' ]
	[ "$(head -1 "$REC/conn-2")" = $'POST /b HTTP/1.1\r' ]
}

# --- --retry on a transient status that is not retried ----------------------

@test "compat: --retry, Retry-After past --retry-max-time: the 503 and its body, exit 0" {
	raw_case compat/retry-after-too-late
}

@test "compat: --retry, Retry-After past --retry-max-time: one request, a warning; -f is 22" {
	local rec="$BATS_TEST_TMPDIR/rec"
	start_raw "$SERVERS_DIR/cases/compat/retry-after-too-late.case" "$rec"
	run --separate-stderr timeout 10 nk-http --retry 2 --retry-max-time 5 \
		"http://127.0.0.1:$RAW_PORT/a"
	[ "$status" -eq 0 ]
	[ "$output" = busy ]
	[ "$stderr" = "nk-http: The Retry-After: time would make this command line exceed the maximum allowed time for retries." ]
	stop_raw
	[ ! -e "$rec/conn-2" ]
	start_raw "$SERVERS_DIR/cases/compat/retry-after-too-late.case"
	run --separate-stderr timeout 10 nk-http -sS -f --retry 2 \
		--retry-max-time 5 "http://127.0.0.1:$RAW_PORT/a"
	stop_raw
	[ "$status" -eq 22 ]
	[ "$output" = "" ]
	[ "$stderr" = "nk-http: (22) The requested URL returned error: 503" ]
}

@test "compat: --retry -i on stdout: the 503 shown is the response, exit 0" {
	raw_case compat/retry-shown
}
