#!/usr/bin/env bats
# nk telnet at a terminal (tmux), built with GNU readline: typed lines, the
# server's lines above the one being typed, history, the escape prompt,
# Ctrl-D half-close, hidden typing while the server echoes, terminal-safe
# output, signals, NAWS. telnet_tty_libedit.bats runs the same scenarios
# (tests/servers/telnet_test.bash) against a libedit build.

load ../lib/common
load ../servers/telnet_test

setup() {
	command -v tmux >/dev/null || skip "tmux is not installed"
	TELNET=$NK_BIN/nk-telnet
	tty_setup
}

teardown() {
	tty_teardown
}

@test "tty: typed lines reach the server byte for byte, ending in CR LF" {
	tty_lines_reach_the_server
}

@test "tty: a server line shows above the half-typed line, which stays intact" {
	tty_server_line_above_half_typed_line
}

@test "tty: history is kept per host and port, privately, across runs" {
	tty_history_persists
}

@test "tty: the escape prompt: completion, status, send, lf, quit" {
	tty_escape_commands
}

@test "tty: Ctrl-D half-closes and the server's reply still shows; again closes" {
	tty_ctrl_d_half_closes
}

@test "tty: while the server echoes, typing is hidden and kept out of history" {
	tty_remote_echo_hides_typing
}

@test "tty: control characters from the server are shown escaped" {
	tty_control_characters_escaped
}

@test "tty: --raw-output passes them (colours)" {
	tty_raw_output_passes_controls
}

@test "tty: Ctrl-C clears the line, the session stays" {
	tty_ctrl_c_clears_the_line
}

@test "tty: SIGTERM ends the session and restores the terminal" {
	tty_sigterm_restores_the_terminal
}

@test "tty: when the terminal goes away, nk ends" {
	tty_terminal_vanishes
}

@test "tty: terminal type and window size (NAWS), and a resize" {
	tty_window_size_and_terminal_type
}

@test "tty: piped input, terminal output: still shown escaped" {
	tty_pipe_in_terminal_out
}

@test "tty: --version names the line editor" {
	run "$TELNET" --version
	[ "$status" -eq 0 ]
	[[ "$output" == *"line editor: GNU readline "* ]]
}

@test "tty: telnetd: character at a time, its echo shown, one Enter one line, Ctrl-C to it" {
	tty_telnetd_character_mode
}

@test "tty: telnetd: Ctrl-] during a flood shows nk> and holds the output" {
	tty_telnetd_escape_during_flood
}

@test "tty: character mode: each key at once, Enter as CR NUL, Ctrl-C and Ctrl-D as bytes" {
	tty_character_mode_bytes
}
