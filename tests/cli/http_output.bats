#!/usr/bin/env bats
# nk http output rules: -o through a temporary file renamed into place,
# nothing left behind by a failure or a signal, -O names, --output-dir,
# resume, and terminal safety (binary guard, escaping, colour, progress).
# The file contract row by row (existing files, links, --no-clobber,
# --remove-on-error) is http_outfile.bats.
load ../lib/common
load ../lib/http

setup_file() {
	start_nginx
}

teardown_file() {
	stop_nginx
}

nkh() {
	# shellcheck disable=SC2046
	timeout -k 2 20 nk-http $(NKR) "$@"
}

H() { echo "http://nk.test:$NGINX_PORT$1"; }

# in_tty CMD...: runs CMD with a pseudo-terminal as stdin, stdout and
# stderr (what a person at a terminal sees); its exit status is CMD's.
in_tty() {
	local cmd
	printf -v cmd '%q ' "$@"
	timeout -k 2 20 script -qec "$cmd" /dev/null
}

# no_leftovers DIR: DIR holds no temporary file of nk's.
no_leftovers() {
	local left
	left=$(find "$1" -name '.*.nk-*')
	[ -z "$left" ] || { echo "left behind: $left" >&2; return 1; }
}

@test "-o writes the file, and no temporary file stays" {
	cd "$BATS_TEST_TMPDIR"
	run nkh -o out.txt "$(H /100k.txt)"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	cmp out.txt "$NGINX_DIR/www/100k.txt"
	no_leftovers .
	[ "$(stat -c %a out.txt)" = "$(umask -S >/dev/null; touch ref; stat -c %a ref)" ]
}

@test "-o: one per URL, in order" {
	cd "$BATS_TEST_TMPDIR"
	run nkh -o a "$(H /hello.txt)" -o b "$(H /dir/file.txt)"
	[ "$status" -eq 0 ]
	[ "$(cat a)" = "hello world" ]
	[ "$(cat b)" = "in a dir" ]
}

@test "-o: a failed transfer leaves no file and no temporary file" {
	cd "$BATS_TEST_TMPDIR"
	start_raw "$SERVERS_DIR/cases/cl-short.case"
	run timeout 10 nk-http -o out "http://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 18 ]
	[ ! -e out ]
	no_leftovers .
}

@test "-o: an existing file is written in place: a failure keeps what came" {
	cd "$BATS_TEST_TMPDIR"
	echo old >out
	start_raw "$SERVERS_DIR/cases/chunked-truncated.case"
	run timeout 10 nk-http -o out "http://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 18 ]
	[ "$(cat out)" = "hello" ]
	no_leftovers .
}

@test "-o: --max-time leaves nothing behind" {
	cd "$BATS_TEST_TMPDIR"
	start_raw "$SERVERS_DIR/cases/stalled-body.case"
	run timeout 10 nk-http -m 0.5 -o out "http://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 28 ]
	[ ! -e out ]
	no_leftovers .
}

# interrupt SIGNAL: starts a transfer that stalls halfway, waits for its
# temporary file, sends SIGNAL and checks nothing is left.
interrupt() {
	cd "$BATS_TEST_TMPDIR"
	start_raw "$SERVERS_DIR/cases/stalled-body.case"
	env --default-signal=INT nk-http -o out "http://127.0.0.1:$RAW_PORT/" \
		2>err &
	local pid=$! i
	for i in $(seq 100); do
		[ -n "$(find . -name '.out.nk-*' -size +0)" ] && break
		sleep 0.05
	done
	[ -n "$(find . -name '.out.nk-*' -size +0)" ]
	kill -"$1" "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq $((128 + $(kill -l "$1"))) ]
	[ ! -e out ]
	no_leftovers .
}

@test "-o: SIGTERM removes the temporary file" {
	interrupt TERM
}

@test "-o: SIGINT removes the temporary file" {
	interrupt INT
}

@test "-o: a symbolic link keeps pointing at the file it names" {
	cd "$BATS_TEST_TMPDIR"
	mkdir real
	echo old >real/f
	ln -s real/f link
	run nkh -o link "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ -L link ]
	[ "$(cat real/f)" = "hello world" ]
	no_leftovers .
}

@test "-o: devices are written directly, write errors are 23" {
	run nkh -o /dev/null "$(H /100k.txt)"
	[ "$status" -eq 0 ]
	run nkh -o /dev/full "$(H /100k.txt)"
	[ "$status" -eq 23 ]
	[[ "$output" == "nk-http: (23) writing to /dev/full: No space left on device" ]]
	run bash -c "timeout 10 nk-http $(NKR) '$(H /100k.txt)' >/dev/full"
	[ "$status" -eq 23 ]
	run nkh -o "$BATS_TEST_TMPDIR/no/such/dir/f" "$(H /hello.txt)"
	[ "$status" -eq 23 ]
}

@test "-O names the file after the URL path, in the current directory" {
	cd "$BATS_TEST_TMPDIR"
	run nkh -O "$(H /dir/file.txt)" -O "$(H /hello.txt?x=1)"
	[ "$status" -eq 0 ]
	[ "$(cat file.txt)" = "in a dir" ]
	[ "$(cat hello.txt)" = "hello world" ]
	[ "$(ls -A | sort | tr '\n' ' ')" = "file.txt hello.txt " ]
}

@test "-O refuses an empty name and never climbs out of the directory" {
	cd "$BATS_TEST_TMPDIR"
	mkdir sub && cd sub
	run nkh -O "$(H /dir/)"
	[ "$status" -eq 23 ]
	[ "$output" = "nk-http: (23) -O: the URL $(H /dir/) has no file name in its path; use -o FILE" ]
	run nkh -O "$(H /)"
	[ "$status" -eq 23 ]
	run nkh -O "http://nk.test:99999/x"
	[ "$status" -eq 3 ]
	[[ "$output" == 'nk-http: (3) invalid URL "http://nk.test:99999/x": '* ]]
	# Dot segments are resolved by the URL parser; encoded ones stay a
	# plain name.
	run nkh -s -O "$(H /dir/../hello.txt)"
	[ "$status" -eq 0 ]
	[ -f hello.txt ]
	run nkh -s -O "$(H /a/..%2F..%2Fescaped)"
	[ -f '..%2F..%2Fescaped' ]
	[ "$(ls -A .. | tr '\n' ' ')" = "sub " ]
	no_leftovers ..
}

@test "--output-dir holds -o and -O files" {
	cd "$BATS_TEST_TMPDIR"
	mkdir d
	run nkh --output-dir d -O "$(H /hello.txt)" -o named "$(H /dir/file.txt)"
	[ "$status" -eq 0 ]
	[ "$(cat d/hello.txt)" = "hello world" ]
	[ "$(cat d/named)" = "in a dir" ]
	[ "$(ls -A)" = "d" ]
}

@test "-C - resumes a partial file with a Range request" {
	cd "$BATS_TEST_TMPDIR"
	head -c 30000 "$NGINX_DIR/www/100k.txt" >part
	run nkh -C - -o part -w '%{http_code} %{size_download}' "$(H /100k.txt)"
	[ "$status" -eq 0 ]
	[ "$output" = "206 70000" ]
	cmp part "$NGINX_DIR/www/100k.txt"
	# Already whole: nginx answers 416 and the file stays as it is.
	run nkh -C - -o part -w '%{http_code}' "$(H /100k.txt)"
	[ "$status" -eq 0 ]
	[ "$output" = "416" ]
	cmp part "$NGINX_DIR/www/100k.txt"
	# No file yet: the whole body.
	run nkh -C - -o new "$(H /100k.txt)"
	[ "$status" -eq 0 ]
	cmp new "$NGINX_DIR/www/100k.txt"
}

@test "-C: a server that ignores the Range is exit 33, the file untouched" {
	cd "$BATS_TEST_TMPDIR"
	cat >c.case <<-'EOF'
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789
	EOF
	start_raw c.case rec
	printf '0123' >part
	run timeout 10 nk-http -C - -o part "http://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 33 ]
	[ "$(cat part)" = "0123" ]
	grep -qx $'Range: bytes=4-\r' rec/conn-1
}

@test "-C - with --retry continues where the broken try stopped" {
	cd "$BATS_TEST_TMPDIR"
	cat >c.case <<-'EOF'
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234
	pause 50
	reset
	conn
	recv
	send HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-9/10\r\nContent-Length: 5\r\n\r\n56789
	EOF
	start_raw c.case rec
	run timeout 10 nk-http -s -C - --retry 2 --retry-delay 0.05 -o f \
		-w '%{num_retries}' "http://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 0 ]
	[ "$output" = "1" ]
	[ "$(cat f)" = "0123456789" ]
	grep -qx $'Range: bytes=5-\r' rec/conn-2
}

@test "--retry without -C starts the file again" {
	cd "$BATS_TEST_TMPDIR"
	cat >c.case <<-'EOF'
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nXXXXX
	pause 50
	reset
	conn
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789
	EOF
	start_raw c.case
	run timeout 10 nk-http -s --retry 1 --retry-delay 0.05 -o f "http://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 0 ]
	[ "$(cat f)" = "0123456789" ]
	no_leftovers .
}

@test "terminal: a binary body is not written to it" {
	run in_tty nk-http $(NKR) "$(H /nul.bin)"
	[ "$status" -eq 23 ]
	[[ "$output" == *"the body looks binary"*"use -o FILE"* ]]
	[[ "$output" != *binary$'\n'* ]]
	# -o - writes it anyway; a pipe is not a terminal.
	run in_tty nk-http $(NKR) -o - "$(H /nul.bin)"
	[ "$status" -eq 0 ]
	nkh "$(H /nul.bin)" | cmp - "$NGINX_DIR/www/nul.bin"
}

@test "terminal: escape sequences from the server are shown escaped" {
	cat >"$BATS_TEST_TMPDIR/e.case" <<-'EOF'
	recv
	send HTTP/1.1 200 OK\r\nX-Evil: \x1b]0;pwned\x07\x1b[2J\x9b1m\xc2\x9b\r\nX-Utf8: caf\xc3\xa9\r\nContent-Length: 2\r\n\r\nok
	EOF
	start_raw "$BATS_TEST_TMPDIR/e.case"
	NO_COLOR=1 run in_tty nk-http -i "http://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 0 ]
	[[ "$output" == *'X-Evil: \x1b]0;pwned\x07\x1b[2J\x9b1m\xc2\x9b'* ]]
	[[ "$output" == *'X-Utf8: café'* ]]
	! grep -q $'\x1b' <<<"$output"
	! grep -q $'\x07' <<<"$output"
	# -v escapes whatever stderr is.
	run timeout 10 nk-http -v -o /dev/null "http://127.0.0.1:$RAW_PORT/"
	[[ "$output" == *'< X-Evil: \x1b]0;pwned\x07\x1b[2J\x9b1m\xc2\x9b'* ]]
	! grep -q $'\x1b' <<<"$output"
	# A pipe gets the exact bytes.
	timeout 10 nk-http -i "http://127.0.0.1:$RAW_PORT/" | grep -q $'\x1b]0;pwned\x07'
}

@test "terminal: header names are coloured unless NO_COLOR is set" {
	run in_tty nk-http $(NKR) -I "$(H /hello.txt)"
	[[ "$output" == *$'\x1b[1;32mHTTP/1.1 200 OK\x1b[0m'* ]]
	[[ "$output" == *$'\x1b[1;36mContent-Type\x1b[0m: text/plain'* ]]
	NO_COLOR=1 run in_tty nk-http $(NKR) -I "$(H /hello.txt)"
	[[ "$output" == *"Content-Type: text/plain"* ]]
	! grep -q $'\x1b' <<<"$output"
	# Not a terminal: no colour either.
	run nkh -I "$(H /hello.txt)"
	! grep -q $'\x1b' <<<"$output"
}

@test "terminal: a progress meter for a transfer over a second, not with -s" {
	cd "$BATS_TEST_TMPDIR"
	cat >p.case <<-'EOF'
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123456789
	pause 1300
	send 0123456789
	EOF
	start_raw p.case
	run in_tty nk-http -o out "http://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 0 ]
	[[ "$output" == *"20 B / 20 B  100%"*"ETA 0:00:00"* ]]
	run in_tty nk-http -s -o out2 "http://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(cat out2)" = "01234567890123456789" ]
}
