#!/usr/bin/env bats
# nk http through SOCKS proxies: -x socks4:// socks4a:// socks5://
# socks5h://, --socks4 ... --socks5-hostname, credentials (RFC 1929),
# ALL_PROXY, and curl's exit statuses and messages for every failure.
# Peers: tests/servers/socks.py (records each handshake, refuses on
# demand), Debian's microsocks and dante-server; curl 7.88 against the
# same peers for the bytes and the words.
load ../lib/common
load ../lib/http

setup_file() {
	start_nginx
}

teardown_file() {
	stop_nginx
}

# start_socks [socks.py options...]: sets SOCKS_PORT; handshakes are
# logged in $BATS_TEST_TMPDIR/socks.log, one line each.
start_socks() {
	: >"$BATS_TEST_TMPDIR/socks.log"
	local out="$BATS_TEST_TMPDIR/socks.$RANDOM.out"
	start_bg "$out" "$PYTHON" "$SERVERS_DIR/socks.py" \
		--record "$BATS_TEST_TMPDIR/socks.log" --map nk.test=127.0.0.1 "$@"
	local line
	line=$(wait_for_line "$out" '^Listening on ') || return 1
	SOCKS_PORT=${line##*:}
}

# The handshakes the peer saw: "WORDS | HEX" lines.
seen() { cat "$BATS_TEST_TMPDIR/socks.log"; }
# The bytes of the last handshake, in hex.
last_hex() { tail -n 1 "$BATS_TEST_TMPDIR/socks.log" | sed 's/.* | //'; }
hexof() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
port_hex() { printf '%04x' "$1"; }

# nk and curl, alike but for the name.
nks() { timeout -k 2 20 nk-http -s -S --cacert "$NGINX_DIR/certs/ca.pem" "$@"; }
curls() { timeout -k 2 20 curl -s -S --cacert "$NGINX_DIR/certs/ca.pem" "$@"; }

# same_error ARGS...: nk and curl exit alike, with the same message.
same_error() {
	local crc=0 nrc=0
	curls "$@" >/dev/null 2>"$BATS_TEST_TMPDIR/c.err" || crc=$?
	nks "$@" >/dev/null 2>"$BATS_TEST_TMPDIR/n.err" || nrc=$?
	local cm nm
	cm=$(sed 's/^curl: //' "$BATS_TEST_TMPDIR/c.err")
	nm=$(sed 's/^nk-http: //' "$BATS_TEST_TMPDIR/n.err")
	if [ "$crc" != "$nrc" ] || [ "$cm" != "$nm" ]; then
		echo "curl $crc: $cm" >&2
		echo "nk   $nrc: $nm" >&2
		return 1
	fi
	SAME_STATUS=$nrc
	SAME_MSG=$nm
}

@test "socks: each scheme fetches from nginx, with curl's handshake bytes" {
	start_socks
	local ph url="http://nk.test:$NGINX_PORT/hello.txt"
	local r=(--resolve "nk.test:$NGINX_PORT:127.0.0.1")
	ph=$(port_hex "$NGINX_PORT")
	local name; name=$(hexof nk.test)
	# SOCKS4: the address resolved here; SOCKS4a: the name.
	run nks "${r[@]}" -x "socks4://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	[ "$(last_hex)" = "0401${ph}7f00000100" ]
	run curls "${r[@]}" -x "socks4://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	[ "$(last_hex)" = "0401${ph}7f00000100" ]
	run nks -x "socks4a://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	[ "$(last_hex)" = "0401${ph}0000000100${name}00" ]
	run curls -x "socks4a://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$(last_hex)" = "0401${ph}0000000100${name}00" ]
	# SOCKS5: greeting, then the resolved address or (5h) the name. curl
	# (built with GSS-API) also offers method 1, which nk cannot do.
	run nks "${r[@]}" -x "socks5://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	[ "$(last_hex)" = "050100050100017f000001${ph}" ]
	run curls "${r[@]}" -x "socks5://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$(last_hex)" = "05020001050100017f000001${ph}" ]
	run nks -x "socks5h://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	[ "$(last_hex)" = "0501000501000307${name}${ph}" ]
	run curls -x "socks5h://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$(last_hex)" = "050200010501000307${name}${ph}" ]
	[ "$(seen | sed 's/ |.*//')" = "socks4 cmd=1 ip 127.0.0.1 $NGINX_PORT user=
socks4 cmd=1 ip 127.0.0.1 $NGINX_PORT user=
socks4a cmd=1 name nk.test $NGINX_PORT user=
socks4a cmd=1 name nk.test $NGINX_PORT user=
socks5 cmd=1 ip 127.0.0.1 $NGINX_PORT
socks5 cmd=1 ip 127.0.0.1 $NGINX_PORT
socks5 cmd=1 name nk.test $NGINX_PORT
socks5 cmd=1 name nk.test $NGINX_PORT" ]
}

@test "socks: --socks4, --socks4a, --socks5, --socks5-hostname; the last proxy option wins" {
	start_socks
	local url="http://nk.test:$NGINX_PORT/hello.txt" r="--resolve=nk.test:$NGINX_PORT:127.0.0.1"
	run nks "$r" --socks4 "127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	run nks --socks4a "127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	run nks "$r" --socks5 "127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	run nks -x "127.0.0.1:1" --socks5-hostname "127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	# A scheme in the value wins over the option's kind.
	run nks --socks4 "socks5h://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	[ "$(seen | sed 's/ |.*//' | cut -d' ' -f1,3)" = "socks4 ip
socks4a name
socks5 ip
socks5 name
socks5 name" ]
	# -x after --socks5-hostname: the HTTP proxy (here: nothing there).
	run nks --socks5-hostname "127.0.0.1:$SOCKS_PORT" -x "127.0.0.1:$(fast_port)" "$url"
	[ "$status" -eq 7 ]
}

@test "socks: https through socks5h and socks4: TLS to the host inside the tunnel" {
	start_socks --map other.test=127.0.0.1
	run nks -x "socks5h://127.0.0.1:$SOCKS_PORT" -w ' %{json}' \
		"https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hello world" ]
	local j=${lines[1]# }
	[ "$(jq -r '.hops[0].tls.verify_ok, .hops[0].proxied' <<<"$j")" = $'true\ntrue' ]
	run nks --resolve "nk.test:$NGINX_SPORT:127.0.0.1" -x "socks4://127.0.0.1:$SOCKS_PORT" \
		"https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	[ "$(seen | sed 's/ |.*//')" = "socks5 cmd=1 name nk.test $NGINX_SPORT
socks4 cmd=1 ip 127.0.0.1 $NGINX_SPORT user=" ]
	# The certificate is checked against the host's name, not the proxy's.
	run nks -x "socks5h://127.0.0.1:$SOCKS_PORT" "https://other.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 60 ]
}

@test "socks: SOCKS5 credentials from the URL or --proxy-user (%XX decoded); the URL's win" {
	start_socks --auth 'u x:p@s'
	local url="http://nk.test:$NGINX_PORT/hello.txt"
	run nks -x "socks5h://u%20x:p%40s@127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	want="0502000201037520780370407305010003$(printf '%02x' 7)$(hexof nk.test)$(port_hex "$NGINX_PORT")"
	[ "$(last_hex)" = "$want" ]
	run nks -U 'u%20x:p%40s' -x "socks5h://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	[ "$(last_hex)" = "$want" ]
	run curls -U 'u%20x:p%40s' -x "socks5h://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	[ "$(last_hex)" = "${want/#05020002/0503000102}" ]
	run nks -U 'u x:wrong' -x "socks5h://u%20x:p%40s@127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	same_error -U 'u x:wrong' -x "socks5h://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$SAME_STATUS" -eq 97 ]
	[ "$SAME_MSG" = "(97) User was rejected by the SOCKS5 server (1 1)." ]
	same_error -x "socks5h://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$SAME_MSG" = "(97) No authentication method was acceptable." ]
}

@test "socks: a proxy that refuses gives curl's status and words" {
	local url="http://nk.test:$NGINX_PORT/hello.txt"
	start_socks --reply 5
	same_error -x "socks5h://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$SAME_MSG" = "(97) Can't complete SOCKS5 connection to nk.test. (5)" ]
	start_socks --reply 91
	same_error -x "socks4://127.0.0.1:$SOCKS_PORT" "http://127.0.0.1:$NGINX_PORT/"
	[ "$SAME_MSG" = "(97) Can't complete SOCKS4 connection to 127.0.0.1:$NGINX_PORT. (91), request rejected or failed." ]
	start_socks --reply 93
	same_error -x "socks4a://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$SAME_STATUS" -eq 97 ]
	start_socks --method 1
	same_error -x "socks5h://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$SAME_MSG" = "(97) SOCKS5 GSSAPI per-message authentication is not supported." ]
	start_socks --method 2
	same_error -x "socks5h://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$SAME_MSG" = "(97) User was rejected by the SOCKS5 server (1 1)." ]
	start_socks --method 9
	same_error -x "socks5h://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$SAME_MSG" = "(97) Undocumented SOCKS5 mode attempted to be used by server." ]
	start_socks --bad-version
	same_error -x "socks5h://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$SAME_MSG" = "(97) Received invalid version in initial SOCKS5 response." ]
	# A name to resolve here that does not resolve is the proxy step's.
	start_socks
	same_error -x "socks5://127.0.0.1:$SOCKS_PORT" "http://nope.invalid/"
	[ "$SAME_MSG" = "(97) Could not resolve host: nope.invalid" ]
	same_error -x "socks4://127.0.0.1:$SOCKS_PORT" "http://nope.invalid/"
	[ "$SAME_STATUS" -eq 97 ]
	# The socks5h proxy resolves it, and cannot reach it.
	same_error -x "socks5h://127.0.0.1:$SOCKS_PORT" "http://nope.invalid/"
	[ "$SAME_MSG" = "(97) Can't complete SOCKS5 connection to nope.invalid. (5)" ]
}

@test "socks: unreachable proxy 7, unknown proxy name 6 (curl 7.88's), a silent one times out (28)" {
	local url="http://nk.test:$NGINX_PORT/hello.txt"
	run nks -x "socks5h://127.0.0.1:$(fast_port)" "$url"
	[ "$status" -eq 7 ]
	# curl 7.88 says 6 here, or 5 when its resolver thread is slow (seen
	# under load): nk says 6, always, in curl's words.
	run nks -x "socks5h://proxy.invalid:1080" "$url"
	[ "$status" -eq 6 ]
	[ "$output" = "nk-http: (6) Could not resolve host: proxy.invalid" ]
	run curls -x "socks5h://proxy.invalid:1080" "$url"
	[ "$status" -eq 6 ] || [ "$status" -eq 5 ]
	[ "${output#curl: (?) }" = "Could not resolve host: proxy.invalid" ]
	start_socks --hang
	local t0=$SECONDS
	run nks --connect-timeout 1 -x "socks5h://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 28 ]
	[[ "$output" == "nk-http: (28) Connection timed out after "*" ms in the SOCKS handshake with 127.0.0.1:$SOCKS_PORT" ]]
	run nks -m 1 -x "socks5://127.0.0.1:$SOCKS_PORT" "http://127.0.0.1:$NGINX_PORT/"
	[ "$status" -eq 28 ]
	[ $((SECONDS - t0)) -lt 8 ]
}

@test "socks: ALL_PROXY from the environment; http_proxy and https_proxy first; no_proxy bypasses" {
	start_socks
	local url="http://nk.test:$NGINX_PORT/hello.txt" r="--resolve=nk.test:$NGINX_PORT:127.0.0.1"
	ALL_PROXY="socks5h://127.0.0.1:$SOCKS_PORT" run nks "$url"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	all_proxy="socks4a://127.0.0.1:$SOCKS_PORT" run nks "https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	# http_proxy names a proxy that is not there: it is the one used.
	ALL_PROXY="socks5h://127.0.0.1:$SOCKS_PORT" http_proxy="socks5h://127.0.0.1:$(fast_port)" \
		run nks "$url"
	[ "$status" -eq 7 ]
	ALL_PROXY="socks5h://127.0.0.1:$(fast_port)" https_proxy="socks5h://127.0.0.1:$SOCKS_PORT" \
		run nks "https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	# no_proxy and --noproxy: straight to nginx, the proxy sees nothing.
	ALL_PROXY="socks5h://127.0.0.1:$SOCKS_PORT" no_proxy="nk.test" run nks "$r" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	ALL_PROXY="socks5h://127.0.0.1:$SOCKS_PORT" run nks --noproxy '*' "$r" "$url"
	[ "$status" -eq 0 ]
	[ "$(seen | sed 's/ |.*//')" = "socks5 cmd=1 name nk.test $NGINX_PORT
socks4a cmd=1 name nk.test $NGINX_SPORT user=
socks5 cmd=1 name nk.test $NGINX_SPORT" ]
}

@test "socks: the request through the proxy is curl's, byte for byte; a second URL reuses the connection" {
	start_socks
	printf 'recv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\n\\r\\nok\\n\n' \
		>"$BATS_TEST_TMPDIR/ok.case"
	start_raw "$BATS_TEST_TMPDIR/ok.case" "$BATS_TEST_TMPDIR/nk"
	local url="http://nk.test:$RAW_PORT/a?b"
	run nks -A t -H 'X-A: 1' -x "socks5h://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = "ok" ]
	stop_raw
	start_raw "$BATS_TEST_TMPDIR/ok.case" "$BATS_TEST_TMPDIR/curl"
	url="http://nk.test:$RAW_PORT/a?b"
	run curls -A t -H 'X-A: 1' -x "socks5h://127.0.0.1:$SOCKS_PORT" "$url"
	[ "$status" -eq 0 ]
	stop_raw
	[ "$(sed "s/:[0-9]*\r/:P\r/" "$BATS_TEST_TMPDIR/nk/conn-1")" = \
	  "$(sed "s/:[0-9]*\r/:P\r/" "$BATS_TEST_TMPDIR/curl/conn-1")" ]
	grep -q "^GET /a?b HTTP/1.1" "$BATS_TEST_TMPDIR/nk/conn-1"
	# Two URLs, one connection, one handshake.
	: >"$BATS_TEST_TMPDIR/socks.log"
	run nks -x "socks5h://127.0.0.1:$SOCKS_PORT" -w '%{num_connects}\n' \
		"http://nk.test:$NGINX_PORT/hello.txt" "http://nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = $'hello world\n1\nhello world\n0' ]
	[ "$(seen | wc -l)" -eq 1 ]
}

@test "socks: microsocks, without and with -u/-P; socks5h sends it the name" {
	local port; port=$(fast_port)
	start_bg "$BATS_TEST_TMPDIR/ms.log" microsocks -i 127.0.0.1 -p "$port"
	wait_port "$port"
	run nks -x "socks5h://127.0.0.1:$port" "http://localhost:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	run nks -x "socks5://127.0.0.1:$port" "https://nk.test:$NGINX_SPORT/hello.txt" \
		--resolve "nk.test:$NGINX_SPORT:127.0.0.1"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	wait_for_line "$BATS_TEST_TMPDIR/ms.log" "connected to 127.0.0.1:$NGINX_SPORT" >/dev/null
	grep -q "connected to localhost:$NGINX_PORT\$" "$BATS_TEST_TMPDIR/ms.log"
	local aport; aport=$(fast_port)
	start_bg "$BATS_TEST_TMPDIR/msa.log" microsocks -i 127.0.0.1 -p "$aport" -u nk -P 's3 cret'
	wait_port "$aport"
	run nks -x "socks5h://nk:s3%20cret@127.0.0.1:$aport" "http://localhost:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	run nks -U 'nk:s3 cret' --socks5-hostname "127.0.0.1:$aport" "http://localhost:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	same_error -U 'nk:wrong' -x "socks5h://127.0.0.1:$aport" "http://localhost:$NGINX_PORT/hello.txt"
	[ "$SAME_MSG" = "(97) User was rejected by the SOCKS5 server (1 2)." ]
	same_error -x "socks5h://127.0.0.1:$aport" "http://localhost:$NGINX_PORT/hello.txt"
	[ "$SAME_MSG" = "(97) No authentication method was acceptable." ]
}

@test "socks: dante-server: SOCKS4, SOCKS5 and SOCKS5h" {
	[ "$(id -u)" -eq 0 ] || skip "danted here needs root (user.privileged)"
	local port; port=$(fast_port)
	cat >"$BATS_TEST_TMPDIR/danted.conf" <<-EOF
		logoutput: stderr
		internal: 127.0.0.1 port = $port
		external: 127.0.0.1
		clientmethod: none
		socksmethod: none
		user.privileged: root
		user.unprivileged: nobody
		client pass {
			from: 127.0.0.0/8 to: 0.0.0.0/0
		}
		socks pass {
			from: 127.0.0.0/8 to: 0.0.0.0/0
			command: connect
			log: connect
		}
	EOF
	start_bg "$BATS_TEST_TMPDIR/danted.log" danted -f "$BATS_TEST_TMPDIR/danted.conf" \
		-N 1 -p "$BATS_TEST_TMPDIR/danted.pid"
	wait_port "$port"
	local s
	for s in socks4 socks5 socks5h; do
		run nks -x "$s://127.0.0.1:$port" "http://localhost:$NGINX_PORT/hello.txt"
		[ "$status" -eq 0 ]
		[ "$output" = "hello world" ]
	done
	run nks -x "socks5://127.0.0.1:$port" --resolve "nk.test:$NGINX_SPORT:127.0.0.1" \
		"https://nk.test:$NGINX_SPORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
}
