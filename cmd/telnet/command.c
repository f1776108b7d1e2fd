/* command: the escape prompt's commands (nk>): finding the one typed,
 * parsing send's C escapes, and acting on the session. Answers go out
 * as status lines (session_status), which the UI shows at nk>. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "tool.h"

static const struct {
	const char *name, *help;
} cmds[] = {
	{ "close", "close the connection and exit" },
	{ "crlf", "end lines with CR LF (the default)" },
	{ "help", "show this list" },
	{ "lf", "end lines with LF only" },
	{ "quit", "close the connection and exit" },
	{ "send", "send bytes as given, C escapes allowed: "
	          "send \\x04, send \"QUIT\\r\\n\"" },
	{ "status", "show the connection: peer, bytes, time, TLS, telnet" },
};
const char *const command_words[] = {
	"close", "crlf", "help", "lf", "quit", "send", "status", NULL,
};

/* The one-letter escapes of `send`, as pairs: the letter, then its byte. */
static const char letters[] = "n\nr\rt\ta\ab\be\033f\fv\v\\\\\"\"''";

/* The byte the escape letter c stands for, or NULL. */
static const char *
escape_byte(char c)
{
	for (const char *p = letters; *p; p += 2)
		if (*p == c)
			return p + 1;
	return NULL;
}

/* Parses the argument of `send`: an optional pair of double quotes
 * around the bytes, and C escapes (\n \r \t \\ \" \' \a \b \e \f \v,
 * \xHH, \NNN octal). out has room for strlen(in) bytes. Returns the count,
 * or -1 with a message in err. */
static long
unescape(const char *in, char *out, char *err, size_t errlen)
{
	size_t len = strlen(in), n = 0;
	if (in[0] == '"') {
		/* The closing quote is the first one not escaped, and it
		 * must end the argument. */
		size_t j = 1;
		while (j < len && in[j] != '"')
			j += in[j] == '\\' ? 2 : 1;
		if (j >= len) {
			snprintf(err, errlen, "no closing quote");
			return -1;
		}
		if (j != len - 1) {
			snprintf(err, errlen, "text after the closing quote");
			return -1;
		}
		in++;
		len = j - 1;
	}
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (c != '\\') {
			out[n++] = c;
			continue;
		}
		if (++i == len) {
			snprintf(err, errlen, "a lone \\ at the end");
			return -1;
		}
		c = in[i];
		const char *simple = escape_byte(c);
		if (simple) {
			out[n++] = *simple;
		} else if (c == 'x') {
			int v = 0, k = 0;
			while (k < 2 && i + 1 < len && isxdigit((unsigned char)in[i + 1])) {
				char h = in[++i];
				v = v * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
				k++;
			}
			if (k == 0) {
				snprintf(err, errlen, "\\x needs hex digits");
				return -1;
			}
			out[n++] = (char)v;
		} else if (c >= '0' && c <= '7') {
			int v = c - '0', k = 1;
			while (k < 3 && i + 1 < len && in[i + 1] >= '0' &&
			       in[i + 1] <= '7') {
				v = v * 8 + (in[++i] - '0');
				k++;
			}
			if (v > 255) {
				snprintf(err, errlen, "octal escape above \\377");
				return -1;
			}
			out[n++] = (char)v;
		} else {
			snprintf(err, errlen, "unknown escape \\%c", c);
			return -1;
		}
	}
	return (long)n;
}

/* The entry the first word of p (wl bytes) names, whole or as a prefix
 * of one command only; -1 after saying it is unknown or ambiguous. */
static int
find_command(struct session *s, const char *p, size_t wl)
{
	int match = -1, nmatch = 0;
	if (p[0] == '?' && wl == 1)
		return 2;       /* help */
	for (size_t i = 0; i < NK_ARRAY_LEN(cmds); i++) {
		if (strncmp(cmds[i].name, p, wl) != 0)
			continue;
		match = (int)i;
		if (strlen(cmds[i].name) == wl)
			return match;
		nmatch++;
	}
	if (nmatch == 1)
		return match;
	/* Cut as it always was: a long word shows its start. */
	char msg[128];
	snprintf(msg, sizeof msg, "%s command '%.*s'; try help.",
	         nmatch ? "Ambiguous" : "Unknown", (int)wl, p);
	session_status(s, "%s", msg);
	return -1;
}

static void
help(struct session *s)
{
	session_status(s, "Commands (each goes back to the session after):");
	for (size_t i = 0; i < NK_ARRAY_LEN(cmds); i++)
		session_status(s, "  %-7s %s", cmds[i].name, cmds[i].help);
}

/* send: the argument's bytes go to the server as they are, past telnet
 * encoding. */
static void
send_bytes(struct session *s, const char *arg)
{
	char err[128];
	char *out = malloc(strlen(arg) + 1);
	long n = out ? unescape(arg, out, err, sizeof err) : -1;
	if (!out)
		snprintf(err, sizeof err, "out of memory");
	if (n < 0) {
		session_status(s, "send: %s.", err);
	} else if (n == 0) {
		session_status(s, "send: nothing to send; e.g. send \\x04 or "
		               "send \"QUIT\\r\\n\".");
	} else if (s->wr_shut || s->stdin_eof) {
		session_status(s, "send: our side is closed.");
	} else {
		session_send_raw(s, out, (size_t)n);
		session_status(s, "Sent %ld byte%s.", n, n == 1 ? "" : "s");
	}
	free(out);
}

enum command_next
command_run(struct session *s, char *line)
{
	char *p = line + strspn(line, " \t");
	char *end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (!*p)
		return COMMAND_BACK;
	size_t wl = strcspn(p, " \t");
	const char *arg = p + wl + strspn(p + wl, " \t");
	int i = find_command(s, p, wl);
	if (i < 0)
		return COMMAND_BACK;
	const char *name = cmds[i].name;
	if (!strcmp(name, "close") || !strcmp(name, "quit")) {
		return COMMAND_CLOSE;
	} else if (!strcmp(name, "status")) {
		session_report(s);
	} else if (!strcmp(name, "crlf") || !strcmp(name, "lf")) {
		s->lf = name[0] == 'l';
		session_status(s, "Lines now end with %s.", s->lf ? "LF" : "CR LF");
	} else if (!strcmp(name, "help")) {
		help(s);
	} else if (!strcmp(name, "send")) {
		send_bytes(s, arg);
	}
	return COMMAND_BACK;
}
