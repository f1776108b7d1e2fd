#!/usr/bin/env bats
# The connection and TLS options the tools share (cmd/common/netargs.c):
# the same rows in every table, the same parsing, the same messages and exit
# statuses, the same meaning of --connect-timeout and of the trust store
# from the environment, whichever tool is asked.

load ../lib/common
bats_require_minimum_version 1.5.0

setup_file() {
	export C="$BATS_FILE_TMPDIR/certs"
	"$TESTS_DIR/certs/mkcerts.sh" "$C" >/dev/null 2>&1
}

NET="ipv4 ipv6 resolve connect-to connect-timeout"
VERIFY="cacert capath insecure"
VERSIONS="tlsv1.2 tlsv1.3 tls-max"
CLIENT="cert key"
SHARED="$NET $VERIFY servername $VERSIONS $CLIENT"

# shared_rows TOOL: the --nk-options rows of TOOL's shared options, sorted.
shared_rows() {
	"nk-$1" --nk-options | awk -F '\t' -v s=" $SHARED " \
		'$1 == "opt" && index(s, " " $3 " ") { print }' | LC_ALL=C sort
}

# args TOOL: a target for TOOL that nothing listens on and no resolver is
# asked about (every test gives a --resolve entry for h.invalid or fails
# before connecting).
args() {
	case $1 in
	echo) echo "h.invalid 7 hi" ;;
	resolve) echo "h.invalid" ;;
	http) echo "http://h.invalid:7/" ;;
	tls) echo "h.invalid:7" ;;
	telnet) echo "h.invalid 7" ;;
	esac
}

# each TOOLS -- OPTIONS...: runs every tool with OPTIONS and its target,
# bounded in time; "TOOL STATUS STDERR" lines in $BATS_TEST_TMPDIR/got.
each() {
	local t tools=()
	while [ "$1" != -- ]; do tools+=("$1"); shift; done
	shift
	: >"$BATS_TEST_TMPDIR/got"
	for t in "${tools[@]}"; do
		local st=0
		# shellcheck disable=SC2046
		timeout 10 "nk-$t" "$@" $(args "$t") </dev/null >/dev/null \
			2>"$BATS_TEST_TMPDIR/err" || st=$?
		echo "$t $st $(cat "$BATS_TEST_TMPDIR/err")" >>"$BATS_TEST_TMPDIR/got"
	done
}

@test "each tool has its set of shared options, every row the same" {
	local t o want
	for t in echo resolve http tls telnet; do
		case $t in
		resolve) want="ipv4 ipv6 resolve" ;;
		echo) want=$NET ;;
		http) want="$NET $VERIFY $VERSIONS $CLIENT" ;;
		tls) want=$SHARED ;;
		telnet) want="$NET $VERIFY servername $CLIENT" ;;
		esac
		diff -u <(tr ' ' '\n' <<<"$want" | LC_ALL=C sort) \
			<(shared_rows "$t" | cut -f3 | LC_ALL=C sort)
		shared_rows "$t" >>"$BATS_TEST_TMPDIR/rows"
	done
	# One row per option across all five tools: one argument name, one
	# help text, one short letter.
	for o in $SHARED; do
		[ "$(awk -F '\t' -v o="$o" '$3 == o' "$BATS_TEST_TMPDIR/rows" |
			sort -u | wc -l)" -eq 1 ] ||
			{ grep -P "\t$o\t" "$BATS_TEST_TMPDIR/rows" >&2; return 1; }
	done
	grep -qxP 'opt\t-E\tcert\tfile\tFILE\t\tclient certificate \(PEM; may hold the key too\)' \
		"$BATS_TEST_TMPDIR/rows"
	grep -qxP 'opt\t-\tresolve\tstring\tHOST:PORT:ADDR\[,ADDR\.\.\.\]\t\tuse these addresses for HOST:PORT \(repeatable\)' \
		"$BATS_TEST_TMPDIR/rows"
}

@test "-4 and -6: the last one given wins, in every tool" {
	local r=--resolve=h.invalid:7:127.0.0.1
	each echo resolve http tls telnet -- -4 -6 "$r"
	diff -u - "$BATS_TEST_TMPDIR/got" <<-'EOF'
	echo 6 nk-echo: Could not resolve host: h.invalid (no IPv6 address)
	resolve 6 nk-resolve: Could not resolve host: h.invalid (no IPv6 address)
	http 6 nk-http: (6) Could not resolve host: h.invalid (no IPv6 address)
	tls 6 nk-tls: Could not resolve host: h.invalid (no IPv6 address)
	telnet 6 nk-telnet: Could not resolve host: h.invalid (no IPv6 address)
	EOF

	start_echo
	r=--resolve=h.invalid:$ECHO_PORT:127.0.0.1
	run --separate-stderr timeout 10 nk-echo -q -6 -4 "$r" h.invalid "$ECHO_PORT" hi
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^1\ sent,\ 1\ received,\ 0\ mismatched,\ 3\ bytes, ]]
	run --separate-stderr timeout 10 nk-telnet --raw -6 -4 "$r" h.invalid "$ECHO_PORT" <<<hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	[ "$stderr" = "" ]
}

@test "bad values: the same one-line message and exit 2 (49 for a bad entry, as curl) in every tool" {
	each echo resolve http tls telnet -- --resolve bad
	diff -u - "$BATS_TEST_TMPDIR/got" <<-'EOF'
	echo 49 nk-echo: bad --resolve entry 'bad': expected HOST:PORT:ADDR[,ADDR...]
	resolve 49 nk-resolve: bad --resolve entry 'bad': expected HOST:PORT:ADDR[,ADDR...]
	http 49 nk-http: (49) bad --resolve entry 'bad': expected HOST:PORT:ADDR[,ADDR...]
	tls 49 nk-tls: bad --resolve entry 'bad': expected HOST:PORT:ADDR[,ADDR...]
	telnet 49 nk-telnet: bad --resolve entry 'bad': expected HOST:PORT:ADDR[,ADDR...]
	EOF

	each echo http tls telnet -- --connect-to h:1:g
	diff -u - "$BATS_TEST_TMPDIR/got" <<-'EOF'
	echo 49 nk-echo: bad --connect-to entry 'h:1:g': expected HOST1:PORT1:HOST2:PORT2 (IPv6 addresses in brackets)
	http 49 nk-http: (49) bad --connect-to entry 'h:1:g': expected HOST1:PORT1:HOST2:PORT2 (IPv6 addresses in brackets)
	tls 49 nk-tls: bad --connect-to entry 'h:1:g': expected HOST1:PORT1:HOST2:PORT2 (IPv6 addresses in brackets)
	telnet 49 nk-telnet: bad --connect-to entry 'h:1:g': expected HOST1:PORT1:HOST2:PORT2 (IPv6 addresses in brackets)
	EOF

	each echo http tls telnet -- --connect-timeout soon
	diff -u - "$BATS_TEST_TMPDIR/got" <<-'EOF'
	echo 2 nk-echo: --connect-timeout takes a number of seconds, not 'soon'
	http 2 nk-http: --connect-timeout takes a number of seconds, not 'soon'
	tls 2 nk-tls: --connect-timeout takes a number of seconds, not 'soon'
	telnet 2 nk-telnet: --connect-timeout takes a number of seconds, not 'soon'
	EOF

	each http tls -- --tlsv1.3 --tls-max 1.2
	diff -u - "$BATS_TEST_TMPDIR/got" <<-'EOF'
	http 2 nk-http: --tls-max 1.2 is below --tlsv1.3
	tls 2 nk-tls: --tls-max 1.2 is below --tlsv1.3
	EOF

	each http tls -- --tls-max 1.1
	diff -u - "$BATS_TEST_TMPDIR/got" <<-'EOF'
	http 2 nk-http: --tls-max takes one of 1.2|1.3, not '1.1'
	tls 2 nk-tls: --tls-max takes one of 1.2|1.3, not '1.1'
	EOF

	each tls telnet -- --tls --servername ''
	diff -u - "$BATS_TEST_TMPDIR/got" <<-'EOF'
	tls 2 nk-tls: unknown option --tls (see nk tls --help)
	telnet 2 nk-telnet: --servername needs a name
	EOF
	each tls -- --servername ''
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = "tls 2 nk-tls: --servername needs a name" ]
}

@test "--connect-timeout covers the TLS handshake in every TLS tool" {
	# Accepts every connection and never says a word.
	local port; port=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/mute.log" python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); print("ready", flush=True)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$port"
	wait_for_line "$BATS_TEST_TMPDIR/mute.log" '^ready' >/dev/null
	SECONDS=0
	run --separate-stderr timeout 10 nk-tls --connect-timeout 0.3 "127.0.0.1:$port"
	[ "$status" -eq 28 ]
	[ "$stderr" = "nk-tls: TLS handshake with 127.0.0.1 timed out" ]
	run --separate-stderr timeout 10 nk-telnet --tls --connect-timeout 0.3 127.0.0.1 "$port" </dev/null
	[ "$status" -eq 28 ]
	[ "$stderr" = "nk-telnet: TLS handshake with 127.0.0.1 timed out" ]
	run --separate-stderr timeout 10 nk-http --connect-timeout 0.3 "https://127.0.0.1:$port/"
	[ "$status" -eq 28 ]
	[ "$stderr" = "nk-http: (28) TLS handshake with 127.0.0.1 timed out" ]
	[ "$SECONDS" -lt 5 ]
}

@test "the trust store from SSL_CERT_FILE and SSL_CERT_DIR, read alike; empty is unset" {
	local port; port=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/s_server.log" openssl s_server \
		-accept "127.0.0.1:$port" -www -cert "$C/valid.pem" -key "$C/leaf.key" \
		-cert_chain "$C/int.pem"
	wait_for_line "$BATS_TEST_TMPDIR/s_server.log" '^ACCEPT' >/dev/null
	local r="--resolve=valid.test:$port:127.0.0.1" e t st
	for e in "SSL_CERT_FILE=$C/root.pem:0" "SSL_CERT_DIR=$C/capath:0" \
		"SSL_CERT_FILE= SSL_CERT_DIR=$C/capath:0" "SSL_CERT_FILE=:60" \
		"SSL_CERT_FILE=$C/other-root.pem:60"; do
		for t in tls http telnet; do
			st=0
			case $t in
			tls) env -u SSL_CERT_FILE -u SSL_CERT_DIR ${e%:*} timeout 10 \
				nk-tls "$r" "valid.test:$port" ;;
			http) env -u SSL_CERT_FILE -u SSL_CERT_DIR ${e%:*} timeout 10 \
				nk-http "$r" "https://valid.test:$port/" ;;
			telnet) env -u SSL_CERT_FILE -u SSL_CERT_DIR ${e%:*} timeout 10 \
				nk-telnet --tls "$r" valid.test "$port" ;;
			esac </dev/null >/dev/null 2>&1 || st=$?
			[ "$st" -eq "${e##*:}" ] ||
				{ echo "nk-$t with ${e%:*}: exit $st, not ${e##*:}" >&2; return 1; }
		done
	done
	# --cacert replaces the environment's store.
	for t in tls http; do
		st=0
		SSL_CERT_FILE="$C/other-root.pem" timeout 10 "nk-$t" --cacert "$C/root.pem" \
			"$r" "$([ $t = tls ] && echo "valid.test:$port" || echo "https://valid.test:$port/")" \
			</dev/null >/dev/null 2>&1 || st=$?
		[ "$st" -eq 0 ]
	done
	st=0
	SSL_CERT_FILE="$C/other-root.pem" timeout 10 nk-telnet --tls --cacert "$C/root.pem" \
		"$r" valid.test "$port" </dev/null >/dev/null 2>&1 || st=$?
	[ "$st" -eq 0 ]
}

@test "-E is --cert in nk tls too, as in nk http and curl" {
	each tls -- -E "$C/nonexistent.pem"
	grep -q "^tls 58 nk-tls: cannot use client certificate $C/nonexistent.pem: " \
		"$BATS_TEST_TMPDIR/got"
}
