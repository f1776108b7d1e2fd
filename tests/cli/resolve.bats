#!/usr/bin/env bats
# nk resolve: addresses in connect order, with family, source and timing.
# Names that need DNS are *.invalid (answered locally, RFC 6761) or live in
# a network namespace the test creates; nothing leaves the machine.

load ../lib/common
source "$TESTS_DIR/lib/net_helpers.sh"
bats_require_minimum_version 1.5.0


@test "localhost comes from the hosts file, IPv4 loopback among it" {
	grep -Eq '^127\.0\.0\.1[[:space:]].*\blocalhost\b' /etc/hosts ||
		skip "/etc/hosts does not list 127.0.0.1 localhost"
	run --separate-stderr nk-resolve localhost
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "${lines[0]}" = "localhost" ]
	local n=${#lines[@]} i
	for ((i = 1; i < n - 1; i++)); do
		[[ "${lines[i]}" =~ ^\ \ (127\.0\.0\.1|::1)\ +\ IPv[46]\ \ hosts$ ]]
	done
	grep -Eq '^  127\.0\.0\.1 +IPv4  hosts$' <<<"$output"
	[[ "${lines[n-1]}" =~ ^resolved\ in\ [0-9]+\.[0-9]+\ ms$ ]]
}

@test "a numeric address prints itself as a literal, brackets or not" {
	run --separate-stderr nk-resolve 192.0.2.7 '[2001:db8::1]' 2001:db8::2
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "192.0.2.7" ]
	[ "${lines[1]}" = "  192.0.2.7  IPv4  literal" ]
	[[ "${lines[2]}" =~ ^resolved\ in\ [0-9.]+\ ms$ ]]
	[ "${lines[3]}" = "[2001:db8::1]" ]
	[ "${lines[4]}" = "  2001:db8::1  IPv6  literal" ]
	[ "${lines[6]}" = "2001:db8::2" ]
	[ "${lines[7]}" = "  2001:db8::2  IPv6  literal" ]
	[ "${#lines[@]}" -eq 9 ]
}

@test "--resolve overrides are shown interleaved by family, source --resolve" {
	run --separate-stderr nk-resolve \
		--resolve 'h.invalid:443:192.0.2.1,192.0.2.2,[2001:db8::1],2001:db8::2' h.invalid
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "h.invalid" ]
	[ "${lines[1]}" = "  192.0.2.1    IPv4  --resolve" ]
	[ "${lines[2]}" = "  2001:db8::1  IPv6  --resolve" ]
	[ "${lines[3]}" = "  192.0.2.2    IPv4  --resolve" ]
	[ "${lines[4]}" = "  2001:db8::2  IPv6  --resolve" ]
	[[ "${lines[5]}" =~ ^resolved\ in ]]
}

@test "-4 and -6 filter the addresses; of both, the last one wins" {
	local r='h.invalid:*:192.0.2.1,[2001:db8::1],192.0.2.2'
	run --separate-stderr nk-resolve -4 --resolve "$r" h.invalid
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "  192.0.2.1  IPv4  --resolve" ]
	[ "${lines[2]}" = "  192.0.2.2  IPv4  --resolve" ]
	[ "${#lines[@]}" -eq 4 ]
	run --separate-stderr nk-resolve -6 --resolve "$r" h.invalid
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "  2001:db8::1  IPv6  --resolve" ]
	[ "${#lines[@]}" -eq 3 ]
	run --separate-stderr nk-resolve -6 192.0.2.1
	[ "$status" -eq 6 ]
	[ "$stderr" = "nk-resolve: Could not resolve host: 192.0.2.1 (no IPv6 address)" ]
	# As in curl: the last of -4 and -6 wins, in any tool.
	run --separate-stderr nk-resolve -4 -6 --resolve "$r" h.invalid
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "  2001:db8::1  IPv6  --resolve" ]
	[ "${#lines[@]}" -eq 3 ]
	run --separate-stderr nk-resolve -6 -4 --resolve "$r" h.invalid
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "  192.0.2.1  IPv4  --resolve" ]
	[ "${lines[2]}" = "  192.0.2.2  IPv4  --resolve" ]
	[ "${#lines[@]}" -eq 4 ]
}

@test "--port picks which --resolve entries apply" {
	local a=(--resolve 'h.invalid:80:192.0.2.80' --resolve 'h.invalid:443:192.0.2.44')
	run --separate-stderr nk-resolve "${a[@]}" --port 443 h.invalid
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "  192.0.2.44  IPv4  --resolve" ]
	run --separate-stderr nk-resolve "${a[@]}" --port 80 h.invalid
	[ "${lines[1]}" = "  192.0.2.80  IPv4  --resolve" ]
	# No entry for port 8080: the name goes to the resolver, which knows
	# no *.invalid name.
	run --separate-stderr nk-resolve "${a[@]}" --port 8080 h.invalid
	[ "$status" -eq 6 ]
	[ "$stderr" = "nk-resolve: Could not resolve host: h.invalid" ]
}

@test "--json: one array, an object per host, checked with jq" {
	run --separate-stderr nk-resolve --json \
		--resolve 'h.invalid:443:192.0.2.1,[2001:db8::1]' h.invalid 198.51.100.9
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$(jq -c '.[0].addresses' <<<"$output")" = \
	  '[{"address":"192.0.2.1","family":"IPv4","source":"--resolve"},{"address":"2001:db8::1","family":"IPv6","source":"--resolve"}]' ]
	[ "$(jq -r '.[0].host' <<<"$output")" = "h.invalid" ]
	[ "$(jq -c '.[1]|del(.elapsed_ms)' <<<"$output")" = \
	  '{"host":"198.51.100.9","addresses":[{"address":"198.51.100.9","family":"IPv4","source":"literal"}]}' ]
	jq -e 'all(.[]; .elapsed_ms >= 0) and length == 2' <<<"$output"
}

@test "an unknown name: exit 6 with curl's message, nothing on stdout" {
	run --separate-stderr nk-resolve nosuchhost.invalid
	[ "$status" -eq 6 ]
	[ "$output" = "" ]
	[ "$stderr" = "nk-resolve: Could not resolve host: nosuchhost.invalid" ]
}

@test "--json with an unknown name carries the error; other hosts still print" {
	run --separate-stderr nk-resolve --json nosuchhost.invalid 127.0.0.1
	[ "$status" -eq 6 ]
	[ "$stderr" = "nk-resolve: Could not resolve host: nosuchhost.invalid" ]
	[ "$(jq -c '.[0].error' <<<"$output")" = \
	  '{"code":6,"name":"COULDNT_RESOLVE_HOST","message":"Could not resolve host: nosuchhost.invalid"}' ]
	[ "$(jq -r '.[1].addresses[0].address' <<<"$output")" = "127.0.0.1" ]
	run --separate-stderr nk-resolve nosuchhost.invalid 127.0.0.1
	[ "$status" -eq 6 ]
	[ "${lines[0]}" = "127.0.0.1" ]
}

@test "control bytes in a name are escaped in messages and JSON" {
	run --separate-stderr nk-resolve $'bad\e[2Jname.invalid'
	[ "$status" -eq 6 ]
	[ "$stderr" = 'nk-resolve: Could not resolve host: bad\x1b[2Jname.invalid' ]
	run --separate-stderr nk-resolve --json $'x\ty.invalid'
	[ "$(jq -r '.[0].host' <<<"$output")" = $'x\ty.invalid' ]
	[[ "$output" == *'"x\ty.invalid"'* ]]
}

@test "bad usage: no host, a bad --resolve entry, a bad --port" {
	run --separate-stderr nk-resolve
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-resolve: name a HOST to resolve; try --help" ]
	run --separate-stderr nk-resolve --resolve 'h.invalid:80' h.invalid
	[ "$status" -eq 49 ]
	[ "$stderr" = "nk-resolve: bad --resolve entry 'h.invalid:80': expected HOST:PORT:ADDR[,ADDR...]" ]
	run --separate-stderr nk-resolve --port 0 h.invalid
	[ "$status" -eq 2 ]
	[ "$stderr" = "nk-resolve: --port takes a whole number from 1 to 65535, not '0'" ]
}

# A namespace whose resolv.conf (ip netns exec bind-mounts
# /etc/netns/NAME/resolv.conf) points at a UDP server on its own loopback
# that reads queries and never answers.
@test "--timeout bounds a lookup whose DNS server never answers: exit 28" {
	silent_dns_netns
	local ns=$NETNS
	local t0; t0=$(date +%s%N)
	run --separate-stderr timeout 10 ip netns exec "$ns" \
		"$NK_BIN/nk-resolve" --timeout 0.5 slow.example.test
	local took; took=$(ms_since "$t0")
	[ "$status" -eq 28 ]
	[[ "$stderr" =~ ^nk-resolve:\ Resolving\ timed\ out\ after\ [0-9]+\ ms:\ slow\.example\.test$ ]]
	[ "$took" -lt 3000 ]
}

# The same silent server with a resolver told to wait 150 s (30 s a try,
# five tries): nk resolve's own default limit of 30 s ends it.
@test "without --timeout, a lookup ends at the default 30 s: exit 28" {
	silent_dns_netns
	printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:5\n' \
		>"/etc/netns/$NETNS/resolv.conf"
	local t0; t0=$(date +%s%N)
	run --separate-stderr timeout 60 ip netns exec "$NETNS" \
		"$NK_BIN/nk-resolve" slow.example.test
	local took; took=$(ms_since "$t0")
	[ "$status" -eq 28 ]
	[[ "$stderr" =~ ^nk-resolve:\ Resolving\ timed\ out\ after\ 300[0-9][0-9]\ ms:\ slow\.example\.test$ ]]
	[ "$took" -lt 45000 ]
}
