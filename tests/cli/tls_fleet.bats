#!/usr/bin/env bats
# nk tls with several targets (on the command line and -f FILE): openssl
# s_server for the certificate matrix of tests/certs/mkcerts.sh, a port
# where nothing listens, tests/servers/tls_peer.py for a STARTTLS line,
# and python3 listeners that accept and never answer to show the checks
# run in parallel. Asserts the table, the JSON lines and the worst exit
# status.

load ../lib/common
load ../lib/tls
bats_require_minimum_version 1.5.0

setup_file() {
	tls_certs
}

# serve VAR NAME [s_server options...]: NAME.pem with the intermediate on
# a free port, into $VAR.
serve() {
	local var=$1 name=$2 PORT; shift 2
	s_server_www "$C/$name.pem" "$C/leaf.key" -cert_chain "$C/int.pem" "$@"
	printf -v "$var" '%s' "$PORT"
}

# silent VAR: a listener that accepts and never says a word, into $VAR.
silent() {
	local log="$BATS_TEST_TMPDIR/silent.$1.log"
	start_bg "$log" python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print("port", s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])
'
	local line; line=$(wait_for_line "$log" '^port ') || return 1
	printf -v "$1" '%s' "${line#port }"
}

# fleet [options and targets...]: nk tls trusting the test root, every
# test name resolved to 127.0.0.1 on any port.
fleet() {
	run --separate-stderr timeout 60 nk-tls --cacert "$C/root.pem" \
		--resolve 'valid.test:*:127.0.0.1' --resolve 'expired.test:*:127.0.0.1' \
		--resolve 'soon.test:*:127.0.0.1' "$@"
}

# row DAYS EXIT TARGET VERDICT: a line of the table, the target column
# $W wide.
row() {
	printf '%5s  %4s  %-*s  %s' "$1" "$2" "$W" "$3" "$4"
}

# The days left of the test certificate NAME.pem, as nk counts them.
days_of() {
	local end; end=$(openssl x509 -in "$C/$1.pem" -noout -enddate | sed 's/.*=//')
	python3 -c 'import sys, time, calendar, math
end = calendar.timegm(time.strptime(sys.argv[1], "%b %d %H:%M:%S %Y %Z"))
print(math.floor((end - time.time()) / 86400))' "$end"
}

@test "good, expiring, expired and down: a table by days left, the worst exit" {
	serve PV valid
	serve PE expired
	serve PS soon
	DOWN=$(free_port)
	fleet --expiry-warn 30 "valid.test:$PV" "expired.test:$PE" \
		"127.0.0.1:$DOWN" "soon.test:$PS"
	[ "$status" -eq 7 ]
	# Days left as counted after nk ran, or one more: nk counts in whole
	# seconds, and a certificate made a moment before sits on a day's
	# edge.
	local de dv
	de=$(days_of expired)
	dv=$(days_of valid)
	[[ "${lines[2]}" =~ ^\ *(-?[0-9]+)\  ]] && [ "${BASH_REMATCH[1]}" -eq $((de + 1)) ] &&
		de=$((de + 1))
	[[ "${lines[4]}" =~ ^\ *(-?[0-9]+)\  ]] && [ "${BASH_REMATCH[1]}" -eq $((dv + 1)) ] &&
		dv=$((dv + 1))
	# the target column is as wide as the longest target
	W=$(printf '%s\n' "valid.test:$PV" "expired.test:$PE" "127.0.0.1:$DOWN" \
		"soon.test:$PS" | awk '{ if (length > w) w = length } END { print w }')
	[ "${lines[0]}" = "$(printf '%5s  %4s  %-*s  %s' Days Exit "$W" Target Verdict)" ]
	[ "${lines[1]}" = "$(row - 7 "127.0.0.1:$DOWN" \
		"Failed to connect to 127.0.0.1 port $DOWN: Connection refused")" ]
	[ "${lines[2]}" = "$(row "$de" 60 "expired.test:$PE" \
		"FAILED: certificate has expired (on 2021-01-01 00:00:00 UTC)")" ]
	[ "${lines[3]}" = "$(row 9 101 "soon.test:$PS" \
		"EXPIRING: CN=soon.test expires within 30 days")" ]
	[ "${lines[4]}" = "$(row "$dv" 0 "valid.test:$PV" OK)" ]
	[[ "${lines[5]}" =~ ^4\ targets\ checked\ in\ [0-9]+\.[0-9]\ s:\ 1\ OK,\ 3\ not$ ]]
	[ "${#lines[@]}" -eq 6 ]
	[ "$stderr" = "nk-tls: 3 of 4 targets not OK; the worst is 127.0.0.1:$DOWN (exit 7)" ]
}

@test "the exit status is the worst: 60 over 101 over 0" {
	serve PV valid
	serve PE expired
	serve PS soon
	fleet --expiry-warn 30 "valid.test:$PV" "soon.test:$PS"
	[ "$status" -eq 101 ]
	fleet --expiry-warn 30 "soon.test:$PS" "expired.test:$PE" "valid.test:$PV"
	[ "$status" -eq 60 ]
	fleet "valid.test:$PV" "valid.test:$PV"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "${lines[3]}" =~ ^2\ targets\ checked\ in\ [0-9.]+\ s:\ 2\ OK,\ 0\ not$ ]]
}

@test "--json: one report a line, in the order given" {
	serve PV valid
	serve PE expired
	DOWN=$(free_port)
	fleet --json "expired.test:$PE" "127.0.0.1:$DOWN" "valid.test:$PV"
	[ "$status" -eq 7 ]
	[ "${#lines[@]}" -eq 3 ]
	local l
	for l in "${lines[@]}"; do jq -e . >/dev/null <<<"$l"; done
	jq -e --argjson p "$PE" '.host == "expired.test" and .port == $p and
		.exit_code == 60 and .verification.verified == false and
		.verification.code == 10 and .error == null' <<<"${lines[0]}"
	jq -e --argjson p "$DOWN" '.host == "127.0.0.1" and .port == $p and
		.exit_code == 7 and .tls == null and .error.code == 7 and
		.error.name == "COULDNT_CONNECT" and .sent_chain == []' <<<"${lines[1]}"
	jq -e --argjson p "$PV" '.host == "valid.test" and .port == $p and
		.exit_code == 0 and .verification.verified == true and
		(.sent_chain | length) == 2 and .revocation == {ocsp: null, crl: null}' \
		<<<"${lines[2]}"
	[ "$stderr" = "nk-tls: 2 of 3 targets not OK; the worst is 127.0.0.1:$DOWN (exit 7)" ]
}

@test "-f FILE: comments, blank lines, per-line options, STARTTLS" {
	serve PV valid
	serve PE expired
	local log="$BATS_TEST_TMPDIR/peer.log"
	start_bg "$log" python3 "$TESTS_DIR/servers/tls_peer.py" \
		"$C/valid-chain.pem" "$C/leaf.key" --starttls smtp
	local line; line=$(wait_for_line "$log" '^Listening on ')
	local PM=${line##*:}
	local dv; dv=$(days_of valid)
	cat >"$BATS_TEST_TMPDIR/hosts" <<-EOF
	# the web servers
	valid.test:$PV
	expired.test:$PE -k      # known, being replaced

	127.0.0.1:$PM --starttls smtp --servername valid.test
	EOF
	fleet -f "$BATS_TEST_TMPDIR/hosts" --json
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	jq -e '.host == "valid.test" and .exit_code == 0' <<<"${lines[0]}"
	jq -e '.host == "expired.test" and .exit_code == 0 and
		.verification.insecure == true and .verification.verified == false' \
		<<<"${lines[1]}"
	jq -e '.host == "127.0.0.1" and .starttls == "smtp" and
		.name == "valid.test" and .exit_code == 0 and
		.verification.verified == true' <<<"${lines[2]}"
	# targets on the command line and the file's together
	printf 'valid.test:%s # again\n' "$PV" >"$BATS_TEST_TMPDIR/more"
	fleet "valid.test:$PV" -f "$BATS_TEST_TMPDIR/more" --expiry-warn 100000
	[ "$status" -eq 101 ]
	W=${#PV}; W=$((W + 11))
	[ "${lines[1]}" = "$(row "$dv" 101 "valid.test:$PV" \
		"EXPIRING: CN=valid.test expires within 100000 days")" ]
	[ "${lines[2]}" = "${lines[1]}" ]
	[[ "${lines[3]}" =~ ^2\ targets\ checked ]]
}

@test "-f: a bad line stops the run before any connection" {
	local f="$BATS_TEST_TMPDIR/hosts"
	printf 'a.test\nb.test --no-such-option\n' >"$f"
	fleet -f "$f"
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: unknown option --no-such-option (see nk tls --help)
nk-tls: in $f line 2" ]
	printf '# x\n\na.test --json\n' >"$f"
	fleet -f "$f"
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: --json is for the whole run, not one line of -f's file
nk-tls: in $f line 3" ]
	printf 'a.test b.test\n' >"$f"
	fleet -f "$f"
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: one target a line, not 2
nk-tls: in $f line 1" ]
	printf 'a.test:99999\n' >"$f"
	fleet -f "$f"
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: the port takes a whole number from 1 to 65535, not '99999'
nk-tls: in $f line 1" ]
	printf '# nothing\n\n' >"$f"
	fleet -f "$f"
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: no target in $f" ]
	fleet -f "$BATS_TEST_TMPDIR/missing"
	[ "$status" -eq 26 ]
	[ "$stderr" = "nk-tls: cannot read $BATS_TEST_TMPDIR/missing: No such file or directory" ]
}

@test "options that take one server refuse several" {
	fleet --pem a.test b.test
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: --pem and -o write one server's chain: give one target" ]
	fleet --jobs 0 a.test b.test
	[ "$status" -eq 2 ]
}

@test "--jobs bounds the checks at once; they run in parallel" {
	local a b c d
	silent a; silent b; silent c; silent d
	local t0=$SECONDS
	fleet --jobs 4 -m 1 --json "127.0.0.1:$a" "127.0.0.1:$b" "127.0.0.1:$c" "127.0.0.1:$d"
	local t4=$((SECONDS - t0))
	[ "$status" -eq 28 ]
	[ "${#lines[@]}" -eq 4 ]
	jq -e '.exit_code == 28 and .error.name == "OPERATION_TIMEDOUT"' <<<"${lines[3]}"
	[ "$t4" -le 2 ]
	t0=$SECONDS
	fleet --jobs 2 -m 1 "127.0.0.1:$a" "127.0.0.1:$b" "127.0.0.1:$c" "127.0.0.1:$d"
	[ "$status" -eq 28 ]
	[ $((SECONDS - t0)) -ge 2 ]
}
