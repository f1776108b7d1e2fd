#!/usr/bin/env bats
# scripts/layers.py, the architecture rules `make lint` enforces: each rule
# is broken once in a small tree of its own and must be caught, by file,
# line and rule; and the real tree keeps every rule.

load ../lib/common

SRC=$TESTS_DIR/..
LAYERS=$SRC/scripts/layers.py

# A tree with every layer folder, one file each, that keeps the rules,
# and objects in T/build/obj (two library files, one tool file).
mini() {
	T=$BATS_TEST_TMPDIR/t
	mkdir -p "$T/include/nk" "$T/cmd/tool" "$T/build/obj/lib/core" \
		"$T/build/obj/lib/url" "$T/build/obj/cmd/tool"
	local l
	for l in core url net tls http telnet fetch ws; do
		mkdir -p "$T/lib/$l"
		printf '/* %s */\n#include "core/internal.h"\nint %s_f(void);\n' \
			"$l" "$l" >"$T/lib/$l/$l.c"
	done
	printf '#include "nk/err.h"\n' >"$T/lib/core/internal.h"
	printf '#include "nk/defs.h"\n' >"$T/include/nk/err.h"
	printf '\n' >"$T/include/nk/defs.h"
	printf '#include "nk/err.h"\n#include "tool.h"\n' >"$T/cmd/tool/main.c"
	printf '\n' >"$T/cmd/tool/tool.h"
	obj 'int core_f(void) { return 1; }' lib/core/core
	obj 'int core_f(void); int url_f(void) { return core_f(); }' lib/url/url
	obj 'int url_f(void); int main(void) { return url_f(); }' cmd/tool/main
}

# obj CODE PATH: compiles CODE into T/build/obj/PATH.o
obj() {
	printf '%s\n' "$1" >"$BATS_TEST_TMPDIR/o.c"
	cc -c -o "$T/build/obj/$2.o" "$BATS_TEST_TMPDIR/o.c"
}

@test "layers: a tree that keeps the rules passes" {
	mini
	run timeout 30 python3 "$LAYERS" --root "$T"
	[ "$status" -eq 0 ]
	[ "$output" = "layers: 0 findings" ]
}

@test "layers: a lower layer that includes a higher one is caught" {
	mini
	printf '#include "fetch/fetch_int.h"\n' >>"$T/lib/url/url.c"
	printf '#include "nk/tls.h"\n' >>"$T/lib/net/net.c"
	printf '#include "http/x.h"\n' >>"$T/lib/telnet/telnet.c"
	run timeout 30 python3 "$LAYERS" --root "$T"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = 'lib/net/net.c:4: layer net includes "nk/tls.h" of layer tls, which is not below it' ]
	# http and telnet share a rank: neither uses the other
	[ "${lines[1]}" = 'lib/telnet/telnet.c:4: layer telnet includes "http/x.h" of layer http, which is not below it' ]
	[ "${lines[2]}" = 'lib/url/url.c:4: layer url includes "fetch/fetch_int.h" of layer fetch, which is not below it' ]
	[ "${lines[3]}" = "layers: 3 findings" ]
}

@test "layers: a tool that reaches into lib/ is caught" {
	mini
	printf '#include "net/net_int.h"\n' >>"$T/cmd/tool/main.c"
	run timeout 30 python3 "$LAYERS" --root "$T"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = 'cmd/tool/main.c:3: "net/net_int.h": a tool includes public headers (nk/...) and its own only' ]
}

@test "layers: two files that need each other are a circle" {
	mini
	obj 'int url_f(void); int core_f(void) { return url_f(); }' lib/core/core
	run timeout 30 python3 "$LAYERS" --root "$T"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "lib/core/core.c:0: libnk: files that need each other: lib/core/core.c <-> lib/url/url.c" ]
}

@test "layers: a long file and a long function are caught, a marked state machine is not" {
	mini
	{
		printf 'static int\nlong_one(void)\n{\n'
		for i in $(seq 130); do printf '\tx();\n'; done
		printf '}\n\n/* A state machine: its states are its cases. */\n'
		printf 'static int\nmachine(void)\n{\n'
		for i in $(seq 130); do printf '\tx();\n'; done
		printf '}\n'
		for i in $(seq 550); do printf '/* filler */\n'; done
	} >"$T/lib/http/http.c"
	run timeout 30 python3 "$LAYERS" --root "$T"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "lib/http/http.c:1: 820 lines: a file of more than 800 does several jobs; split it" ]
	[[ "${lines[1]}" == "lib/http/http.c:2: long_one(): 132 lines; more than 120 is more than one job"* ]]
	[ "${lines[2]}" = "layers: 2 findings" ]
}

@test "layers: the objects must be there" {
	mini
	rm -r "$T/build/obj"
	run timeout 30 python3 "$LAYERS" --root "$T"
	[ "$status" -eq 2 ]
	[[ "$output" == *"build first"* ]]
}
