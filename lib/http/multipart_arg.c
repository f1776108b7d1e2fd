/* multipart_arg: curl's -F syntax, read into an nk_multipart_part
 * (include/nk/multipart.h): "name=value", "name=@file", "name=<file" and
 * their ";type=", ";filename=" and ";headers=" settings, with curl's
 * quoting and its quirks, read off curl 7.88.1 (tests/data/multipart/
 * README). What a part may hold is the encoder's rule (multipart.c); this
 * file only reads the syntax. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nk/multipart.h"
#include "core/internal.h"
#include "http/multipart_int.h"

static char *
dup_range(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* curl's ISSPACE: the C locale's isspace */
static int
is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

struct word {
	char *s;       /* malloc'd */
	int quoted;
};

/* One word at *pp, up to ';', `endchar` or the end: a word that starts
 * with '"' and has its closing quote is unquoted (only \\ and \" are
 * escapes) and whatever follows the quote up to the separator is dropped,
 * as curl drops it; an unclosed quote is an ordinary character. */
static int
take_word(const char **pp, char endchar, struct word *w)
{
	const char *p = *pp, *q;
	if (*p == '"') {
		for (q = p + 1; *q && *q != '"'; q++)
			if (*q == '\\' && (q[1] == '\\' || q[1] == '"'))
				q++;
		if (*q == '"') {
			char *o = malloc((size_t)(q - p));
			if (!o)
				return -1;
			size_t n = 0;
			for (const char *r = p + 1; r < q; r++) {
				if (*r == '\\' && (r[1] == '\\' || r[1] == '"'))
					r++;
				o[n++] = *r;
			}
			o[n] = '\0';
			for (q++; *q && *q != ';' && *q != endchar; q++)
				;
			*pp = q;
			w->s = o;
			w->quoted = 1;
			return 0;
		}
	}
	for (q = p; *q && *q != ';' && *q != endchar; q++)
		;
	*pp = q;
	w->quoted = 0;
	w->s = dup_range(p, (size_t)(q - p));
	return w->s ? 0 : -1;
}

/* take_word after leading white space; an unquoted word loses its
 * trailing white space too. */
static int
take_trimmed(const char **pp, char endchar, char **out)
{
	struct word w;
	while (is_space(**pp))
		(*pp)++;
	if (take_word(pp, endchar, &w))
		return -1;
	if (!w.quoted) {
		size_t n = strlen(w.s);
		while (n > 0 && is_space(w.s[n - 1]))
			w.s[--n] = '\0';
	}
	free(*out);
	*out = w.s;
	return 0;
}

static int
add_header(nk_multipart_part *p, const char *s, size_t n)
{
	char **h = realloc(p->headers, (p->num_headers + 1) * sizeof *h);
	if (!h)
		return -1;
	p->headers = h;
	h[p->num_headers] = dup_range(s, strnlen(s, n));
	if (!h[p->num_headers])
		return -1;
	p->num_headers++;
	return 0;
}

/* The longest line curl keeps from a header file; the rest is dropped. */
#define HDR_FILE_LINE 998

/* Header lines of a ;headers=@file, read as curl reads them: CR
 * ignored, '#' lines are comments, a line that starts with white space
 * continues the previous one, white space at the end is dropped. */
static int
add_header_file(nk_multipart_part *p, const char *d, size_t n)
{
	char line[HDR_FILE_LINE + 1];
	size_t len = 0, pos = 0;
	int comment = 0;
	for (size_t i = 0;; i++) {
		int eof = i == n;
		if (eof || (pos == 0 && !is_space(d[i]))) {
			while (len > 0 && is_space(line[len - 1]))
				len--;
			if (len > 0 && add_header(p, line, len))
				return -1;
			len = 0;
		}
		if (eof)
			return 0;
		if (d[i] == '\r')
			continue;
		if (d[i] == '\n') {
			pos = 0;
			comment = 0;
			continue;
		}
		if (d[i] == '#' && pos == 0)
			comment = 1;
		pos++;
		if (!comment && len < HDR_FILE_LINE)
			line[len++] = d[i];
	}
}

static int
has_prefix_ci(const char *s, const char *pre)
{
	return strncasecmp(s, pre, strlen(pre)) == 0;
}

/* ";type=" holds MAJOR/MINOR as curl's check reads it: 1..127 bytes
 * other than '/' and ' ', a '/', then at least one byte other than
 * ";, \n". Returns the length checked (capped as curl's is), or 0. */
static size_t
type_span(const char *t)
{
	size_t a = strcspn(t, "/ ");
	if (a == 0 || a > 127 || t[a] != '/')
		return 0;
	size_t b = strcspn(t + a + 1, ";, \n");
	if (b == 0)
		return 0;
	return a + 1 + (b > 127 ? 127 : b);
}

struct field {
	unsigned allow_filename;
	nk_multipart_load_fn load;
	void *ctx;
	char *errmsg;
};

static nk_err
load_headers(const struct field *f, const char **pp, char endchar,
             nk_multipart_part *out)
{
	char *path = NULL, *data = NULL;
	size_t len = 0;
	nk_err e = NK_OK;
	if (take_trimmed(pp, endchar, &path))
		return nk_multipart_oom(f->errmsg);
	if (!f->load)
		e = nk_fail(f->errmsg, NK_ERR_FAILED_INIT,
		            "form field: headers from a file are not allowed here");
	else
		e = f->load(f->ctx, path, &data, &len, f->errmsg);
	if (!e && data && add_header_file(out, data, len))
		e = nk_multipart_oom(f->errmsg);
	free(data);
	free(path);
	return e;
}

/* A ;type= that ran from tbeg to tend is the part's type: -1 when out of
 * memory. */
static int
set_type(nk_multipart_part *out, const char *tbeg, const char *tend)
{
	free(out->type);
	out->type = dup_range(tbeg, (size_t)(tend - tbeg));
	return out->type ? 0 : -1;
}

/* The ";..." settings after a value or a path, curl's way: a ;type= runs
 * on over later segments (";charset=x") until a filename=, headers= or
 * encoder= closes it; a segment nothing claims is skipped. *sepp is the
 * byte that ended the settings (';' never, endchar or NUL). */
static nk_err
settings(const struct field *f, const char **pp, char endchar,
         nk_multipart_part *out, char *sepp)
{
	const char *p = *pp, *tbeg = NULL, *tend = NULL;
	char *filename = NULL;
	nk_err e = NK_OK;
	int have_filename = 0;
	while (*p == ';' && !e) {
		for (p++; is_space(*p); p++)
			;
		if (!tend && has_prefix_ci(p, "type=")) {
			for (p += 5; is_space(*p); p++)
				;
			size_t n = type_span(p);
			if (n == 0) {
				e = nk_fail(f->errmsg, NK_ERR_FAILED_INIT, "form field: "
				            "illegally formatted content-type");
				break;
			}
			tbeg = p;
			p += n;
		} else if (has_prefix_ci(p, "filename=")) {
			if (tend && set_type(out, tbeg, tend))
				e = nk_multipart_oom(f->errmsg);
			tend = NULL;
			p += 9;
			if (take_trimmed(&p, endchar, &filename))
				e = nk_multipart_oom(f->errmsg);
			have_filename = 1;
			continue;
		} else if (has_prefix_ci(p, "headers=")) {
			if (tend && set_type(out, tbeg, tend))
				e = nk_multipart_oom(f->errmsg);
			tend = NULL;
			p += 8;
			if (*p == '@' || *p == '<') {
				p++;
				if (!e)
					e = load_headers(f, &p, endchar, out);
			} else {
				char *h = NULL;
				if (take_trimmed(&p, endchar, &h) ||
				    add_header(out, h, strlen(h)))
					e = nk_multipart_oom(f->errmsg);
				free(h);
			}
			continue;
		} else if (has_prefix_ci(p, "encoder=")) {
			e = nk_fail(f->errmsg, NK_ERR_FAILED_INIT,
			            "form field: encoder= is not supported");
			break;
		} else if (!tend) {
			struct word w;
			if (take_word(&p, endchar, &w))
				e = nk_multipart_oom(f->errmsg);
			else
				free(w.s);
			continue;
		}
		/* the rest of a content type, up to the next ';' */
		tend = p;
		for (; *p && *p != ';' && *p != endchar; p++)
			if (!is_space(*p))
				tend = p + 1;
	}
	if (!e && tend && set_type(out, tbeg, tend))
		e = nk_multipart_oom(f->errmsg);
	if (!e && have_filename && f->allow_filename) {
		free(out->filename);
		out->filename = filename;
		filename = NULL;
	}
	free(filename);
	*sepp = *p;
	*pp = p;
	return e;
}

/* The part before the settings: a value or a path, trimmed unless
 * quoted, then the settings. */
static nk_err
content(const struct field *f, const char *p, char endchar,
        nk_multipart_part *out, char **word, char *sepp)
{
	if (take_trimmed(&p, endchar, word))
		return nk_multipart_oom(f->errmsg);
	return settings(f, &p, endchar, out, sepp);
}

/* The last component of a path, as curl names an upload ("a/b.txt" is
 * "b.txt"; trailing slashes are not part of it). */
static char *
base_name(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t b = n;
	while (b > 0 && path[b - 1] != '/')
		b--;
	if (b == n && n > 0)   /* "/" */
		b--;
	return dup_range(path + b, n - b);
}

static nk_err
parse_value(const struct field *f, const char *v, nk_multipart_part *out)
{
	char sep = '\0';
	nk_err e;
	if (*v == '@') {
		out->kind = NK_MULTIPART_FILE;
		e = content(f, v + 1, ',', out, &out->path, &sep);
		if (!e && sep == ',')
			return nk_fail(f->errmsg, NK_ERR_FAILED_INIT, "form field: "
			               "several files in one field are not supported");
		if (!e && !out->filename && !(out->filename = base_name(out->path)))
			e = nk_multipart_oom(f->errmsg);
	} else if (*v == '<') {
		out->kind = NK_MULTIPART_FILE_CONTENT;
		e = content(f, v + 1, '\0', out, &out->path, &sep);
	} else {
		out->kind = NK_MULTIPART_VALUE;
		e = content(f, v, '\0', out, &out->value, &sep);
		if (!e)
			out->value_len = strlen(out->value);
	}
	if (!e && nk_multipart_breaks_lines(out))
		e = nk_fail(f->errmsg, NK_ERR_FAILED_INIT, "form field: an empty "
		            "header, or a line break in a content type or header");
	return e;
}

NK_API nk_err
nk_multipart_parse_arg(const char *arg, unsigned flags,
                       nk_multipart_load_fn load, void *ctx,
                       nk_multipart_part *out, char *errmsg)
{
	memset(out, 0, sizeof *out);
	out->size = -1;
	const char *eq = strchr(arg, '=');
	if (!eq)
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "form field: no '=' "
		               "after the name");
	if (eq > arg && !(out->name = dup_range(arg, (size_t)(eq - arg))))
		return nk_multipart_oom(errmsg);
	const char *v = eq + 1;
	if (flags & NK_MULTIPART_LITERAL) {
		out->kind = NK_MULTIPART_VALUE;
		out->value_len = strlen(v);
		out->value = dup_range(v, out->value_len);
		return out->value ? NK_OK : nk_multipart_oom(errmsg);
	}
	if (*v == '(' || (!out->name && strcmp(v, ")") == 0))
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "form field: nested "
		               "multipart parts are not supported");
	struct field f = { *v != '<', load, ctx, errmsg };
	return parse_value(&f, v, out);
}

NK_API void
nk_multipart_part_clear(nk_multipart_part *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->value);
	free(p->path);
	free(p->filename);
	free(p->type);
	for (size_t i = 0; i < p->num_headers; i++)
		free(p->headers[i]);
	free(p->headers);
	memset(p, 0, sizeof *p);
	p->size = -1;
}
