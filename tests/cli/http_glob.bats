#!/usr/bin/env bats
# nk http URL globbing ({a,b}, [1-2], #N in -o names), -g/--globoff and
# --url, against the scripted raw server recording every byte it gets.
# The request lines and their order are curl 7.88's for the same commands.
load ../lib/common
load ../lib/http

# four_case: a case file answering four requests on one connection, with
# the bodies one, two, thr, fou.
four_case() {
	cat >"$BATS_TEST_TMPDIR/k.case" <<-'EOF'
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\none\n
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ntwo\n
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nthr\n
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfou\n
	drain
	EOF
	start_raw "$BATS_TEST_TMPDIR/k.case" "$BATS_TEST_TMPDIR/rec"
	U="http://127.0.0.1:$RAW_PORT"
}

# lines: the request lines recorded on connection 1, CRs dropped.
lines() {
	grep -a '^GET ' "$BATS_TEST_TMPDIR/rec/conn-1" | tr -d '\r'
}

@test "glob: {a,b}/x[1-2] is four requests, rightmost fastest, one connection" {
	four_case
	run timeout -k 2 10 nk-http -w '%{urlnum} %{url}\n' "$U/{a,b}/x[1-2]"
	[ "$status" -eq 0 ]
	[ "$output" = "one
0 $U/a/x1
two
0 $U/a/x2
thr
0 $U/b/x1
fou
0 $U/b/x2" ]
	[ "$(lines)" = 'GET /a/x1 HTTP/1.1
GET /a/x2 HTTP/1.1
GET /b/x1 HTTP/1.1
GET /b/x2 HTTP/1.1' ]
	[ ! -e "$BATS_TEST_TMPDIR/rec/conn-2" ]
}

@test "glob: #1 and #2 in -o name each file; #3 and # stay as written" {
	four_case
	local d="$BATS_TEST_TMPDIR/out"
	mkdir "$d"
	run timeout -k 2 10 nk-http -o "$d/f_#2-#1_#3#" "$U/[08-10:2]{p}" \
		-o "$d/g#1" "$U/{r,s}"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(lines)" = 'GET /08p HTTP/1.1
GET /10p HTTP/1.1
GET /r HTTP/1.1
GET /s HTTP/1.1' ]
	[ "$(cat "$d/f_p-08_#3#")" = one ]
	[ "$(cat "$d/f_p-10_#3#")" = two ]
	[ "$(cat "$d/gr")" = thr ]
	[ "$(cat "$d/gs")" = fou ]
	[ "$(ls "$d" | wc -l)" -eq 4 ]
}

@test "glob: letters with a step, escapes and an IPv6 literal are curl's" {
	four_case
	run timeout -k 2 10 nk-http -s -o /dev/null "$U/[a-e:2]" "$U/\[x\]\{y\}"
	[ "$status" -eq 0 ]
	[ "$(lines)" = 'GET /a HTTP/1.1
GET /c HTTP/1.1
GET /e HTTP/1.1
GET /[x]%7By%7D HTTP/1.1' ]
}

@test "glob: -g and --globoff send the brackets as written" {
	four_case
	run timeout -k 2 10 nk-http -g "$U/x[1-2]" --url "$U/y[3-4]" --globoff
	[ "$status" -eq 0 ]
	[ "$output" = $'one\ntwo' ]
	[ "$(lines)" = 'GET /x[1-2] HTTP/1.1
GET /y[3-4] HTTP/1.1' ]
}

@test "glob: a bad range is exit 3 with one line, before any connection" {
	four_case
	run timeout -k 2 10 nk-http "$U/a" "$U/[2-1]"
	[ "$status" -eq 3 ]
	local pos=$(( ${#U} + 2 ))
	[ "$output" = "nk-http: (3) bad range in URL position $pos: $U/[2-1]" ]
	stop_raw
	[ ! -s "$BATS_TEST_TMPDIR/rec/conn-1" ]
	# -s keeps it quiet, as curl's.
	run timeout -k 2 10 nk-http -s "$U/{a"
	[ "$status" -eq 3 ]
	[ "$output" = "" ]
}

# curl's words and positions; a bad range points at its [ (curl's
# position varies with the fault found).
@test "glob: the errors are curl's, each exit 3" {
	local u=http://127.0.0.1:9/
	local -A want=(
		["${u}{a"]="unmatched brace in URL position 20"
		["${u}{a,{b}}"]="nested brace in URL position 23"
		["${u}x{}"]="empty string within braces in URL position 22"
		["${u}a]"]="unmatched close brace/bracket in URL position 21"
		["${u}[1-3:0]"]="bad range in URL position 20"
		["${u}[a-C]"]="bad range in URL position 20"
	)
	local k
	for k in "${!want[@]}"; do
		run timeout -k 2 10 nk-http "$k"
		[ "$status" -eq 3 ]
		[ "$output" = "nk-http: (3) ${want[$k]}: $k" ]
	done
}

@test "glob: a million URLs is exit 3 before any traffic" {
	four_case
	run timeout -k 2 10 nk-http "$U/[1-1000000]"
	[ "$status" -eq 3 ]
	[[ "$output" == "nk-http: (3) range overflow (more than 100000 URLs) in URL position "* ]]
	# Many small globs add up to the same limit.
	run timeout -k 2 10 nk-http "$U/[1-1000]" "$U/[1-1000]{a,b}[0-9][0-4]"
	[ "$status" -eq 3 ]
	[ "$output" = "nk-http: (3) more than 100000 URLs on one command line" ]
	stop_raw
	[ ! -s "$BATS_TEST_TMPDIR/rec/conn-1" ]
}

@test "--url @FILE: one URL a line, # lines skipped, saved with -O, not globbed" {
	four_case
	local d="$BATS_TEST_TMPDIR/dir"
	mkdir "$d"
	printf '# a comment\n%s/one.txt\n\n%s/two[1-2].txt\r\n' "$U" "$U" >"$d/list"
	cd "$d"
	run timeout -k 2 10 nk-http --url @list --url "$U/x{1,2}"
	[ "$status" -eq 0 ]
	[ "$output" = $'thr\nfou' ]
	[ "$(lines)" = 'GET /one.txt HTTP/1.1
GET /two[1-2].txt HTTP/1.1
GET /x1 HTTP/1.1
GET /x2 HTTP/1.1' ]
	[ "$(cat one.txt)" = one ]
	[ "$(cat 'two[1-2].txt')" = two ]
}

@test "--url @-: the list from standard input; an unreadable list is 26" {
	four_case
	local d="$BATS_TEST_TMPDIR/dir"
	mkdir "$d"
	cd "$d"
	printf '%s/in\n' "$U" | timeout -k 2 10 nk-http --url @-
	[ "$(cat in)" = one ]
	run timeout -k 2 10 nk-http --url @"$d/nothere"
	[ "$status" -eq 26 ]
	[[ "$output" == "nk-http: (26) cannot read URLs from $d/nothere: No such file or directory" ]]
}

@test "glob: -O names each file after its URL; %{urlnum} is the argument's" {
	four_case
	local d="$BATS_TEST_TMPDIR/o"
	mkdir "$d"
	run timeout -k 2 10 nk-http --output-dir "$d" -O "$U/f[1-3].txt" \
		-w '%{urlnum}:%{filename_effective} ' -o "$d/last" "$U/z"
	[ "$status" -eq 0 ]
	[ "$output" = "0:$d/f1.txt 0:$d/f2.txt 0:$d/f3.txt 1:$d/last " ]
	[ "$(cat "$d/f1.txt" "$d/f2.txt" "$d/f3.txt" "$d/last")" = 'one
two
thr
fou' ]
}

@test "glob: -T sends its file to every URL of the glob" {
	cat >"$BATS_TEST_TMPDIR/t.case" <<-'EOF'
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n
	recv
	send HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n
	drain
	EOF
	start_raw "$BATS_TEST_TMPDIR/t.case" "$BATS_TEST_TMPDIR/rec"
	printf 'abc' >"$BATS_TEST_TMPDIR/up"
	run timeout -k 2 10 nk-http -T "$BATS_TEST_TMPDIR/up" \
		"http://127.0.0.1:$RAW_PORT/{p,q}"
	[ "$status" -eq 0 ]
	# Each body runs into the next request line, as curl's do.
	[ "$(grep -ao 'abcPUT /q HTTP/1.1' "$BATS_TEST_TMPDIR/rec/conn-1")" ]
	[ "$(grep -ao 'PUT /[a-z] HTTP/1.1' "$BATS_TEST_TMPDIR/rec/conn-1")" = 'PUT /p HTTP/1.1
PUT /q HTTP/1.1' ]
}
