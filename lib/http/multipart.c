/* multipart/form-data: curl's -F syntax and the body as curl 7.88 sends
 * it (include/nk/multipart.h). The wire rules below were read off what
 * curl 7.88.1 sends (tests/data/multipart/README). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "nk/multipart.h"
#include "core/internal.h"
#include "http/multipart_int.h"

/* ---- small strings ------------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

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

static int
has_line_break(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

/* ---- the -F argument ----------------------------------------------- */

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
fail_oom(char *errmsg)
{
	return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "form field: out of memory");
}

static nk_err
load_headers(const struct field *f, const char **pp, char endchar,
             nk_multipart_part *out)
{
	char *path = NULL, *data = NULL;
	size_t len = 0;
	nk_err e = NK_OK;
	if (take_trimmed(pp, endchar, &path))
		return fail_oom(f->errmsg);
	if (!f->load)
		e = nk_fail(f->errmsg, NK_ERR_FAILED_INIT,
		            "form field: headers from a file are not allowed here");
	else
		e = f->load(f->ctx, path, &data, &len, f->errmsg);
	if (!e && data && add_header_file(out, data, len))
		e = fail_oom(f->errmsg);
	free(data);
	free(path);
	return e;
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
			if (tend) {
				free(out->type);
				out->type = dup_range(tbeg, (size_t)(tend - tbeg));
				if (!out->type)
					e = fail_oom(f->errmsg);
			}
			tend = NULL;
			p += 9;
			if (take_trimmed(&p, endchar, &filename))
				e = fail_oom(f->errmsg);
			have_filename = 1;
			continue;
		} else if (has_prefix_ci(p, "headers=")) {
			if (tend) {
				free(out->type);
				out->type = dup_range(tbeg, (size_t)(tend - tbeg));
				if (!out->type)
					e = fail_oom(f->errmsg);
			}
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
					e = fail_oom(f->errmsg);
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
				e = fail_oom(f->errmsg);
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
	if (!e && tend) {
		free(out->type);
		out->type = dup_range(tbeg, (size_t)(tend - tbeg));
		if (!out->type)
			e = fail_oom(f->errmsg);
	}
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
		return fail_oom(f->errmsg);
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

/* A line break in a type or a header, or an empty header line (which
 * curl sends as it is), would end the head early: the rest would be read
 * as the part's body, or as a header of nk's making. */
static int
breaks_lines(const nk_multipart_part *p)
{
	int bad = has_line_break(p->type);
	for (size_t i = 0; i < p->num_headers && !bad; i++)
		bad = !p->headers[i][0] || has_line_break(p->headers[i]);
	return bad;
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
			e = fail_oom(f->errmsg);
	} else if (*v == '<') {
		out->kind = NK_MULTIPART_FILE_CONTENT;
		e = content(f, v + 1, '\0', out, &out->path, &sep);
	} else {
		out->kind = NK_MULTIPART_VALUE;
		e = content(f, v, '\0', out, &out->value, &sep);
		if (!e)
			out->value_len = strlen(out->value);
	}
	if (!e && breaks_lines(out))
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
		return fail_oom(errmsg);
	const char *v = eq + 1;
	if (flags & NK_MULTIPART_LITERAL) {
		out->kind = NK_MULTIPART_VALUE;
		out->value_len = strlen(v);
		out->value = dup_range(v, out->value_len);
		return out->value ? NK_OK : fail_oom(errmsg);
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

/* ---- content types ------------------------------------------------- */

NK_API const char *
nk_multipart_type_for_name(const char *filename)
{
	/* curl's table: the first suffix that matches wins */
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".gif", "image/gif" },        { ".jpg", "image/jpeg" },
		{ ".jpeg", "image/jpeg" },      { ".png", "image/png" },
		{ ".svg", "image/svg+xml" },    { ".txt", "text/plain" },
		{ ".htm", "text/html" },        { ".html", "text/html" },
		{ ".pdf", "application/pdf" },  { ".xml", "application/xml" },
	};
	if (!filename)
		return NULL;
	size_t n = strlen(filename);
	for (size_t i = 0; i < NK_ARRAY_LEN(types); i++) {
		size_t k = strlen(types[i].ext);
		if (n >= k && strcasecmp(filename + n - k, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

/* The value of the part's first header `name`, matched as curl matches
 * it (the name, any case, then ':' at once), spaces skipped; or NULL. */
static const char *
user_header(const nk_multipart_part *p, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < p->num_headers; i++) {
		const char *h = p->headers[i];
		if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
			for (h += n + 1; *h == ' '; h++)
				;
			return h;
		}
	}
	return NULL;
}

/* The Content-Type curl sends for a part: ;type=, else the value of a
 * Content-Type header, else one guessed from the file name, then from the
 * path, octet-stream for an upload with a name. Standard input is read
 * into memory by curl, so only its file name counts. A guessed text/plain
 * without a file name goes unsaid: it is what a form part means anyway. */
static const char *
part_type(const nk_multipart_part *p)
{
	if (p->type)
		return p->type;
	const char *t = user_header(p, "Content-Type");
	if (t)
		return t;
	t = nk_multipart_type_for_name(p->filename);
	if (!t && p->kind != NK_MULTIPART_VALUE && strcmp(p->path, "-") != 0) {
		t = nk_multipart_type_for_name(p->path);
		if (!t && p->filename)
			t = "application/octet-stream";
	}
	if (t && !p->filename && strcmp(t, "text/plain") == 0)
		t = NULL;
	return t;
}

/* A name or file name inside the quotes of Content-Disposition: '"', CR
 * and LF percent-encoded, as curl 7.81 on does (and the HTML standard). */
static void
sb_quoted(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '"')
			sb_str(b, "%22");
		else if (*s == '\r')
			sb_str(b, "%0D");
		else if (*s == '\n')
			sb_str(b, "%0A");
		else
			sb_add(b, s, 1);
	}
}

/* The head of a part after its boundary line, through the blank line. */
static void
part_head(struct sbuf *b, const nk_multipart_part *p)
{
	if (!user_header(p, "Content-Disposition")) {
		sb_str(b, "Content-Disposition: form-data");
		if (p->name && *p->name) {
			sb_str(b, "; name=\"");
			sb_quoted(b, p->name);
			sb_str(b, "\"");
		}
		if (p->filename) {
			sb_str(b, "; filename=\"");
			sb_quoted(b, p->filename);
			sb_str(b, "\"");
		}
		sb_str(b, "\r\n");
	}
	const char *t = part_type(p);
	if (t) {
		sb_str(b, "Content-Type: ");
		sb_str(b, t);
		sb_str(b, "\r\n");
	}
	for (size_t i = 0; i < p->num_headers; i++) {
		const char *h = p->headers[i];
		/* the type went out above */
		if (strncasecmp(h, "Content-Type:", 13) == 0)
			continue;
		sb_str(b, h);
		sb_str(b, "\r\n");
	}
	sb_str(b, "\r\n");
}

/* ---- the encoder --------------------------------------------------- */

/* The body is 2n+1 pieces: glue 0, content 0, glue 1, ..., content n-1,
 * glue n. Glue i is the CRLF that ends part i-1 (for i > 0), the
 * delimiter and part i's head; glue n ends the last part and closes. */
struct nk_multipart {
	const nk_multipart_part *parts;
	size_t n;
	char boundary[71];
	char *ctype;
	char **glue;
	size_t *glue_len;
	int64_t length;
	size_t piece;        /* 0..2n; 2n+1: done */
	uint64_t off;        /* bytes of the piece taken */
	uint64_t total;
};

static int
sys_random(unsigned char *buf, size_t n)
{
	while (n > 0) {
		ssize_t r = getrandom(buf, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf += r;
		n -= (size_t)r;
	}
	return 0;
}

static nk_multipart_rng_fn rng = sys_random;

void
nk_multipart_set_rng(nk_multipart_rng_fn fn)
{
	rng = fn ? fn : sys_random;
}

static int
random_boundary(char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[8];
	if (rng(r, sizeof r))
		return -1;
	memset(out, '-', 24);
	for (size_t i = 0; i < sizeof r; i++) {
		out[24 + 2 * i] = hex[r[i] >> 4];
		out[25 + 2 * i] = hex[r[i] & 15];
	}
	out[NK_MULTIPART_BOUNDARY_LEN] = '\0';
	return 0;
}

/* RFC 2046's boundary: 1..70 bchars, not ending in a space. */
static int
boundary_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 70 || s[n - 1] == ' ')
		return 0;
	for (; *s; s++)
		if (!strchr("0123456789abcdefghijklmnopqrstuvwxyz"
		            "ABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ", *s))
			return 0;
	return 1;
}

static int
holds(const char *s, size_t n, const char *needle)
{
	return s && n && memmem(s, n, needle, strlen(needle)) != NULL;
}

/* Whether the boundary occurs in bytes the encoder sends: the heads
 * (without their delimiters) and the values in memory. */
static int
collides(const nk_multipart *m, char *const *heads, const char *b)
{
	for (size_t i = 0; i < m->n; i++) {
		const nk_multipart_part *p = &m->parts[i];
		if ((heads[i] && strstr(heads[i], b)) ||
		    (p->kind == NK_MULTIPART_VALUE &&
		     holds(p->value, p->value_len, b)))
			return 1;
	}
	return 0;
}

static nk_err
choose_boundary(nk_multipart *m, char *const *heads, const char *given,
                char *errmsg)
{
	if (given) {
		if (!boundary_ok(given))
			return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
			               "multipart: unusable boundary");
		if (collides(m, heads, given))
			return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
			               "multipart: the boundary occurs in a part");
		memcpy(m->boundary, given, strlen(given) + 1);
		return NK_OK;
	}
	/* a second collision in a row means the parts were made to hold
	 * boundaries, or the generator is broken: give up then */
	for (int tries = 0; tries < 8; tries++) {
		if (random_boundary(m->boundary))
			return nk_fail(errmsg, NK_ERR_FAILED_INIT,
			               "multipart: no random bytes: %s",
			               strerror(errno));
		if (!collides(m, heads, m->boundary))
			return NK_OK;
	}
	return nk_fail(errmsg, NK_ERR_FAILED_INIT, "multipart: no boundary "
	               "that the parts do not hold");
}

static int64_t
content_len(const nk_multipart *m, size_t i)
{
	const nk_multipart_part *p = &m->parts[i];
	return p->kind == NK_MULTIPART_VALUE ? (int64_t)p->value_len : p->size;
}

/* The glue strings, from the heads and the boundary. */
static nk_err
make_glue(nk_multipart *m, char *const *heads, char *errmsg)
{
	m->glue = calloc(m->n + 1, sizeof *m->glue);
	m->glue_len = calloc(m->n + 1, sizeof *m->glue_len);
	if (!m->glue || !m->glue_len)
		return fail_oom(errmsg);
	int64_t total = 0;
	for (size_t i = 0; i <= m->n; i++) {
		struct sbuf b = { 0 };
		sb_str(&b, i > 0 ? "\r\n--" : "--");
		sb_str(&b, m->boundary);
		sb_str(&b, i < m->n ? "\r\n" : "--\r\n");
		if (i < m->n && heads[i])
			sb_str(&b, heads[i]);
		if (b.oom) {
			free(b.p);
			return fail_oom(errmsg);
		}
		m->glue[i] = b.p;
		m->glue_len[i] = b.len;
		int64_t c = i < m->n ? content_len(m, i) : 0;
		total = total < 0 || c < 0 ? -1 : total + (int64_t)b.len + c;
	}
	m->length = total;
	struct sbuf ct = { 0 };
	sb_str(&ct, "multipart/form-data; boundary=");
	sb_str(&ct, m->boundary);
	m->ctype = ct.p;
	return ct.oom ? fail_oom(errmsg) : NK_OK;
}

static nk_err
check_part(const nk_multipart_part *p, size_t i, char *errmsg)
{
	if (breaks_lines(p))
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "multipart: "
		               "part %zu: an empty header, or a line break in its "
		               "type or a header", i);
	if (p->kind == NK_MULTIPART_VALUE ? !p->value && p->value_len :
	    !p->path || p->size < -1)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "multipart: "
		               "part %zu: no %s", i, p->kind == NK_MULTIPART_VALUE ?
		               "value" : "path or size");
	return NK_OK;
}

static void
settle(nk_multipart *m)
{
	while (m->piece <= 2 * m->n) {
		int64_t len = m->piece % 2 == 0 ? (int64_t)m->glue_len[m->piece / 2] :
		              content_len(m, m->piece / 2);
		if (len < 0 || m->off < (uint64_t)len)
			return;
		m->piece++;
		m->off = 0;
	}
}

NK_API nk_err
nk_multipart_new(const nk_multipart_part *parts, size_t n,
                 const char *boundary, nk_multipart **out, char *errmsg)
{
	nk_err e = NK_OK;
	*out = NULL;
	for (size_t i = 0; i < n && !e; i++)
		e = check_part(&parts[i], i, errmsg);
	if (e)
		return e;
	nk_multipart *m = calloc(1, sizeof *m);
	char **heads = calloc(n + 1, sizeof *heads);
	if (!m || !heads) {
		free(m);
		free(heads);
		return fail_oom(errmsg);
	}
	m->parts = parts;
	m->n = n;
	for (size_t i = 0; i < n && !e; i++) {
		struct sbuf b = { 0 };
		part_head(&b, &parts[i]);
		heads[i] = b.p;
		if (b.oom)
			e = fail_oom(errmsg);
	}
	if (!e)
		e = choose_boundary(m, heads, boundary, errmsg);
	if (!e)
		e = make_glue(m, heads, errmsg);
	for (size_t i = 0; i < n; i++)
		free(heads[i]);
	free(heads);
	if (e) {
		nk_multipart_free(m);
		return e;
	}
	settle(m);
	*out = m;
	return NK_OK;
}

NK_API void
nk_multipart_free(nk_multipart *m)
{
	if (!m)
		return;
	for (size_t i = 0; m->glue && i <= m->n; i++)
		free(m->glue[i]);
	free(m->glue);
	free(m->glue_len);
	free(m->ctype);
	free(m);
}

NK_API const char *
nk_multipart_boundary(const nk_multipart *m)
{
	return m->boundary;
}

NK_API const char *
nk_multipart_content_type(const nk_multipart *m)
{
	return m->ctype;
}

NK_API int64_t
nk_multipart_length(const nk_multipart *m)
{
	return m->length;
}

NK_API uint64_t
nk_multipart_offset(const nk_multipart *m)
{
	return m->total;
}

NK_API void
nk_multipart_peek(const nk_multipart *m, nk_multipart_piece *pc)
{
	memset(pc, 0, sizeof *pc);
	if (m->piece > 2 * m->n) {
		pc->kind = NK_MULTIPART_END;
		return;
	}
	if (m->piece % 2 == 0) {
		pc->kind = NK_MULTIPART_BYTES;
		pc->data = m->glue[m->piece / 2] + m->off;
		pc->len = m->glue_len[m->piece / 2] - (size_t)m->off;
		return;
	}
	size_t i = m->piece / 2;
	const nk_multipart_part *p = &m->parts[i];
	if (p->kind == NK_MULTIPART_VALUE) {
		pc->kind = NK_MULTIPART_BYTES;
		pc->data = p->value + m->off;
		pc->len = p->value_len - (size_t)m->off;
		return;
	}
	pc->kind = NK_MULTIPART_STREAM;
	pc->part = i;
	pc->left = p->size < 0 ? -1 : p->size - (int64_t)m->off;
}

NK_API nk_err
nk_multipart_advance(nk_multipart *m, size_t n, char *errmsg)
{
	nk_multipart_piece pc;
	nk_multipart_peek(m, &pc);
	size_t room = pc.kind == NK_MULTIPART_BYTES ? pc.len :
	              pc.kind == NK_MULTIPART_END ? 0 :
	              pc.left < 0 ? SIZE_MAX :
	              (uint64_t)pc.left > SIZE_MAX ? SIZE_MAX : (size_t)pc.left;
	if (n > room)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "multipart: "
		               "advance by %zu past the piece's %zu bytes", n, room);
	m->off += n;
	m->total += n;
	settle(m);
	return NK_OK;
}

NK_API nk_err
nk_multipart_stream_eof(nk_multipart *m, char *errmsg)
{
	nk_multipart_piece pc;
	nk_multipart_peek(m, &pc);
	if (pc.kind != NK_MULTIPART_STREAM)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "multipart: end of file outside a file part");
	if (pc.left >= 0)
		return nk_fail(errmsg, NK_ERR_READ_ERROR, "file %s ended after "
		               "%llu of %lld bytes", m->parts[pc.part].path,
		               (unsigned long long)m->off,
		               (long long)m->parts[pc.part].size);
	m->piece++;
	m->off = 0;
	settle(m);
	return NK_OK;
}

NK_API nk_err
nk_multipart_read(nk_multipart *m, char *buf, size_t cap, size_t *got,
                  nk_multipart_read_fn rd, void *ctx, char *errmsg)
{
	*got = 0;
	while (*got < cap) {
		nk_multipart_piece pc;
		size_t want = cap - *got, r = 0;
		nk_err e;
		nk_multipart_peek(m, &pc);
		if (pc.kind == NK_MULTIPART_END)
			break;
		if (pc.kind == NK_MULTIPART_BYTES) {
			r = pc.len < want ? pc.len : want;
			memcpy(buf + *got, pc.data, r);
			e = nk_multipart_advance(m, r, errmsg);
		} else {
			if (pc.left >= 0 && (uint64_t)pc.left < want)
				want = (size_t)pc.left;
			e = rd(ctx, pc.part, buf + *got, want, &r, errmsg);
			if (!e && r > want)
				e = nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "multipart: "
				            "the read callback gave %zu of %zu bytes", r, want);
			if (e)
				return e;
			e = r == 0 ? nk_multipart_stream_eof(m, errmsg) :
			    nk_multipart_advance(m, r, errmsg);
			if (!e && r > 0 && r < want) {
				*got += r;
				return NK_OK;   /* what a pipe has now goes now */
			}
		}
		if (e)
			return e;
		*got += r;
	}
	return NK_OK;
}

NK_API void
nk_multipart_rewind(nk_multipart *m)
{
	m->piece = 0;
	m->off = 0;
	m->total = 0;
	settle(m);
}
