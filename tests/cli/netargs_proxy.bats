#!/usr/bin/env bats
# -x/--proxy and --noproxy, and ALL_PROXY/NO_PROXY, of the raw tools (nk
# echo, nk telnet, nk tls: cmd/common/netargs.c over nk_connect_via):
# through Debian's microsocks (SOCKS5) and tinyproxy (HTTP CONNECT, its
# ConnectPort list naming the ports allowed) to nk's own echo server,
# socat's cat and openssl s_server, with curl's exit statuses.

load ../lib/common
bats_require_minimum_version 1.5.0

setup_file() {
	export C="$BATS_FILE_TMPDIR/certs"
	"$TESTS_DIR/certs/mkcerts.sh" "$C" >/dev/null 2>&1
	head -c 1048576 /dev/urandom >"$BATS_FILE_TMPDIR/1m.bin"
}

sha() { sha256sum <"$1" | cut -d' ' -f1; }

# start_socks: microsocks on 127.0.0.1; sets SOCKS_PORT.
start_socks() {
	SOCKS_PORT=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/ms.log" microsocks -i 127.0.0.1 -p "$SOCKS_PORT"
	wait_port "$SOCKS_PORT"
}

# start_tinyproxy ADDR PORT...: tinyproxy on ADDR, CONNECT allowed to the
# PORTs only; sets TP_PORT. Its log has each request line.
start_tinyproxy() {
	local addr=$1 p; shift
	TP_PORT=$(free_port)
	{
		printf 'Port %s\nListen %s\nTimeout 30\nMaxClients 20\n' "$TP_PORT" "$addr"
		printf 'Allow 127.0.0.1\nDisableViaHeader Yes\nLogLevel Info\n'
		for p in "$@"; do printf 'ConnectPort %s\n' "$p"; done
		[ -z "${TP_AUTH:-}" ] || printf 'BasicAuth %s\n' "$TP_AUTH"
	} >"$BATS_TEST_TMPDIR/tinyproxy.conf"
	start_bg "$BATS_TEST_TMPDIR/tinyproxy.log" tinyproxy -d -c "$BATS_TEST_TMPDIR/tinyproxy.conf"
	local i
	for i in $(seq 100); do
		(exec 3<>"/dev/tcp/$addr/$TP_PORT") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# start_cat: socat echoing every connection back; sets CAT_PORT.
start_cat() {
	CAT_PORT=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/socat.log" \
		socat TCP-LISTEN:"$CAT_PORT",bind=127.0.0.1,reuseaddr,fork EXEC:cat
	wait_port "$CAT_PORT"
}

# echo_ok PROXY-OPTIONS...: nk echo with two messages to $ECHO_PORT.
echo_ok() {
	run --separate-stderr timeout 20 nk-echo -q "$@" 127.0.0.1 "$ECHO_PORT" one two
	[ "$stderr" = "" ]
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^2\ sent,\ 2\ received,\ 0\ mismatched,\ 8\ bytes, ]]
}

@test "proxy: nk echo through SOCKS5, SOCKS5h and CONNECT to nk's echo server" {
	start_echo
	start_socks
	start_tinyproxy 127.0.0.1 "$ECHO_PORT"
	echo_ok -x "socks5://127.0.0.1:$SOCKS_PORT"
	echo_ok --proxy "socks5h://127.0.0.1:$SOCKS_PORT"
	echo_ok -x "127.0.0.1:$TP_PORT"
	echo_ok -x "http://127.0.0.1:$TP_PORT"
	grep -q "CONNECT 127.0.0.1:$ECHO_PORT HTTP/1.1" "$BATS_TEST_TMPDIR/tinyproxy.log"
}

@test "proxy: CONNECT with Basic credentials from the URL; wrong ones are 56" {
	start_echo
	TP_AUTH="nk s3cret" start_tinyproxy 127.0.0.1 "$ECHO_PORT"
	echo_ok -x "http://nk:s3cret@127.0.0.1:$TP_PORT"
	run --separate-stderr timeout 20 nk-echo -x "http://nk:wrong@127.0.0.1:$TP_PORT" \
		127.0.0.1 "$ECHO_PORT" x
	[ "$status" -eq 56 ]
	# tinyproxy answers a CONNECT with bad credentials 401, not 407.
	[ "$stderr" = "nk-echo: CONNECT tunnel to 127.0.0.1 port $ECHO_PORT through proxy 127.0.0.1:$TP_PORT failed, response 401" ]
}

@test "proxy: nk telnet pipes 1 MiB through SOCKS5 and through CONNECT, unchanged" {
	start_cat
	start_socks
	start_tinyproxy 127.0.0.1 "$CAT_PORT"
	local big=$BATS_FILE_TMPDIR/1m.bin px
	for px in "socks5://127.0.0.1:$SOCKS_PORT" "http://127.0.0.1:$TP_PORT"; do
		status=0
		timeout 60 nk-telnet -x "$px" 127.0.0.1 "$CAT_PORT" <"$big" \
			>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
		[ "$status" -eq 0 ]
		[ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$big")" ]
	done
}

@test "proxy: nk tls shakes hands through the tunnel and verifies the target's name" {
	local port; port=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/s1.log" openssl s_server -accept "127.0.0.1:$port" \
		-www -cert "$C/ip.pem" -key "$C/leaf.key" -cert_chain "$C/int.pem"
	wait_for_line "$BATS_TEST_TMPDIR/s1.log" '^ACCEPT' >/dev/null
	# The proxy on another address: the certificate is for 127.0.0.1.
	start_tinyproxy 127.0.0.2 "$port"
	run --separate-stderr timeout 20 nk-tls --cacert "$C/root.pem" \
		-x "127.0.0.2:$TP_PORT" "127.0.0.1:$port"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Verdict     OK: the chain verifies for 127.0.0.1" ]
	grep -q "CONNECT 127.0.0.1:$port HTTP/1.1" "$BATS_TEST_TMPDIR/tinyproxy.log"
	# SOCKS5 with the name resolved here (--resolve): verified for it.
	local vport; vport=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/s2.log" openssl s_server -accept "127.0.0.1:$vport" \
		-www -cert "$C/valid.pem" -key "$C/leaf.key" -cert_chain "$C/int.pem"
	wait_for_line "$BATS_TEST_TMPDIR/s2.log" '^ACCEPT' >/dev/null
	start_socks
	run --separate-stderr timeout 20 nk-tls --cacert "$C/root.pem" \
		--resolve "valid.test:$vport:127.0.0.1" \
		-x "socks5://127.0.0.1:$SOCKS_PORT" "valid.test:$vport"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Verdict     OK: the chain verifies for valid.test" ]
	# The same server under its address: the name check still fails.
	run --separate-stderr timeout 20 nk-tls --cacert "$C/root.pem" \
		-x "socks5://127.0.0.1:$SOCKS_PORT" "127.0.0.1:$vport"
	[ "$status" -eq 60 ]
}

@test "proxy: ALL_PROXY from the environment; --noproxy, NO_PROXY and -x '' go around it" {
	start_echo
	start_tinyproxy 127.0.0.1 "$ECHO_PORT"
	ALL_PROXY="http://127.0.0.1:$TP_PORT" echo_ok
	grep -q "CONNECT 127.0.0.1:$ECHO_PORT HTTP/1.1" "$BATS_TEST_TMPDIR/tinyproxy.log"
	# A proxy that is not there: the environment is used (exit 7) ...
	local dead; dead=$(free_port)
	export ALL_PROXY="socks5://127.0.0.1:$dead"
	run --separate-stderr timeout 20 nk-echo -q 127.0.0.1 "$ECHO_PORT" one
	[ "$status" -eq 7 ]
	# ... unless the host is on the list, or -x says none.
	echo_ok --noproxy 127.0.0.1
	echo_ok --noproxy '127.0.0.0/8'
	NO_PROXY=localhost,127.0.0.1 echo_ok
	echo_ok -x ''
	# --noproxy '' overrides NO_PROXY: the proxy again.
	NO_PROXY=127.0.0.1 run --separate-stderr timeout 20 nk-echo -q \
		--noproxy '' 127.0.0.1 "$ECHO_PORT" one
	[ "$status" -eq 7 ]
	unset ALL_PROXY
}

@test "proxy: an unreachable proxy is 7, a SOCKS refusal 97, a refused CONNECT 56" {
	local dead; dead=$(free_port)
	run --separate-stderr timeout 20 nk-telnet -x "socks5://127.0.0.1:$dead" 127.0.0.1 9
	[ "$status" -eq 7 ]
	[[ "$stderr" == *"Failed to connect to 127.0.0.1 port $dead"* ]]
	run --separate-stderr timeout 20 nk-echo -x "127.0.0.1:$dead" 127.0.0.1 9 x
	[ "$status" -eq 7 ]
	# microsocks cannot reach the target: its refusal.
	start_socks
	run --separate-stderr timeout 20 nk-telnet -x "socks5://127.0.0.1:$SOCKS_PORT" \
		127.0.0.1 "$dead" </dev/null
	[ "$status" -eq 97 ]
	[ "${#stderr}" -gt 0 ]
	# tinyproxy refuses a port not in its ConnectPort list.
	start_echo
	start_tinyproxy 127.0.0.1 1
	run --separate-stderr timeout 20 nk-echo -x "127.0.0.1:$TP_PORT" 127.0.0.1 "$ECHO_PORT" x
	[ "$status" -eq 56 ]
	[[ "$stderr" == *"response 403"* ]]
	# An unknown scheme: 7, as curl; one that does not parse: 5.
	run --separate-stderr timeout 20 nk-echo -x "ftp://127.0.0.1:$TP_PORT" 127.0.0.1 "$ECHO_PORT" x
	[ "$status" -eq 7 ]
	[ "${#lines[@]}" -eq 0 ]
	run --separate-stderr timeout 20 nk-tls -x "http://[::1" 127.0.0.1:1
	[ "$status" -eq 5 ]
}
