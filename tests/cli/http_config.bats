#!/usr/bin/env bats
# nk http's config files (-K/--config, the default nkrc, -q): curl's
# syntax, read as arguments; the request bytes are compared with what
# curl 7.88 sends for the same file.
load ../lib/common
load ../lib/http

bats_require_minimum_version 1.5.0

setup() {
	D=$BATS_TEST_TMPDIR
	mkdir -p "$D/home" "$D/xdg/nk"
	export HOME=$D/home XDG_CONFIG_HOME=$D/xdg
}

# cfg_run CLIENT ARGS...: runs CLIENT ARGS -sS against the recording
# server (cl-ok.case), with @PORT@ in ARGS and in the files $D/*.cfg,
# $D/home/.nkrc and $D/xdg/nk/nkrc standing for its port, and standard
# input from $IN (default /dev/null). Leaves the exit status in $rc,
# stderr in $D/err and the request bytes in $D/CLIENT.req (port as PORT,
# the User-Agent as UA).
cfg_run() {
	local client=$1 a f args=() rec
	shift
	rec=$(mktemp -d "$D/rec.XXXX")
	start_raw "$SERVERS_DIR/cases/cl-ok.case" "$rec"
	for a in "$@"; do args+=("${a//@PORT@/$RAW_PORT}"); done
	for f in "$D"/*.cfg "$D/home/.nkrc" "$D/xdg/nk/nkrc" "$D/home/.curlrc"; do
		[ -f "$f" ] && sed -i "s/@PORT@/$RAW_PORT/g" "$f"
	done
	rc=0
	timeout -k 2 20 "$client" "${args[@]}" -sS <"${IN:-/dev/null}" \
		>/dev/null 2>"$D/err" || rc=$?
	stop_raw
	cat "$rec"/conn-* 2>/dev/null | sed -E -e "s/$RAW_PORT/PORT/g" \
		-e 's/^User-Agent: (nk|curl)\/[^\r]*\r$/User-Agent: UA\r/' >"$D/$(basename "$client").req"
	for f in "$D"/*.cfg "$D/home/.nkrc" "$D/xdg/nk/nkrc" "$D/home/.curlrc"; do
		[ -f "$f" ] && sed -i "s/$RAW_PORT/@PORT@/g" "$f"
	done
	return 0
}

# like_curl ARGS...: nk sends what curl 7.88 sends, and exits as it does
# (each with -q first, so neither reads a default file).
like_curl() {
	curl --version 2>/dev/null | grep -q '^curl 7\.88\.' ||
		skip "curl 7.88 is the reference and is not installed"
	cfg_run nk-http -q "$@"
	local nkrc=$rc
	cfg_run curl -q "$@"
	if ! cmp "$D/nk-http.req" "$D/curl.req"; then
		diff <(od -c "$D/curl.req") <(od -c "$D/nk-http.req") >&2 || true
		return 1
	fi
	[ "$nkrc" = "$rc" ] || { echo "exit $nkrc, curl $rc" >&2; return 1; }
}

# A GET of / with these header lines (printf format) after Accept.
get_req() {
	# shellcheck disable=SC2059 # a printf format on purpose
	printf "GET ${2:-/} HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nUser-Agent: UA\r\nAccept: */*\r\n$1\r\n"
}

@test "config: curl's syntax: dashes or none, = : or space, quotes and escapes, comments, url lines" {
	cat >"$D/a.cfg" <<'CFG'
# a comment
   # an indented comment

header = "X-Q: a\tb \"q\" \\ \z"
header:"X-Colon: c"
--header "X-Dash: d"
-H "X-Short: e"
request=PUT
url = "http://127.0.0.1:@PORT@/from-config"
  data-raw   "k=v w"
CFG
	like_curl -K "$D/a.cfg"
	[ "$rc" -eq 0 ]
	printf 'PUT /from-config HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nUser-Agent: UA\r\nAccept: */*\r\nX-Q: a\tb "q" \\ z\r\nX-Colon: c\r\nX-Dash: d\r\nX-Short: e\r\nContent-Length: 5\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nk=v w' |
		cmp - "$D/nk-http.req"
}

@test "config: options from the file apply where -K stands; a URL line starting with '-' stays a URL" {
	printf 'header = "X-A: 1"\nurl = "-x"\n' >"$D/a.cfg"
	cfg_run nk-http -q -H 'X-Before: 0' -K "$D/a.cfg" -H 'X-After: 2' \
		http://127.0.0.1:@PORT@/
	# "-x" is a host name to resolve (6, as curl), not an option (2);
	# the status is the last transfer's (0), as curl's.
	[ "$rc" -eq 0 ]
	grep -qx 'nk-http: (6) Could not resolve host: -x' "$D/err"
	get_req 'X-Before: 0\r\nX-A: 1\r\nX-After: 2\r\n' | cmp - "$D/nk-http.req"
}

@test "config: -K - reads standard input; -K nests" {
	printf 'header = "X-Inner: 1"\n' >"$D/inner.cfg"
	printf -- '-K %s\nheader = "X-Outer: 2"\n' "$D/inner.cfg" >"$D/stdin.txt"
	IN=$D/stdin.txt like_curl -K - http://127.0.0.1:@PORT@/
	[ "$rc" -eq 0 ]
	get_req 'X-Inner: 1\r\nX-Outer: 2\r\n' | cmp - "$D/nk-http.req"
}

@test "config: warnings for an unknown option, a flag's value, a missing value; the rest still applies" {
	printf 'bogus 1\nsilent yes\nheader\nheader = "X-Ok: 1"\n' >"$D/a.cfg"
	like_curl -K "$D/a.cfg" http://127.0.0.1:@PORT@/
	[ "$rc" -eq 0 ]
	get_req 'X-Ok: 1\r\n' | cmp - "$D/nk-http.req"
	cfg_run nk-http -q -K "$D/a.cfg" http://127.0.0.1:@PORT@/
	grep -qx "nk-http: $D/a.cfg:1: warning: 'bogus' is unknown" "$D/err"
	grep -qx "nk-http: $D/a.cfg:2: warning: 'silent' had unsupported trailing garbage" "$D/err"
	grep -qx "nk-http: $D/a.cfg:3: warning: 'header' requires parameter" "$D/err"
}

@test "config: an unreadable -K file: one line, exit 26 as curl, no traffic" {
	like_curl -K "$D/missing.cfg" http://127.0.0.1:@PORT@/
	[ "$rc" -eq 26 ]
	[ ! -s "$D/nk-http.req" ]
	cfg_run nk-http -K "$D/missing.cfg" http://127.0.0.1:@PORT@/
	[ "$(cat "$D/err")" = "nk-http: (26) cannot read config from '$D/missing.cfg': No such file or directory" ]
}

@test "config: a file that includes itself stops with exit 2" {
	printf -- '-K %s\n' "$D/loop.cfg" >"$D/loop.cfg"
	cfg_run nk-http -K "$D/loop.cfg" http://127.0.0.1:@PORT@/
	[ "$rc" -eq 2 ]
	[ ! -s "$D/nk-http.req" ]
	grep -q "config files nested too deep" "$D/err"
}

@test "config: the default file is \$XDG_CONFIG_HOME/nk/nkrc, before the command line" {
	printf 'header = "X-Xdg: 1"\n' >"$D/xdg/nk/nkrc"
	printf 'header = "X-Home: 1"\n' >"$D/home/.nkrc"
	cfg_run nk-http -H 'X-Cmd: 2' http://127.0.0.1:@PORT@/
	[ "$rc" -eq 0 ]
	get_req 'X-Xdg: 1\r\nX-Cmd: 2\r\n' | cmp - "$D/nk-http.req"
}

@test "config: without \$XDG_CONFIG_HOME/nk/nkrc the default is ~/.nkrc" {
	printf 'header = "X-Home: 1"\n' >"$D/home/.nkrc"
	cfg_run nk-http http://127.0.0.1:@PORT@/
	[ "$rc" -eq 0 ]
	get_req 'X-Home: 1\r\n' | cmp - "$D/nk-http.req"
	unset XDG_CONFIG_HOME
	cfg_run nk-http http://127.0.0.1:@PORT@/
	get_req 'X-Home: 1\r\n' | cmp - "$D/nk-http.req"
}

@test "config: a default file that cannot be opened is none, as curl's" {
	# (A home another user cannot read is EACCES; a home that is a file
	# gives ENOTDIR, the same for root.)
	: >"$D/notadir"
	HOME=$D/notadir XDG_CONFIG_HOME=$D/notadir cfg_run nk-http http://127.0.0.1:@PORT@/
	[ "$rc" -eq 0 ]
	[ ! -s "$D/err" ]
	get_req '' | cmp - "$D/nk-http.req"
}

@test "config: -q first skips the default file; -q later does not (curl's rule)" {
	printf 'header = "X-Home: 1"\n' >"$D/home/.nkrc"
	cfg_run nk-http -q http://127.0.0.1:@PORT@/
	[ "$rc" -eq 0 ]
	get_req '' | cmp - "$D/nk-http.req"
	cfg_run nk-http --disable http://127.0.0.1:@PORT@/
	get_req '' | cmp - "$D/nk-http.req"
	cfg_run nk-http -s -q http://127.0.0.1:@PORT@/
	get_req 'X-Home: 1\r\n' | cmp - "$D/nk-http.req"
}

@test "variables: =TEXT, @FILE, @- and %ENV into --expand-header, with every function" {
	printf ' \t two words \r\n' >"$D/v.txt"
	printf 'from stdin' >"$D/in.txt"
	IN=$D/in.txt VAR_E='e "q" \ /' cfg_run nk-http -q \
		--variable 'a= a b ' --variable "f@$D/v.txt" --variable 's@-' \
		--variable %VAR_E --variable '%VAR_UNSET=dflt' \
		--variable 'enc=aGk=' --variable 'enc2=aGVsbG8' \
		--expand-header 'X-Trim: [{{a:trim}}][{{f:trim}}]' \
		--expand-header 'X-Json: {{VAR_E:json}}|{{f:json}}' \
		--expand-header 'X-Url: {{a:url}}|{{VAR_E:url}}|{{f:trim:url}}' \
		--expand-header 'X-B64: {{s:b64}}|{{f:trim:b64}}|[{{a:b64:64dec}}]' \
		--expand-header 'X-Dec: {{enc:64dec}}|{{enc2:64dec}}|{{a:64dec}}' \
		--expand-header 'X-Env: {{VAR_E}}|{{VAR_UNSET}}|[{{nosuch}}]|\{{a}}' \
		http://127.0.0.1:@PORT@/
	[ "$rc" -eq 0 ]
	get_req 'X-Trim: [a b][two words]\r\nX-Json: e \\"q\\" \\\\ /| \\t two words \\r\\n\r\nX-Url: %%20a%%20b%%20|e%%20%%22q%%22%%20%%5C%%20%%2F|two%%20words\r\nX-B64: ZnJvbSBzdGRpbg==|dHdvIHdvcmRz|[ a b ]\r\nX-Dec: hi|[64dec-fail]|[64dec-fail]\r\nX-Env: e "q" \\ /|dflt|[]|{{a}}\r\n' |
		cmp - "$D/nk-http.req"
}

@test "variables: --expand-url, and in a config file (variable, expand-header)" {
	cat >"$D/a.cfg" <<'CFG'
variable = "p=a b"
expand-header = "X-P: {{p}}"
CFG
	cfg_run nk-http -q -K "$D/a.cfg" --expand-url 'http://127.0.0.1:@PORT@/{{p:url}}'
	[ "$rc" -eq 0 ]
	get_req 'X-P: a b\r\n' '/a%%20b' | cmp - "$D/nk-http.req"
}

@test "variables: a later --variable replaces; without {{}} the argument stays as it is" {
	cfg_run nk-http -q --variable v=1 --variable v=2 \
		--expand-header 'X-V: {{v}}' --expand-header 'X-Lit: \{{v' \
		--header 'X-Raw: {{v}}' http://127.0.0.1:@PORT@/
	[ "$rc" -eq 0 ]
	get_req 'X-V: 2\r\nX-Lit: \\{{v\r\nX-Raw: {{v}}\r\n' | cmp - "$D/nk-http.req"
}

@test "variables: an unknown function: one line, exit 2, no traffic" {
	cfg_run nk-http -q --variable v=1 --expand-header 'X-V: {{v:trim:upper}}' \
		http://127.0.0.1:@PORT@/
	[ "$rc" -eq 2 ]
	[ ! -s "$D/nk-http.req" ]
	[ "$(cat "$D/err")" = "nk-http: unknown variable function in ':trim:upper'" ]
}

@test "variables: an unset %ENV is exit 2, an unreadable file 26, a NUL byte 2; no traffic" {
	cfg_run nk-http -q --variable %NK_TEST_UNSET_VAR http://127.0.0.1:@PORT@/
	[ "$rc" -eq 2 ]
	[ ! -s "$D/nk-http.req" ]
	[ "$(cat "$D/err")" = "nk-http: variable 'NK_TEST_UNSET_VAR' import fail, not set" ]
	cfg_run nk-http -q --variable "v@$D/missing" http://127.0.0.1:@PORT@/
	[ "$rc" -eq 26 ]
	[ ! -s "$D/nk-http.req" ]
	printf 'a\0b' >"$D/nul"
	cfg_run nk-http -q --variable "v@$D/nul" --expand-header 'X-V: {{v}}' \
		http://127.0.0.1:@PORT@/
	[ "$rc" -eq 2 ]
	[ ! -s "$D/nk-http.req" ]
	[ "$(cat "$D/err")" = "nk-http: variable contains null byte" ]
	# Encoded, the NUL is fine.
	cfg_run nk-http -q --variable "v@$D/nul" --expand-header 'X-V: {{v:b64}}' \
		http://127.0.0.1:@PORT@/
	[ "$rc" -eq 0 ]
	get_req 'X-V: YQBi\r\n' | cmp - "$D/nk-http.req"
}

# hosts_req HOST HEADERS: a GET of / to HOST with these header lines
# (printf format) after Accept, the Authorization line first when $AUTH.
hosts_req() {
	local auth=
	[ -n "${AUTH:-}" ] && auth="Authorization: $AUTH\r\n"
	# shellcheck disable=SC2059 # a printf format on purpose
	printf "GET / HTTP/1.1\r\nHost: $1:PORT\r\n${auth}User-Agent: ${UA_WANT:-UA}\r\nAccept: */*\r\n$2\r\n"
}

@test "host sections: options under [host NAME] go to that host's URLs alone" {
	cat >"$D/a.cfg" <<'CFG'
header = "X-All: 1"
url = "http://b.test:@PORT@/"
[host a.test]
header = "X-Only-A: 1"
user = "ua:pa"
# the name as the URL has it or not: hosts compare without case
[host B.Test]
-H "X-Only-B: 2"
[host a.test]
header = "X-Only-A: again"
CFG
	cfg_run nk-http -q --resolve a.test:@PORT@:127.0.0.1 \
		--resolve b.test:@PORT@:127.0.0.1 --resolve c.test:@PORT@:127.0.0.1 \
		-K "$D/a.cfg" http://a.test:@PORT@/ http://c.test:@PORT@/ \
		-o /dev/null -o /dev/null -o /dev/null
	[ "$rc" -eq 0 ]
	{
		hosts_req b.test 'X-All: 1\r\nX-Only-B: 2\r\n'
		AUTH='Basic dWE6cGE=' hosts_req a.test \
			'X-All: 1\r\nX-Only-A: 1\r\nX-Only-A: again\r\n'
		hosts_req c.test 'X-All: 1\r\n'
	} | cmp - "$D/nk-http.req"
}

@test "host sections: a URL's -A and -e give way to its section's" {
	printf '[host a.test]\nuser-agent = "section agent"\nreferer = "http://r/"\n' >"$D/a.cfg"
	cfg_run nk-http -q --resolve a.test:@PORT@:127.0.0.1 -A cmdline -K "$D/a.cfg" \
		http://a.test:@PORT@/
	[ "$rc" -eq 0 ]
	printf 'GET / HTTP/1.1\r\nHost: a.test:PORT\r\nUser-Agent: section agent\r\nAccept: */*\r\nReferer: http://r/\r\n\r\n' |
		cmp - "$D/nk-http.req"
}

@test "host sections: a malformed section line, an option a section cannot hold, a URL in a section: exit 2, no traffic" {
	printf '[hots a.test]\n' >"$D/a.cfg"
	cfg_run nk-http -q -K "$D/a.cfg" http://127.0.0.1:@PORT@/
	[ "$rc" -eq 2 ]
	[ ! -s "$D/nk-http.req" ]
	[ "$(cat "$D/err")" = "nk-http: $D/a.cfg:1: bad section line: want '[host NAME]'" ]
	printf '[host a.test]\nverbose\n' >"$D/a.cfg"
	cfg_run nk-http -q -K "$D/a.cfg" http://127.0.0.1:@PORT@/
	[ "$rc" -eq 2 ]
	[ ! -s "$D/nk-http.req" ]
	[ "$(cat "$D/err")" = "nk-http: [host a.test]: --verbose cannot be in a host section" ]
	printf '[host a.test]\nurl = "http://127.0.0.1:@PORT@/"\n' >"$D/a.cfg"
	cfg_run nk-http -q -K "$D/a.cfg" http://127.0.0.1:@PORT@/
	[ "$rc" -eq 2 ]
	[ ! -s "$D/nk-http.req" ]
	[ "$(cat "$D/err")" = "nk-http: [host a.test]: a URL cannot be in a host section" ]
}

@test "host sections: a client certificate for one host alone" {
	local certs=$BATS_TEST_TMPDIR/certs port
	"$SERVERS_DIR/http_certs.sh" "$certs"
	port=$(fast_port)
	start_bg "$D/s_server.log" openssl s_server -quiet -www \
		-accept "127.0.0.1:$port" -cert "$certs/server.pem" \
		-key "$certs/server.key" -Verify 1 -CAfile "$certs/ca.pem"
	local srv=$BG_PID
	wait_port "$port"
	printf 'cacert = %s\ntls-max = 1.2\n[host nk.test]\ncert = %s\nkey = %s\n' \
		"$certs/ca.pem" "$certs/client.pem" "$certs/client.key" >"$D/a.cfg"
	rc=0
	timeout -k 2 20 nk-http -q -sS -K "$D/a.cfg" -o /dev/null -w '%{http_code}' \
		--resolve "nk.test:$port:127.0.0.1" "https://nk.test:$port/" \
		>"$D/out" 2>"$D/err" || rc=$?
	[ "$rc" -eq 0 ]
	[ "$(cat "$D/out")" = 200 ]
	# The same file, the section for another host: no certificate, and
	# the server refuses the handshake.
	sed -i 's/^\[host nk.test\]/[host other.test]/' "$D/a.cfg"
	rc=0
	timeout -k 2 20 nk-http -q -sS -K "$D/a.cfg" -o /dev/null \
		--resolve "nk.test:$port:127.0.0.1" "https://nk.test:$port/" \
		2>"$D/err" || rc=$?
	stop_pid "$srv"
	[ "$rc" -eq 35 ]
}
