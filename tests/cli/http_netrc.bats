#!/usr/bin/env bats
# nk http's --netrc, --netrc-optional, --netrc-file and NETRC: the exact
# Authorization lines recorded by rawhttp.py, the same as curl 7.88 sends,
# and credentials that stay with the host they are for across redirects.
load ../lib/common
load ../lib/http

bats_require_minimum_version 1.5.0

setup() {
	D=$BATS_TEST_TMPDIR
	printf 'recv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok\n' \
		>"$D/ok.case"
	printf 'machine a.test login alice password apw\nmachine b.test login bob password bpw\n' >"$D/both"
	printf 'machine a.test login alice password apw\n' >"$D/aonly"
	printf 'machine a.test login alice password apw\ndefault login dflt password dpw\n' >"$D/dflt"
}

# two CLIENT ARGS...: a.test redirects to b.test (two recording servers;
# @A@ is a.test's URL); leaves $rc and the Authorization lines each host
# got in $D/a.auth and $D/b.auth.
two() {
	local client=$1 a args=()
	shift
	start_raw "$D/ok.case" "$D/recb"
	local pb=$RAW_PORT bpid=$RAW_PID
	printf 'recv\nsend HTTP/1.1 302 Found\\r\\nLocation: http://b.test:%s/x\\r\\nContent-Length: 0\\r\\n\\r\\n\n' \
		"$pb" >"$D/redir.case"
	start_raw "$D/redir.case" "$D/reca"
	for a in "$@"; do args+=("${a//@A@/http://a.test:$RAW_PORT/}"); done
	rc=0
	timeout -k 2 20 "$client" -sS -L --resolve "a.test:$RAW_PORT:127.0.0.1" \
		--resolve "b.test:$pb:127.0.0.1" "${args[@]}" >/dev/null \
		2>"$D/err" || rc=$?
	stop_raw
	RAW_PID=$bpid stop_raw
	grep -a '^Authorization' "$D"/reca/conn-* >"$D/a.auth" 2>/dev/null || :
	grep -a '^Authorization' "$D"/recb/conn-* >"$D/b.auth" 2>/dev/null || :
	rm -rf "$D/reca" "$D/recb"
}

# one ARGS...: nk http on a.test alone; the Authorization line in $D/a.auth.
one() {
	start_raw "$D/ok.case" "$D/reca"
	local args=() a
	for a in "$@"; do args+=("${a//@A@/http://a.test:$RAW_PORT/}"); done
	rc=0
	timeout -k 2 20 nk-http -sS --resolve "a.test:$RAW_PORT:127.0.0.1" \
		"${args[@]}" >/dev/null 2>"$D/err" || rc=$?
	stop_raw
	grep -a '^Authorization' "$D"/reca/conn-* >"$D/a.auth" 2>/dev/null || :
	rm -rf "$D/reca"
}

auth() { printf 'Authorization: Basic %s\r\n' "$(printf %s "$1" | base64)"; }

@test "netrc: each host gets its own entry across a redirect" {
	two nk-http --netrc-file "$D/both" @A@
	[ "$rc" -eq 0 ]
	auth alice:apw | cmp - "$D/a.auth"
	auth bob:bpw | cmp - "$D/b.auth"
}

@test "netrc: a host without an entry gets no credentials after a redirect" {
	two nk-http --netrc-file "$D/aonly" @A@
	[ "$rc" -eq 0 ]
	auth alice:apw | cmp - "$D/a.auth"
	[ ! -s "$D/b.auth" ]
	# Nor does -u's, with netrc on.
	two nk-http -u x:y --netrc-file "$D/aonly" @A@
	auth x:y | cmp - "$D/a.auth"
	[ ! -s "$D/b.auth" ]
}

@test "netrc: default serves a host with no machine line" {
	two nk-http --netrc-file "$D/dflt" @A@
	auth alice:apw | cmp - "$D/a.auth"
	auth dflt:dpw | cmp - "$D/b.auth"
}

@test "netrc: nk sends what curl 7.88 sends across hosts" {
	curl --version 2>/dev/null | grep -q '^curl 7\.88\.' ||
		skip "curl 7.88 is the reference and is not installed"
	local f
	for f in both aonly dflt; do
		two nk-http --netrc-file "$D/$f" @A@
		cp "$D/a.auth" "$D/na"; cp "$D/b.auth" "$D/nb"
		two curl --netrc-file "$D/$f" @A@
		cmp "$D/na" "$D/a.auth"
		cmp "$D/nb" "$D/b.auth"
	done
}

@test "netrc: quoted tokens, comments, macdef, account, case of the host" {
	printf '# c\nmacdef init\nmachine a.test login no password no\n\nMACHINE A.TEST login "al ice" account z password "p\\"w\\\\x" # c\n' >"$D/q"
	one --netrc-file "$D/q" @A@
	[ "$rc" -eq 0 ]
	auth 'al ice:p"w\x' | cmp - "$D/a.auth"
}

@test "netrc: the first entry with a password wins; a login alone sends an empty password" {
	printf 'machine a.test login alice\nmachine a.test login bob password bpw\nmachine a.test login c password c\n' >"$D/f"
	one --netrc-file "$D/f" @A@
	auth bob:bpw | cmp - "$D/a.auth"
	printf 'machine a.test login alice\n' >"$D/f"
	one --netrc-file "$D/f" @A@
	auth alice: | cmp - "$D/a.auth"
}

@test "netrc: a user in the URL picks that user's entry" {
	printf 'machine 127.0.0.1 login bob password bpw\nmachine 127.0.0.1 login alice password apw\n' >"$D/f"
	start_raw "$D/ok.case" "$D/reca"
	rc=0
	timeout -k 2 20 nk-http -sS --netrc-file "$D/f" \
		"http://alice@127.0.0.1:$RAW_PORT/" >/dev/null || rc=$?
	stop_raw
	[ "$rc" -eq 0 ]
	grep -a '^Authorization' "$D"/reca/conn-1 | cmp - <(auth alice:apw)
}

@test "netrc: -u wins over netrc; --netrc-optional lets the URL's password win" {
	one -u x:y --netrc-file "$D/aonly" @A@
	auth x:y | cmp - "$D/a.auth"
	one --netrc-optional --netrc-file "$D/aonly" "@A@"
	auth alice:apw | cmp - "$D/a.auth"
}

@test "netrc: NETRC names the file, --netrc-file wins over it" {
	NETRC=$D/aonly HOME=/nonexistent one --netrc @A@
	[ "$rc" -eq 0 ]
	auth alice:apw | cmp - "$D/a.auth"
	NETRC=$D/dflt one --netrc-file "$D/both" @A@
	auth alice:apw | cmp - "$D/a.auth"
	mkdir "$D/home"
	printf 'machine a.test login h password hpw\n' >"$D/home/.netrc"
	NETRC= HOME=$D/home one -n @A@
	auth h:hpw | cmp - "$D/a.auth"
}

@test "netrc: without --netrc no file is read" {
	NETRC=$D/aonly one @A@
	[ "$rc" -eq 0 ]
	[ ! -s "$D/a.auth" ]
}

@test "netrc: a missing file or a world-readable one is fine (as curl)" {
	one --netrc-file "$D/nonexistent" @A@
	[ "$rc" -eq 0 ]
	[ ! -s "$D/a.auth" ]
	chmod 666 "$D/aonly"
	one --netrc-file "$D/aonly" @A@
	auth alice:apw | cmp - "$D/a.auth"
}

@test "netrc: a malformed file: one line, exit 26, no request" {
	printf 'machine a.test login "alice password x\n' >"$D/bad"
	start_raw "$D/ok.case" "$D/reca"
	run -26 timeout 10 nk-http -sS --netrc-file "$D/bad" "http://127.0.0.1:$RAW_PORT/"
	stop_raw
	[ "$output" = "nk-http: (26) netrc: a quoted token is not closed on line 1" ]
	[ ! -e "$D/reca/conn-1" ]
}

# url_auth ARGS... URL: nk http on 127.0.0.1 (@P@ in URL is the port); the
# Authorization line it sent in $D/a.auth.
url_auth() {
	start_raw "$D/ok.case" "$D/reca"
	local args=() a
	for a in "$@"; do args+=("${a//@P@/$RAW_PORT}"); done
	rc=0
	timeout -k 2 20 nk-http -sS "${args[@]}" >/dev/null 2>"$D/err" || rc=$?
	stop_raw
	grep -a '^Authorization' "$D"/reca/conn-* >"$D/a.auth" 2>/dev/null || :
	rm -rf "$D/reca"
}

@test "netrc: the URL's password against the file's, optional and not" {
	printf 'machine 127.0.0.1 login u password np\n' >"$D/f"
	url_auth --netrc-optional --netrc-file "$D/f" "http://u:p@127.0.0.1:@P@/"
	[ "$rc" -eq 0 ]
	auth u:p | cmp - "$D/a.auth"
	url_auth --netrc-file "$D/f" "http://u:p@127.0.0.1:@P@/"
	auth u:np | cmp - "$D/a.auth"
	url_auth --netrc-optional --netrc-file "$D/f" "http://u@127.0.0.1:@P@/"
	auth u:np | cmp - "$D/a.auth"
}
