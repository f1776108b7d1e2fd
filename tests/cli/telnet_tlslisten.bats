#!/usr/bin/env bats
# nk telnet -l --tls: the server's side of TLS, with --cert/--key and,
# with --cacert, a client certificate required and verified. Real peers on
# 127.0.0.1: ncat --ssl as client (verifying nk's certificate) and as
# server (nk verifying ncat's), and nk against nk, with and without a
# client certificate. Certificates from tests/certs/mkcerts.sh: the server
# serves ip-chain.pem (127.0.0.1, under root.pem); client.pem is a client
# certificate under root.pem; self.pem is nobody's.

load ../lib/common
load ../lib/listen

setup_file() {
	listen_tls_setup
}

@test "-l --tls: ncat --ssl-verify trusts nk's certificate; 1 MiB each way, sha256" {
	local port
	port=$(free_port)
	LISTEN_IN=$BATS_FILE_TMPDIR/a listen_bg "$port" "${SRV[@]}" -v 127.0.0.1 "$port"
	# --no-shutdown: ncat would close the whole TLS connection at the end
	# of its input, before nk's bytes are all in; nk ends it instead.
	timeout 30 ncat --ssl --ssl-verify --ssl-trustfile "$C/root.pem" --no-shutdown \
		127.0.0.1 "$port" <"$BATS_FILE_TMPDIR/b" >"$BATS_TEST_TMPDIR/out"
	wait_nk; [ "$NK_ST" -eq 0 ]
	[ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$BATS_FILE_TMPDIR/a")" ]
	[ "$(sha "$BATS_TEST_TMPDIR/lout")" = "$(sha "$BATS_FILE_TMPDIR/b")" ]
	grep -Eq '^TLS: TLSv1\.[23], [A-Z0-9_]+; no client certificate\.$' "$BATS_TEST_TMPDIR/lerr"
	# The same ncat refuses nk's certificate under another root: it did
	# verify.
	port=$(free_port)
	listen_bg "$port" "${SRV[@]}" 127.0.0.1 "$port"
	status=0
	echo x | timeout 10 ncat --ssl --ssl-verify --ssl-trustfile "$C/other-root.pem" \
		127.0.0.1 "$port" 2>"$BATS_TEST_TMPDIR/nerr" || status=$?
	[ "$status" -eq 1 ]
	wait_nk; [ "$NK_ST" -eq 35 ]
	[[ "$(cat "$BATS_TEST_TMPDIR/lerr")" =~ ^nk-telnet:\ TLS\ handshake\ with\ 127\.0\.0\.1\ port\ [0-9]+\ failed:\ tlsv1\ alert\ unknown\ ca$ ]]
}

# ncat_tls_bg PORT ARGS...: a one-connection ncat --ssl -l with nk's
# test certificate on 127.0.0.1:PORT, ncat's stdin and stdout as given
# by NCAT_IN and NCAT_OUT. Sets NCAT_PID.
ncat_tls_bg() {
	local port=$1; shift
	ncat --ssl -l 127.0.0.1 "$port" --ssl-cert "$C/ip-chain.pem" \
		--ssl-key "$C/leaf.key" "$@" <"${NCAT_IN:-/dev/null}" \
		>"${NCAT_OUT:-/dev/null}" 2>"$BATS_TEST_TMPDIR/ncat.err" &
	NCAT_PID=$!
	echo "$NCAT_PID" >>"$BATS_TEST_TMPDIR/pids"
	wait_listen "$port"
}

@test "nk --tls verifies ncat --ssl -l's certificate: 1 MiB each way; another CA fails with 60" {
	local port
	port=$(free_port)
	# --no-shutdown: ncat stays for nk's bytes after its own have gone.
	NCAT_IN=$BATS_FILE_TMPDIR/a NCAT_OUT=$BATS_TEST_TMPDIR/ngot \
		ncat_tls_bg "$port" --no-shutdown
	timeout 30 nk-telnet --raw --tls --cacert "$C/root.pem" 127.0.0.1 "$port" \
		<"$BATS_FILE_TMPDIR/b" >"$BATS_TEST_TMPDIR/out"
	timeout 10 sh -c 'while kill -0 "$1" 2>/dev/null; do sleep 0.1; done' sh "$NCAT_PID"
	[ "$(sha "$BATS_TEST_TMPDIR/ngot")" = "$(sha "$BATS_FILE_TMPDIR/b")" ]
	[ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$BATS_FILE_TMPDIR/a")" ]
	port=$(free_port)
	ncat_tls_bg "$port"
	run timeout 10 nk-telnet --tls --cacert "$C/other-root.pem" 127.0.0.1 "$port" </dev/null
	[ "$status" -eq 60 ]
	[[ "$output" == "nk-telnet: certificate verification failed for 127.0.0.1: "* ]]
}

@test "nk -l --tls --cacert and nk --tls --cert: a verified pipe both ways, 1 MiB each, sha256" {
	local port
	port=$(free_port)
	LISTEN_IN=$BATS_FILE_TMPDIR/a listen_bg "$port" "${SRV[@]}" --cacert "$C/root.pem" \
		-v 127.0.0.1 "$port"
	timeout 30 nk-telnet --raw --tls --cacert "$C/root.pem" --cert "$C/client.pem" \
		--key "$C/client.key" 127.0.0.1 "$port" <"$BATS_FILE_TMPDIR/b" \
		>"$BATS_TEST_TMPDIR/out"
	wait_nk; [ "$NK_ST" -eq 0 ]
	[ "$(sha "$BATS_TEST_TMPDIR/out")" = "$(sha "$BATS_FILE_TMPDIR/a")" ]
	[ "$(sha "$BATS_TEST_TMPDIR/lout")" = "$(sha "$BATS_FILE_TMPDIR/b")" ]
	grep -Eq "^TLS: TLSv1\.3, [A-Z0-9_]+; client certificate verified: CN=nk test client\.$" \
		"$BATS_TEST_TMPDIR/lerr"
}

@test "-l --tls --cacert: ncat with a client certificate gets in" {
	local port
	port=$(free_port)
	listen_bg "$port" "${SRV[@]}" --cacert "$C/root.pem" 127.0.0.1 "$port"
	printf 'from ncat\n' | timeout 10 ncat --ssl --ssl-verify --ssl-trustfile "$C/root.pem" \
		--ssl-cert "$C/client.pem" --ssl-key "$C/client.key" 127.0.0.1 "$port"
	wait_nk; [ "$NK_ST" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/lout")" = "from ncat" ]
}

@test "-l --tls --cacert: no client certificate fails 35 (client 56), an untrusted one 60" {
	local port
	port=$(free_port)
	listen_bg "$port" "${SRV[@]}" --cacert "$C/root.pem" 127.0.0.1 "$port"
	status=0
	echo secret | timeout 10 nk-telnet --tls --cacert "$C/root.pem" 127.0.0.1 "$port" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	wait_nk
	[ "$NK_ST" -eq 35 ]
	[[ "$(cat "$BATS_TEST_TMPDIR/lerr")" =~ ^nk-telnet:\ TLS\ handshake\ with\ 127\.0\.0\.1\ port\ [0-9]+\ failed:\ the\ client\ sent\ no\ certificate,\ and\ one\ is\ required$ ]]
	[ ! -s "$BATS_TEST_TMPDIR/lout" ]
	[ "$status" -eq 56 ]
	# Whether "secret" was still unsent when the alert came depends on
	# timing; when it was, the message says so (cmd/telnet/session.c).
	[[ "$(cat "$BATS_TEST_TMPDIR/err")" =~ ^nk-telnet:\ reading\ from\ 127\.0\.0\.1\ port\ $port\ over\ TLS:\ tlsv13\ alert\ certificate\ required(:\ (at\ least\ )?7\ bytes\ of\ input\ not\ sent)?$ ]]

	port=$(free_port)
	listen_bg "$port" "${SRV[@]}" --cacert "$C/root.pem" 127.0.0.1 "$port"
	status=0
	echo secret | timeout 10 nk-telnet --tls --cacert "$C/root.pem" --cert "$C/self.pem" \
		--key "$C/leaf.key" 127.0.0.1 "$port" >/dev/null 2>&1 || status=$?
	wait_nk
	[ "$NK_ST" -eq 60 ]
	[[ "$(cat "$BATS_TEST_TMPDIR/lerr")" =~ ^nk-telnet:\ client\ certificate\ verification\ failed\ for\ 127\.0\.0\.1\ port\ [0-9]+:\ self-signed\ certificate$ ]]
	[ ! -s "$BATS_TEST_TMPDIR/lout" ]
	[ "$status" -eq 56 ]
}

@test "-l --tls --keep-open: a refused client, then a good one is served" {
	local port
	port=$(free_port)
	listen_bg "$port" "${SRV[@]}" --cacert "$C/root.pem" --keep-open 127.0.0.1 "$port"
	echo bad | timeout 10 nk-telnet --tls --cacert "$C/root.pem" 127.0.0.1 "$port" \
		>/dev/null 2>&1 || true
	echo good | timeout 10 nk-telnet --tls --cacert "$C/root.pem" --cert "$C/client.pem" \
		--key "$C/client.key" 127.0.0.1 "$port" >/dev/null
	timeout 10 sh -c 'until [ -s "$1" ]; do sleep 0.1; done' sh "$BATS_TEST_TMPDIR/lout"
	kill -0 "$NK_PID"
	[ "$(cat "$BATS_TEST_TMPDIR/lout")" = "good" ]
	grep -q 'the client sent no certificate' "$BATS_TEST_TMPDIR/lerr"
	kill -TERM "$NK_PID"
	wait_nk
}

@test "-l --tls: -k asks for a client certificate without checking it, -v says why not" {
	local port
	port=$(free_port)
	listen_bg "$port" "${SRV[@]}" --cacert "$C/root.pem" -k -v 127.0.0.1 "$port"
	echo hi | timeout 10 nk-telnet --tls --cacert "$C/root.pem" --cert "$C/self.pem" \
		--key "$C/leaf.key" 127.0.0.1 "$port" >/dev/null
	wait_nk; [ "$NK_ST" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/lout")" = "hi" ]
	grep -Eq '^TLS: TLSv1\.3, [A-Z0-9_]+; client certificate NOT verified \(--insecure\): CN=self\.test: self-signed certificate\.$' \
		"$BATS_TEST_TMPDIR/lerr"
}

@test "-l --tls: usage errors exit 2, unusable files 58 and 77" {
	run timeout 10 nk-telnet -l --tls 127.0.0.1 1
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: -l --tls needs the server's certificate: --cert FILE (and --key FILE)" ]
	run timeout 10 nk-telnet -l --cert "$C/ip-chain.pem" 127.0.0.1 1
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: --cacert, --capath, -k, --servername, --cert and --key need --tls" ]
	run timeout 10 nk-telnet -l "${SRV[@]}" --servername x.test 127.0.0.1 1
	[ "$status" -eq 2 ]
	[ "$output" = "nk-telnet: -l takes none of -z, --source and --servername" ]
	run timeout 10 nk-telnet -l --tls --cert "$C/ip-chain.pem" --key "$C/client.key" 127.0.0.1 "$(free_port)"
	[ "$status" -eq 58 ]
	[ "$output" = "nk-telnet: cannot use server key $C/client.key: key values mismatch" ]
	run timeout 10 nk-telnet -l "${SRV[@]}" --cacert "$C/nonexistent.pem" 127.0.0.1 "$(free_port)"
	[ "$status" -eq 77 ]
	[[ "$output" == "nk-telnet: cannot use CA file $C/nonexistent.pem: "* ]]
}

@test "-l --tls: a client speaking plain text fails 35; a silent one 28 after --connect-timeout" {
	local port
	port=$(free_port)
	listen_bg "$port" "${SRV[@]}" 127.0.0.1 "$port"
	printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 nc -N 127.0.0.1 "$port" >"$BATS_TEST_TMPDIR/out" || true
	wait_nk; [ "$NK_ST" -eq 35 ]
	[[ "$(cat "$BATS_TEST_TMPDIR/lerr")" =~ ^nk-telnet:\ TLS\ handshake\ with\ 127\.0\.0\.1\ port\ [0-9]+\ failed:\ http\ request$ ]]
	[ ! -s "$BATS_TEST_TMPDIR/lout" ]
	port=$(free_port)
	listen_bg "$port" "${SRV[@]}" --connect-timeout 0.5 127.0.0.1 "$port"
	timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"; sleep 1.5' bash "$port"
	wait_nk; [ "$NK_ST" -eq 28 ]
	[[ "$(cat "$BATS_TEST_TMPDIR/lerr")" =~ ^nk-telnet:\ TLS\ handshake\ with\ 127\.0\.0\.1\ port\ [0-9]+\ timed\ out$ ]]
}
