#!/usr/bin/env bats
# nk tls --starttls against tests/servers/tls_peer.py, which plays each
# protocol's plain-text dialogue, then hands the socket to Python's ssl
# module with the test certificate.

load ../lib/common
load ../lib/starttls
bats_require_minimum_version 1.5.0

setup_file() {
	export C="$BATS_FILE_TMPDIR/certs"
	"$TESTS_DIR/certs/mkcerts.sh" "$C" >/dev/null 2>&1
}

# peer [tls_peer.py options...]: starts the peer; sets PORT and LOG.
peer() {
	starttls_peer tls_peer.py "$@"
}

@test "SMTP: greeting, EHLO, STARTTLS, then the report" {
	peer --starttls smtp
	starttls smtp
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Verdict     OK: the chain verifies for valid.test" ]
	[ "${lines[1]}" = "Server      valid.test port $PORT, address 127.0.0.1 port $PORT, STARTTLS smtp" ]
	[ "$(client_lines)" = "$(printf 'EHLO nk.invalid\nSTARTTLS')" ]
}

@test "SMTP with -v: the dialogue on stderr" {
	peer --starttls smtp
	starttls smtp -v --json
	[ "$status" -eq 0 ]
	jq -e '.starttls == "smtp" and .verification.verified == true' <<<"$output"
	grep -v '^nk-tls: connect ' <<<"$stderr" >"$BATS_TEST_TMPDIR/dialogue"
	diff - "$BATS_TEST_TMPDIR/dialogue" <<'EOF'
< 220-mail.test ESMTP nk test
< 220 ready
> EHLO nk.invalid
< 250-mail.test
< 250-PIPELINING
< 250-8BITMIME
< 250-STARTTLS
< 250 SIZE 1000
> STARTTLS
< 220 2.0.0 go ahead
EOF
	[[ "$stderr" == "nk-tls: connect 127.0.0.1 port $PORT: connected"* ]]
}

@test "IMAP, POP3 and FTP" {
	peer --starttls imap
	starttls imap
	[ "$status" -eq 0 ]
	[ "$(client_lines)" = "a001 STARTTLS" ]
	peer --starttls pop3
	starttls pop3
	[ "$status" -eq 0 ]
	[ "$(client_lines)" = "STLS" ]
	peer --starttls ftp
	starttls ftp
	[ "$status" -eq 0 ]
	[ "$(client_lines)" = "AUTH TLS" ]
}

@test "refusals are exit 35 with the server's reply" {
	peer --starttls smtp --refuse
	starttls smtp
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: SMTP server refused STARTTLS: 454 4.7.0 TLS not available" ]
	[ -z "$output" ]
	peer --starttls smtp --no-offer
	starttls smtp
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: SMTP server does not offer STARTTLS" ]
	peer --starttls imap --refuse
	starttls imap
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: IMAP server refused STARTTLS: a001 NO STARTTLS not now" ]
	peer --starttls pop3 --refuse
	starttls pop3 --json
	[ "$status" -eq 35 ]
	jq -e '.error.code == 35 and .error.message == "STARTTLS: POP3 server refused STLS: -ERR not now"' <<<"$output"
	peer --starttls ftp --refuse
	starttls ftp
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: FTP server refused AUTH TLS: 534 not now" ]
}

@test "plain text after the go-ahead is refused, not fed to TLS" {
	peer --starttls smtp --inject
	starttls smtp
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: SMTP server sent data after agreeing to start TLS" ]
}

@test "the wrong protocol, and a server that says nothing" {
	peer --starttls pop3
	starttls smtp
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: SMTP server did not greet with 220: +OK nk test POP3 ready" ]
	PORT=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/mute.log" python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); print("ready", flush=True)
c, _ = s.accept(); time.sleep(30)
' "$PORT"
	wait_for_line "$BATS_TEST_TMPDIR/mute.log" '^ready' >/dev/null
	SECONDS=0
	starttls imap -m 0.5
	[ "$status" -eq 28 ]
	[ "$stderr" = "nk-tls: timed out reading from 127.0.0.1 port $PORT" ]
	[ "$SECONDS" -lt 5 ]
}

@test "the default port follows the protocol" {
	# --connect-to sends every attempt to a closed local port: the
	# report still names the port that was asked for.
	local closed
	closed=$(free_port)
	local p port
	for p in smtp:25 imap:143 pop3:110 ftp:21; do
		run --separate-stderr timeout 20 nk-tls --starttls "${p%:*}" --json \
			--connect-to "::127.0.0.1:$closed" mail.test
		[ "$status" -eq 7 ]
		port=${p#*:}
		jq -e --argjson p "$port" '.port == $p and .error.code == 7' <<<"$output"
	done
	run --separate-stderr timeout 20 nk-tls --json \
		--connect-to "::127.0.0.1:$closed" mail.test
	jq -e '.port == 443' <<<"$output"
}

# A peer that accepts and never says a word (an HTTP port, say): the
# dialogue's own limit ends the wait, not the 300 s connect timeout.
@test "--starttls-timeout bounds a server that never greets: exit 28" {
	LOG="$BATS_TEST_TMPDIR/silent.log"
	start_bg "$LOG" python3 -c '
import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(5)
print("Listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
c, _ = s.accept()
time.sleep(60)
'
	local line
	line=$(wait_for_line "$LOG" '^Listening on ')
	PORT=${line##*:}
	SECONDS=0
	starttls imap --starttls-timeout 0.5
	[ "$status" -eq 28 ]
	[ "$stderr" = "nk-tls: STARTTLS: the IMAP dialogue took longer than 0.5 s (--starttls-timeout)" ]
	[ -z "$output" ]
	[ "$SECONDS" -lt 10 ]
	# The option is checked like the other durations.
	starttls imap --starttls-timeout soon
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: --starttls-timeout takes a number of seconds, not 'soon'" ]
}
