#!/usr/bin/env bats
# What nk http prints: the scheme rule for URLs typed without one, exit
# codes, terminal safety of -w and of error messages, the -w fields.
load ../lib/common
load ../lib/http
bats_require_minimum_version 1.5.0

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
# stderr; its exit status is CMD's.
in_tty() {
	local cmd
	printf -v cmd '%q ' "$@"
	timeout -k 2 20 script -qec "$cmd" /dev/null
}

@test "scheme rule: http:/host:port/path is http://host:port/path (fetch, -O, proxy)" {
	run --separate-stderr nkh "http:/nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	run --separate-stderr nkh -w '%{url_effective}' -o /dev/null "HTTP:nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "http://nk.test:$NGINX_PORT/hello.txt" ]
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr nkh -O "http:/nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$(cat hello.txt)" = "hello world" ]
	# The proxy's port is the one written, not the default 1080.
	run --separate-stderr timeout 20 nk-http -x "http:/127.0.0.1:1" http://nk.test/
	[ "$status" -eq 7 ]
	[[ "$stderr" == *"127.0.0.1 port 1:"* ]]
	# A host and port is still a host and port.
	run --separate-stderr nkh "nk.test:$NGINX_PORT/hello.txt"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
}

@test "scheme rule: nk tls reads its target as nk http does (IDN to punycode)" {
	local r="xn--bcher-kva.test:$NGINX_SPORT:127.0.0.1"
	run --separate-stderr timeout 20 nk-tls --json --resolve "$r" \
		--cacert "$NGINX_DIR/certs/ca.pem" "https://bücher.test:$NGINX_SPORT/"
	[ "$(jq -r '.host + " " + .name' <<<"$output")" = "xn--bcher-kva.test xn--bcher-kva.test" ]
	[ "$(jq -r '.address' <<<"$output")" = "127.0.0.1" ]
	run --separate-stderr timeout 20 nk-tls --json --resolve "$r" \
		--cacert "$NGINX_DIR/certs/ca.pem" "https:/bücher.test:$NGINX_SPORT"
	[ "$(jq -r '.name' <<<"$output")" = "xn--bcher-kva.test" ]
	run --separate-stderr timeout 20 nk-tls --json --resolve "$r" \
		--cacert "$NGINX_DIR/certs/ca.pem" "bücher.test:$NGINX_SPORT"
	[ "$(jq -r '.name' <<<"$output")" = "xn--bcher-kva.test" ]
}

@test "exit 49 and (49) for a malformed --resolve or --connect-to entry, as curl" {
	run --separate-stderr timeout 10 nk-http --resolve bad http://x/
	[ "$status" -eq 49 ]
	[ "$stderr" = "nk-http: (49) bad --resolve entry 'bad': expected HOST:PORT:ADDR[,ADDR...]" ]
	run --separate-stderr timeout 10 nk-http --connect-to h:1:g http://x/
	[ "$status" -eq 49 ]
	[[ "$stderr" == "nk-http: (49) bad --connect-to entry 'h:1:g'"* ]]
}

@test "-w %header{name} and other -w text are escaped on a terminal, exact into a pipe" {
	cat >"$BATS_TEST_TMPDIR/e.case" <<-'EOF'
	recv
	send HTTP/1.1 200 OK\r\nX-Evil: \x1b]0;pwned\x07\x9b1m\xc2\x9b\xe2\x80\xaeab\r\nContent-Length: 2\r\n\r\nok
	EOF
	start_raw "$BATS_TEST_TMPDIR/e.case"
	run in_tty nk-http -s -o /dev/null -w '%header{x-evil}|' "http://127.0.0.1:$RAW_PORT/"
	[ "$status" -eq 0 ]
	[ "$output" = '\x1b]0;pwned\x07\x9b1m\xc2\x9b\xe2\x80\xaeab|' ]
	# -i escapes the same header the same way, bidi override included.
	NO_COLOR=1 run in_tty nk-http -i "http://127.0.0.1:$RAW_PORT/"
	[[ "$output" == *'X-Evil: \x1b]0;pwned\x07\x9b1m\xc2\x9b\xe2\x80\xaeab'* ]]
	timeout 10 nk-http -s -o /dev/null -w '%header{x-evil}' "http://127.0.0.1:$RAW_PORT/" >"$BATS_TEST_TMPDIR/got"
	printf '\x1b]0;pwned\x07\x9b1m\xc2\x9b\xe2\x80\xaeab' | cmp - "$BATS_TEST_TMPDIR/got"
	# JSON keeps the value but writes C1 and bidi controls as \uXXXX.
	run --separate-stderr timeout 10 nk-http -s -o /dev/null -w '%{header_json}' "http://127.0.0.1:$RAW_PORT/"
	[[ "$output" == *'"x-evil":["\u001b]0;pwned\u0007\u009b1m\u009b\u202eab"]'* ]]
}

@test "error messages escape control bytes and invalid UTF-8 from arguments" {
	run --separate-stderr timeout 10 nk-http -X $'\e]0;PWNED\a' http://127.0.0.1:1/
	[ "$status" -eq 2 ]
	[[ "$stderr" == "nk-http: bad method '\\x1b]0;PWNED\\x07'"* ]]
	run --separate-stderr timeout 10 nk-http $'http://a\xff\xc2\x9b\xe2\x80\xae.test/'
	[ "$status" -eq 3 ]
	[[ "$stderr" == 'nk-http: (3) invalid URL "http://a\xff\xc2\x9b\xe2\x80\xae.test/": '* ]]
	run --separate-stderr timeout 20 nk-tls --cacert "$NGINX_DIR/certs/ca.pem" \
		--servername $'x\e[2Jy' "127.0.0.1:$NGINX_SPORT"
	[ "$status" -eq 60 ]
	[[ "$stderr" == *'x\x1b[2Jy'* ]]
	! grep -q $'\e' <<<"$stderr"
}

@test "-H @file with a NUL byte is refused (exit 2), not cut and sent" {
	printf 'X-A: 1\nX-B: a\0b\n' >"$BATS_TEST_TMPDIR/h"
	run --separate-stderr timeout 10 nk-http -H "@$BATS_TEST_TMPDIR/h" "$(H /show)"
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-http: bad header in $BATS_TEST_TMPDIR/h line 2: a NUL byte" ]
	[ "$output" = "" ]
}

@test "%{referer} is the Referer of the last request, ';auto' included, as curl" {
	run --separate-stderr nkh -s -L -e ';auto' -o /dev/null -w '%{referer}|%{json}' "$(H /r/chain1)"
	[ "$status" -eq 0 ]
	[ "${output%%|*}" = "$(H /r/chain3)" ]
	[ "$(jq -r .referer <<<"${output#*|}")" = "$(H /r/chain3)" ]
	run --separate-stderr nkh -s -L -e 'http://x/;auto' -o /dev/null -w '%{referer}' "$(H /hello.txt)"
	[ "$output" = "http://x/" ]
	run --separate-stderr nkh -s -e ';auto' -o /dev/null -w '[%{referer}]' "$(H /r/chain1)"
	[ "$output" = "[]" ]
}

@test "%{size_download} with --compressed counts the body as received, as hops[].size_body and curl do" {
	run --separate-stderr nkh -s --compressed -o "$BATS_TEST_TMPDIR/out" -w '%{size_download} %{json}' "$(H /gz/100k.txt)"
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/out" "$NGINX_DIR/www/gz/100k.txt"
	local n=${output%% *}
	[ "$n" -lt 100000 ]
	[ "$(jq '.size_download' <<<"${output#* }")" = "$n" ]
	[ "$(jq '.hops[-1].size_body' <<<"${output#* }")" = "$n" ]
}

@test "-L: the top-level time_* add up the hops' phases, as curl's do" {
	run --separate-stderr nkh -s -L -o /dev/null -w '%{json}' "$(H /r/chain1)"
	[ "$status" -eq 0 ]
	jq -e '.hops | length == 4' <<<"$output"
	jq -e '. as $d | ["time_namelookup","time_connect","time_pretransfer","time_starttransfer"]
		| all(. as $k | (($d[$k] - ([$d.hops[][$k]] | add)) | fabs) < 0.00001)' <<<"$output"
	# Reused connections add nothing for the name and the connect.
	jq -e '(.time_connect - .hops[0].time_connect | fabs) < 0.00001' <<<"$output"
	jq -e '.time_redirect > 0 and .time_redirect <= .time_total' <<<"$output"
}

@test "%{json}: an attempt that lost the Happy Eyeballs race says so in words" {
	# 127.0.0.2 on nginx's port swallows SYNs (a full backlog), so the
	# attempt to it is still pending when 127.0.0.1 connects.
	local log="$BATS_TEST_TMPDIR/hole.log"
	start_bg "$log" "$PYTHON" -c '
import socket, sys, time
port = int(sys.argv[1])
s = socket.socket(); s.bind(("127.0.0.2", port)); s.listen(0)
fill = []
for _ in range(4):
    c = socket.socket(); c.setblocking(False); c.connect_ex(("127.0.0.2", port)); fill.append(c)
time.sleep(0.3)
print("ready", flush=True)
time.sleep(60)' "$NGINX_PORT"
	wait_for_line "$log" '^ready' >/dev/null
	run --separate-stderr timeout 20 nk-http -s -o /dev/null -w '%{json}' \
		--resolve "race.test:$NGINX_PORT:127.0.0.2,127.0.0.1" "http://race.test:$NGINX_PORT/hello.txt"
	stop_pid "$BG_PID"
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.hops[0].attempts[] | [.address, .result, .why]]' <<<"$output")" = \
		'[["127.0.0.2","CANCELLED","cancelled: another address connected first"],["127.0.0.1","OK",null]]' ]
}

@test "a missing CA file or client certificate says why in errno's words" {
	run --separate-stderr timeout 10 nk-http -sS --cacert "$BATS_TEST_TMPDIR/none.pem" "https://127.0.0.1:$NGINX_SPORT/"
	[ "$status" -eq 77 ]
	[ "$stderr" = "nk-http: (77) cannot use CA file $BATS_TEST_TMPDIR/none.pem: No such file or directory" ]
	run --separate-stderr timeout 10 nk-http -sS --cert "$BATS_TEST_TMPDIR/none.pem" "https://127.0.0.1:$NGINX_SPORT/"
	[ "$status" -eq 58 ]
	[ "$stderr" = "nk-http: (58) cannot use client certificate $BATS_TEST_TMPDIR/none.pem: No such file or directory" ]
}

@test "README: the tour is what make demo prints" {
	local root="$TESTS_DIR/.."
	B="$NK_BUILD" NO_COLOR=1 timeout -k 5 120 "$root/scripts/demo.sh" \
		>"$BATS_TEST_TMPDIR/demo.txt" 2>&1 </dev/null
	run "$PYTHON" "$TESTS_DIR/lib/tour_check.py" "$root/README.md" "$BATS_TEST_TMPDIR/demo.txt"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" commands checked, 0 wrong" ]]
}

@test "README: the exit status table lists every code a tool returns" {
	local root="$TESTS_DIR/.." code missing=
	# Every code in nk_err except those only the API returns (42: a
	# callback, 43: misuse).
	for code in $(sed -n 's/^\tNK_[A-Z_]* = \([0-9]*\),.*/\1/p' "$root/include/nk/err.h"); do
		case $code in 0|42|43) continue ;; esac
		grep -q "^| $code | " "$root/README.md" || missing+=" $code"
	done
	[ -z "$missing" ] || { echo "missing:$missing"; false; }
}
