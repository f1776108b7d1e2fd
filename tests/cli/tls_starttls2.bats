#!/usr/bin/env bats
# nk tls --starttls for the protocols beyond smtp/imap/pop3/ftp.
#
# Real servers from Debian, started by the tests on 127.0.0.1: PostgreSQL
# (initdb + postgres, ssl=on / ssl=off; as nobody when the tests run as
# root), OpenLDAP's slapd (slapd.conf with and without TLS), MariaDB
# (mariadbd on an empty data directory with --skip-grant-tables, with and
# without a certificate) and Prosody (xmpp and xmpp-server, with and
# without mod_tls). A scripted peer, tests/servers/starttls2_peer.py,
# plays LMTP, NNTP, ManageSieve and IRC, for which no Debian server starts
# in a test quickly without a system configuration, and XMPP's <failure/>
# and plain text after <proceed/>, which Prosody never sends; it follows
# each RFC's exchange. Other hostile bytes (after PostgreSQL's S, LDAP
# notices and bad BER, MySQL error greetings) come from one-shot scripts.

load ../lib/common
load ../lib/starttls
bats_require_minimum_version 1.5.0

setup_file() {
	export C="$BATS_FILE_TMPDIR/certs"
	"$TESTS_DIR/certs/mkcerts.sh" "$C" >/dev/null 2>&1
	# PostgreSQL's own directory: nobody must reach it, and
	# BATS_FILE_TMPDIR's parents may be closed to nobody.
	SRV=$(mktemp -d /tmp/nk-stls2.XXXXXX)
	export SRV
	chmod 755 "$SRV"
	cp "$C/valid-chain.pem" "$C/leaf.key" "$SRV/"
	chmod 600 "$SRV/leaf.key"
	if [ "$(id -u)" = 0 ]; then
		chown -R 65534:65534 "$SRV"
	fi
}

teardown_file() {
	if [ -n "${SRV:-}" ]; then
		rm -rf "$SRV"
	fi
}

# as_srv CMD...: CMD as nobody when we are root (PostgreSQL refuses to run
# as root), else as ourselves.
as_srv() {
	if [ "$(id -u)" = 0 ]; then
		exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	fi
	exec "$@"
}

# peer PROTO [--refuse|--no-offer|--inject]: the scripted peer; sets PORT
# and LOG.
peer() {
	starttls_peer starttls2_peer.py "$@"
}

# The report of a verified upgrade: the verdict, the STARTTLS line, the
# leaf as the server sent it.
reported() {
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Verdict     OK: the chain verifies for valid.test" ]
	[ "${lines[1]}" = "Server      valid.test port $PORT, address 127.0.0.1 port $PORT, STARTTLS $1" ]
	grep -qx '  \[0\] CN=valid.test  = path \[0\]' <<<"$output"
}

# The -v dialogue without the connect line.
dialogue() {
	grep -v '^nk-tls: connect ' <<<"$stderr"
}

# pg on|off: a PostgreSQL server with ssl on or off; sets PORT. The
# cluster is made once per file (initdb takes about 2 s).
pg() {
	local pgbin
	pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
	if [ ! -d "$SRV/pg" ]; then
		(as_srv "$pgbin/initdb" -D "$SRV/pg" -A trust -U nk --no-sync \
			--no-instructions) >"$SRV/initdb.log" 2>&1 </dev/null
	fi
	PORT=$(free_port)
	LOG="$BATS_TEST_TMPDIR/pg.log"
	start_bg "$LOG" as_srv "$pgbin/postgres" -D "$SRV/pg" -k "$SRV" \
		-p "$PORT" -c listen_addresses=127.0.0.1 -c ssl="$1" \
		-c ssl_cert_file="$SRV/valid-chain.pem" \
		-c ssl_key_file="$SRV/leaf.key" -c fsync=off
	wait_for_line "$LOG" 'ready to accept connections' 10 >/dev/null
}

# ldap tls|notls: slapd with or without a certificate; sets PORT.
ldap() {
	local conf="$BATS_TEST_TMPDIR/slapd.conf"
	printf 'pidfile %s/slapd.pid\n' "$BATS_TEST_TMPDIR" >"$conf"
	if [ "$1" = tls ]; then
		printf 'TLSCertificateFile %s\nTLSCertificateKeyFile %s\n' \
			"$C/valid-chain.pem" "$C/leaf.key" >>"$conf"
	fi
	PORT=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/slapd.log" slapd -f "$conf" \
		-h "ldap://127.0.0.1:$PORT/" -d 0
	wait_port "$PORT" 5
}

# maria tls|notls: mariadbd on an empty data directory; sets PORT.
maria() {
	local d="$BATS_TEST_TMPDIR/maria" tls=()
	mkdir -p "$d/data"
	if [ "$1" = tls ]; then
		tls=(--ssl-cert="$C/valid-chain.pem" --ssl-key="$C/leaf.key")
	fi
	PORT=$(free_port)
	LOG="$BATS_TEST_TMPDIR/maria.log"
	start_bg "$LOG" mariadbd --no-defaults --datadir="$d/data" \
		--skip-grant-tables --user="$(id -un)" --port="$PORT" \
		--bind-address=127.0.0.1 --socket="$d/sock" --pid-file="$d/pid" \
		--skip-log-bin --innodb-buffer-pool-size=8M "${tls[@]}"
	wait_for_line "$LOG" 'ready for connections' 10 >/dev/null
}

@test "postgres: SSLRequest, S, then the report (PostgreSQL)" {
	pg on
	starttls postgres -v
	reported postgres
	[ "$(dialogue)" = "$(printf '> SSLRequest\n< S')" ]
}

@test "postgres: a server with ssl=off answers N: exit 35" {
	pg off
	starttls postgres
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: PostgreSQL server refused SSL (N)" ]
	[ -z "$output" ]
}

@test "ldap: the StartTLS extended operation (slapd)" {
	ldap tls
	starttls ldap -v
	reported ldap
	[ "$(dialogue)" = "> ExtendedRequest 1.3.6.1.4.1.1466.20037 (StartTLS), message 1
< ExtendedResponse, message 1, result 0" ]
}

@test "ldap: slapd without TLS refuses: exit 35 with its result" {
	ldap notls
	starttls ldap --json
	[ "$status" -eq 35 ]
	jq -e '.error.code == 35 and .error.message == "STARTTLS: LDAP server refused StartTLS: result 2: unsupported extended operation"' <<<"$output"
}

@test "mysql: the greeting's CLIENT_SSL, the SSL request (MariaDB)" {
	maria tls
	starttls mysql -v
	reported mysql
	local d
	d=$(dialogue)
	[ "$(sed -n 2p <<<"$d")" = "> SSL request" ]
	[[ "$(sed -n 1p <<<"$d")" == "< greeting: protocol 10, server "*MariaDB*", SSL" ]]
}

@test "mysql: MariaDB without a certificate does not offer SSL: exit 35" {
	maria notls
	starttls mysql
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: MySQL server does not offer SSL" ]
}

@test "lmtp, nntp, sieve, irc: each dialogue, then the report" {
	peer lmtp
	starttls lmtp
	reported lmtp
	[ "$(client_lines)" = "$(printf 'LHLO nk.invalid\nSTARTTLS')" ]
	peer nntp
	starttls nntp
	reported nntp
	[ "$(client_lines)" = "$(printf 'CAPABILITIES\nSTARTTLS')" ]
	peer sieve
	starttls sieve
	reported sieve
	[ "$(client_lines)" = "STARTTLS" ]
	peer irc
	starttls irc
	reported irc
	[ "$(client_lines)" = "STARTTLS" ]
}

@test "xmpp and xmpp-server: the stream to the server's name, <starttls/>, <proceed/>" {
	peer xmpp
	starttls xmpp
	reported xmpp
	[ "$(client_lines)" = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='valid.test' version='1.0'>
<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" ]
	# The domain is --servername's when given.
	peer xmpp-server
	run --separate-stderr timeout 20 nk-tls --cacert "$C/root.pem" \
		--servername valid.test --starttls xmpp-server "127.0.0.1:$PORT"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Verdict     OK: the chain verifies for valid.test" ]
	[ "$(client_lines | head -1)" = "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' to='valid.test' version='1.0'>" ]
}

@test "refusals: exit 35, one line with the server's answer" {
	local p want
	while IFS='|' read -r p want; do
		peer "$p" --refuse
		starttls "$p"
		[ "$status" -eq 35 ]
		[ "$stderr" = "nk-tls: STARTTLS: $want" ]
		[ -z "$output" ]
	done <<'END'
lmtp|LMTP server refused STARTTLS: 454 4.7.0 TLS not available
nntp|NNTP server refused STARTTLS: 580 Can not initiate TLS negotiation
sieve|Sieve server refused STARTTLS: NO "TLS not available"
irc|IRC server refused STARTTLS: :irc.test 691 * :STARTTLS failed
xmpp|XMPP server refused STARTTLS: <failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>
END
}

@test "a server that does not offer STARTTLS: exit 35" {
	local p
	for p in lmtp:LMTP nntp:NNTP sieve:Sieve xmpp:XMPP; do
		peer "${p%:*}" --no-offer
		starttls "${p%:*}"
		[ "$status" -eq 35 ]
		[ "$stderr" = "nk-tls: STARTTLS: ${p#*:} server does not offer STARTTLS" ]
	done
}

@test "plain text after the go-ahead is refused, not fed to TLS" {
	local p
	for p in lmtp:LMTP nntp:NNTP sieve:Sieve irc:IRC xmpp:XMPP; do
		peer "${p%:*}" --inject
		starttls "${p%:*}"
		[ "$status" -eq 35 ]
		[ "$stderr" = "nk-tls: STARTTLS: ${p#*:} server sent data after agreeing to start TLS" ]
	done
	# PostgreSQL's 'S' with bytes behind it (CVE-2021-23222 had libpq
	# take such bytes as TLS data).
	LOG="$BATS_TEST_TMPDIR/pgfake.log"
	start_bg "$LOG" python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print("Listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
c, _ = s.accept(); c.settimeout(10)
print("C: " + c.recv(8).hex(), flush=True)
c.sendall(b"Sinjected"); c.recv(1)
'
	local line
	line=$(wait_for_line "$LOG" '^Listening on ')
	PORT=${line##*:}
	starttls postgres
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: PostgreSQL server sent data after agreeing to start TLS" ]
	[ "$(client_lines)" = "0000000804d2162f" ]
}

@test "the default port follows the protocol" {
	local closed p
	closed=$(free_port)
	for p in lmtp:24 nntp:119 sieve:4190 irc:6667 xmpp:5222 \
		xmpp-server:5269 ldap:389 postgres:5432 mysql:3306; do
		run --separate-stderr timeout 20 nk-tls --starttls "${p%:*}" --json \
			--connect-to "::127.0.0.1:$closed" mail.test
		[ "$status" -eq 7 ]
		jq -e --argjson p "${p#*:}" '.port == $p and .error.code == 7' <<<"$output"
	done
}

# --probe and the fleet run the dialogue in threads, one per connection.
@test "--probe --starttls postgres, and a fleet of ldap and postgres lines" {
	pg on
	local pgport=$PORT
	SECONDS=0
	run --separate-stderr timeout 60 nk-tls --probe --json --starttls postgres \
		--resolve "valid.test:$pgport:127.0.0.1" "valid.test:$pgport"
	[ "$status" -eq 0 ]
	jq -e '.starttls == "postgres" and .probe.versions["TLSv1.3"] == true and
		.probe.handshakes > 10' <<<"$output"
	ldap tls
	printf '%s\n' "valid.test:$pgport --starttls postgres" \
		"valid.test:$PORT --starttls ldap" \
		"valid.test:$pgport --starttls postgres" >"$BATS_TEST_TMPDIR/fleet"
	run --separate-stderr timeout 30 nk-tls --json --cacert "$C/root.pem" \
		--resolve "valid.test:$pgport:127.0.0.1" \
		--resolve "valid.test:$PORT:127.0.0.1" -f "$BATS_TEST_TMPDIR/fleet"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.starttls + " " + (.verification.verified | tostring)' <<<"$output" | sort)" = "ldap true
postgres true
postgres true" ]
}

# raw_peer HEX: a peer that sends these bytes as soon as it accepts, then
# reads until the client closes; sets PORT.
raw_peer() {
	NPEER=$((${NPEER:-0} + 1))
	LOG="$BATS_TEST_TMPDIR/raw.$NPEER.log"
	start_bg "$LOG" python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print("Listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
c, _ = s.accept(); c.settimeout(10)
c.sendall(bytes.fromhex(sys.argv[1]))
while c.recv(4096):
    pass
' "$1"
	local line
	line=$(wait_for_line "$LOG" '^Listening on ')
	PORT=${line##*:}
}

hex() {
	printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}

@test "what the servers say when they will not: stream errors, notices, error packets" {
	raw_peer "$(hex "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='x'><stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>")"
	starttls xmpp
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: XMPP server sent a stream error: host-unknown" ]
	# LDAP: a notice of disconnection (message 0, RFC 4511 4.4.1), with
	# OpenLDAP's 4-byte lengths.
	local op="0a01340400" notice
	op+="0409$(hex 'shut down')8a16$(hex '1.3.6.1.4.1.1466.20036')"
	notice="020100788400000028$op"
	[ ${#notice} = $((2 * 0x31)) ]
	raw_peer "308400000031$notice"
	starttls ldap
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: LDAP server refused StartTLS: unsolicited notice, result 52: shut down" ]
	# MySQL: the greeting is an error packet.
	local err="ff6a04$(hex "#HY000Host '127.0.0.1' is not allowed")"
	raw_peer "$(printf '%02x0000' $((${#err} / 2)))00$err"
	starttls mysql
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: MySQL server refused the connection: 1130 Host '127.0.0.1' is not allowed" ]
	# A BER length past what was sent.
	raw_peer "300a02010178050a01000400"
	starttls ldap
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: LDAP server sent a malformed extended response" ]
}

@test "xmpp: a --servername that is no domain is not written into the stream" {
	peer xmpp
	starttls xmpp --servername "a'b"
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: XMPP needs a domain name for its stream header (--servername)" ]
	[ -z "$(client_lines)" ]
}

# xmpp_real tls|notls: Prosody with c2s and s2s ports, the VirtualHost
# valid.test, with or without a certificate; sets PORT (c2s) and S2S.
xmpp_real() {
	local d="$BATS_TEST_TMPDIR/prosody"
	mkdir -p "$d"
	PORT=$(free_port)
	S2S=$(free_port)
	{
		# root in a container; harmless otherwise
		echo 'run_as_root = true'
		echo "pidfile = \"$d/prosody.pid\""
		echo "data_path = \"$d\""
		echo 'log = { { levels = { min = "info" }, to = "console" } }'
		echo 'interfaces = { "127.0.0.1" }'
		echo "c2s_ports = { $PORT }"
		echo "s2s_ports = { $S2S }"
		echo 'c2s_direct_tls_ports = { }'
		echo 'http_ports = { }'
		echo 'https_ports = { }'
		echo 'modules_disabled = { "posix" }'
		if [ "$1" = tls ]; then
			echo 'modules_enabled = { "tls", "saslauth", "disco", "dialback" }'
			echo "ssl = { certificate = \"$C/valid-chain.pem\"; key = \"$C/leaf.key\"; }"
		else
			# without mod_tls there is no <starttls/> feature
			echo 'modules_enabled = { "saslauth", "disco", "dialback" }'
			echo 'c2s_require_encryption = false'
			echo 's2s_require_encryption = false'
		fi
		echo 'VirtualHost "valid.test"'
	} >"$d/prosody.cfg.lua"
	LOG="$BATS_TEST_TMPDIR/prosody.log"
	start_bg "$LOG" prosody --config "$d/prosody.cfg.lua" -F
	wait_for_line "$LOG" "Activated service 's2s' on" 10 >/dev/null
}

@test "xmpp and xmpp-server against Prosody" {
	xmpp_real tls
	starttls xmpp -v
	reported xmpp
	[ "$(dialogue | tail -2)" = "> <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>
< <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" ]
	PORT=$S2S
	starttls xmpp-server
	reported xmpp-server
	# A domain Prosody does not serve: its stream error, named.
	run --separate-stderr timeout 20 nk-tls --cacert "$C/root.pem" \
		--servername other.test --starttls xmpp "127.0.0.1:$S2S"
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: XMPP server sent a stream error: host-unknown" ]
}

@test "xmpp: Prosody without a certificate does not offer STARTTLS: exit 35" {
	xmpp_real notls
	starttls xmpp
	[ "$status" -eq 35 ]
	[ "$stderr" = "nk-tls: STARTTLS: XMPP server does not offer STARTTLS" ]
}
