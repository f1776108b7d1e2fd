#!/usr/bin/env bats
# The Apache auth peer (tests/servers/apache_auth.sh) works: curl, the
# reference, gets 401 without credentials and with wrong ones, and 200
# with --digest, --anyauth and --basic where each belongs, and the Digest
# challenge and answer have the shape nk's tests will rely on. nk's side
# comes when nk http has these options.
load ../lib/common
load ../servers/apache_auth

setup_file() {
	command -v curl >/dev/null || skip "curl is the reference and is not installed"
	[ -x /usr/sbin/apache2 ] || skip "apache2 is not installed"
	start_apache_auth
}

teardown_file() {
	stop_apache_auth
}

U() { echo "http://127.0.0.1:$APACHE_PORT$1"; }

# code ARGS...: curl's status code for a request, bounded in time.
code() {
	timeout -k 2 20 curl -s -o /dev/null -w '%{http_code}' "$@"
}

@test "auth peer: Digest asks with a 401 and a Digest challenge" {
	run timeout 20 curl -s -D - -o /dev/null "$(U /digest/index.txt)"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "HTTP/1.1 401 "* ]]
	echo "$output" | grep -q '^WWW-Authenticate: Digest realm="nk digest", nonce="[^"]*", algorithm=MD5, domain="/digest/", qop="auth"'
}

@test "auth peer: curl --digest gets 200 and the page" {
	run timeout 20 curl -s --digest -u 'nk:pass w0rd' "$(U /digest/index.txt)"
	[ "$status" -eq 0 ]
	[ "$output" = "digest ok" ]
	# the answer Apache took has curl's fields, in curl's order (the log
	# writes a quote in a header as \")
	sed 's/\\"/"/g' "$APACHE_DIR/access.log" | grep -E '"GET /digest/index.txt HTTP/1.1" 200 "Digest username="nk", realm="nk digest", nonce="[^"]+", uri="/digest/index.txt", cnonce="[A-Za-z0-9+/=]{44}", nc=00000001, qop=auth, response="[0-9a-f]{32}", algorithm=MD5"'
}

@test "auth peer: a wrong password or none gets 401" {
	[ "$(code --digest -u 'nk:wrong' "$(U /digest/index.txt)")" = 401 ]
	[ "$(code --digest -u 'other:pass w0rd' "$(U /digest/index.txt)")" = 401 ]
	[ "$(code "$(U /digest/index.txt)")" = 401 ]
	# Basic credentials to a Digest realm
	[ "$(code -u 'nk:pass w0rd' "$(U /digest/index.txt)")" = 401 ]
}

@test "auth peer: --anyauth picks Digest, and Basic where only it is offered" {
	[ "$(code --anyauth -u 'nk:pass w0rd' "$(U /digest/index.txt)")" = 200 ]
	[ "$(code --anyauth -u 'nk:pass w0rd' "$(U /basic/index.txt)")" = 200 ]
	grep -q '"GET /basic/index.txt HTTP/1.1" 200 "Basic bms6cGFzcyB3MHJk"' "$APACHE_DIR/access.log"
}

@test "auth peer: Basic gets 200 with the password, 401 without" {
	[ "$(code -u 'nk:pass w0rd' "$(U /basic/index.txt)")" = 200 ]
	[ "$(code --basic -u 'nk:nope' "$(U /basic/index.txt)")" = 401 ]
	[ "$(code "$(U /basic/index.txt)")" = 401 ]
}

@test "auth peer: a POST with --digest is answered after curl's empty probe" {
	run timeout 20 curl -s --digest -u 'nk:pass w0rd' -d 'x=1' "$(U /digest/index.txt)"
	[ "$status" -eq 0 ]
	[ "$output" = "digest ok" ]
}

@test "auth peer: /stale/ says stale=true for an expired nonce" {
	local n h
	h=$(timeout 20 curl -s -D - -o /dev/null "$(U /stale/index.txt)")
	n=$(echo "$h" | sed -n 's/^WWW-Authenticate: Digest .*nonce="\([^"]*\)".*/\1/p')
	[ -n "$n" ]
	sleep 2.2
	# an answer computed for the old nonce, the way curl would
	local ha1 ha2 resp cn=MTIzNDU2Nzg5MGFiY2RlZjEyMzQ1Njc4OTBhYmNkZWY=
	ha1=$(printf '%s' 'nk:nk digest:pass w0rd' | md5sum | cut -d' ' -f1)
	ha2=$(printf '%s' 'GET:/stale/index.txt' | md5sum | cut -d' ' -f1)
	resp=$(printf '%s' "$ha1:$n:00000001:$cn:auth:$ha2" | md5sum | cut -d' ' -f1)
	run timeout 20 curl -s -D - -o /dev/null -H "Authorization: Digest username=\"nk\", realm=\"nk digest\", nonce=\"$n\", uri=\"/stale/index.txt\", cnonce=\"$cn\", nc=00000001, qop=auth, response=\"$resp\", algorithm=MD5" "$(U /stale/index.txt)"
	[[ "${lines[0]}" == "HTTP/1.1 401 "* ]]
	echo "$output" | grep -q '^WWW-Authenticate: Digest .*stale=true'
	# curl answers the stale challenge without asking again
	[ "$(code --digest -u 'nk:pass w0rd' "$(U /stale/index.txt)")" = 200 ]
}
