#!/usr/bin/env bats
# nk url: the parts of a URL, exactly as printed for people and as JSON;
# invalid URLs (exit 3, one exact line on stderr, nothing on stdout); bad
# usage (exit 2); a failing stdout (exit 23). No network is involved.

load ../lib/common
bats_require_minimum_version 1.5.0

# same EXPECTED ACTUAL: equal, or both shown for the log.
same() {
	if [ "$1" != "$2" ]; then
		printf 'expected:\n%s\ngot:\n%s\n' "$1" "$2" >&2
		return 1
	fi
}

# ok ARGS... <<EXPECTED: exit 0, nothing on stderr, stdout exactly as given.
ok() {
	local want
	want=$(cat)
	run --separate-stderr timeout 10 nk-url "$@"
	[ "$status" -eq 0 ] || { echo "exit $status: $stderr" >&2; return 1; }
	same "" "$stderr"
	same "$want" "$output"
}

# bad CODE STDERR ARGS...: that exit status, that one stderr line, no
# stdout.
bad() {
	local code=$1 want=$2
	shift 2
	run --separate-stderr timeout 10 nk-url "$@"
	[ "$status" -eq "$code" ] || { echo "exit $status, not $code" >&2; return 1; }
	same "$want" "$stderr"
	same "" "$output"
}

@test "every part, aligned, in order, the origin last" {
	ok 'http://user:pw@localhost.com:8080/index.htm?q=1#top' <<'EOF'
href:      http://user:pw@localhost.com:8080/index.htm?q=1#top
scheme:    http
user:      user
password:  pw
host:      localhost.com
port:      8080
path:      /index.htm
query:     q=1
fragment:  top
origin:    http://localhost.com:8080
EOF
}

@test "the default port is shown as such; dot segments and case go" {
	ok 'HTTP://EXAMPLE.com:80/a/./b/../c?x#y' <<'EOF'
href:      http://example.com/a/c?x#y
scheme:    http
host:      example.com
port:      80 (default)
path:      /a/c
query:     x
fragment:  y
origin:    http://example.com
EOF
	ok 'wss://h' <<'EOF'
href:      wss://h/
scheme:    wss
host:      h
port:      443 (default)
path:      /
origin:    wss://h
EOF
}

@test "IPv4 in its short, hex and octal forms is four decimal numbers" {
	local u
	for u in http://0x7f.1/ http://127.1/ http://2130706433/ \
		http://0177.0.0.1/ 'http://0x7F.0.0.1'; do
		ok "$u" <<'EOF'
href:      http://127.0.0.1/
scheme:    http
host:      127.0.0.1 (IPv4)
port:      80 (default)
path:      /
origin:    http://127.0.0.1
EOF
	done
}

@test "IPv6 is compressed, lowercase, in brackets" {
	ok 'http://[0:0:0:0:0:0:0:1]:8080/x' <<'EOF'
href:      http://[::1]:8080/x
scheme:    http
host:      [::1] (IPv6)
port:      8080
path:      /x
origin:    http://[::1]:8080
EOF
	ok 'https://[2001:DB8:0:0:1:0:0:1]/' <<'EOF'
href:      https://[2001:db8::1:0:0:1]/
scheme:    https
host:      [2001:db8::1:0:0:1] (IPv6)
port:      443 (default)
path:      /
origin:    https://[2001:db8::1:0:0:1]
EOF
}

@test "a relative URL is resolved against the base" {
	ok ../img/logo.png https://example.org/docs/guide/ <<'EOF'
href:      https://example.org/docs/img/logo.png
scheme:    https
host:      example.org
port:      443 (default)
path:      /docs/img/logo.png
origin:    https://example.org
EOF
	ok '//other:81/?a b' 'http://h/p' <<'EOF'
href:      http://other:81/?a%20b
scheme:    http
host:      other
port:      81
path:      /
query:     a%20b
origin:    http://other:81
EOF
	ok '#frag' 'mailto:a@example.org' <<'EOF'
href:      mailto:a@example.org#frag
scheme:    mailto
path:      a@example.org
fragment:  frag
EOF
}

@test "non-special schemes keep their host and have no default port" {
	ok 'git+ssh://git@Example.COM:2222/r.git' <<'EOF'
href:      git+ssh://git@Example.COM:2222/r.git
scheme:    git+ssh
user:      git
host:      Example.COM
port:      2222
path:      /r.git
EOF
	ok 'urn:isbn:9780307476463' <<'EOF'
href:      urn:isbn:9780307476463
scheme:    urn
path:      isbn:9780307476463
EOF
}

@test "file: URLs: drive letters, localhost dropped, no port" {
	ok 'file://localhost/C|/Windows/../hosts' <<'EOF'
href:      file:///C:/hosts
scheme:    file
path:      /C:/hosts
EOF
	ok 'file://server/share/a%20b' <<'EOF'
href:      file://server/share/a%20b
scheme:    file
host:      server
path:      /share/a%20b
EOF
	ok '..' 'file:///C:/demo' <<'EOF'
href:      file:///C:/
scheme:    file
path:      /C:/
EOF
}

@test "an internationalised host is shown in its punycode form" {
	ok 'https://Bücher.example/straße?ä#ö' <<'EOF'
href:      https://xn--bcher-kva.example/stra%C3%9Fe?%C3%A4#%C3%B6
scheme:    https
host:      xn--bcher-kva.example
port:      443 (default)
path:      /stra%C3%9Fe
query:     %C3%A4
fragment:  %C3%B6
origin:    https://xn--bcher-kva.example
EOF
	ok 'http://☃.net/' <<'EOF'
href:      http://xn--n3h.net/
scheme:    http
host:      xn--n3h.net
port:      80 (default)
path:      /
origin:    http://xn--n3h.net
EOF
}

@test "control characters in the input never reach the output raw" {
	ok $'http://h/\x1b[31m\x7f?\x01#\xc2\x9b\xff' <<'EOF'
href:      http://h/%1B[31m%7F?%01#%C2%9B%EF%BF%BD
scheme:    http
host:      h
port:      80 (default)
path:      /%1B[31m%7F
query:     %01
fragment:  %C2%9B%EF%BF%BD
origin:    http://h
EOF
}

@test "--json: exactly the URL API's fields, in order, on one line" {
	run --separate-stderr timeout 10 nk-url --json \
		'https://u:p%40ss@[::1]:8443/a b?q="x"#h'
	[ "$status" -eq 0 ]
	same "" "$stderr"
	same '{"href":"https://u:p%40ss@[::1]:8443/a%20b?q=%22x%22#h","origin":"https://[::1]:8443","protocol":"https:","username":"u","password":"p%40ss","host":"[::1]:8443","hostname":"[::1]","port":"8443","pathname":"/a%20b","search":"?q=%22x%22","hash":"#h"}' "$output"
	# One line, ending in a newline.
	timeout 10 nk-url --json 'https://h' | od -c | grep -q '}  \\n'
	[ "$(timeout 10 nk-url --json 'https://h' | wc -l)" -eq 1 ]
}

@test "--json parses with jq, opaque origins are \"null\", defaults empty" {
	command -v jq >/dev/null || skip "jq is not installed"
	run timeout 10 nk-url --json 'sc:x?"\'
	[ "$status" -eq 0 ]
	same 'sc:x?%22\' "$(jq -r .href <<<"$output")"
	same 'null' "$(jq -r .origin <<<"$output")"
	same '' "$(jq -r .host <<<"$output")"
	run timeout 10 nk-url --json 'HTTPS://Bücher.example:443/p?q#f'
	[ "$status" -eq 0 ]
	same 'https:|xn--bcher-kva.example|xn--bcher-kva.example||/p|?q|#f' \
		"$(jq -r '[.protocol, .host, .hostname, .port, .pathname, .search, .hash] | join("|")' <<<"$output")"
	same 'href origin protocol username password host hostname port pathname search hash' \
		"$(jq -r 'keys_unsorted | join(" ")' <<<"$output")"
}

@test "invalid URLs: exit 3, one exact line naming the place, no output" {
	bad 3 'nk-url: invalid URL "http://[::1": unclosed IPv6 address at position 8' \
		'http://[::1'
	bad 3 'nk-url: invalid URL "https://example.com:demo": invalid character in port at position 21' \
		'https://example.com:demo'
	bad 3 'nk-url: invalid URL "http://h:65536/": port number above 65535 at position 10' \
		'http://h:65536/'
	bad 3 'nk-url: invalid URL "http://1.2.3.4.5/": IPv4 address has more than four parts at position 16' \
		'http://1.2.3.4.5/'
	bad 3 'nk-url: invalid URL "http://ex ample.org/": forbidden character in host at position 10' \
		'http://ex ample.org/'
	bad 3 'nk-url: invalid URL "example": relative URL without a base URL at position 1' \
		example
	bad 3 'nk-url: invalid URL "https://": empty host at position 9' 'https://'
	bad 3 'nk-url: invalid URL "x": relative URL against a base URL that cannot have one at position 1' \
		x mailto:a@b
	# The base is named when it is the invalid one.
	bad 3 'nk-url: invalid URL "::": relative URL without a base URL at position 1' \
		x '::'
	# Control characters in the echoed input are escaped.
	bad 3 'nk-url: invalid URL "http://a\x1b[31m/": forbidden character in host at position 9' \
		$'http://a\x1b[31m/'
	bad 3 'nk-url: invalid URL "http://\xe2\x80\xae.com/": disallowed character in domain at position 8' \
		$'http://\xe2\x80\xae.com/'
}

@test "bad usage exits 2 with one line" {
	bad 2 'nk-url: name a URL to parse (usage: nk url [--json] URL [BASE])'
	bad 2 'nk-url: too many arguments (usage: nk url [--json] URL [BASE])' a b c
	bad 2 'nk-url: unknown option --jsn (see nk url --help)' --jsn http://h/
	bad 2 'nk-url: option --json takes no argument' --json=1 http://h/
	# After "--", a URL may start with a dash.
	bad 3 'nk-url: invalid URL "-x": relative URL without a base URL at position 1' -- -x
	run timeout 10 nk-url --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: nk url [--json] URL [BASE]" ]]
}

@test "a write error on stdout exits 23 with a message" {
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr bash -c 'timeout 10 nk-url http://h/ >/dev/full'
	[ "$status" -eq 23 ]
	same 'nk-url: writing output: No space left on device' "$stderr"
	run --separate-stderr bash -c 'timeout 10 nk-url --json http://h/ >/dev/full'
	[ "$status" -eq 23 ]
	same 'nk-url: writing output: No space left on device' "$stderr"
}
