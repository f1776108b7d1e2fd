#!/usr/bin/env bats
# nk http's --proxy-digest and --proxy-anyauth (and --proxy-basic) with -U,
# against tests/servers/pxauth.py: a proxy peer that answers 407 until the
# Proxy-Authorization is right (the Digest response checked with hashlib),
# for forwarded requests and CONNECT. nk's bytes are compared with curl
# 7.88's (cnonce and response aside: random).
load ../lib/common
load ../lib/http

# start_px MODE [close]: the peer, credentials u:p
start_px() {
	: >"$BATS_TEST_TMPDIR/px.log"
	start_bg "$BATS_TEST_TMPDIR/px.out" "$PYTHON" "$SERVERS_DIR/pxauth.py" \
		"$BATS_TEST_TMPDIR/px.log" u:p "$@"
	local line
	line=$(wait_for_line "$BATS_TEST_TMPDIR/px.out" '^Listening on ') || return 1
	PX=127.0.0.1:${line##*:}
}

# both ARGS...: runs curl then nk http with the same arguments, keeping
# each one's output, status and record (random parts blanked); they must
# be the same.
both() {
	local t rc
	for t in curl nk; do
		: >"$BATS_TEST_TMPDIR/px.log"
		rc=0
		if [ $t = curl ]; then
			timeout 10 curl -s -A X "$@" >"$BATS_TEST_TMPDIR/$t.out" || rc=$?
		else
			timeout 10 "$NK_BIN/nk" http -s -A X "$@" \
				>"$BATS_TEST_TMPDIR/$t.out" || rc=$?
		fi
		echo $rc >"$BATS_TEST_TMPDIR/$t.rc"
		sed 's/cnonce="[^"]*"/cnonce=C/; s/response="[^"]*"/response=R/' \
			"$BATS_TEST_TMPDIR/px.log" >"$BATS_TEST_TMPDIR/$t.rec"
	done
	diff "$BATS_TEST_TMPDIR/curl.rec" "$BATS_TEST_TMPDIR/nk.rec"
	diff "$BATS_TEST_TMPDIR/curl.out" "$BATS_TEST_TMPDIR/nk.out"
	[ "$(cat "$BATS_TEST_TMPDIR/curl.rc")" = "$(cat "$BATS_TEST_TMPDIR/nk.rc")" ]
}

@test "pxauth: --proxy-digest, forwarded: 407 answered, Digest checked, curl's bytes" {
	start_px digest
	both -x "$PX" -U u:p --proxy-digest http://h.test/a?q=1
	[ "$(cat "$BATS_TEST_TMPDIR/nk.out")" = ok ]
	[ "$(cat "$BATS_TEST_TMPDIR/nk.rc")" = 0 ]
	grep -q '^check: ok$' "$BATS_TEST_TMPDIR/nk.rec"
	! grep -q '^check: bad$' "$BATS_TEST_TMPDIR/nk.rec"
	grep -q 'uri="/a?q=1"' "$BATS_TEST_TMPDIR/nk.rec"
	[ "$(grep -c '^GET http://h.test/a?q=1 HTTP/1.1' "$BATS_TEST_TMPDIR/nk.rec")" = 2 ]
}

@test "pxauth: --proxy-digest with -p: CONNECT again on the kept connection, and on a new one" {
	start_px digest
	both -x "$PX" -U u:p --proxy-digest -p http://h.test/a
	[ "$(cat "$BATS_TEST_TMPDIR/nk.out")" = "tunnel ok" ]
	grep -q 'uri="h.test:80"' "$BATS_TEST_TMPDIR/nk.rec"
	[ "$(grep -c '^CONNECT h.test:80 HTTP/1.1' "$BATS_TEST_TMPDIR/nk.rec")" = 2 ]
	grep -q '^check: ok$' "$BATS_TEST_TMPDIR/nk.rec"
	! grep -q '^check: bad$' "$BATS_TEST_TMPDIR/nk.rec"
	kill "$BG_PID"
	start_px digest close
	both -x "$PX" -U u:p --proxy-digest -p http://h.test/a
	[ "$(cat "$BATS_TEST_TMPDIR/nk.out")" = "tunnel ok" ]
	grep -q '^check: ok$' "$BATS_TEST_TMPDIR/nk.rec"
}

@test "pxauth: --proxy-anyauth picks Digest over Basic, forwarded and CONNECT" {
	start_px both
	both -x "$PX" -U u:p --proxy-anyauth http://h.test/a
	[ "$(cat "$BATS_TEST_TMPDIR/nk.out")" = ok ]
	grep -q '^Proxy-Authorization: Digest ' "$BATS_TEST_TMPDIR/nk.rec"
	both -x "$PX" -U u:p --proxy-anyauth -p http://h.test/a
	[ "$(cat "$BATS_TEST_TMPDIR/nk.out")" = "tunnel ok" ]
	grep -q '^check: ok$' "$BATS_TEST_TMPDIR/nk.rec"
}

@test "pxauth: -U alone and --proxy-basic stay Basic from the first request" {
	start_px basic
	both -x "$PX" -U u:p http://h.test/a
	[ "$(cat "$BATS_TEST_TMPDIR/nk.out")" = ok ]
	[ "$(grep -c '^GET ' "$BATS_TEST_TMPDIR/nk.rec")" = 1 ]
	both -x "$PX" -U u:p --proxy-basic -p http://h.test/a
	[ "$(cat "$BATS_TEST_TMPDIR/nk.out")" = "tunnel ok" ]
}

@test "pxauth: a wrong password: the 407 shown, exit 0; through -p exit 56, as curl" {
	start_px digest
	both -x "$PX" -U u:bad --proxy-digest http://h.test/a
	[ "$(cat "$BATS_TEST_TMPDIR/nk.out")" = denied ]
	[ "$(cat "$BATS_TEST_TMPDIR/nk.rc")" = 0 ]
	both -x "$PX" -U u:bad --proxy-digest -p http://h.test/a
	[ "$(cat "$BATS_TEST_TMPDIR/nk.rc")" = 56 ]
}
