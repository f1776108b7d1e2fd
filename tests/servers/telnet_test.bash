# Helpers for nk telnet's bats files: the scripted peer (telnet_peer.py),
# byte comparisons, and the terminal scenarios run under tmux, once per
# line editor (telnet_tty.bats: GNU readline; telnet_tty_libedit.bats).
# Loaded after ../lib/common. Every wait is bounded.

PEER="$TESTS_DIR/servers/telnet_peer.py"

# start_peer ARGS...: the scripted server; sets PEER_PORT and PEER_PID.
start_peer() {
	start_bg "$BATS_TEST_TMPDIR/peer.log" python3 "$PEER" "$@"
	PEER_PID=$BG_PID
	local line
	line=$(wait_for_line "$BATS_TEST_TMPDIR/peer.log" '^Listening on ') || return 1
	PEER_PORT=${line##*:}
}

# wait_gone PID [SECS]: waits until a process we started has exited.
wait_gone() {
	local i
	for i in $(seq $((${2:-5} * 20))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	echo "process $1 still running" >&2
	return 1
}

# spool FORMAT [NAME]: makes a peer started with --control $T/spool send
# the bytes printf FORMAT makes (renamed into place, so the peer never
# reads a half-written file). NAME "eof" closes the peer's side instead.
spool() {
	local name=${2:-$(date +%s%N)}
	mkdir -p "$BATS_TEST_TMPDIR/spool"
	printf "$1" >"$BATS_TEST_TMPDIR/spool.tmp"
	mv "$BATS_TEST_TMPDIR/spool.tmp" "$BATS_TEST_TMPDIR/spool/$name"
}

# same_bytes FILE FORMAT: FILE holds exactly the bytes printf FORMAT makes.
same_bytes() {
	printf "$2" >"$BATS_TEST_TMPDIR/expected"
	cmp -s "$1" "$BATS_TEST_TMPDIR/expected" && return 0
	echo "got:" >&2
	od -An -c "$1" >&2
	echo "expected:" >&2
	od -An -c "$BATS_TEST_TMPDIR/expected" >&2
	return 1
}

# wait_bytes FILE FORMAT [SECS]: waits until FILE holds exactly those bytes.
wait_bytes() {
	local i
	printf "$2" >"$BATS_TEST_TMPDIR/expected"
	for i in $(seq $((${3:-5} * 20))); do
		cmp -s "$1" "$BATS_TEST_TMPDIR/expected" && return 0
		sleep 0.05
	done
	same_bytes "$1" "$2"
}

# --- tmux -------------------------------------------------------------------

tm() { tmux -L "$TMUX_SOCK" -f /dev/null "$@"; }

tty_setup() {
	TMUX_SOCK="nk-telnet-$$-$BATS_TEST_NUMBER"
	export XDG_STATE_HOME="$BATS_TEST_TMPDIR/state"
	mkdir -p "$BATS_TEST_TMPDIR/spool"
}

# nk first, by its PID, then the terminal: a test never leaves an nk
# behind to notice the terminal vanish.
tty_teardown() {
	local pid
	pid=$(nk_pid 2>/dev/null) || true
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null || true
		wait_gone "$pid" 3 || kill -KILL "$pid" 2>/dev/null || true
	fi
	tm kill-server 2>/dev/null || true
	stop_all
}

# tty_start ARGS...: runs $TELNET ARGS at an 80x24 terminal; when it ends
# the pane shows "EXIT=status" and keeps the terminal settings from before
# and after in $T/stty.before and $T/stty.after.
tty_start() {
	local q
	printf -v q '%q ' "$@"
	tm new-session -d -x 80 -y 24 "stty -g >'$BATS_TEST_TMPDIR/stty.before';
		env TERM=xterm LC_ALL=C.UTF-8 XDG_STATE_HOME='$XDG_STATE_HOME' '$TELNET' $q;
		echo EXIT=\$?; stty -g >'$BATS_TEST_TMPDIR/stty.after'; sleep 60"
	wait_screen '^Escape character is'
}

# The screen as text, without the blank lines at the bottom.
screen() {
	tm capture-pane -p | awk '{ l[NR] = $0 } NF { n = NR }
		END { for (i = 1; i <= n; i++) print l[i] }'
}

# wait_screen REGEX [SECS]: waits until a line of the screen matches.
wait_screen() {
	local i
	for i in $(seq $((${2:-5} * 20))); do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.05
	done
	echo "the screen never showed /$1/:" >&2
	screen >&2
	return 1
}

# tail_is N TEXT: the last N lines of the screen are exactly TEXT.
tail_is() {
	local got
	got=$(screen | tail -n "$1")
	[ "$got" = "$2" ] && return 0
	echo "screen ends with:" >&2
	echo "$got" >&2
	echo "wanted:" >&2
	echo "$2" >&2
	return 1
}

keys() { tm send-keys "$@"; }
# type TEXT: literal keys, then waits until the terminal shows them.
type_text() {
	tm send-keys -l "$1"
	sleep 0.1
}

# The pane's cursor: "x,y".
cursor() { tm display -p '#{cursor_x},#{cursor_y}'; }

nk_pid() { pgrep -P "$(tm display -p '#{pane_pid}')" -x nk-telnet; }

# --- the scenarios ----------------------------------------------------------

tty_lines_reach_the_server() {
	start_peer --record "$BATS_TEST_TMPDIR/rec" --send 'Welcome\r\n> ' \
		--control "$BATS_TEST_TMPDIR/spool"
	tty_start 127.0.0.1 "$PEER_PORT"
	wait_screen '^> ?$'
	type_text 'hello world'
	keys Enter
	wait_bytes "$BATS_TEST_TMPDIR/rec" 'hello world\r\n'
	type_text 'second'
	keys Enter
	wait_bytes "$BATS_TEST_TMPDIR/rec" 'hello world\r\nsecond\r\n'
	tail_is 4 "Escape character is '^]'.
Welcome
> hello world
second"
}

tty_server_line_above_half_typed_line() {
	start_peer --record "$BATS_TEST_TMPDIR/rec" --send 'Welcome\r\n> ' \
		--control "$BATS_TEST_TMPDIR/spool"
	tty_start 127.0.0.1 "$PEER_PORT"
	wait_screen '^> ?$'
	type_text 'half typed'
	wait_screen '^> half typed$'
	spool 'the server speaks\r\n> '
	wait_screen '^> the server speaks$'
	tail_is 3 "Welcome
> the server speaks
> half typed"
	# The cursor waits after the half-typed text, and the editor still
	# has it: the rest completes the line.
	[ "$(cursor)" = "12,$(($(screen | wc -l) - 1))" ]
	type_text ' and more'
	keys Enter
	wait_bytes "$BATS_TEST_TMPDIR/rec" 'half typed and more\r\n'
}

tty_history_persists() {
	start_peer --record "$BATS_TEST_TMPDIR/rec1" --control "$BATS_TEST_TMPDIR/spool"
	tty_start --connect-to histhost:4000:127.0.0.1:"$PEER_PORT" histhost 4000
	type_text 'remember me'
	keys Enter
	wait_bytes "$BATS_TEST_TMPDIR/rec1" 'remember me\r\n'
	keys C-]
	wait_screen '^nk> ?$'
	type_text 'quit'
	keys Enter
	wait_screen '^EXIT=0$'
	local dir=$XDG_STATE_HOME/nk
	[ "$(stat -c %a "$dir")" = 700 ]
	[ "$(stat -c %a "$dir/telnet_history_histhost_4000")" = 600 ]
	# (libedit writes its own format: "remember\040me")
	grep -q 'remember' "$dir/telnet_history_histhost_4000"
	tm kill-server

	# A second run to the same host and port: Up recalls the line.
	start_peer --record "$BATS_TEST_TMPDIR/rec2" --control "$BATS_TEST_TMPDIR/spool"
	tty_start --connect-to histhost:4000:127.0.0.1:"$PEER_PORT" histhost 4000
	keys Up
	wait_screen '^remember me$'
	keys Enter
	wait_bytes "$BATS_TEST_TMPDIR/rec2" 'remember me\r\n'
}

# nk> runs one command and goes back to the session, as telnet(1) does.
nk_cmd() {
	keys C-]
	wait_screen '^nk> ?$'
	type_text "$1"
	keys Enter
}

tty_escape_commands() {
	start_peer --record "$BATS_TEST_TMPDIR/rec" --send 'hi\r\n' \
		--control "$BATS_TEST_TMPDIR/spool"
	tty_start 127.0.0.1 "$PEER_PORT"
	wait_screen '^hi$'
	keys C-]
	wait_screen '^nk> ?$'
	type_text 'sta'
	keys Tab
	wait_screen '^nk> status ?$'
	keys Enter
	wait_screen '^Lines end with CR LF\.$'
	screen | grep -Eqx 'Connected to 127\.0\.0\.1 \(127\.0\.0\.1\) port [0-9]+ for [0-9]+\.[0-9] s\.'
	screen | grep -qx 'Sent 0 bytes, received 4 bytes\.'
	screen | grep -qx 'Telnet: the server has not negotiated; bytes pass unchanged\.'
	# Back in the session: a typed line goes to the server.
	type_text 'after status'
	keys Enter
	wait_bytes "$BATS_TEST_TMPDIR/rec" 'after status\r\n'
	! screen | grep -q '^nk> after status'
	nk_cmd 'send "QUIT\r\n\x04"'
	wait_screen '^Sent 7 bytes\.$'
	wait_bytes "$BATS_TEST_TMPDIR/rec" 'after status\r\nQUIT\r\n\004'
	nk_cmd 'lf'
	wait_screen '^Lines now end with LF\.$'
	nk_cmd 'bogus'
	wait_screen "^Unknown command 'bogus'; try help\.$"
	nk_cmd 'send \q'
	wait_screen '^send: unknown escape \\q\.$'
	# An empty line goes back too; lines now end with LF.
	keys C-]
	wait_screen '^nk> ?$'
	keys Enter
	type_text 'abc'
	keys Enter
	wait_bytes "$BATS_TEST_TMPDIR/rec" 'after status\r\nQUIT\r\n\004abc\n'
	nk_cmd 'quit'
	wait_screen '^EXIT=0$'
	tail_is 2 "Connection closed.
EXIT=0"
}

tty_ctrl_d_half_closes() {
	start_peer --record "$BATS_TEST_TMPDIR/rec" --send 'ready\r\n' \
		--after-eof 'reply after your EOF\r\n' --control "$BATS_TEST_TMPDIR/spool"
	tty_start 127.0.0.1 "$PEER_PORT"
	wait_screen '^ready$'
	keys C-d
	wait_screen '^reply after your EOF$'
	screen | grep -qx 'Sent EOF to 127\.0\.0\.1; still reading what it sends\.'
	# Still reading: more from the server shows.
	spool 'and more\r\n'
	wait_screen '^and more$'
	type_text 'late'
	keys Enter
	wait_screen '^Not sent: our side is closed\.'
	keys C-d
	wait_screen '^EXIT=0$'
	tail_is 2 "Connection closed.
EXIT=0"
	same_bytes "$BATS_TEST_TMPDIR/rec" ''
}

tty_remote_echo_hides_typing() {
	# IAC WONT ECHO first: a telnet server (it opens with negotiation).
	start_peer --record "$BATS_TEST_TMPDIR/rec" --send '\377\374\001login: ' \
		--control "$BATS_TEST_TMPDIR/spool"
	tty_start 127.0.0.1 "$PEER_PORT"
	wait_screen '^login: ?$'
	type_text 'bob'
	keys Enter
	wait_bytes "$BATS_TEST_TMPDIR/rec" 'bob\r\n'
	# IAC WILL ECHO: the server echoes from now on.
	spool '\377\373\001Password: '
	wait_screen '^Password: ?$'
	wait_bytes "$BATS_TEST_TMPDIR/rec" 'bob\r\n\377\375\001'
	type_text 'secret'
	keys BSpace
	type_text 'T'
	! screen | grep -q secre
	keys Enter
	wait_bytes "$BATS_TEST_TMPDIR/rec" 'bob\r\n\377\375\001secreT\r\n'
	# IAC WONT ECHO: typing shows again.
	spool '\377\374\001\r\nWelcome bob\r\n$ '
	wait_bytes "$BATS_TEST_TMPDIR/rec" 'bob\r\n\377\375\001secreT\r\n\377\376\001'
	wait_screen '^\$ ?$'
	type_text 'ls'
	wait_screen '^\$ ls$'
	keys Enter
	wait_bytes "$BATS_TEST_TMPDIR/rec" 'bob\r\n\377\375\001secreT\r\n\377\376\001ls\r\n'
	keys C-]
	wait_screen '^nk> ?$'
	type_text 'quit'
	keys Enter
	wait_screen '^EXIT=0$'
	! screen | grep -q secre
	local h=$XDG_STATE_HOME/nk/telnet_history_127.0.0.1_$PEER_PORT
	grep -qx bob "$h"
	grep -qx ls "$h"
	! grep -q secre "$h"
}

tty_control_characters_escaped() {
	start_peer --send 'esc:\033[31mred\033[0m bell:\a bs:\b del:\177 c1:\302\233 utf8:\303\251\r\nend\r\n' \
		--control "$BATS_TEST_TMPDIR/spool"
	tty_start 127.0.0.1 "$PEER_PORT"
	wait_screen '^end$'
	screen | grep -Fqx 'esc:^[[31mred^[[0m bell:^G bs:^H del:^? c1:\xc2\x9b utf8:é'
	# Nothing reached the terminal as a control: no colour either.
	! tm capture-pane -p -e | grep -q $'\033\\[31m'
}

tty_raw_output_passes_controls() {
	start_peer --send 'esc:\033[31mred\033[0m\r\nend\r\n' \
		--control "$BATS_TEST_TMPDIR/spool"
	tty_start --raw-output 127.0.0.1 "$PEER_PORT"
	wait_screen '^end$'
	screen | grep -qx 'esc:red'
	tm capture-pane -p -e | grep -q $'esc:\033\\[31mred'
}

tty_ctrl_c_clears_the_line() {
	start_peer --record "$BATS_TEST_TMPDIR/rec" --send 'go\r\n' \
		--control "$BATS_TEST_TMPDIR/spool"
	tty_start 127.0.0.1 "$PEER_PORT"
	wait_screen '^go$'
	type_text 'junk'
	wait_screen '^junk$'
	keys C-c
	for i in $(seq 40); do screen | grep -q junk || break; sleep 0.05; done
	! screen | grep -q junk
	type_text 'ok'
	keys Enter
	wait_bytes "$BATS_TEST_TMPDIR/rec" 'ok\r\n'
	# The session is still there.
	spool 'still here\r\n'
	wait_screen '^still here$'
}

tty_sigterm_restores_the_terminal() {
	start_peer --control "$BATS_TEST_TMPDIR/spool" --send '\377\373\001Password: '
	tty_start 127.0.0.1 "$PEER_PORT"
	wait_screen '^Password: ?$'
	type_text 'half'
	kill -TERM "$(nk_pid)"
	wait_screen '^EXIT=143$'
	for i in $(seq 40); do [ -s "$BATS_TEST_TMPDIR/stty.after" ] && break; sleep 0.05; done
	cmp "$BATS_TEST_TMPDIR/stty.before" "$BATS_TEST_TMPDIR/stty.after"
}

tty_window_size_and_terminal_type() {
	start_peer --record "$BATS_TEST_TMPDIR/rec" --control "$BATS_TEST_TMPDIR/spool"
	tty_start 127.0.0.1 "$PEER_PORT"
	# DO NAWS, DO TTYPE, SB TTYPE SEND.
	spool '\377\375\037\377\375\030\377\372\030\001\377\360'
	wait_bytes "$BATS_TEST_TMPDIR/rec" \
		'\377\373\037\377\372\037\000\120\000\030\377\360\377\373\030\377\372\030\000xterm\377\360'
	# SIGWINCH: the new size goes out.
	tm resize-window -x 100 -y 30
	wait_bytes "$BATS_TEST_TMPDIR/rec" \
		'\377\373\037\377\372\037\000\120\000\030\377\360\377\373\030\377\372\030\000xterm\377\360\377\372\037\000\144\000\036\377\360'
}

tty_terminal_vanishes() {
	start_peer --control "$BATS_TEST_TMPDIR/spool" --send 'hi\r\n'
	tty_start 127.0.0.1 "$PEER_PORT"
	wait_screen '^hi$'
	local pid
	pid=$(nk_pid)
	[ -n "$pid" ]
	# The terminal closes under nk (the window is gone): it must end,
	# promptly, not linger.
	tm kill-server
	wait_gone "$pid" 3
}

# stdin a pipe, stdout the terminal: no line editor, but the output is
# still made safe for the terminal.
tty_pipe_in_terminal_out() {
	start_peer --send 'esc:\033[31mred\a\r\n' --control "$BATS_TEST_TMPDIR/spool"
	tm new-session -d -x 80 -y 24 "sleep 0.5 | env LC_ALL=C.UTF-8 '$TELNET' 127.0.0.1 $PEER_PORT;
		echo EXIT=\$?; sleep 60"
	wait_screen '^esc:'
	spool '' eof
	wait_screen '^EXIT=0$'
	tail_is 2 'esc:^[[31mred^G
EXIT=0'
}

# start_telnetd: inetutils telnetd behind socat, running a shell with the
# prompt "sh> " instead of login; sets TELNETD_PORT.
start_telnetd() {
	[ -x /usr/sbin/telnetd ] || skip "inetutils-telnetd is not installed"
	local sh=$BATS_TEST_TMPDIR/shell.sh
	printf '#!/bin/sh\nPS1="sh> " exec /bin/sh -i\n' >"$sh"
	chmod +x "$sh"
	TELNETD_PORT=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/socat.log" socat \
		TCP-LISTEN:"$TELNETD_PORT",bind=127.0.0.1,reuseaddr,fork \
		EXEC:"/usr/sbin/telnetd -h -E $sh"
	wait_port "$TELNETD_PORT"
}

# count_lines REGEX: how many lines of the screen match.
count_lines() { screen | grep -Ec -- "$1" || true; }

tty_telnetd_character_mode() {
	start_telnetd
	tty_start 127.0.0.1 "$TELNETD_PORT"
	wait_screen '^sh> ?$'
	# Each key goes as typed and the server's echo shows it, before
	# Enter; its line editing (BS) works on what it echoed.
	type_text 'echo hellx'
	wait_screen '^sh> echo hellx$'
	keys BSpace
	type_text 'o there'
	wait_screen '^sh> echo hello there$'
	keys Enter
	wait_screen '^hello there$'
	# One Enter, one new line: the shell's prompt comes once.
	wait_screen '^sh> ?$'
	sleep 0.3
	tail_is 3 'sh> echo hello there
hello there
sh>'
	[ "$(count_lines '^sh> ?$')" -eq 1 ]
	# Ctrl-C goes to the server: it interrupts the command there.
	type_text 'sleep 30; echo not interrupted'
	keys Enter
	sleep 0.3
	keys C-c
	wait_screen '^sh> ?$'
	! screen | grep -q 'not interrupted'
	# Ctrl-]: one command at nk>, then straight back to the session.
	keys C-]
	wait_screen '^nk> ?$'
	type_text 'status'
	keys Enter
	wait_screen '^Character at a time: each key goes as typed, Enter as CR\.$'
	# (80 columns: the line wraps)
	screen | tr -d '\n' | grep -q 'Telnet: the server does ECHO, SUPPRESS-GO-AHEAD; we do BINARY, TERMINAL-TYPE, NAWS\.'
	type_text 'echo back'
	wait_screen '^sh> echo back$'
	keys Enter
	wait_screen '^back$'
	# Nothing typed in character mode went into nk's history.
	keys C-]
	wait_screen '^nk> ?$'
	type_text 'quit'
	keys Enter
	wait_screen '^EXIT=0$'
	local h=$XDG_STATE_HOME/nk/telnet_history_127.0.0.1_$TELNETD_PORT
	! grep -q 'echo' "$h" 2>/dev/null
	for i in $(seq 40); do [ -s "$BATS_TEST_TMPDIR/stty.after" ] && break; sleep 0.05; done
	cmp "$BATS_TEST_TMPDIR/stty.before" "$BATS_TEST_TMPDIR/stty.after"
}

# Ctrl-] while the server floods the screen: the nk> prompt comes (the
# bound is generous; the real latency is measured by hand, see the
# report), and the server's output waits while it is up.
tty_telnetd_escape_during_flood() {
	start_telnetd
	tty_start 127.0.0.1 "$TELNETD_PORT"
	wait_screen '^sh> ?$'
	# Numbered lines: a screen that still scrolls never looks the same.
	type_text 'i=0; while :; do i=$((i+1)); echo flood $i; done'
	keys Enter
	wait_screen '^flood [0-9]+$'
	sleep 0.5
	keys C-]
	wait_screen '^nk> ?$' 10
	screen >"$BATS_TEST_TMPDIR/s1"
	sleep 0.5
	screen >"$BATS_TEST_TMPDIR/s2"
	cmp "$BATS_TEST_TMPDIR/s1" "$BATS_TEST_TMPDIR/s2"
	type_text 'close'
	keys Enter
	wait_screen '^EXIT=0$' 10
}

# A server that echoes and suppresses go-ahead without BINARY: each key goes
# at once, Enter as CR NUL, Ctrl-C and Ctrl-D as their bytes; nothing is
# echoed locally.
tty_character_mode_bytes() {
	start_peer --record "$BATS_TEST_TMPDIR/rec" \
		--send '\377\373\001\377\373\003login: ' --control "$BATS_TEST_TMPDIR/spool"
	tty_start 127.0.0.1 "$PEER_PORT"
	wait_screen '^login: ?$'
	wait_bytes "$BATS_TEST_TMPDIR/rec" '\377\375\001\377\375\003'
	type_text 'a'
	wait_bytes "$BATS_TEST_TMPDIR/rec" '\377\375\001\377\375\003a'
	type_text 'b'
	keys Enter C-c C-d
	wait_bytes "$BATS_TEST_TMPDIR/rec" '\377\375\001\377\375\003ab\r\000\003\004'
	tail_is 1 'login:'
	# The server's echo is what shows, CR and BS included.
	spool 'ab\bc\r\n$ '
	wait_screen '^\$ ?$'
	tail_is 2 'login: ac
$'
}
