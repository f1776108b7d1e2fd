/* libnk netrc: see include/nk/netrc.h for the rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nk/netrc.h"
#include "core/internal.h"

struct lex {
	const char *p, *end;
	unsigned line;
	char *tok;              /* the current token, NUL-terminated */
	size_t len, cap;
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	       c == '\v';
}

static int
tok_add(struct lex *lx, char c)
{
	if (lx->len + 1 >= lx->cap) {
		size_t cap = lx->cap ? lx->cap * 2 : 64;
		char *t = realloc(lx->tok, cap);
		if (!t)
			return -1;
		lx->tok = t;
		lx->cap = cap;
	}
	lx->tok[lx->len++] = c;
	lx->tok[lx->len] = '\0';
	return 0;
}

static void
skip_line(struct lex *lx)
{
	while (lx->p < lx->end && *lx->p != '\n')
		lx->p++;
}

/* A macro's body runs up to an empty line: skip it, with the rest of the
 * macdef line. */
static void
skip_macro(struct lex *lx)
{
	skip_line(lx);
	while (lx->p < lx->end) {
		lx->p++;                /* the '\n' */
		lx->line++;
		const char *q = lx->p;
		if (q < lx->end && *q == '\r')
			q++;
		if (q >= lx->end || *q == '\n')
			return;
		skip_line(lx);
	}
}

/* A quoted token: curl 7.84 and later take escapes in it and want its
 * closing quote on the same line. */
static nk_err
quoted(struct lex *lx, char *errmsg)
{
	lx->p++;
	while (lx->p < lx->end && *lx->p != '"' && *lx->p != '\n') {
		char c = *lx->p++;
		if (c == '\\' && lx->p < lx->end && *lx->p != '\n') {
			c = *lx->p++;
			c = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
		}
		if (tok_add(lx, c))
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	if (lx->p >= lx->end || *lx->p != '"')
		return nk_fail(errmsg, NK_ERR_READ_ERROR, "netrc: a quoted token "
		               "is not closed on line %u", lx->line);
	lx->p++;
	return NK_OK;
}

/* The next token into lx->tok; *got 0 at the end of the text. */
static nk_err
next_token(struct lex *lx, int *got, char *errmsg)
{
	*got = 0;
	for (;;) {
		while (lx->p < lx->end && is_blank(*lx->p))
			if (*lx->p++ == '\n')
				lx->line++;
		if (lx->p >= lx->end)
			return NK_OK;
		if (*lx->p != '#')
			break;
		skip_line(lx);
	}
	lx->len = 0;
	if (tok_add(lx, '\0'))
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	lx->len = 0;
	*got = 1;
	if (*lx->p == '"')
		return quoted(lx, errmsg);
	while (lx->p < lx->end && !is_blank(*lx->p))
		if (tok_add(lx, *lx->p++))
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	return NK_OK;
}

enum { E_NONE, E_NAME, E_MATCH, E_OTHER };        /* where in an entry */
enum { V_NONE, V_LOGIN, V_PASSWORD, V_ACCOUNT };  /* a keyword's value */

struct find {
	const char *host, *login;
	int entry, want;
	int ours;               /* this entry's login is the one asked for */
	char *user, *password;
};

static int
set(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
	return *dst ? 0 : -1;
}

/* A keyword's value, in an entry for the host. */
static int
take_value(struct find *f, const char *v)
{
	int want = f->want;
	f->want = V_NONE;
	if (f->entry != E_MATCH)
		return 0;
	if (want == V_LOGIN) {
		if (f->login)
			f->ours = strcmp(v, f->login) == 0;
		else
			return set(&f->user, v);
	} else if (want == V_PASSWORD && (!f->login || f->ours)) {
		return set(&f->password, v);
	}
	return 0;
}

/* A token outside a value; 1 when the search is over. */
static int
keyword(struct find *f, struct lex *lx)
{
	const char *t = lx->tok;
	int start = strcasecmp(t, "machine") == 0, dflt = 0;
	if (!start)
		start = dflt = strcasecmp(t, "default") == 0;
	if (start) {
		if (f->entry == E_MATCH && f->password)
			return 1;
		f->ours = 0;
		f->entry = !dflt ? E_NAME : f->host ? E_MATCH : E_OTHER;
	} else if (strcasecmp(t, "login") == 0) {
		f->want = V_LOGIN;
	} else if (strcasecmp(t, "password") == 0) {
		f->want = V_PASSWORD;
	} else if (strcasecmp(t, "account") == 0) {
		f->want = V_ACCOUNT;
	} else if (strcasecmp(t, "macdef") == 0) {
		skip_macro(lx);
	}
	return 0;
}

static nk_err
scan(struct find *f, struct lex *lx, char *errmsg)
{
	for (;;) {
		int got;
		nk_err e = next_token(lx, &got, errmsg);
		if (e || !got)
			return e;
		int r = 0;
		if (f->want != V_NONE)
			r = take_value(f, lx->tok);
		else if (f->entry == E_NAME)
			f->entry = f->host && strcasecmp(lx->tok, f->host) == 0
			           ? E_MATCH : E_OTHER;
		else if (keyword(f, lx))
			return NK_OK;
		if (r)
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
}

nk_err
nk_netrc_find(const char *text, size_t len, const char *host,
              const char *login, char **user, char **password, char *errmsg)
{
	struct lex lx = { text, text + len, 1, NULL, 0, 0 };
	struct find f = { host, login, E_NONE, V_NONE, 0, NULL, NULL };
	*user = *password = NULL;
	nk_err e = scan(&f, &lx, errmsg);
	free(lx.tok);
	if (!e && login) {
		free(f.user);
		f.user = NULL;
		if (f.password && set(&f.user, login))
			e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	} else if (!e && (f.user || f.password)) {
		if ((!f.user && set(&f.user, "")) ||
		    (!f.password && set(&f.password, "")))
			e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	if (e) {
		free(f.user);
		free(f.password);
		return e;
	}
	*user = f.user;
	*password = f.password;
	return NK_OK;
}

nk_err
nk_netrc_lookup(const char *path, const char *host, const char *login,
                char **user, char **password, char *errmsg)
{
	*user = *password = NULL;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NK_OK;
	size_t cap = 4096, n = 0, r;
	char *buf = malloc(cap);
	while (buf && (r = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += r;
		if (n == cap) {
			char *b = realloc(buf, cap *= 2);
			if (!b)
				free(buf);
			buf = b;
		}
	}
	fclose(fp);
	if (!buf)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	nk_err e = nk_netrc_find(buf, n, host, login, user, password, errmsg);
	free(buf);
	return e;
}
