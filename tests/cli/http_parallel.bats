#!/usr/bin/env bats
# nk http -Z/--parallel: transfers at once, bounded by --parallel-max (and
# --parallel-max-host), their stdout output whole and in command-line
# order whatever order they end in (bodies past the 1 MiB memory bound
# spill to a temporary file), -o names per glob, the exit status of the
# last failure, --fail-early. Against parpeer.py, which counts how many
# requests it has in hand at once, and nginx.
load ../lib/common
load ../lib/http

setup_file() {
	start_nginx
}

teardown_file() {
	stop_nginx
}

# start_par: parpeer.py on a free port; sets PP (its base URL) and STATS.
start_par() {
	STATS="$BATS_TEST_TMPDIR/stats"
	start_bg "$BATS_TEST_TMPDIR/pp.log" "$PYTHON" "$SERVERS_DIR/parpeer.py" "$STATS"
	local line
	line=$(wait_for_line "$BATS_TEST_TMPDIR/pp.log" '^Listening on ')
	PP="http://${line#Listening on }"
}

# body SIZE SEED: what /d/MS/SIZE/SEED serves.
body() {
	"$PYTHON" "$SERVERS_DIR/parpeer.py" body "$1" "$2"
}

# stat max|served: the peer's figure.
stat() {
	local s; s=$(cat "$STATS")
	case $1 in
	max) set -- $s; echo "$2" ;;
	served) set -- $s; echo "$4" ;;
	esac
}

@test "parallel: 50 URLs, at most 8 at once, stdout in command-line order" {
	start_par
	local urls=() i exp="$BATS_TEST_TMPDIR/exp"
	: >"$exp"
	for i in $(seq 1 50); do
		# later URLs answer sooner: the order of ends is not the order
		# of the command line
		urls+=("$PP/d/$(( (50 - i) % 7 * 40 ))/$(( i * 97 ))/$i")
		body $(( i * 97 )) "$i" >>"$exp"
	done
	timeout -k 2 30 nk-http -s -Z --parallel-max 8 -o "$BATS_TEST_TMPDIR/out" \
		"${urls[@]}" >"$BATS_TEST_TMPDIR/got"
	# the first to its file, the 49 others to stdout
	cmp "$BATS_TEST_TMPDIR/out" <(body 97 1)
	cmp "$BATS_TEST_TMPDIR/got" <(tail -c +98 "$exp")
	[ "$(stat served)" -eq 50 ]
	[ "$(stat max)" -le 8 ]
	[ "$(stat max)" -gt 1 ]
}

@test "parallel: the stdout bytes are exact, a body over the memory bound held behind a slow one" {
	start_par
	local t="$BATS_TEST_TMPDIR/tmp"
	mkdir "$t"
	# 3 MiB comes at once and waits (in a temporary file) for the slow
	# small body before it
	TMPDIR="$t" timeout -k 2 30 nk-http -s -Z -o - -o - -o "$BATS_TEST_TMPDIR/o" \
		"$PP/d/600/1000/1" "$PP/d/0/3145728/2" "$PP/d/300/5/3" \
		>"$BATS_TEST_TMPDIR/got"
	{ body 1000 1; body 3145728 2; } >"$BATS_TEST_TMPDIR/exp"
	cmp "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/exp"
	cmp "$BATS_TEST_TMPDIR/o" <(body 5 3)
	# the spilled file was unlinked from the start
	[ -z "$(ls -A "$t")" ]
}

@test "parallel: -w lines follow their bodies, whole, in order" {
	start_par
	run timeout -k 2 30 nk-http -s -Z --parallel-max 5 \
		-w '[%{http_code} %{url}]\n' "$PP/d/[0-4]00/3/7"
	[ "$status" -eq 0 ]
	local b; b=$(body 3 7)
	local exp="" i
	for i in 0 1 2 3 4; do
		exp+="$b[200 $PP/d/${i}00/3/7]"$'\n'
	done
	[ "$output" = "${exp%$'\n'}" ]
}

@test "parallel: -w to stderr, one whole line a transfer" {
	start_par
	timeout -k 2 30 nk-http -s -Z --parallel-max 20 -o /dev/null \
		-w '%{stderr}%{http_code} %{size_download} %{url} end\n' \
		"$PP/d/[1-40]0/1000/1" 2>"$BATS_TEST_TMPDIR/err"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 40 ]
	[ "$(grep -Ec "^200 1000 $PP/d/[0-9]+0/1000/1 end\$" "$BATS_TEST_TMPDIR/err")" -eq 40 ]
}

@test "parallel: -o names with #1 from a glob, files from nginx" {
	cd "$BATS_TEST_TMPDIR"
	local u="http://127.0.0.1:$NGINX_PORT"
	run timeout -k 2 30 nk-http -s -Z --parallel-max 3 \
		"$u/{hello.txt,100k.txt,random.bin}" -o 'got_#1' \
		"$u/dir/file.txt" -O
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	cmp got_hello.txt "$NGINX_DIR/www/hello.txt"
	cmp got_100k.txt "$NGINX_DIR/www/100k.txt"
	cmp got_random.bin "$NGINX_DIR/www/random.bin"
	cmp file.txt "$NGINX_DIR/www/dir/file.txt"
}

@test "parallel: a failing URL loses no other output; the status is the failure's" {
	start_par
	run timeout -k 2 30 nk-http -f -Z "$PP/d/200/4/1" "$PP/fail/0" \
		"$PP/d/0/4/3"
	[ "$status" -eq 22 ]
	[ "$output" = "$(body 4 1)nk-http: (22) The requested URL returned error: 500
$(body 4 3)" ] || [ "$output" = "nk-http: (22) The requested URL returned error: 500
$(body 4 1)$(body 4 3)" ]
	[ "$(stat served)" -eq 3 ]
	# without -Z a later success makes it 0 (curl's rule for a run of
	# URLs); with -Z a failure stays
	run timeout -k 2 30 nk-http -s -f "$PP/fail/0" "$PP/d/0/4/3"
	[ "$status" -eq 0 ]
}

@test "parallel: the last failure in command-line order is the status" {
	start_par
	# 7 (nothing listens) ends last but comes first
	local dead; dead=$(fast_port)
	run timeout -k 2 30 nk-http -s -f -Z "http://127.0.0.1:$dead/" \
		"$PP/fail/300" "$PP/d/0/1/1"
	[ "$status" -eq 22 ]
	run timeout -k 2 30 nk-http -s -f -Z "$PP/fail/0" \
		"http://127.0.0.1:$dead/" "$PP/d/0/1/1"
	[ "$status" -eq 7 ]
}

@test "parallel: --fail-early starts nothing more and ends the running ones" {
	start_par
	local start=$SECONDS
	run timeout -k 2 30 nk-http -s -S -f -Z --fail-early --parallel-max 3 \
		"$PP/fail/100" "$PP/d/[1-30]000/1/1"
	[ "$status" -eq 22 ]
	[ "$output" = "nk-http: (22) The requested URL returned error: 500" ]
	# the first three at most, none after the failure
	[ "$(stat served)" -le 3 ]
	# the running ones (1 s and 2 s) were not waited for
	[ $((SECONDS - start)) -lt 3 ]
}

@test "parallel: --parallel-max-host bounds one host's transfers" {
	start_par
	run timeout -k 2 30 nk-http -s -Z --parallel-max-host 2 -o /dev/null \
		"$PP/d/100/10/[1-10]"
	[ "$status" -eq 0 ]
	[ "$(stat served)" -eq 10 ]
	[ "$(stat max)" -eq 2 ]
}

@test "parallel: -i heads and bodies together, each transfer whole" {
	start_par
	run timeout -k 2 30 nk-http -s -i -Z "$PP/d/300/2/1" "$PP/d/0/2/2"
	[ "$status" -eq 0 ]
	local h=$'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n'
	[ "$output" = "$h$(body 2 1)$h$(body 2 2)" ]
}

@test "parallel: --parallel-max takes 1 to 300 (more runs 300, as curl)" {
	run nk-http -Z --parallel-max 0 http://127.0.0.1:1/
	[ "$status" -eq 2 ]
	run nk-http -Z --parallel-max x http://127.0.0.1:1/
	[ "$status" -eq 2 ]
	start_par
	run timeout -k 2 10 nk-http -s -Z --parallel-max 500 "$PP/d/0/1/1"
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

@test "parallel: over https, with the cookie engine and -D shared" {
	cd "$BATS_TEST_TMPDIR"
	local u="https://nk.test:$NGINX_SPORT"
	run timeout -k 2 30 nk-http -s -Z --parallel-max 6 $(NKR) \
		-b 'k=v' -c jar -D heads "$u/{hello.txt,100k.txt,random.bin}" \
		-o - "$u/dir/file.txt" -o - "$u/hello.txt" -o last
	[ "$status" -eq 0 ]
	cat "$NGINX_DIR/www/hello.txt" "$NGINX_DIR/www/100k.txt" \
		"$NGINX_DIR/www/random.bin" "$NGINX_DIR/www/dir/file.txt" >exp
	timeout -k 2 30 nk-http -s -Z --parallel-max 6 $(NKR) -b 'k=v' -c jar2 \
		"$u/{hello.txt,100k.txt,random.bin}" "$u/dir/file.txt" | cmp - exp
	cmp last "$NGINX_DIR/www/hello.txt"
	# five heads, each whole
	[ "$(grep -c '^HTTP/1.1 200 OK' heads)" -eq 5 ]
	[ "$(grep -c '^Server: nginx' heads)" -eq 5 ]
	[ -f jar ]
}

@test "parallel: one meter line on a terminal, none elsewhere or with -s" {
	start_par
	cd "$BATS_TEST_TMPDIR"
	local cmd
	printf -v cmd 'nk-http -Z -o /dev/null "%s/d/[1-4]00/2000/1" -o /dev/null' "$PP"
	run timeout -k 2 20 script -qec "$cmd" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"DL% UL%  Dled  Uled  Xfers  Live Total     Current  Left     Speed"* ]]
	# all four started and their 8000 bytes counted at the end
	[[ "$output" == *" 8000     0      4     0 --:--:-- 00:00:0"* ]]
	run timeout -k 2 20 script -qec "${cmd/-Z/-s -Z}" /dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	timeout -k 2 20 nk-http -Z -o /dev/null "$PP/d/[1-4]00/2000/1" 2>err
	[ ! -s err ]
}

@test "parallel: -T uploads with a glob, each file whole (nginx DAV)" {
	cd "$BATS_TEST_TMPDIR"
	head -c 300000 /dev/urandom >a
	head -c 1 /dev/urandom >b
	: >c
	run timeout -k 2 30 nk-http -sS -Z -H Expect: -T '{a,b,c}' \
		"http://127.0.0.1:$NGINX_PORT/dav/"
	[ "$status" -eq 0 ]
	for f in a b c; do
		cmp "$f" "$NGINX_DIR/www/dav/$f"
	done
}
