/* ui: nk telnet at a terminal.
 *
 * The screen model: lines the server finished scroll up above the input
 * line; the server's unfinished last line ("login: ", "> ") is the line
 * editor's prompt, so what the user types follows it as it would on a
 * plain terminal, and data arriving while a line is half typed is printed
 * above it without disturbing it (hide prompt and input, print, redraw).
 *
 * While the server echoes but does not suppress go-ahead (a password
 * prompt), the editor is bypassed: keys go into a small buffer of our own
 * that is never shown and never enters the history.
 *
 * When the server echoes and suppresses go-ahead (a telnetd login and
 * shell), the session is character at a time, as in telnet(1): the
 * terminal is raw, each key goes to the server as typed (Ctrl-C, Ctrl-D
 * and Ctrl-Z too), and the server's echo is what the screen shows. The
 * editor sleeps until the escape character.
 *
 * The escape character opens the `nk> ` prompt (its commands are in
 * command.c), and the server's output waits meanwhile; one command, an
 * empty line, the escape character again or Ctrl-D go back to the session.
 *
 * The session calls the UI only through tty_ui (struct session_ui in
 * session.h); the UI drives the session through session.h's functions.
 * One session per process, so the UI's state is file-level; libnk keeps
 * none. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "command.h"
#include "lineedit.h"
#include "tool.h"
#include "ui.h"

/* The longest unfinished server line used as the prompt; a longer one is
 * shown as a line of its own. */
#define PARTIAL_MAX 512
#define HIDDEN_MAX 4096

static struct session *S;
static int editing;              /* the line editor has the terminal */
static int shown;                /* prompt and input are on the screen */
static int cmd_mode;             /* at the nk> prompt */
static int hidden;               /* the server echoes: keys go to hid */
static int charmode;             /* the server echoes and suppresses GA:
                                  * keys go to it one by one */
static int raw_set;              /* the terminal is raw, for charmode */
static struct termios cooked;    /* its settings before */
static char partial[PARTIAL_MAX + 1];
static size_t npartial;
static char prompt_buf[8 * PARTIAL_MAX + 8];
static char *saved_line;         /* the session's input while at nk> */
static int saved_point;
static char hid[HIDDEN_MAX];
static size_t nhid;
static int next_byte = -1;       /* what the editor's getc returns next */
static char *got_line;           /* a line the editor finished */
static int line_ready;
static unsigned char eof_char = 4, intr_char = 3, susp_char = 26;

static void ui_stop(struct session *s);

/* Writes to the terminal, LF as CR LF: the editor's terminal mode may
 * have turned output translation off. */
static void
term_write(const char *p, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\n')
			continue;
		fwrite(p + start, 1, i - start, stdout);
		fputs("\r\n", stdout);
		start = i + 1;
	}
	fwrite(p + start, 1, n - start, stdout);
	fflush(stdout);
}

/* The server's unfinished line is on the screen as the server sent it,
 * the cursor after it: nothing of ours is drawn under it. */
static int
server_draws(void)
{
	return (hidden || charmode) && !cmd_mode;
}

/* Character mode's terminal: keys arrive one by one, unechoed, with no
 * signal or flow-control keys and CR left as CR; output processing stays
 * as the user had it. */
static void
raw_on(void)
{
	if (raw_set || tcgetattr(STDIN_FILENO, &cooked) != 0)
		return;
	struct termios t = cooked;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
	t.c_iflag &= ~(tcflag_t)(ICRNL | INLCR | IGNCR | IXON);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &t) == 0)
		raw_set = 1;
}

static void
raw_off(void)
{
	if (raw_set)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &cooked);
	raw_set = 0;
}

/* The terminal for what comes next: the editor's, or raw for the server. */
static void
editor_wakes(void)
{
	raw_off();
	le_resume();
}

static void
editor_sleeps(void)
{
	le_suspend();
	raw_on();
}

/* The prompt for the unfinished server line: TABs expanded (the editor
 * counts columns itself), and with --raw-output the control sequences
 * marked invisible (\1..\2) so the editor's cursor arithmetic holds. */
static const char *
make_prompt(void)
{
	if (cmd_mode)
		return "nk> ";
	char *o = prompt_buf;
	int col = 0;
	for (size_t i = 0; i < npartial; i++) {
		unsigned char c = (unsigned char)partial[i];
		if (c == '\t') {
			do
				*o++ = ' ';
			while (++col % 8);
		} else if (c < 0x20 || c == 0x7f) {
			*o++ = '\1';
			*o++ = (char)c;
			if (c == 0x1b && i + 1 < npartial && partial[i + 1] == '[') {
				/* CSI: parameters up to a final byte. */
				*o++ = partial[++i];
				while (i + 1 < npartial) {
					unsigned char f = (unsigned char)partial[++i];
					*o++ = (char)f;
					if (f >= 0x40 && f <= 0x7e)
						break;
				}
			} else if (c == 0x1b && i + 1 < npartial) {
				*o++ = partial[++i];
			}
			*o++ = '\2';
		} else {
			*o++ = (char)c;
			if ((c & 0xc0) != 0x80)
				col++;
		}
	}
	*o = '\0';
	return prompt_buf;
}

static void
hide_line(void)
{
	if (shown) {
		le_hide();
		shown = 0;
	}
}

/* Draws the prompt and input, or, while the server echoes, just the
 * unfinished server line (the cursor then waits after it). */
static void
show_line(void)
{
	if (server_draws()) {
		term_write(partial, npartial);
		return;
	}
	le_show(make_prompt());
	shown = 1;
}

/* Before writing over the screen: takes our line away. */
static void
clear_for_output(void)
{
	if (server_draws()) {
		fputs("\r\033[K", stdout);
		fflush(stdout);
	} else {
		hide_line();
	}
}

static void
ui_message(struct session *s, const char *line)
{
	(void)s;
	fflush(stdout);
	if (!editing) {
		fprintf(stderr, "%s\n", line);
		return;
	}
	clear_for_output();
	fprintf(stderr, "%s\r\n", line);
	fflush(stderr);
	show_line();
}

/* Appends filtered server text to the screen model. */
static void
emit(const char *text, size_t n)
{
	const char *nl = NULL;
	for (size_t i = n; i > 0; i--)
		if (text[i - 1] == '\n') {
			nl = text + i - 1;
			break;
		}
	if (server_draws()) {
		/* The unfinished line is on the screen already and the
		 * cursor after it: the new text simply follows. */
		term_write(text, n);
		const char *rest = nl ? nl + 1 : text;
		size_t rn = n - (size_t)(rest - text);
		if (nl)
			npartial = 0;
		if (npartial + rn > PARTIAL_MAX)
			npartial = 0;
		else {
			memcpy(partial + npartial, rest, rn);
			npartial += rn;
		}
		return;
	}
	hide_line();
	if (nl) {
		term_write(partial, npartial);
		term_write(text, (size_t)(nl - text) + 1);
		npartial = 0;
		n -= (size_t)(nl - text) + 1;
		text = nl + 1;
	}
	if (npartial + n > PARTIAL_MAX) {
		/* Too long for a prompt: a line of its own. */
		term_write(partial, npartial);
		term_write(text, n);
		term_write("\n", 1);
		npartial = 0;
	} else {
		memcpy(partial + npartial, text, n);
		npartial += n;
	}
	show_line();
}

static void
ui_output(struct session *s, const char *text, size_t n)
{
	(void)s;
	emit(text, n);
}

static void
ui_modes(struct session *s)
{
	int echo = nk_telnet_enabled(s->tn, 1, NK_TELNET_OPT_ECHO);
	int sga = nk_telnet_enabled(s->tn, 1, NK_TELNET_OPT_SGA);
	int ch = echo && sga, hid_now = echo && !sga;
	/* After ui_stop the terminal is the user's again: leave it so. */
	if (!editing || (ch == charmode && hid_now == hidden))
		return;
	/* What was typed unseen is dropped, never shown. */
	memset(hid, 0, sizeof hid);
	nhid = 0;
	s->safe.edits = ch;
	s->char_mode = ch;
	if (cmd_mode) {
		/* Takes effect back in the session. */
		charmode = ch;
		hidden = hid_now;
		return;
	}
	int was_char = charmode;
	clear_for_output();
	charmode = ch;
	hidden = hid_now;
	if (ch && !was_char)
		editor_sleeps();
	else if (!ch && was_char)
		editor_wakes();
	show_line();
}

/* The editor's line is replaced while what it shows is still on the
 * screen: libedit redraws in place when the line changes. Then it is
 * taken off the screen and drawn anew. */
static void
set_line_and_redraw(const char *text, int point)
{
	le_set_line(text, point);
	if (server_draws()) {
		/* The editor's line was not on the screen: wipe what a
		 * redrawing editor may have put there. */
		fputs("\r\033[K", stdout);
		fflush(stdout);
		shown = 0;
	} else {
		hide_line();
	}
}

static void
enter_cmd(void)
{
	if (charmode) {
		/* The server's line stays; the prompt goes under it. */
		if (npartial)
			term_write("\n", 1);
		editor_wakes();
	} else if (hidden) {
		fputs("\r\033[K", stdout);
		fflush(stdout);
	}
	S->hold_net = 1;
	free(saved_line);
	saved_line = le_get_line(&saved_point);
	set_line_and_redraw("", 0);
	cmd_mode = 1;
	le_tab_completes(1);
	show_line();
}

static void
leave_cmd(void)
{
	set_line_and_redraw(saved_line ? saved_line : "", saved_point);
	free(saved_line);
	saved_line = NULL;
	cmd_mode = 0;
	S->hold_net = 0;
	le_tab_completes(0);
	if (charmode)
		editor_sleeps();
	show_line();
}

static void
close_now(const char *why)
{
	ui_stop(S);
	session_status(S, "%s", why);
	session_ended(S, "user");
	session_finish(S, 0);
}

/* A line typed at nk>, or NULL for Ctrl-D there. */
static void
run_command(char *line)
{
	if (line && command_run(S, line) == COMMAND_CLOSE)
		close_now("Connection closed.");
	else
		leave_cmd();
}

static void
send_line(const char *text, size_t n, int history)
{
	if (S->stdin_eof) {
		ui_message(S, "Not sent: our side is closed. Ctrl-D again, or "
		           "the escape character and close, to quit.");
		return;
	}
	if (history && n)
		le_history_add(text);
	session_send(S, text, n);
	session_send(S, S->lf ? "\n" : "\r\n", S->lf ? 1 : 2);
}

/* Ctrl-D on an empty line: the first ends our input (the server sees
 * EOF and may go on talking), the second closes. At nk>, back. */
static void
ctrl_d(void)
{
	if (cmd_mode) {
		leave_cmd();
	} else if (!S->stdin_eof) {
		session_end_input(S);
		ui_message(S, "End of input: Ctrl-D again, or the escape character "
		           "and close, to quit.");
	} else {
		close_now("Connection closed.");
	}
}

/* The editor finished a line (or saw EOF). Acted on after the editor's
 * call returns, when it is safe to redraw; the prompt it draws next is
 * set here. */
static void
on_line(char *line)
{
	free(got_line);
	got_line = line;
	line_ready = 1;
	if (!cmd_mode && line)
		npartial = 0;   /* the server's line went up with the input */
	le_set_prompt(make_prompt());
}

static void
hidden_key(unsigned char c)
{
	if (c == '\r' || c == '\n') {
		term_write("\n", 1);
		npartial = 0;
		send_line(hid, nhid, 0);
		memset(hid, 0, sizeof hid);
		nhid = 0;
	} else if (c == 0x7f || c == 0x08) {
		while (nhid > 0 && ((unsigned char)hid[nhid - 1] & 0xc0) == 0x80)
			nhid--;
		if (nhid > 0)
			nhid--;
	} else if (c == 0x15) {
		nhid = 0;
	} else if ((c >= 0x20 || c == '\t') && nhid < HIDDEN_MAX) {
		hid[nhid++] = (char)c;
	}
}

/* Character mode: the key goes as typed. Enter (CR, the terminal being
 * raw) is CR NUL as in telnet(1), or CR alone when we send BINARY: the
 * server then passes it to its terminal unchanged, where CR ends the
 * line. CR LF would end it twice. */
static void
char_key(struct session *s, unsigned char c)
{
	if (s->stdin_eof)
		return;
	if (c == '\r' && !nk_telnet_enabled(s->tn, 0, NK_TELNET_OPT_BINARY))
		session_send(s, "\r\0", 2);
	else
		session_send(s, &c, 1);
}

static int
line_empty(void)
{
	if (hidden && !cmd_mode)
		return nhid == 0;
	int point;
	char *l = le_get_line(&point);
	int empty = !l || !*l;
	free(l);
	return empty;
}

/* The editor's getc: the byte the loop read, or (when the editor wants
 * more in one go, as for a multibyte character) the next one, waiting. */
static int
ui_getc(FILE *f)
{
	(void)f;
	if (next_byte >= 0) {
		int c = next_byte;
		next_byte = -1;
		return c;
	}
	for (;;) {
		unsigned char c;
		ssize_t r = read(STDIN_FILENO, &c, 1);
		if (r == 1)
			return c;
		if (r < 0 && errno == EINTR)
			continue;
		return EOF;
	}
}

static void
suspend(void)
{
	clear_for_output();
	if (charmode && !cmd_mode) {
		raw_off();
		kill(getpid(), SIGSTOP);
		raw_on();
	} else {
		le_suspend();
		kill(getpid(), SIGSTOP);
		le_resume();
	}
	show_line();
}

static void
ui_signal(struct session *s, int sig)
{
	if (!editing)
		return;
	if (sig == SIGINT) {
		/* Like a shell: the line goes, the session stays. */
		if (cmd_mode) {
			leave_cmd();
		} else if (hidden || charmode) {
			memset(hid, 0, sizeof hid);
			nhid = 0;
		} else {
			set_line_and_redraw("", 0);
			show_line();
		}
	} else if (sig == SIGWINCH) {
		/* A sleeping editor would redraw its line over the
		 * server's screen. */
		if (!(charmode && !cmd_mode))
			le_resize();
		struct winsize ws;
		if (s->tn && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
			nk_telnet_set_size(s->tn, ws.ws_col, ws.ws_row);
	} else if (sig == SIGTSTP) {
		suspend();
	}
}

static void
ui_input(struct session *s)
{
	unsigned char c;
	ssize_t r = read(STDIN_FILENO, &c, 1);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		/* The terminal went away: a hangup, whether or not the kernel
		 * sent us SIGHUP (it signals only the session leader). End
		 * as SIGHUP ends: main re-raises it. */
		session_end_by_signal(s, SIGHUP);
		return;
	}
	if (s->escape_char >= 0 && c == s->escape_char) {
		if (cmd_mode)
			leave_cmd();
		else
			enter_cmd();
		return;
	}
	if (charmode && !cmd_mode) {
		char_key(s, c);
		return;
	}
	/* Handled here rather than by the editor, the same way over both
	 * editors, and also if the terminal delivers them as bytes. */
	/* A control the terminal has disabled is 0 (_POSIX_VDISABLE). */
	if (c && c == eof_char && line_empty()) {
		ctrl_d();
		return;
	}
	if (c && c == intr_char) {
		ui_signal(s, SIGINT);
		return;
	}
	if (c && c == susp_char) {
		suspend();
		return;
	}
	if (hidden && !cmd_mode) {
		hidden_key(c);
		return;
	}
	next_byte = c;
	le_read_char();
	next_byte = -1;
	if (line_ready) {
		char *line = got_line;
		got_line = NULL;
		line_ready = 0;
		shown = 1;      /* the editor drew the next prompt */
		if (cmd_mode)
			run_command(line);
		else if (!line)
			ctrl_d();
		else
			send_line(line, strlen(line), 1);
		free(line);
	}
}

static void
ui_atexit(void)
{
	if (editing) {
		le_stop();
		editing = 0;
	}
}

static int
ui_start(struct session *s)
{
	static int registered;
	struct termios t;

	S = s;
	if (tcgetattr(STDIN_FILENO, &t) == 0) {
		eof_char = t.c_cc[VEOF];
		intr_char = t.c_cc[VINTR];
		susp_char = t.c_cc[VSUSP];
	}
	if (le_start(ui_getc, on_line, command_words) != 0) {
		tool_msg("cannot start the line editor");
		return -1;
	}
	/* After the start: libedit's initialisation drops any history read
	 * before it. */
	if (s->history)
		le_history_load(s->history);
	if (!registered) {
		atexit(ui_atexit);
		registered = 1;
	}
	editing = 1;
	shown = 1;
	return 0;
}

/* The history file is private: 0600 before anything is written to it. */
static void
save_history(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0 || le_history_save(path) != 0) {
		if (S->verbose >= 2)
			tool_msg("cannot save the history to %s: %s", path,
			         strerror(errno));
	}
	if (fd >= 0)
		close(fd);
}

static void
ui_stop(struct session *s)
{
	if (!editing)
		return;
	/* The server's unfinished line stays on the screen as text. */
	raw_off();
	if (!server_draws()) {
		hide_line();
		term_write(partial, npartial);
	}
	if (npartial)
		term_write("\n", 1);
	npartial = 0;
	le_stop();
	editing = 0;
	if (s->history)
		save_history(s->history);
	free(saved_line);
	saved_line = NULL;
	free(got_line);
	got_line = NULL;
	memset(hid, 0, sizeof hid);
}

const struct session_ui tty_ui = {
	ui_start, ui_stop, ui_input, ui_output, ui_message, ui_modes, ui_signal,
};
