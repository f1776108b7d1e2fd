#!/usr/bin/env bats
# nk tls --ocsp, --crl, --revocation-required and SCTs. A PKI per run
# (tests/certs/mkrevoke.sh) whose leaves name an OCSP responder and a CRL
# on two ports of 127.0.0.1 chosen here; each test starts what it needs:
# `openssl ocsp -index` as the responder, python3 http.server for the CRL,
# openssl s_server for the leaf (with -status_file for a staple, and
# -serverinfo for an SCT in the handshake). SCTs cannot be minted without
# a CT log, so tests/servers/sct_list.py makes them up (a scripted peer's
# bytes: nk reports SCTs and does not validate them).

load ../lib/common
load ../lib/tls
bats_require_minimum_version 1.5.0

setup_file() {
	export P="$BATS_FILE_TMPDIR/pki"
	OCSP_PORT=$(free_port)
	CRL_PORT=$(free_port)
	while [ "$CRL_PORT" = "$OCSP_PORT" ]; do CRL_PORT=$(free_port); done
	export OCSP_PORT CRL_PORT
	"$TESTS_DIR/certs/mkrevoke.sh" "$P" "$OCSP_PORT" "$CRL_PORT" >/dev/null 2>&1
}

# responder [SIGNER KEY]: openssl ocsp on OCSP_PORT answering from the
# CA's index, signing as the root (or as SIGNER).
responder() {
	local cert=${1:-$P/root.pem} key=${2:-$P/root.key}
	local log="$BATS_TEST_TMPDIR/ocsp.log"
	start_bg "$log" openssl ocsp -index "$P/index.txt" -port "$OCSP_PORT" \
		-rsigner "$cert" -rkey "$key" -CA "$P/root.pem" -nmin 5
	wait_for_line "$log" 'waiting for OCSP client connections' >/dev/null
}

# www: http.server on CRL_PORT serving $WWW (made empty).
www() {
	WWW="$BATS_TEST_TMPDIR/www"
	mkdir -p "$WWW"
	start_bg "$BATS_TEST_TMPDIR/http.log" python3 -m http.server \
		--bind 127.0.0.1 --directory "$WWW" "$CRL_PORT"
	wait_port "$CRL_PORT"
}

# crl_server [FILE]: www serving FILE (default the root's CRL) as
# /root.crl.
crl_server() {
	www
	cp "${1:-$P/root.crl}" "$WWW/root.crl"
}

# serve NAME [s_server options...]: NAME.pem on a free port; sets PORT.
serve() {
	local name=$1; shift
	s_server_www "$P/$name.pem" "$P/leaf.key" "$@"
}

# tls NAME [options...]: nk tls for NAME.test:$PORT, trusting the root.
tls() {
	local name=$1; shift
	tls_run 30 "$P/root.pem" "$name.test" "$@"
}

# The "OCSP check" or "CRL check" line and the one after it.
check_lines() {
	grep -A1 "^$1" <<<"$output"
}

ts='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC'

@test "--ocsp and --crl on a good leaf: good, not listed, exit 0" {
	responder
	crl_server
	serve good
	tls good --ocsp --crl
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Verdict     OK: the chain verifies for good.test" ]
	[ "${lines[4]}" = "OCSP        no stapled response" ]
	[[ "${lines[5]}" =~ ^OCSP\ check\ \ good\ \(response\ of\ $ts,\ next\ by\ $ts\)$ ]]
	[[ "${lines[6]}" =~ ^\ {12}from\ http://127\.0\.0\.1:$OCSP_PORT/\ \([0-9]+\.[0-9]\ s\)$ ]]
	[[ "${lines[7]}" =~ ^CRL\ check\ \ \ not\ listed\ \(CRL\ of\ $ts,\ next\ by\ $ts\)$ ]]
	[[ "${lines[8]}" =~ ^\ {12}from\ http://127\.0\.0\.1:$CRL_PORT/root\.crl\ \([0-9]+\.[0-9]\ s\)$ ]]
	[[ "${lines[9]}" =~ ^Handshake ]]
	[ -z "$stderr" ]
	# the responder was asked by POST, the CRL fetched by GET
	grep -q '"GET /root.crl HTTP/1.1" 200' "$BATS_TEST_TMPDIR/http.log"
}

@test "JSON: the revocation object for a good leaf" {
	responder
	crl_server
	serve good
	tls good --ocsp --crl --json
	[ "$status" -eq 0 ]
	jq -e --arg o "http://127.0.0.1:$OCSP_PORT/" \
		--arg c "http://127.0.0.1:$CRL_PORT/root.crl" '
		.revocation.ocsp.status == "good" and .revocation.ocsp.url == $o and
		(.revocation.ocsp.this_update | test("^[0-9-]{10} [0-9:]{8} UTC$")) and
		(.revocation.ocsp.next_update | test("^[0-9-]{10} [0-9:]{8} UTC$")) and
		.revocation.ocsp.revoked_at == null and .revocation.ocsp.reason == null and
		.revocation.ocsp.error == null and
		.revocation.crl.status == "good" and .revocation.crl.url == $c and
		.revocation.crl.revoked_at == null and .revocation.crl.error == null and
		.verification.verified == true and .exit_code == 0 and .scts == []
	' <<<"$output"
}

@test "without --ocsp or --crl: revocation is null, nothing fetched" {
	serve good
	tls good --json
	[ "$status" -eq 0 ]
	jq -e '.revocation == {ocsp: null, crl: null}' <<<"$output"
	tls good
	! grep -q '^OCSP check\|^CRL check' <<<"$output"
}

@test "--ocsp on a revoked leaf: verification fails, exit 60, date and reason" {
	responder
	serve revoked
	tls revoked --ocsp
	[ "$status" -eq 60 ]
	[[ "${lines[0]}" =~ ^Verdict\ {5}FAILED:\ certificate\ is\ revoked\ \(OCSP\ responder:\ revoked\ on\ $ts,\ keyCompromise\)$ ]]
	[[ "${lines[5]}" =~ ^OCSP\ check\ \ revoked\ on\ $ts\ \(keyCompromise\)\ \(response\ of\ $ts\)$ ]]
	[[ "$stderr" =~ ^nk-tls:\ certificate\ verification\ failed\ for\ revoked\.test:\ certificate\ is\ revoked\ \(OCSP\ responder: ]]
	tls revoked --ocsp --json
	[ "$status" -eq 60 ]
	jq -e '.revocation.ocsp.status == "revoked" and
		.revocation.ocsp.reason == "keyCompromise" and
		(.revocation.ocsp.revoked_at | test("^[0-9-]{10} [0-9:]{8} UTC$")) and
		.revocation.crl == null and
		.verification.verified == false and .verification.code == 23 and
		.verification.depth == 0 and
		.verification.openssl_reason == "certificate revoked" and
		.exit_code == 60' <<<"$output"
}

@test "--crl on a revoked leaf: listed, exit 60; -k reports it and exits 0" {
	crl_server
	serve revoked
	tls revoked --crl
	[ "$status" -eq 60 ]
	[[ "${lines[0]}" =~ ^Verdict\ {5}FAILED:\ certificate\ is\ revoked\ \(CRL:\ revoked\ on\ $ts,\ keyCompromise\)$ ]]
	[[ "${lines[5]}" =~ ^CRL\ check\ \ \ revoked\ on\ $ts\ \(keyCompromise\)\ \(CRL\ of\ $ts\)$ ]]
	tls revoked --crl -k --json
	[ "$status" -eq 0 ]
	jq -e '.revocation.crl.status == "revoked" and
		.revocation.crl.reason == "keyCompromise" and
		.verification.verified == false and .verification.insecure == true' \
		<<<"$output"
}

@test "a leaf the responder does not know: unknown, exit 0; required: exit 91" {
	responder
	serve unknown
	tls unknown --ocsp
	[ "$status" -eq 0 ]
	[[ "${lines[5]}" =~ ^OCSP\ check\ \ unknown:\ the\ responder\ does\ not\ know\ the\ certificate\ \(response\ of\ $ts\)$ ]]
	tls unknown --ocsp --revocation-required --json
	[ "$status" -eq 91 ]
	jq -e '.revocation.ocsp.status == "unknown" and .exit_code == 91 and
		.verification.verified == true' <<<"$output"
	[ "$stderr" = "nk-tls: the revocation status of unknown.test could not be established" ]
}

@test "a responder that is not there: reported, exit 0; required: exit 91" {
	crl_server
	serve good
	tls good --ocsp --crl
	[ "$status" -eq 0 ]
	[ "${lines[5]}" = "OCSP check  no answer: Failed to connect to 127.0.0.1 port $OCSP_PORT: Connection refused" ]
	[[ "${lines[7]}" =~ ^CRL\ check\ \ \ not\ listed ]]
	[ -z "$stderr" ]
	tls good --ocsp --crl --json --revocation-required
	[ "$status" -eq 91 ]
	jq -e --arg o "http://127.0.0.1:$OCSP_PORT/" '
		.revocation.ocsp == {status: "unreachable", url: $o,
		  this_update: null, next_update: null, revoked_at: null,
		  reason: null,
		  error: "Failed to connect to 127.0.0.1 port \(env.OCSP_PORT): Connection refused"} and
		.revocation.crl.status == "good" and .exit_code == 91' <<<"$output"
}

@test "a responder that never answers: bounded by --max-time" {
	local log="$BATS_TEST_TMPDIR/silent.log"
	start_bg "$log" python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
print("ready", flush=True)
conns = []
while True:
    conns.append(s.accept()[0])
' "$OCSP_PORT"
	wait_for_line "$log" '^ready$' >/dev/null
	serve good
	local t0=$SECONDS
	tls good --ocsp --json -m 2
	[ "$status" -eq 0 ]
	[ $((SECONDS - t0)) -le 4 ]
	jq -e '.revocation.ocsp.status == "unreachable" and
		(.revocation.ocsp.error | test("[Tt]ime")) and .exit_code == 0' <<<"$output"
}

@test "a delegated responder (OCSPSigning from the issuer) is trusted" {
	responder "$P/signer.pem" "$P/signer.key"
	serve revoked
	tls revoked --ocsp --json
	[ "$status" -eq 60 ]
	jq -e '.revocation.ocsp.status == "revoked" and
		.revocation.ocsp.reason == "keyCompromise"' <<<"$output"
	serve good
	tls good --ocsp --json
	[ "$status" -eq 0 ]
	jq -e '.revocation.ocsp.status == "good"' <<<"$output"
}

# canned FILE: an OCSP "responder" on OCSP_PORT that answers every POST
# with FILE's bytes, whatever was asked: a replaying peer.
canned() {
	local log="$BATS_TEST_TMPDIR/canned.log"
	start_bg "$log" python3 -c '
import http.server, sys
body = open(sys.argv[2], "rb").read()
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/ocsp-response")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
s = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H)
print("ready", flush=True)
s.serve_forever()
' "$OCSP_PORT" "$1"
	wait_for_line "$log" '^ready$' >/dev/null
}

@test "a replayed response (another request's nonce) is no answer" {
	canned "$P/replay.ocsp"
	serve good
	tls good --ocsp --json
	[ "$status" -eq 0 ]
	jq -e '.revocation.ocsp.status == "invalid" and
		.revocation.ocsp.error == "the response'"'"'s nonce is not the request'"'"'s (a replayed answer)"' \
		<<<"$output"
}

@test "a response without a nonce, about another certificate, or garbage" {
	canned "$P/good.ocsp"
	serve good
	tls good --ocsp --json
	[ "$status" -eq 0 ]
	# responders may leave the nonce out (most public ones do)
	jq -e '.revocation.ocsp.status == "good"' <<<"$output"
	serve revoked
	tls revoked --ocsp --json
	[ "$status" -eq 0 ]
	jq -e '.revocation.ocsp.status == "invalid" and
		.revocation.ocsp.error == "the response is not about this certificate"' \
		<<<"$output"
	stop_all
	canned "$P/good.pem"
	serve good
	tls good --ocsp --json
	[ "$status" -eq 0 ]
	jq -e '.revocation.ocsp.status == "invalid" and
		.revocation.ocsp.error == "the response is not a DER OCSP response"' \
		<<<"$output"
}

@test "a response signed by a stranger: invalid, not trusted" {
	responder "$P/rogue.pem" "$P/rogue.key"
	serve revoked
	tls revoked --ocsp --json
	# revoked by an answer nobody can trust is no verdict
	[ "$status" -eq 0 ]
	jq -e '.revocation.ocsp.status == "invalid" and
		(.revocation.ocsp.error | startswith("the response'"'"'s signature does not verify")) and
		.revocation.ocsp.revoked_at == null and
		.verification.verified == true' <<<"$output"
	tls revoked --ocsp --revocation-required
	[ "$status" -eq 91 ]
	[[ "${lines[5]}" =~ ^OCSP\ check\ \ no\ usable\ answer:\ the\ response\'s\ signature\ does\ not\ verify ]]
}

@test "a CRL of the issuer's name signed by another key: invalid" {
	crl_server "$P/rogue.crl"
	serve revoked
	tls revoked --crl --json
	[ "$status" -eq 0 ]
	jq -e '.revocation.crl.status == "invalid" and
		.revocation.crl.error == "the CRL'"'"'s signature does not verify with the issuer'"'"'s key" and
		.verification.verified == true' <<<"$output"
}

@test "a CRL past its nextUpdate: invalid, with its dates" {
	crl_server "$P/stale.crl"
	serve revoked
	tls revoked --crl --json
	[ "$status" -eq 0 ]
	jq -e '.revocation.crl == {status: "invalid", url: .revocation.crl.url,
		this_update: "2020-01-01 00:00:00 UTC",
		next_update: "2020-02-01 00:00:00 UTC", revoked_at: null,
		reason: null,
		error: "the CRL is out of date (past its nextUpdate)"} and
		.verification.verified == true' <<<"$output"
}

@test "a CRL URL that answers 404 or garbage" {
	www
	serve good
	tls good --crl --json
	[ "$status" -eq 0 ]
	jq -e '.revocation.crl.status == "unreachable" and
		(.revocation.crl.error | test("404"))' <<<"$output"
	printf 'not a CRL\n' >"$WWW/root.crl"
	tls good --crl --json
	[ "$status" -eq 0 ]
	jq -e '.revocation.crl.status == "invalid" and
		.revocation.crl.error == "not a CRL (DER or PEM)"' <<<"$output"
}

@test "a CRL over the size bound is not read whole" {
	www
	head -c $((9 * 1024 * 1024)) /dev/zero >"$WWW/root.crl"
	serve good
	tls good --crl --json
	[ "$status" -eq 0 ]
	jq -e '.revocation.crl.status == "unreachable" and
		(.revocation.crl.error | test("[Mm]aximum|size|bytes"))' <<<"$output"
}

@test "a leaf that names neither: no_url, exit 0; required: exit 91" {
	serve bare
	tls bare --ocsp --crl
	[ "$status" -eq 0 ]
	[ "${lines[5]}" = "OCSP check  not done: the certificate names no http OCSP responder" ]
	[ "${lines[6]}" = "CRL check   not done: the certificate names no http CRL distribution point" ]
	tls bare --ocsp --crl --revocation-required
	[ "$status" -eq 91 ]
	[ "${lines[0]}" = "Verdict     UNCERTAIN: the chain verifies for bare.test, but its revocation status could not be established" ]
	tls bare --ocsp --crl --json --revocation-required
	[ "$status" -eq 91 ]
	jq -e '.revocation.ocsp == {status: "no_url", url: null, this_update: null,
		next_update: null, revoked_at: null, reason: null, error: null} and
		.revocation.crl.status == "no_url"' <<<"$output"
}

@test "the staple and the responder's answer side by side" {
	responder
	serve good -status_file "$P/good.ocsp"
	tls good --ocsp
	[ "$status" -eq 0 ]
	[[ "${lines[4]}" =~ ^OCSP\ {8}good\ \(response\ of\ $ts,\ next\ by\ $ts\)$ ]]
	[[ "${lines[5]}" =~ ^OCSP\ check\ \ good ]]
	tls good --ocsp --json
	jq -e '.tls.ocsp.status == "good" and .revocation.ocsp.status == "good"' \
		<<<"$output"
}

@test "--revocation-required alone is a usage error" {
	serve good
	tls good --revocation-required
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-tls: --revocation-required needs --ocsp or --crl" ]
}

@test "SCTs from the certificate and the handshake, in order, TLS 1.3 and 1.2" {
	serve sct -serverinfo "$P/sct.serverinfo"
	local want='[{"source":"handshake","version":1,"log_id":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","timestamp":"2023-11-14 22:13:20 UTC","timestamp_ms":1700000000000},{"source":"certificate","version":1,"log_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","timestamp":"2020-09-13 12:26:40 UTC","timestamp_ms":1600000000000},{"source":"certificate","version":1,"log_id":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","timestamp":"2022-04-15 05:20:00 UTC","timestamp_ms":1650000000123}]'
	local v
	for v in 1.3 1.2; do
		tls sct --json --tls-max "$v"
		[ "$status" -eq 0 ]
		[ "$(jq -c .scts <<<"$output")" = "$want" ]
	done
	tls sct
	[ "${lines[5]}" = "SCTs        3" ]
	[ "${lines[6]}" = "  [0] log bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb at 2023-11-14 22:13:20 UTC (handshake)" ]
	[ "${lines[7]}" = "  [1] log aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa at 2020-09-13 12:26:40 UTC (certificate)" ]
	[ "${lines[8]}" = "  [2] log cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc at 2022-04-15 05:20:00 UTC (certificate)" ]
}

@test "SCTs embedded only: the server sends none in the handshake" {
	serve sct
	tls sct --json
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.scts[] | .source]' <<<"$output")" = '["certificate","certificate"]' ]
}

@test "no handshake: nothing to check, the run's own failure stands" {
	PORT=$(free_port)
	tls good --ocsp --crl --revocation-required --json
	[ "$status" -eq 7 ]
	jq -e '.revocation == {ocsp: null, crl: null} and .scts == [] and
		.error.code == 7' <<<"$output"
}
