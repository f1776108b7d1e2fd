#!/usr/bin/env bats
# The front command: `nk TOOL` runs nk-TOOL, `nk help` lists the tools.

load ../lib/common

@test "nk with no arguments lists the tools with a summary each" {
	run nk
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage: nk TOOL [ARGS...]" ]
	[[ "$output" == *"  url       parse a URL"* ]]
	for t in http https tls telnet echo url resolve; do
		grep -Eq "^  $t +[^ ]" <<<"$output"
	done
}

@test "nk help and nk --help print the same list" {
	run nk help
	a=$output
	run nk --help
	[ "$status" -eq 0 ]
	[ "$output" = "$a" ]
}

@test "nk TOOL runs nk-TOOL with the arguments" {
	run nk url --json http://example.test/
	[ "$status" -eq 0 ]
	run nk-url --json http://example.test/
	b=$output
	run nk url --json http://example.test/
	[ "$output" = "$b" ]
}

@test "nk help TOOL shows the tool's --help" {
	run nk help url
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage: nk url $(nk-url --help | head -1 | sed 's/^Usage: nk url //')" ]
	run nk url --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: nk url "* ]]
}

@test "nk --version names nk and the libraries it was built with" {
	run nk --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^nk\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[[ "${lines[1]}" == "built with OpenSSL 3."*", zlib "* ]]
}

@test "an unknown tool is exit 2 with one line" {
	run nk frobnicate
	[ "$status" -eq 2 ]
	[ "$output" = "nk: 'frobnicate' is not an nk tool; 'nk help' lists them" ]
}

@test "a tool name cannot walk the file system" {
	run nk ../bin/nk-url
	[ "$status" -eq 2 ]
	[ "$output" = "nk: '../bin/nk-url' is not an nk tool; 'nk help' lists them" ]
}

@test "an unknown option to a tool is exit 2 naming it" {
	run nk url --no-such-option
	[ "$status" -eq 2 ]
	[ "$output" = "nk-url: unknown option --no-such-option (see nk url --help)" ]
}

@test "a tool found next to nk wins over PATH" {
	mkdir -p "$BATS_TEST_TMPDIR/bin" "$BATS_TEST_TMPDIR/other"
	cp "$NK_BIN/nk" "$BATS_TEST_TMPDIR/bin/nk"
	printf '#!/bin/sh\necho beside "$@"\n' >"$BATS_TEST_TMPDIR/bin/nk-url"
	printf '#!/bin/sh\necho path\n' >"$BATS_TEST_TMPDIR/other/nk-url"
	chmod +x "$BATS_TEST_TMPDIR/bin/nk-url" "$BATS_TEST_TMPDIR/other/nk-url"
	PATH="$BATS_TEST_TMPDIR/other:$PATH" run "$BATS_TEST_TMPDIR/bin/nk" url a b
	[ "$status" -eq 0 ]
	[ "$output" = "beside a b" ]
	rm "$BATS_TEST_TMPDIR/bin/nk-url"
	PATH="$BATS_TEST_TMPDIR/other:$PATH" run "$BATS_TEST_TMPDIR/bin/nk" url
	[ "$output" = "path" ]
}
