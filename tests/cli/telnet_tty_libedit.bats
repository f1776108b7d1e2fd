#!/usr/bin/env bats
# nk telnet at a terminal, built against libedit (what make READLINE=edit
# builds): the scenarios of telnet_tty.bats (tests/servers/telnet_test.bash)
# once more. The build here compiles cmd/telnet with -DNK_USE_LIBEDIT and
# links it with this build's libnk.a, the way the Makefile does.

load ../lib/common
load ../servers/telnet_test

setup_file() {
	command -v tmux >/dev/null || skip "tmux is not installed"
	pkg-config --exists libedit || skip "libedit-dev is not installed"
	local src san=
	src=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	# A sanitizer build's libnk.a needs the sanitizers' run time.
	if nm "$NK_BUILD/lib/libnk.a" 2>/dev/null | grep -q __asan_; then
		san=-fsanitize=address,undefined
	fi
	${CC:-cc} $san -std=gnu11 -D_GNU_SOURCE -DNK_USE_LIBEDIT \
		$(pkg-config --cflags libedit) -I"$src/include" -I"$src/lib" \
		-I"$src/cmd/common" -o "$BATS_FILE_TMPDIR/nk-telnet" \
		"$src"/cmd/telnet/*.c "$src"/cmd/common/*.c "$NK_BUILD/lib/libnk.a" \
		$(pkg-config --libs libedit) \
		$(pkg-config --libs openssl zlib libidn2 2>/dev/null || echo -lssl -lcrypto -lz -lidn2) \
		-lunistring -lpthread -lm
}

setup() {
	TELNET=$BATS_FILE_TMPDIR/nk-telnet
	tty_setup
}

teardown() {
	tty_teardown
}

@test "libedit: --version names the line editor" {
	run "$TELNET" --version
	[ "$status" -eq 0 ]
	[[ "$output" == *"line editor: libedit"* ]]
}

@test "libedit tty: typed lines reach the server byte for byte, ending in CR LF" {
	tty_lines_reach_the_server
}

@test "libedit tty: a server line shows above the half-typed line, which stays intact" {
	tty_server_line_above_half_typed_line
}

@test "libedit tty: history is kept per host and port, privately, across runs" {
	tty_history_persists
}

@test "libedit tty: the escape prompt: completion, status, send, lf, quit" {
	tty_escape_commands
}

@test "libedit tty: Ctrl-D half-closes and the server's reply still shows; again closes" {
	tty_ctrl_d_half_closes
}

@test "libedit tty: while the server echoes, typing is hidden and kept out of history" {
	tty_remote_echo_hides_typing
}

@test "libedit tty: control characters from the server are shown escaped" {
	tty_control_characters_escaped
}

@test "libedit tty: Ctrl-C clears the line, the session stays" {
	tty_ctrl_c_clears_the_line
}

@test "libedit tty: SIGTERM ends the session and restores the terminal" {
	tty_sigterm_restores_the_terminal
}

@test "libedit tty: when the terminal goes away, nk ends" {
	tty_terminal_vanishes
}

@test "libedit tty: terminal type and window size (NAWS), and a resize" {
	tty_window_size_and_terminal_type
}

@test "libedit tty: telnetd: character at a time, its echo shown, one Enter one line, Ctrl-C to it" {
	tty_telnetd_character_mode
}

@test "libedit tty: telnetd: Ctrl-] during a flood shows nk> and holds the output" {
	tty_telnetd_escape_during_flood
}

@test "libedit tty: character mode: each key at once, Enter as CR NUL, Ctrl-C and Ctrl-D as bytes" {
	tty_character_mode_bytes
}
