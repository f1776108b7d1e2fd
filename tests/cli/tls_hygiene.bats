#!/usr/bin/env bats
# Low-level hygiene of libnk under the tools: output that is an O_NONBLOCK
# pipe, the TLS session cache's keys and what it keeps after errors, the
# trust store's fallback to the default bundle, and the deadlines of the
# STARTTLS dialogue and of name lookups. Servers: nginx, openssl s_server,
# and small python peers, all on 127.0.0.1.
load ../lib/common
load ../lib/http
bats_require_minimum_version 1.5.0

setup_file() {
	start_nginx
	# 1 MB: many times a pipe's 64 KiB.
	head -c 1000000 /dev/urandom >"$NGINX_DIR/www/1m.bin"
}

teardown_file() {
	stop_nginx
}

# python3 -c "$SLOW_READER" CMD...: runs CMD with stdout an O_NONBLOCK pipe
# that is read 64 KiB at a time, a tenth of a second apart; prints the
# bytes read and CMD's exit status.
SLOW_READER='
import fcntl, os, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
p = subprocess.Popen(sys.argv[1:], stdout=w)
os.close(w)
total = 0
while True:
    time.sleep(0.1)
    b = os.read(r, 65536)
    if not b:
        break
    total += len(b)
print(total, p.wait())
'


@test "a full O_NONBLOCK stdout pipe is waited for, not retried in a loop" {
	local st=$BATS_TEST_TMPDIR/strace.txt
	# LeakSanitizer cannot work under strace.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		run timeout 60 "$PYTHON" -c "$SLOW_READER" strace -f -qq -c -e trace=splice -o "$st" \
		nk-http "http://127.0.0.1:$NGINX_PORT/1m.bin"
	[ "$status" -eq 0 ]
	[ "$output" = "1000000 0" ]
	# Each wait used to be a failing splice call at once: 52,000 of them
	# while the reader slept. Waiting leaves a few per refill.
	local failed
	failed=$(awk '$NF == "splice" { print ($5 ~ /^[0-9]+$/ ? $5 : 0) }' "$st")
	echo "failed splice calls: $failed" >&2
	[ "${failed:-0}" -lt 1000 ]
}

# start_proxy: tests/servers/proxy.py, nk.test mapped to 127.0.0.1; sets
# PROXY_PORT.
start_proxy() {
	start_bg "$BATS_TEST_TMPDIR/proxy.out" "$PYTHON" "$SERVERS_DIR/proxy.py" \
		--map nk.test=127.0.0.1
	local line
	line=$(wait_for_line "$BATS_TEST_TMPDIR/proxy.out" '^Listening on ') || return 1
	PROXY_PORT=${line##*:}
}

@test "through a CONNECT proxy, sessions are kept per target port, not per proxy port" {
	start_proxy
	# A second server for nk.test, on another port: s_server, which
	# closes after each answer as nginx does after "Connection: close".
	local port; port=$(fast_port)
	start_bg "$BATS_TEST_TMPDIR/s_server.log" openssl s_server -quiet -www \
		-accept "127.0.0.1:$port" -cert "$NGINX_DIR/certs/server.pem" \
		-key "$NGINX_DIR/certs/server.key"
	wait_port "$port"
	local a="https://nk.test:$NGINX_SPORT/hello.txt" b="https://nk.test:$port/"
	local n=/dev/null
	run --separate-stderr timeout 30 nk-http -s -S -H 'Connection: close' \
		--cacert "$NGINX_DIR/certs/ca.pem" -x "127.0.0.1:$PROXY_PORT" \
		-w '%{json}\n' "$a" -o $n "$b" -o $n "$a" -o $n "$b" -o $n
	[ "$status" -eq 0 ]
	# One slot per server: the second visit to each resumes.
	[ "$(jq -r '.hops[0].tls.resumed' <<<"$output" | tr '\n' ' ')" = "false false true true " ]
	# Messages name the server, not the proxy's address.
	run --separate-stderr timeout 30 nk-http -s -S -x "127.0.0.1:$PROXY_PORT" \
		"https://nk.test:$NGINX_PORT/"
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-http: (35) TLS handshake with nk.test failed: wrong version number" ]
}

# The trust store's default file is the hashed directory's fallback: read
# when the directory lacks an issuer (an empty one, as on systems that ship
# only a bundle), and not read at all when the directory has the root, for
# a chain with an intermediate too (OpenSSL looks for the intermediate in
# the store before it takes the one the server sent).
@test "the default CA file is read when the directory lacks the issuer, and only then" {
	local C=$BATS_TEST_TMPDIR/certs
	"$TESTS_DIR/certs/mkcerts.sh" "$C" >/dev/null 2>&1
	local port; port=$(fast_port)
	start_bg "$BATS_TEST_TMPDIR/s_server.log" openssl s_server -quiet -www \
		-accept "127.0.0.1:$port" -cert "$C/valid.pem" -key "$C/leaf.key" \
		-cert_chain "$C/int.pem"
	wait_port "$port"
	local url="https://valid.test:$port/" r="--resolve=valid.test:$port:127.0.0.1"
	local empty=$BATS_TEST_TMPDIR/empty
	mkdir "$empty"
	run --separate-stderr env SSL_CERT_DIR="$empty" SSL_CERT_FILE="$C/root.pem" \
		timeout 20 nk-http -s -S -o /dev/null -w '%{http_code}' "$r" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = 200 ]
	run --separate-stderr env SSL_CERT_DIR="$empty" SSL_CERT_FILE="$C/root.pem" \
		timeout 20 nk-tls "$r" "valid.test:$port"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Verdict     OK: the chain verifies for valid.test" ]
	# Another root in the file: still the usual verdict.
	run --separate-stderr env SSL_CERT_DIR="$empty" SSL_CERT_FILE="$C/other-root.pem" \
		timeout 20 nk-tls "$r" "valid.test:$port"
	[ "$status" -eq 60 ]
	[ "${lines[0]}" = "Verdict     FAILED: unknown issuer: CN=nk Test Root" ]
	# The directory has the root: the file is never opened.
	local st=$BATS_TEST_TMPDIR/strace.txt
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		run --separate-stderr env SSL_CERT_DIR="$C/capath" SSL_CERT_FILE="$C/root.pem" \
		timeout 20 strace -f -qq -e trace=open,openat -o "$st" \
		nk-http -s -S -o /dev/null -w '%{http_code}' "$r" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = 200 ]
	[ "$(grep -cF "\"$C/root.pem\"" "$st")" = 0 ]
	grep -qF "\"$C/capath/" "$st"
	# A file that is not there is said at once.
	run --separate-stderr env SSL_CERT_DIR="$empty" SSL_CERT_FILE="$empty/none.pem" \
		timeout 20 nk-http -s -S "$r" "$url"
	[ "$status" -eq 77 ]
	[ "$stderr" = "nk-http: (77) cannot use CA file $empty/none.pem: No such file or directory" ]
}
