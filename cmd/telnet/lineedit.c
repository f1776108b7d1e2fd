/* lineedit: GNU readline or libedit behind one small interface. Where the
 * two differ (clearing the visible line, rebinding TAB, replacing the line)
 * the libedit branch does by hand what readline offers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef NK_USE_LIBEDIT
#include <editline/readline.h>
#else
#include <readline/readline.h>
#include <readline/history.h>
#endif

#include "lineedit.h"

#define HISTORY_MAX 500

#ifdef NK_USE_LIBEDIT
static void libedit_keys(void);
#endif

static int started;
static le_line_fn *line_fn;
static const char *const *words;
static int (*user_getc)(FILE *);
static int inject = -1;         /* a key lineedit feeds itself */
static int line_done;

/* Everything the editor reads comes through here: a key lineedit feeds
 * itself (libedit: see le_sync) or the tool's byte. */
static int
le_getc(FILE *f)
{
	if (inject >= 0) {
		int c = inject;
		inject = -1;
		return c;
	}
	return user_getc(f);
}

/* readline's handler type takes char *; ours is the same shape, but a
 * wrapper keeps the two libraries' typedefs out of the header. */
static void
on_line(char *line)
{
	line_done = 1;
	line_fn(line);
}

/* Candidates for the first word, one per call (readline's generator
 * protocol: state 0 starts over). */
static char *
word_gen(const char *text, int state)
{
	static size_t i, len;
	if (state == 0) {
		i = 0;
		len = strlen(text);
	}
	while (words && words[i]) {
		const char *w = words[i++];
		if (strncmp(w, text, len) == 0)
			return strdup(w);
	}
	return NULL;
}

static char **
complete(const char *text, int start, int end)
{
	(void)end;
	/* Never fall back to completing file names. */
	rl_attempted_completion_over = 1;
	if (start != 0)
		return NULL;
	return rl_completion_matches(text, word_gen);
}

int
le_start(int (*getc_fn)(FILE *), le_line_fn *fn, const char *const *w)
{
	line_fn = fn;
	words = w;
	rl_readline_name = "nk-telnet";
	rl_instream = stdin;
	rl_outstream = stdout;
	/* The tool reads the terminal itself (to catch the escape character)
	 * and owns every signal: the editor must install no handlers and
	 * leave LINES/COLUMNS alone. */
	user_getc = getc_fn;
	rl_getc_function = le_getc;
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_attempted_completion_function = complete;
#ifndef NK_USE_LIBEDIT
	rl_change_environment = 0;
	if (rl_initialize() != 0)
		return -1;
	/* A pasted block should be sent line by line as it arrives, not
	 * collected into one line waiting for Enter. */
	rl_variable_bind("enable-bracketed-paste", "off");
#else
	if (rl_initialize() != 0)
		return -1;
	libedit_keys();
#endif
	using_history();
	stifle_history(HISTORY_MAX);
	le_tab_completes(0);
	rl_callback_handler_install("", on_line);
#ifdef NK_USE_LIBEDIT
	/* libedit starts out believing the terminal is in raw mode already,
	 * so the install above does not set it: through cooked mode and
	 * back makes it true. */
	rl_deprep_terminal();
	rl_prep_terminal(1);
#endif
	started = 1;
	return 0;
}

void
le_stop(void)
{
	if (!started)
		return;
	started = 0;
	rl_callback_handler_remove();
	fflush(stdout);
}

void
le_read_char(void)
{
	line_done = 0;
	rl_callback_read_char();
#ifdef NK_USE_LIBEDIT
	/* libedit leaves unbuffered (raw, one key per call) mode before it
	 * calls the line function and never goes back: installing the
	 * handler again does, and draws the next prompt. */
	if (line_done && started)
		rl_callback_handler_install(rl_prompt ? rl_prompt : "", on_line);
#endif
	line_done = 0;
}

void
le_set_prompt(const char *prompt)
{
	rl_set_prompt(prompt);
}

#ifndef NK_USE_LIBEDIT

void
le_hide(void)
{
	rl_clear_visible_line();
	fflush(rl_outstream);
}

void
le_show(const char *prompt)
{
	rl_set_prompt(prompt);
	rl_on_new_line();
	rl_redisplay();
}

char *
le_get_line(int *point)
{
	*point = rl_point;
	return rl_copy_text(0, rl_end);
}

void
le_set_line(const char *text, int point)
{
	rl_replace_line(text, 1);
	rl_point = point < 0 ? 0 : point > rl_end ? rl_end : point;
	/* The new text is a new line, not the history entry the user may
	 * have recalled: when it is accepted, readline would otherwise
	 * "revert" that entry to it. */
	using_history();
}

void
le_tab_completes(int on)
{
	rl_bind_key('\t', on ? rl_complete : rl_insert);
}

const char *
le_version(void)
{
	static char v[48];
	snprintf(v, sizeof v, "GNU readline %s", rl_library_version);
	return v;
}

#else /* libedit */

/* libedit keeps rl_point, rl_end and rl_line_buffer current only around
 * functions bound with rl_add_defun, and its rl_copy_text drops the last
 * character. So lineedit binds two keys of its own and feeds them to the
 * editor through le_getc: SYNC_KEY runs a function that does nothing
 * (libedit updates the three on the way in); CLEAR_KEY is em-kill-line.
 * ^\ cannot come from the keyboard (the terminal makes it SIGQUIT);
 * ^^ typed by the user only runs the no-op. */
#define SYNC_KEY  0x1e
#define CLEAR_KEY 0x1c

static int
sync_fn(int count, int key)
{
	(void)count;
	(void)key;
	return 0;
}

static void
libedit_keys(void)
{
	rl_add_defun("nk-sync", sync_fn, SYNC_KEY);
	rl_parse_and_bind("bind ^\\\\ em-kill-line");
}

static void
feed(int key)
{
	inject = key;
	rl_callback_read_char();
	inject = -1;
}

static void
le_sync(void)
{
	feed(SYNC_KEY);
}

/* Display columns of s[0..n): UTF-8 continuation bytes and the prompt's
 * invisible stretches (between \1 markers) take none. */
static int
columns(const char *s, size_t n)
{
	int cols = 0, hidden = 0;
	for (size_t i = 0; i < n && s[i]; i++) {
		if (s[i] == '\1' || s[i] == '\2')
			hidden = s[i] == '\1';
		else if (!hidden && ((unsigned char)s[i] & 0xc0) != 0x80)
			cols++;
	}
	return cols;
}

/* libedit has no rl_clear_visible_line: from the cursor's row go up to
 * the prompt's first row and clear to the end of the screen. */
void
le_hide(void)
{
	int rows = 0, cols = 0;
	le_sync();
	rl_get_screen_size(&rows, &cols);
	const char *p = rl_prompt ? rl_prompt : "";
	int at = columns(p, strlen(p)) +
	         columns(rl_line_buffer ? rl_line_buffer : "", (size_t)rl_point);
	fputc('\r', rl_outstream);
	for (int up = cols > 0 ? at / cols : 0; up > 0; up--)
		fputs("\033[A", rl_outstream);
	fputs("\033[J", rl_outstream);
	fflush(rl_outstream);
}

void
le_show(const char *prompt)
{
	rl_set_prompt(prompt);
	/* EL_REFRESH forgets what libedit believes is on the screen and
	 * draws prompt and line from the cursor's row. */
	rl_forced_update_display();
	fflush(rl_outstream);
}

char *
le_get_line(int *point)
{
	le_sync();
	*point = rl_point;
	return strndup(rl_line_buffer ? rl_line_buffer : "", (size_t)rl_end);
}

void
le_set_line(const char *text, int point)
{
	(void)point;
	feed(CLEAR_KEY);
	if (*text)
		rl_insert_text(text);
}

void
le_tab_completes(int on)
{
	rl_parse_and_bind(on ? "bind ^I rl_complete" : "bind ^I ed-insert");
}

const char *
le_version(void)
{
	return "libedit";
}

#endif

void
le_resize(void)
{
	rl_resize_terminal();
}

void
le_suspend(void)
{
	rl_deprep_terminal();
}

void
le_resume(void)
{
	rl_prep_terminal(1);
}

void
le_history_add(const char *line)
{
	add_history(line);
	/* Point past the end again: left on the new entry, the next
	 * accepted line would "restore" that entry to its unedited (empty)
	 * text, as readline does for history lines the user edited. */
	using_history();
}

void
le_history_load(const char *path)
{
	read_history(path);
	using_history();
}

int
le_history_save(const char *path)
{
	if (write_history(path) != 0)
		return -1;
	history_truncate_file(path, HISTORY_MAX);
	return 0;
}
