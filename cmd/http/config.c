/* curl's config file syntax, read into arguments for the option parser.
 * A line is an option word (with or without its dashes) and a value,
 * separated by whitespace, and without dashes also by '=' or ':'; a
 * value in double quotes takes \t \n \r \v escapes and \X for X, an
 * unquoted one ends at whitespace; '#' starts a comment line. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nk/err.h"
#include "tool.h"
#include "lines.h"
#include "config.h"

/* A quoted value from just after its opening quote, to the closing one
 * or the end of the line. */
static char *
unquote(const char *p)
{
	char *v = malloc(strlen(p) + 1), *o = v;
	if (!v)
		return NULL;
	for (; *p && *p != '"'; p++) {
		if (*p != '\\' || !p[1]) {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case 't': *o++ = '\t'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 'v': *o++ = '\v'; break;
		default: *o++ = *p; break;
		}
	}
	*o = '\0';
	return v;
}

int
config_split(const char *line, struct config_tok *tok)
{
	memset(tok, 0, sizeof *tok);
	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#')
		return 0;
	tok->dashed = *line == '-';
	tok->opt = line;
	/* Without dashes '=' and ':' end the word too ("url=..."). */
	while (*line && !isspace((unsigned char)*line) &&
	       (tok->dashed || (*line != '=' && *line != ':')))
		line++;
	tok->optlen = (size_t)(line - tok->opt);
	while (isspace((unsigned char)*line) ||
	       (!tok->dashed && (*line == '=' || *line == ':')))
		line++;
	tok->has_val = *line != '\0';
	if (*line == '"') {
		tok->val = unquote(line + 1);
	} else {
		const char *end = line;
		while (*end && !isspace((unsigned char)*end))
			end++;
		tok->val = strndup(line, (size_t)(end - line));
		while (isspace((unsigned char)*end))
			end++;
		tok->unquoted_space = *end && *end != '#';
	}
	return tok->val ? 1 : -1;
}

const struct opt *
config_opt(const struct tool *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->nopts; i++)
		if (t->opts[i].longopt && strlen(t->opts[i].longopt) == len &&
		    memcmp(t->opts[i].longopt, name, len) == 0)
			return &t->opts[i];
	return NULL;
}

static const struct opt *
find_short(const struct tool *t, char ch)
{
	for (size_t i = 0; i < t->nopts; i++)
		if (t->opts[i].shortopt == ch)
			return &t->opts[i];
	return NULL;
}

/* A bundle whose option takes the rest of the word ("-HX:y") is complete
 * in itself: the line's value is then left over, as for a flag. */
static const struct opt complete_word = { 0, 0, NULL, OPT_FLAG, NULL,
                                          NULL, NULL };

static const struct opt *
find_opt(const struct tool *t, const struct config_tok *tok)
{
	const char *w = tok->opt;
	size_t len = tok->optlen;
	if (tok->dashed && len >= 2 && w[1] != '-') {
		for (size_t i = 1; i < len; i++) {
			const struct opt *o = find_short(t, w[i]);
			if (!o || o->kind == OPT_FLAG)
				continue;
			return i + 1 == len ? o : &complete_word;
		}
		for (size_t i = 1; i < len; i++)
			if (!find_short(t, w[i]))
				return NULL;
		return &complete_word;
	}
	if (tok->dashed) {
		w += 2;
		len -= len >= 2 ? 2 : len;
	}
	if (len > 7 && memcmp(w, "expand-", 7) == 0) {
		w += 7;
		len -= 7;
	}
	return config_opt(t, w, len);
}

struct argv_b {
	char **v;
	int n, cap;
};

static int
push(struct argv_b *a, char *s)
{
	if (!s)
		return -1;
	if (a->n == a->cap) {
		int cap = a->cap ? a->cap * 2 : 16;
		char **v = realloc(a->v, (size_t)cap * sizeof *v);
		if (!v) {
			free(s);
			return -1;
		}
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = s;
	return 0;
}

/* The option word as the command line spells it. */
static char *
word(const struct config_tok *tok)
{
	char *w = malloc(tok->optlen + 3);
	if (w)
		snprintf(w, tok->optlen + 3, "%s%.*s", tok->dashed ? "" : "--",
		         (int)tok->optlen, tok->opt);
	return w;
}

static int append_urls(struct argv_b *a, struct argv_b *urls);

/* "[host NAME]": CONFIG_SECTION and NAME; 1 when the line is one, -1
 * out of memory, -2 after a message for a malformed one. The URL lines
 * so far go before the first section, whose options are not for every
 * URL. */
static int
section_line(struct argv_b *a, struct argv_b *urls, const char *path,
             size_t lineno, const char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	if (*line != '[')
		return 0;
	const char *name = line + 1, *end = strchr(name, ']');
	size_t n = end ? (size_t)(end - name) : 0;
	const char *rest = end ? end + 1 : "";
	while (isspace((unsigned char)*rest))
		rest++;
	if (n > 5 && memcmp(name, "host ", 5) == 0 && !*rest) {
		name += 5;
		n -= 5;
		while (n && isspace((unsigned char)*name)) {
			name++;
			n--;
		}
		if (n && !memchr(name, ' ', n) && !memchr(name, '\t', n))
			return append_urls(a, urls) ||
			       push(a, strdup(CONFIG_SECTION)) ||
			       push(a, strndup(name, n)) ? -1 : 1;
	}
	tool_msg("%s:%zu: bad section line: want '[host NAME]'", path, lineno);
	return -2;
}

/* One line's arguments; warnings name the file and line as curl's do. */
static int
line_args(struct argv_b *a, struct argv_b *urls, const struct tool *t,
          const char *path, size_t lineno, const char *line)
{
	struct config_tok tok;
	int r = section_line(a, urls, path, lineno, line);
	if (r)
		return r > 0 ? 0 : r;
	r = config_split(line, &tok);
	if (r <= 0)
		return r;
	const struct opt *o = find_opt(t, &tok);
	int is_url = !tok.dashed && tok.optlen == 3 &&
	             memcmp(tok.opt, "url", 3) == 0;
	int n = (int)tok.optlen;
	if (tok.unquoted_space)
		tool_msg("%s:%zu: warning: '%.*s' uses unquoted whitespace in the "
		         "line that may cause side-effects!", path, lineno, n,
		         tok.opt);
	if (!o && is_url)   /* a table without --url (unit tests): see below */
		return push(urls, tok.val);
	if (!o) {
		tool_msg("%s:%zu: warning: '%.*s' is unknown", path, lineno, n,
		         tok.opt);
		free(tok.val);
		return 0;
	}
	if (o->kind == OPT_FLAG) {
		if (*tok.val)
			tool_msg("%s:%zu: warning: '%.*s' had unsupported trailing "
			         "garbage", path, lineno, n, tok.opt);
		free(tok.val);
		return push(a, word(&tok));
	}
	if (!tok.has_val) {
		tool_msg("%s:%zu: warning: '%.*s' requires parameter", path,
		         lineno, n, tok.opt);
		free(tok.val);
		return 0;
	}
	if (push(a, word(&tok))) {
		free(tok.val);
		return -1;
	}
	return push(a, tok.val);
}

static void
argv_free(struct argv_b *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof *a);
}

/* "url" lines, when the parser has no --url, become plain arguments after
 * a "--" at the end, so a URL starting with '-' stays a URL. */
static int
append_urls(struct argv_b *a, struct argv_b *urls)
{
	int r = 0;
	if (urls->n)
		r = push(a, strdup("--"));
	for (int i = 0; i < urls->n && !r; i++) {
		r = push(a, urls->v[i]);
		urls->v[i] = NULL;
	}
	argv_free(urls);
	return r;
}

/* What line_args needs besides the line, for lines_each. */
struct reading {
	struct argv_b *a, urls;
	const struct tool *t;
	const char *path;
};

static int
reading_line(void *ctx, char *line, size_t len, size_t lineno)
{
	struct reading *rd = ctx;
	(void)len;
	return line_args(rd->a, &rd->urls, rd->t, rd->path, lineno, line);
}

static int
read_lines(FILE *f, const char *path, const struct tool *t,
           struct argv_b *a)
{
	struct reading rd = { a, { NULL, 0, 0 }, t, path };
	int r = lines_each(f, reading_line, &rd);
	if (!r && ferror(f)) {
		argv_free(&rd.urls);
		return tool_failf(NK_ERR_READ_ERROR, "cannot read config from "
		                  "'%s': %s", path, strerror(errno));
	}
	if (!r)
		r = append_urls(a, &rd.urls);
	else
		argv_free(&rd.urls);
	if (r == -2)
		return NK_ERR_FAILED_INIT;
	return r ? tool_fail(NK_ERR_OUT_OF_MEMORY, NULL) : 0;
}

int
config_read(const char *path, const struct tool *t, int missing_ok,
            int *argc, char ***argv)
{
	struct argv_b a = { NULL, 0, 0 };
	*argc = 0;
	*argv = NULL;
	int is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	if (!f) {
		/* As curl's default file: one that cannot be opened (missing,
		 * or in a home another user cannot read) is none. */
		if (missing_ok)
			return 0;
		return tool_failf(NK_ERR_READ_ERROR, "cannot read config from "
		                  "'%s': %s", path, strerror(errno));
	}
	/* argv[0], as the parser skips it. */
	int r = push(&a, strdup(path)) ? tool_fail(NK_ERR_OUT_OF_MEMORY, NULL)
	        : read_lines(f, path, t, &a);
	if (!is_stdin)
		fclose(f);
	if (r) {
		argv_free(&a);
		return r;
	}
	*argc = a.n;
	*argv = a.v;
	return 0;
}

char *
config_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *p = NULL;
	if (xdg && *xdg) {
		if (asprintf(&p, "%s/nk/nkrc", xdg) < 0)
			return NULL;
		if (access(p, F_OK) == 0)
			return p;
		free(p);
		p = NULL;
	}
	if (home && *home && asprintf(&p, "%s/.nkrc", home) < 0)
		return NULL;
	return p;
}
