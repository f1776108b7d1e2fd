#!/usr/bin/env bats
# nk http -o/-O: the output file contract of nk-http(1) ("Output files"),
# one test per row: a new name (temporary file renamed into place), an
# existing file (written in place: inode, mode, owner, hard links kept),
# symbolic links (followed, dangling or not), names of 255 bytes,
# --no-clobber and --remove-on-error with curl's meaning, failures before
# and during the body, and signals. More of -o (devices, -O names,
# --output-dir, -C) is in http_output.bats.
load ../lib/common
load ../lib/http

setup_file() {
	start_nginx
}

teardown_file() {
	stop_nginx
}

teardown() {
	# The directory the tests run as nobody use, outside BATS_TEST_TMPDIR
	# (which nobody may not traverse).
	[ -z "${SHARED:-}" ] || rm -rf "$SHARED"
	stop_all
}

nkh() {
	# shellcheck disable=SC2046
	timeout -k 2 20 nk-http $(NKR) "$@"
}

H() { echo "http://nk.test:$NGINX_PORT$1"; }

# raw CASE: serves tests/servers/cases/CASE.case (or a file path); sets URL.
raw() {
	local c=$1
	[ -f "$c" ] || c="$SERVERS_DIR/cases/$1.case"
	start_raw "$c"
	URL="http://127.0.0.1:$RAW_PORT/"
}

# cd_dl: into a fresh directory for the files under test (servers keep
# their logs in BATS_TEST_TMPDIR).
cd_dl() {
	mkdir -p "$BATS_TEST_TMPDIR/dl"
	cd "$BATS_TEST_TMPDIR/dl"
}

# no_leftovers DIR: DIR holds no temporary file of nk's.
no_leftovers() {
	local left
	left=$(find "$1" -name '.*.nk-*')
	[ -z "$left" ] || { echo "left behind: $left" >&2; return 1; }
}

# as_nobody CMD...: CMD as uid/gid 65534 without supplementary groups.
as_nobody() {
	timeout -k 2 20 setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# shared_dir: SHARED, a fresh directory under /tmp that nobody can
# traverse (and teardown removes).
shared_dir() {
	SHARED=$(mktemp -d /tmp/nk-outfile.XXXXXX)
	chmod 755 "$SHARED"
}

# ---- a new name --------------------------------------------------------

@test "new file: appears whole on success, with the umask's mode" {
	cd_dl
	run nkh -o out "$(H /100k.txt)"
	[ "$status" -eq 0 ]
	cmp out "$NGINX_DIR/www/100k.txt"
	(umask 027 && nkh -o out027 "$(H /hello.txt)")
	[ "$(stat -c %a out027)" = 640 ]
	no_leftovers .
}

@test "new file: a failure before or during the body leaves no file" {
	cd_dl
	raw truncated-after-head
	run timeout 10 nk-http -o out "$URL"
	[ "$status" -eq 18 ]
	raw cl-short
	run timeout 10 nk-http -o out "$URL"
	[ "$status" -eq 18 ]
	[ "$(ls -A)" = "" ]
}

@test "new file: names of 255 bytes work; 256 is one whole error line" {
	cd_dl
	local n255 n256
	n255=$(printf 'n%.0s' $(seq 255))
	n256=${n255}x
	run nkh -o "$n255" "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$(cat "$n255")" = "hello world" ]
	# Over an existing one: written in place.
	run nkh -o "$n255" "$(H /dir/file.txt)"
	[ "$status" -eq 0 ]
	[ "$(cat "$n255")" = "in a dir" ]
	# -O takes the same names (nginx's 404 page is the body).
	mkdir o && cd o
	run nkh -O "$(H /)$n255"
	[ "$status" -eq 0 ]
	grep -q 404 "$n255"
	cd ..
	# Too long: the message keeps its reason.
	run nkh -o "$BATS_TEST_TMPDIR/$n256" "$(H /hello.txt)"
	[ "$status" -eq 23 ]
	[[ "$output" == "nk-http: (23) cannot open ..."*"${n256: -40}: File name too long" ]]
	[ "${#output}" -le 270 ]
	no_leftovers .
}

@test "new file: a directory nk cannot write is 23, cannot create" {
	shared_dir
	mkdir "$SHARED/ro"
	run as_nobody nk-http --resolve "nk.test:$NGINX_PORT:127.0.0.1" \
		-o "$SHARED/ro/f" "$(H /hello.txt)"
	[ "$status" -eq 23 ]
	[ "$output" = "nk-http: (23) cannot create $SHARED/ro/f: Permission denied" ]
	[ "$(ls -A "$SHARED/ro")" = "" ]
}

# term_new NAME: a transfer to the new file NAME stalls halfway; its
# temporary file holds the first bytes; SIGTERM leaves nothing behind.
term_new() {
	cd_dl
	raw stalled-body
	env --default-signal=TERM nk-http -o "$1" "$URL" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$! i
	for i in $(seq 100); do
		[ -n "$(find . -name '.*.nk-*' -size +0)" ] && break
		sleep 0.05
	done
	[ "$(cat .*.nk-*)" = "hello" ]
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
	[ "$(ls -A)" = "" ]
}

@test "new file: SIGTERM removes the temporary file" {
	term_new out
}

@test "new file: a 255-byte name's temporary file fits, and goes on SIGTERM" {
	term_new "$(printf 'n%.0s' $(seq 255))"
}

# ---- an existing file ------------------------------------------------

@test "existing file: keeps its inode, mode and owner (another user's)" {
	cd_dl
	echo old >f
	chown 65534:65534 f
	chmod 600 f
	local before; before=$(stat -c '%i %u %g %a' f)
	run nkh -o f "$(H /100k.txt)"
	[ "$status" -eq 0 ]
	cmp f "$NGINX_DIR/www/100k.txt"
	[ "$(stat -c '%i %u %g %a' f)" = "$before" ]
	[ "$before" = "$(stat -c %i f) 65534 65534 600" ]
	no_leftovers .
}

@test "existing file: its hard links all show the new content" {
	cd_dl
	echo old >a
	ln a b
	run nkh -o a "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$(cat a)" = "hello world" ]
	[ "$(cat b)" = "hello world" ]
	[ "$(stat -c %h a)" = 2 ]
}

@test "existing file: shorter content leaves no tail; an empty body empties it" {
	cd_dl
	cp "$NGINX_DIR/www/100k.txt" f
	run nkh -o f "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$(cat f)" = "hello world" ]
	raw cl-zero
	run timeout 10 nk-http -o f "$URL"
	[ "$status" -eq 0 ]
	[ ! -s f ]
	[ -f f ]
}

@test "existing file: writable in a read-only directory is written" {
	shared_dir
	mkdir "$SHARED/ro"
	echo old >"$SHARED/ro/f"
	chown 65534 "$SHARED/ro/f"
	run as_nobody nk-http --resolve "nk.test:$NGINX_PORT:127.0.0.1" \
		-o "$SHARED/ro/f" "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(cat "$SHARED/ro/f")" = "hello world" ]
	[ "$(ls -A "$SHARED/ro")" = "f" ]
}

@test "existing file: a failure before the body leaves it as it was" {
	cd_dl
	echo old >f
	raw truncated-after-head
	run timeout 10 nk-http -o f "$URL"
	[ "$status" -eq 18 ]
	[ "$(cat f)" = "old" ]
	run nkh -f -o f "$(H /no/such)"
	[ "$status" -eq 22 ]
	[ "$(cat f)" = "old" ]
	raw empty-reply
	run timeout 10 nk-http -o f "$URL"
	[ "$status" -eq 52 ]
	[ "$(cat f)" = "old" ]
	[ "$(ls -A)" = "f" ]
}

@test "existing file: a failure during the body leaves what had arrived" {
	cd_dl
	printf 'old content, longer than the body\n' >f
	raw cl-short
	run timeout 10 nk-http -o f "$URL"
	[ "$status" -eq 18 ]
	[ "$(cat f)" = "hello" ]
	[ "$(ls -A)" = "f" ]
}

@test "existing file: a signal during the body leaves what had arrived" {
	cd_dl
	echo old >f
	raw stalled-body
	env --default-signal=INT nk-http -o f "$URL" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$! i
	for i in $(seq 100); do
		[ "$(cat f)" = "hello" ] && break
		sleep 0.05
	done
	[ "$(cat f)" = "hello" ]
	kill -INT "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ]
	[ "$(cat f)" = "hello" ]
	no_leftovers .
}

@test "existing file: --retry starts it again from its first byte" {
	cd_dl
	cat >"$BATS_TEST_TMPDIR/c.case" <<-'EOF'
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nXXXXX
	pause 50
	reset
	conn
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789
	EOF
	echo "old content, longer than the body" >f
	local ino; ino=$(stat -c %i f)
	raw "$BATS_TEST_TMPDIR/c.case"
	run timeout 10 nk-http -s --retry 1 --retry-delay 0.05 -o f "$URL"
	[ "$status" -eq 0 ]
	[ "$(cat f)" = "0123456789" ]
	[ "$(stat -c %i f)" = "$ino" ]
}

# ---- symbolic links ---------------------------------------------------

@test "symlink to a file: followed, the link stays, the file keeps its inode" {
	cd_dl
	mkdir real
	echo old >real/f
	local ino; ino=$(stat -c %i real/f)
	ln -s real/f l1
	ln -s l1 l2
	run nkh -o l2 "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ -L l1 ] && [ -L l2 ]
	[ "$(readlink l2)" = l1 ]
	[ "$(cat real/f)" = "hello world" ]
	[ "$(stat -c %i real/f)" = "$ino" ]
	no_leftovers .
}

@test "dangling symlink: its target is created, the link stays" {
	cd_dl
	mkdir d
	ln -s d/target link
	# A failure creates nothing, there or here.
	raw cl-short
	run timeout 10 nk-http -o link "$URL"
	[ "$status" -eq 18 ]
	[ ! -e d/target ]
	[ "$(ls -A d)" = "" ]
	run nkh -o link "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ -L link ]
	[ "$(readlink link)" = d/target ]
	[ "$(cat d/target)" = "hello world" ]
	# An absolute target, through a second link.
	ln -s "$PWD/d/abs" l-abs
	ln -s l-abs l-two
	run nkh -o l-two "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$(cat d/abs)" = "hello world" ]
	no_leftovers .
	# A loop is an error.
	ln -s loop2 loop1
	ln -s loop1 loop2
	run nkh -o loop1 "$(H /hello.txt)"
	[ "$status" -eq 23 ]
	[ "$output" = "nk-http: (23) cannot open loop1: Too many levels of symbolic links" ]
}

# ---- --remove-on-error -------------------------------------------------

@test "--remove-on-error: a failure during the body removes the file" {
	cd_dl
	echo old >f
	raw cl-short
	run timeout 10 nk-http --remove-on-error -o f "$URL"
	[ "$status" -eq 18 ]
	[ "$(ls -A)" = "" ]
	# A new name: nothing is left either.
	run timeout 10 nk-http --remove-on-error -o g "$URL"
	[ "$status" -eq 18 ]
	[ "$(ls -A)" = "" ]
	# Through a link: the file written goes, the link stays.
	echo old >target
	ln -s target link
	run timeout 10 nk-http --remove-on-error -o link "$URL"
	[ "$status" -eq 18 ]
	[ -L link ] && [ ! -e target ]
}

@test "--remove-on-error: a failure before the body leaves the file (as curl)" {
	cd_dl
	echo old >f
	raw truncated-after-head
	run timeout 10 nk-http --remove-on-error -o f "$URL"
	[ "$status" -eq 18 ]
	[ "$(cat f)" = "old" ]
}

@test "--remove-on-error: with --fail-with-body, an error status removes the body" {
	cd_dl
	run nkh --fail-with-body -o f "$(H /no/such)"
	[ "$status" -eq 22 ]
	[ -s f ]
	rm f
	run nkh --fail-with-body --remove-on-error -o f "$(H /no/such)"
	[ "$status" -eq 22 ]
	[ "$(ls -A)" = "" ]
}

@test "--remove-on-error: with -C, any failure removes the file (as curl)" {
	cd_dl
	printf '0123' >part
	cat >"$BATS_TEST_TMPDIR/c.case" <<-'EOF'
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789
	EOF
	raw "$BATS_TEST_TMPDIR/c.case"
	run timeout 10 nk-http -C - --remove-on-error -o part "$URL"
	[ "$status" -eq 33 ]
	[ ! -e part ]
	# Success keeps it.
	head -c 30000 "$NGINX_DIR/www/100k.txt" >part
	run nkh -C - --remove-on-error -o part "$(H /100k.txt)"
	[ "$status" -eq 0 ]
	cmp part "$NGINX_DIR/www/100k.txt"
}

@test "--remove-on-error: a signal during the body removes the file" {
	cd_dl
	echo old >f
	raw stalled-body
	env --default-signal=TERM nk-http --remove-on-error -o f "$URL" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$! i
	for i in $(seq 100); do
		[ "$(cat f)" = "hello" ] && break
		sleep 0.05
	done
	[ "$(cat f)" = "hello" ]
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
	[ "$(ls -A)" = "" ]
}

# ---- --no-clobber ---------------------------------------------------------

@test "--no-clobber: an existing name gets .1, .2 ...; -w names the file" {
	cd_dl
	echo old >f
	run nkh --no-clobber -o f -w '%{filename_effective}\n' "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$output" = "f.1" ]
	[ "$(cat f)" = "old" ]
	[ "$(cat f.1)" = "hello world" ]
	run nkh --no-clobber -o f "$(H /dir/file.txt)"
	[ "$(cat f.2)" = "in a dir" ]
	# A free name is the name itself.
	run nkh --no-clobber -o new -w '%{filename_effective}' "$(H /hello.txt)"
	[ "$output" = "new" ]
	# -O too; a dangling link is a name taken, left alone.
	ln -s nowhere hello.txt
	run nkh --no-clobber -O "$(H /hello.txt)"
	[ "$status" -eq 0 ]
	[ "$(readlink hello.txt)" = nowhere ]
	[ "$(cat hello.txt.1)" = "hello world" ]
	no_leftovers .
}

@test "--no-clobber: with every name up to .100 taken, 23 and nothing written" {
	cd_dl
	touch f
	local i
	for i in $(seq 100); do touch "f.$i"; done
	run nkh --no-clobber -o f "$(H /hello.txt)"
	[ "$status" -eq 23 ]
	[ "$output" = "nk-http: (23) --no-clobber: f: it and every name from .1 to .100 exist" ]
	[ "$(ls | wc -l)" -eq 101 ]
	[ ! -s f ] && [ ! -s f.100 ]
	no_leftovers .
}

@test "--no-clobber: a failure leaves no file; -C ignores it (as curl)" {
	cd_dl
	echo old >f
	raw cl-short
	run timeout 10 nk-http --no-clobber -o f "$URL"
	[ "$status" -eq 18 ]
	[ "$(ls -A)" = "f" ]
	head -c 30000 "$NGINX_DIR/www/100k.txt" >part
	run nkh --no-clobber -C - -o part "$(H /100k.txt)"
	[ "$status" -eq 0 ]
	cmp part "$NGINX_DIR/www/100k.txt"
	[ ! -e part.1 ]
}
