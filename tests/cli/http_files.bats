#!/usr/bin/env bats
# nk http's file options (issue 15): -J/--remote-header-name against a
# scripted peer's Content-Disposition variants (compared with curl 7.88
# where nk follows it), --create-dirs, --out-null, --max-filesize with
# fractions, and --limit-rate (downloads from nginx, uploads to a peer
# that records when the bytes arrive).
load ../lib/common
load ../lib/http

setup_file() {
	start_nginx
	head -c 2000 /dev/urandom >"$NGINX_DIR/www/2000.bin"
	head -c 2000000 /dev/urandom >"$NGINX_DIR/www/2m.bin"
}

teardown_file() {
	stop_nginx
}

nkh() {
	# shellcheck disable=SC2046
	timeout -k 2 30 nk-http $(NKR) "$@"
}

H() { echo "http://nk.test:$NGINX_PORT$1"; }

# cd_peer HEADERLINE...: a peer answering every request with 200, a
# 5-byte body "hello" and these header lines (\r\n escapes allowed);
# sets URL (ending in /urlname.txt).
cd_peer() {
	local c="$BATS_TEST_TMPDIR/cd.case" h=""
	for line in "$@"; do h="$h$line\\r\\n"; done
	printf 'recv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n%s\\r\\nhello\n' \
		"$h" >"$c"
	start_raw "$c"
	URL="http://127.0.0.1:$RAW_PORT/urlname.txt"
}

# in_dir NAME: cd into a fresh directory BATS_TEST_TMPDIR/NAME.
in_dir() {
	mkdir -p "$BATS_TEST_TMPDIR/$1"
	cd "$BATS_TEST_TMPDIR/$1"
}

# files: the files under the current directory, one a line, sorted.
files() { find . -type f | sort; }

# ---- -J ---------------------------------------------------------------

@test "-J: a quoted and a token filename, as curl names them" {
	local h
	for h in 'filename="q.txt"' 'filename=tok.txt'; do
		cd_peer "Content-Disposition: attachment; $h"
		in_dir "nk-$h"
		run timeout 10 nk-http -sS -J -O "$URL"
		[ "$status" -eq 0 ]
		in_dir "curl-$h"
		timeout 10 curl -sS -J -O "$URL"
		[ "$(cd "../nk-$h" && files)" = "$(files)" ]
		[ "$(cd "../nk-$h" && cat ./*)" = hello ]
		stop_raw
	done
	[ -f "$BATS_TEST_TMPDIR/nk-filename=\"q.txt\"/q.txt" ]
	[ -f "$BATS_TEST_TMPDIR/nk-filename=tok.txt/tok.txt" ]
}

@test "-J: filename* (UTF-8, percent-encoded) wins over filename" {
	cd_peer "Content-Disposition: attachment; filename=\"plain.txt\"; filename*=UTF-8''caf%C3%A9%201.txt"
	in_dir dl
	run timeout 10 nk-http -sS -J -O -w '%{filename_effective}' "$URL"
	[ "$status" -eq 0 ]
	[ "$output" = "café 1.txt" ]
	[ "$(files)" = "./café 1.txt" ]
	# --no-clobber: the next free number instead of a refusal
	run timeout 10 nk-http -sS -J -O --no-clobber "$URL"
	[ "$status" -eq 0 ]
	[ "$(cat "café 1.txt.1")" = hello ]
	# A filename* in another charset, or one that is not UTF-8, is left
	# for filename.
	stop_raw
	cd_peer "Content-Disposition: attachment; filename*=ISO-8859-1''caf%E9.txt; filename=plain.txt"
	in_dir dl2
	run timeout 10 nk-http -sS -J -O "$URL"
	[ "$status" -eq 0 ]
	[ "$(files)" = "./plain.txt" ]
}

@test "-J: a path is cut to its last component, in the directory only" {
	cd_peer 'Content-Disposition: attachment; filename="../../etc/x"'
	in_dir a/b/dl
	run timeout 10 nk-http -sS -J -O "$URL"
	[ "$status" -eq 0 ]
	[ "$(files)" = ./x ]
	[ ! -e ../../etc ]
	# with --output-dir the name stays inside it; curl does the same
	in_dir c
	run timeout 10 nk-http -sS -J -O --output-dir out --create-dirs "$URL"
	[ "$status" -eq 0 ]
	[ "$(files)" = ./out/x ]
	in_dir c-curl
	timeout 10 curl -sS -J -O --output-dir out --create-dirs "$URL"
	[ "$(files)" = ./out/x ]
	# an encoded slash is a separator too
	stop_raw
	cd_peer "Content-Disposition: attachment; filename*=UTF-8''..%2F..%2Fy"
	in_dir d/dl
	run timeout 10 nk-http -sS -J -O "$URL"
	[ "$status" -eq 0 ]
	[ "$(files)" = ./y ]
}

@test "-J: an empty name or .. is refused with 23, as curl fails" {
	local h
	for h in 'filename=""' 'filename=".."' "filename*=UTF-8''%2E%2E"; do
		cd_peer "Content-Disposition: attachment; $h"
		in_dir "e-$RANDOM"
		run timeout 10 nk-http -sS -J -O "$URL"
		[ "$status" -eq 23 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == *"-J: refusing the file name"* ]]
		[ -z "$(files)" ]
		if [[ "$h" != *"*"* ]]; then
			run timeout 10 curl -sS -J -O "$URL"
			[ "$status" -eq 23 ]
		fi
		stop_raw
	done
}

@test "-J: control bytes in the name are refused (23), never written" {
	cd_peer 'Content-Disposition: attachment; filename="a\x1b[31mb.txt"'
	in_dir dl
	run timeout 10 nk-http -sS -J -O "$URL"
	[ "$status" -eq 23 ]
	[ "$output" = 'nk-http: (23) -J: refusing the file name "a\x1b[31mb.txt" from Content-Disposition: it has control characters or bytes that are not UTF-8' ]
	[ -z "$(files)" ]
}

@test "-J: never over an existing file (23, as curl), a link neither" {
	cd_peer 'Content-Disposition: attachment; filename="q.txt"'
	in_dir dl
	echo old >q.txt
	ln -s nowhere link.txt
	run timeout 10 nk-http -sS -J -O "$URL"
	[ "$status" -eq 23 ]
	[ "$output" = "nk-http: (23) refusing to overwrite q.txt: File exists" ]
	[ "$(cat q.txt)" = old ]
	[ -z "$(find . -name '.*.nk-*')" ]
	run timeout 10 curl -sS -J -O "$URL"
	[ "$status" -eq 23 ]
	[ "$(cat q.txt)" = old ]
	stop_raw
	cd_peer 'Content-Disposition: attachment; filename="link.txt"'
	run timeout 10 nk-http -sS -J -O "$URL"
	[ "$status" -eq 23 ]
	[ ! -e nowhere ]
	[ "$(readlink link.txt)" = nowhere ]
}

@test "-J: without Content-Disposition, or a name ending in /, the URL's name" {
	cd_peer 'X-Other: 1'
	in_dir dl
	run timeout 10 nk-http -sS -J -O "$URL"
	[ "$status" -eq 0 ]
	[ "$(files)" = ./urlname.txt ]
	# -J's fallback overwrites as -O does
	run timeout 10 nk-http -sS -J -O "$URL"
	[ "$status" -eq 0 ]
	stop_raw
	cd_peer 'Content-Disposition: attachment; filename="dir/"'
	in_dir dl2
	run timeout 10 nk-http -sS -J -O "$URL"
	[ "$status" -eq 0 ]
	[ "$(files)" = ./urlname.txt ]
	[ "$(cat urlname.txt)" = hello ]
}

@test "-J with -i or -I: exit 2, as curl" {
	run timeout 10 nk-http -J -O -i http://127.0.0.1:9/x
	[ "$status" -eq 2 ]
	[ "$output" = "nk-http: showing headers and --remote-header-name cannot be combined" ]
	run timeout 10 nk-http -J -O -I http://127.0.0.1:9/x
	[ "$status" -eq 2 ]
	run timeout 10 curl -s -J -O -i http://127.0.0.1:9/x
	[ "$status" -eq 2 ]
}

@test "-J over nginx: -w names the file, an empty body makes one" {
	in_dir dl
	run nkh -sS -J -O -w '%{filename_effective}' "$(H /2000.bin)"
	[ "$status" -eq 0 ]
	[ "$output" = 2000.bin ]
	cmp 2000.bin "$NGINX_DIR/www/2000.bin"
	# a large body (spliced into the file over http) and over https
	run nkh -sS -J --remote-name-all "$(H /2m.bin)" \
		"https://nk.test:$NGINX_SPORT/100k.txt"
	[ "$status" -eq 0 ]
	cmp 2m.bin "$NGINX_DIR/www/2m.bin"
	cmp 100k.txt "$NGINX_DIR/www/100k.txt"
	: >"$NGINX_DIR/www/empty.txt"
	run nkh -sS -J -O "$(H /empty.txt)"
	[ "$status" -eq 0 ]
	[ -f empty.txt ] && [ ! -s empty.txt ]
}

# ---- --create-dirs ----------------------------------------------------

@test "--create-dirs: nested directories with mode 0750, as curl" {
	in_dir dl
	run nkh -sS --create-dirs -o a/b/c/hello.txt "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$(cat a/b/c/hello.txt)" = "hello world" ]
	[ "$(stat -c %a a a/b a/b/c)" = "$(printf '750\n750\n750')" ]
	# and under --output-dir, which is made too
	run nkh -sS --create-dirs --output-dir o/p -o q/r.txt "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$(cat o/p/q/r.txt)" = "hello world" ]
	[ "$(stat -c %a o o/p o/p/q)" = "$(printf '750\n750\n750')" ]
	in_dir curl
	timeout 10 curl -s --create-dirs -o a/b/c/hello.txt "$(H /hello.txt)" \
		--resolve "nk.test:$NGINX_PORT:127.0.0.1"
	[ "$(stat -c %a a a/b a/b/c)" = "$(printf '750\n750\n750')" ]
	# existing directories are kept as they are
	mkdir -m 700 keep
	run nkh -sS --create-dirs -o keep/x/h.txt "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a keep keep/x)" = "$(printf '700\n750')" ]
}

@test "--create-dirs: a file in the way is 23, one line; without it too" {
	in_dir dl
	echo x >file
	run nkh -sS --create-dirs -o file/sub/h.txt "$(H /hello.txt)"
	[ "$status" -eq 23 ]
	[ "$output" = "nk-http: (23) cannot create the directory file/sub: Not a directory" ]
	run nkh -sS -o new/h.txt "$(H /hello.txt)"
	[ "$status" -eq 23 ]
	[ ! -e new ]
}

# ---- --out-null -------------------------------------------------------

@test "--out-null: the body goes nowhere, per URL, -w still counts it" {
	in_dir dl
	run nkh -sS -w '%{http_code} %{size_download}\n' --out-null \
		"$(H /100k.txt)" "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '200 100000\nhello world\n200 12')" ]
	[ -z "$(files)" ]
	# with -o for the URL after it, and with -i nothing shows either
	run nkh -sS -i -o h.txt --out-null "$(H /hello.txt)" "$(H /2m.bin)"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	grep -q '^hello world$' h.txt
	[ "$(files)" = ./h.txt ]
}

# ---- --max-filesize ---------------------------------------------------

@test "--max-filesize: fractions and units (1.5k refuses 2000 bytes)" {
	in_dir dl
	run nkh -sS --max-filesize 1.5k -o out "$(H /2000.bin)"
	[ "$status" -eq 63 ]
	[ ! -e out ]
	run nkh -sS --max-filesize 1.96k -o out "$(H /2000.bin)"
	[ "$status" -eq 0 ]
	cmp out "$NGINX_DIR/www/2000.bin"
	run nkh -sS --max-filesize 1.95k -o out2 "$(H /2000.bin)"
	[ "$status" -eq 63 ]
	run nkh -sS --max-filesize 0.01M -o out3 "$(H /2000.bin)"
	[ "$status" -eq 0 ]
	run nkh -sS --max-filesize 1999b -o out4 "$(H /2000.bin)"
	[ "$status" -eq 63 ]
	local bad
	for bad in 1.5x 1. .5k k -1 1.5kk; do
		run nkh -sS --max-filesize "$bad" "$(H /2000.bin)"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
	done
}

# ---- --limit-rate -----------------------------------------------------

# elapsed CMD...: runs CMD, sets SECS (fractional) and RC.
elapsed() {
	local t0 t1
	t0=$(date +%s.%N)
	RC=0
	"$@" || RC=$?
	t1=$(date +%s.%N)
	SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

# within SECS IDEAL: at least 80% of IDEAL and at most 3 times it.
within() {
	echo "took $1 s, ideal $2 s" >&2
	awk -v s="$1" -v i="$2" 'BEGIN { exit !(s >= i * 0.8 && s <= i * 3) }'
}

@test "--limit-rate: 2 MB at 1M takes about 1.9 s, whole (http and https)" {
	in_dir dl
	elapsed nkh -sS --limit-rate 1M -o out "$(H /2m.bin)"
	[ "$RC" -eq 0 ]
	cmp out "$NGINX_DIR/www/2m.bin"
	within "$SECS" 1.91
	elapsed nkh -sS --limit-rate 0.5M -o out2 \
		"https://nk.test:$NGINX_SPORT/2m.bin"
	[ "$RC" -eq 0 ]
	cmp out2 "$NGINX_DIR/www/2m.bin"
	within "$SECS" 3.81
	# without it, far faster
	elapsed nkh -sS -o out3 "$(H /2m.bin)"
	awk -v s="$SECS" 'BEGIN { exit !(s < 1.5) }'
}

@test "--limit-rate: an upload goes steadily, every half second alike" {
	head -c 1500000 /dev/urandom >"$BATS_TEST_TMPDIR/up.bin"
	local log="$BATS_TEST_TMPDIR/peer.log" marks="$BATS_TEST_TMPDIR/marks"
	start_bg "$log" "$PYTHON" "$SERVERS_DIR/slowpeer.py" "$marks"
	local line
	line=$(wait_for_line "$log" '^Listening on ')
	elapsed timeout -k 2 30 nk-http -sS --limit-rate 500k \
		-T "$BATS_TEST_TMPDIR/up.bin" "http://${line#Listening on }/up"
	[ "$RC" -eq 0 ]
	within "$SECS" 2.93
	wait_for_line "$marks" '1500000$' 5
	# bytes that arrived in each whole half second after the first: near
	# 256000 each, never a burst of more than 1.5 times that (nor, on a
	# loaded machine, a stall to less than a fifth)
	awk '{ b = int($1 * 2); last[b] = $2; if (b > max) max = b }
	     END { p = last[0]; n = 0
	           for (i = 1; i < max; i++) {
	               if (!(i in last)) { print "gap at " i; exit 1 }
	               d = last[i] - p; p = last[i]; n++
	               print i / 2 "s: " d
	               if (d > 384000 || d < 51200) exit 1 }
	           if (n < 3) exit 1 }' "$marks" >&2
}

@test "--limit-rate: -m still ends it (28), a bad SPEED is 2" {
	in_dir dl
	elapsed nkh -sS --limit-rate 100k -m 1 -o out "$(H /2m.bin)"
	[ "$RC" -eq 28 ]
	awk -v s="$SECS" 'BEGIN { exit !(s >= 0.9 && s < 5) }'
	[ ! -e out ]
	run nkh -sS --limit-rate 1.5q "$(H /hello.txt)"
	[ "$status" -eq 2 ]
	[ "$output" = "nk-http: --limit-rate takes bytes a second (fractions and k, M, G or T allowed), not '1.5q'" ]
}

@test "--limit-rate: an upload over https (written, not sent by the kernel)" {
	head -c 1000000 /dev/urandom >"$BATS_TEST_TMPDIR/up.bin"
	elapsed nkh -sS --limit-rate 1M -T "$BATS_TEST_TMPDIR/up.bin" \
		"https://nk.test:$NGINX_SPORT/dav/paced.bin"
	[ "$RC" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/up.bin" "$NGINX_DIR/www/dav/paced.bin"
	within "$SECS" 0.95
	# and from a pipe, chunked
	elapsed nkh -sS --limit-rate 1M -T - \
		"https://nk.test:$NGINX_SPORT/dav/piped.bin" <"$BATS_TEST_TMPDIR/up.bin"
	[ "$RC" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/up.bin" "$NGINX_DIR/www/dav/piped.bin"
	within "$SECS" 0.95
}
