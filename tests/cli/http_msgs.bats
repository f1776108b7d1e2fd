#!/usr/bin/env bats
# What nk http prints: the scheme rule for URLs typed without one, exit
# codes, terminal safety of -w and of error messages, the -w fields.
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
