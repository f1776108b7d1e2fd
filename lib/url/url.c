/* url: the WHATWG URL Standard's basic URL parser (a state machine over
 * the input, one character at a time), the serializer, and the URL API's
 * getters. Hosts are in url_host.c, IDNA in url_idna.c.
 *
 * The parser works on UTF-8 bytes: every non-ASCII byte is in every
 * percent-encode set, so percent-encoding a code point byte by byte is the
 * same as the Standard's "UTF-8 percent-encode". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "url/url_int.h"

/* ---- buffers ---- */

/* What an empty buffer that never held a byte points to: a URL has many
 * empty parts, and "" needs no allocation. Read-only, so that a write
 * through it traps; ubuf_clear knows not to. */
static const char ubuf_empty[1];

int
ubuf_put(struct ubuf *b, const void *s, size_t n)
{
	size_t max = b->max ? b->max : URL_MAX_OUTPUT;
	if (n > max || b->len > max - n)
		return -1;
	if (b->len + n + 1 > b->cap) {
		if (n == 0 && b->cap == 0) {
			b->p = (char *)ubuf_empty;
			return 0;
		}
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->cap ? b->p : NULL, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int
ubuf_putc(struct ubuf *b, char c)
{
	/* The parser appends most of a URL a byte at a time. */
	if (b->len + 2 <= b->cap && b->len < URL_MAX_OUTPUT) {
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
		return 0;
	}
	return ubuf_put(b, &c, 1);
}

int
ubuf_puts(struct ubuf *b, const char *s)
{
	return ubuf_put(b, s, strlen(s));
}

void
ubuf_free(struct ubuf *b)
{
	if (b->cap)
		free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Empties b, keeping its memory (and "" where it has none). */
static void
ubuf_clear(struct ubuf *b)
{
	b->len = 0;
	if (b->cap)
		b->p[0] = '\0';
}

int
u32_put(struct u32buf *b, uint32_t c)
{
	if (b->len == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		if (cap > URL_MAX_OUTPUT)
			return -1;
		uint32_t *p = realloc(b->p, cap * sizeof *p);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	b->p[b->len++] = c;
	return 0;
}

void
u32_free(struct u32buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* ---- UTF-8 ---- */

size_t
url_utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t need;
	uint32_t v;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)   /* no surrogates */
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t i = 1; i <= need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			*cp = 0xFFFD;
			return i;
		}
		v = (v << 6) | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return need + 1;
}

int
url_utf8_put(struct ubuf *b, uint32_t c)
{
	char u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xC0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xE0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	return ubuf_put(b, u, n);
}

/* ---- percent-encode sets ---- */

/* Each ASCII byte's membership: a bit per set. C0 controls, DEL and all
 * non-ASCII bytes are in every set. */
enum {
	PE_C0 = 1 << 0,
	PE_FRAGMENT = 1 << 1,
	PE_QUERY = 1 << 2,
	PE_SPECIAL_QUERY = 1 << 3,
	PE_PATH = 1 << 4,
	PE_USERINFO = 1 << 5,
	PE_ALL = 0xff,
};
#define PE_Q (PE_QUERY | PE_SPECIAL_QUERY | PE_PATH | PE_USERINFO)

static const unsigned char pe_sets[128] = {
	[0x00 ... 0x1f] = PE_ALL,
	[0x7f] = PE_ALL,
	[' '] = PE_FRAGMENT | PE_Q,
	['"'] = PE_FRAGMENT | PE_Q,
	['<'] = PE_FRAGMENT | PE_Q,
	['>'] = PE_FRAGMENT | PE_Q,
	['#'] = PE_Q,
	['\''] = PE_SPECIAL_QUERY,
	['`'] = PE_FRAGMENT | PE_PATH | PE_USERINFO,
	['?'] = PE_PATH | PE_USERINFO,
	['^'] = PE_PATH | PE_USERINFO,
	['{'] = PE_PATH | PE_USERINFO,
	['}'] = PE_PATH | PE_USERINFO,
	['/'] = PE_USERINFO,
	[':'] = PE_USERINFO,
	[';'] = PE_USERINFO,
	['='] = PE_USERINFO,
	['@'] = PE_USERINFO,
	['['] = PE_USERINFO,
	['\\'] = PE_USERINFO,
	[']'] = PE_USERINFO,
	['|'] = PE_USERINFO,
};

static int
pe_put(struct ubuf *b, unsigned char c, int set)
{
	static const char hex[] = "0123456789ABCDEF";
	if (c >= 0x80 || (pe_sets[c] & set)) {
		char e[3] = { '%', hex[c >> 4], hex[c & 15] };
		return ubuf_put(b, e, 3);
	}
	return ubuf_putc(b, (char)c);
}

/* ---- schemes ---- */

static const struct {
	const char *name;
	int port;
} special_schemes[] = {
	{ "ftp", 21 }, { "file", -1 }, { "http", 80 }, { "https", 443 },
	{ "ws", 80 }, { "wss", 443 },
};

/* 1 and the default port (or -1) for a special scheme, else 0. */
static int
scheme_special(const char *s, size_t len, int *port)
{
	for (size_t i = 0; i < NK_ARRAY_LEN(special_schemes); i++) {
		if (strlen(special_schemes[i].name) == len &&
		    memcmp(special_schemes[i].name, s, len) == 0) {
			if (port)
				*port = special_schemes[i].port;
			return 1;
		}
	}
	if (port)
		*port = -1;
	return 0;
}

/* ---- the URL record ---- */

enum {
	S_HREF, S_ORIGIN, S_PROTOCOL, S_USERNAME, S_PASSWORD, S_HOST,
	S_HOSTNAME, S_PORT, S_PATHNAME, S_SEARCH, S_HASH,
	S_SCHEME, S_QUERY, S_FRAGMENT, S_TARGET, S_CONNECT, S_COUNT
};

/* All strings live in one block after the fields, at offsets: a parse
 * or a copy is one allocation. */
struct nk_url {
	size_t memlen;
	size_t off[S_COUNT];
	nk_url_host_kind host_kind;
	int port;           /* -1: null */
	int default_port;   /* -1: none */
	int special;
	int opaque_path;
	size_t nseg;        /* path segments when not opaque */
	int has_query, has_fragment;
	char mem[];
};

static const char *
str(const nk_url *u, int i)
{
	return u->mem + u->off[i];
}

/* The record while parsing. The path is kept serialized ("/a/b"): segments
 * never hold a literal '/', so appending and popping are simple. */
struct rec {
	struct ubuf scheme, user, pass, host, path, query, frag;
	nk_url_host_kind host_kind;
	int port;
	int opaque_path;
	size_t nseg;
	int has_query, has_frag;
	int special, default_port;
};

static void
rec_free(struct rec *r)
{
	ubuf_free(&r->scheme);
	ubuf_free(&r->user);
	ubuf_free(&r->pass);
	ubuf_free(&r->host);
	ubuf_free(&r->path);
	ubuf_free(&r->query);
	ubuf_free(&r->frag);
}

static int
set_buf(struct ubuf *b, const char *s, size_t n)
{
	ubuf_clear(b);
	return ubuf_put(b, s, n);
}

static int
is_file(const struct rec *r)
{
	return r->scheme.len == 4 && memcmp(r->scheme.p, "file", 4) == 0;
}

static int
base_is_file(const nk_url *b)
{
	return b && strcmp(str(b, S_SCHEME), "file") == 0;
}

/* Query and fragment start empty (present, unlike null). */
static void
start_query(struct rec *r)
{
	ubuf_clear(&r->query);
	r->has_query = 1;
}

static void
start_fragment(struct rec *r)
{
	r->has_frag = 1;
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* A Windows drive letter: an ASCII letter then ':' or '|'. */
static int
is_drive(const char *s, size_t n)
{
	return n == 2 && is_alpha((unsigned char)s[0]) &&
	       (s[1] == ':' || s[1] == '|');
}

static int
is_normalized_drive(const char *s, size_t n)
{
	return n == 2 && is_alpha((unsigned char)s[0]) && s[1] == ':';
}

/* "Starts with a Windows drive letter": a drive letter, then the end or
 * one of / \ ? #. */
static int
starts_with_drive(const char *s, size_t n)
{
	return n >= 2 && is_drive(s, 2) &&
	       (n == 2 || s[2] == '/' || s[2] == '\\' || s[2] == '?' ||
	        s[2] == '#');
}

/* The first path segment. */
static const char *
first_segment(const char *path, size_t len, size_t *n)
{
	const char *s = path + 1, *e = memchr(s, '/', len - 1);
	*n = e ? (size_t)(e - s) : len - 1;
	return s;
}

static int
path_append(struct rec *r, const char *seg, size_t n)
{
	if (ubuf_putc(&r->path, '/') || ubuf_put(&r->path, seg, n))
		return -1;
	r->nseg++;
	return 0;
}

/* "Shorten a URL's path". */
static void
path_shorten(struct rec *r)
{
	size_t n;
	if (r->nseg == 0)
		return;
	if (r->nseg == 1 && is_file(r)) {
		const char *s = first_segment(r->path.p, r->path.len, &n);
		if (is_normalized_drive(s, n))
			return;
	}
	while (r->path.len > 0 && r->path.p[r->path.len - 1] != '/')
		r->path.len--;
	r->path.len--;
	r->path.p[r->path.len] = '\0';
	r->nseg--;
}

static int
is_single_dot(const char *s, size_t n)
{
	return (n == 1 && s[0] == '.') ||
	       (n == 3 && s[0] == '%' && s[1] == '2' && (s[2] | 0x20) == 'e');
}

static int
is_double_dot(const char *s, size_t n)
{
	if (n == 2)
		return s[0] == '.' && s[1] == '.';
	if (n == 4)
		return (s[0] == '.' && is_single_dot(s + 1, 3)) ||
		       (is_single_dot(s, 3) && s[3] == '.');
	if (n == 6)
		return is_single_dot(s, 3) && is_single_dot(s + 3, 3);
	return 0;
}

/* Copies the base's fields that relative references inherit. */
static int
copy_authority(struct rec *r, const nk_url *b)
{
	r->host_kind = b->host_kind;
	r->port = b->port;
	return set_buf(&r->user, str(b, S_USERNAME), strlen(str(b, S_USERNAME))) ||
	       set_buf(&r->pass, str(b, S_PASSWORD), strlen(str(b, S_PASSWORD))) ||
	       set_buf(&r->host, str(b, S_HOSTNAME), strlen(str(b, S_HOSTNAME)));
}

static int
copy_path(struct rec *r, const nk_url *b)
{
	r->opaque_path = b->opaque_path;
	r->nseg = b->nseg;
	return set_buf(&r->path, str(b, S_PATHNAME), strlen(str(b, S_PATHNAME)));
}

static int
copy_query(struct rec *r, const nk_url *b)
{
	r->has_query = b->has_query;
	return set_buf(&r->query, str(b, S_QUERY), strlen(str(b, S_QUERY)));
}

static int
set_scheme(struct rec *r, const char *s, size_t n)
{
	if (set_buf(&r->scheme, s, n))
		return -1;
	r->special = scheme_special(s, n, &r->default_port);
	return 0;
}

/* ---- input clean-up and error positions ---- */

/* One unit of raw input at s[0..len): how many bytes it spans, and what the
 * cleaned input gets for it (nothing for tab and newline, U+FFFD for bad
 * UTF-8, else the bytes). */
static size_t
clean_unit(const unsigned char *s, size_t len, size_t *outlen, int *bad)
{
	uint32_t cp;
	*bad = 0;
	if (s[0] == '\t' || s[0] == '\n' || s[0] == '\r') {
		*outlen = 0;
		return 1;
	}
	size_t n = url_utf8_next(s, len, &cp);
	if (cp == 0xFFFD && !(n == 3 && s[0] == 0xEF && s[1] == 0xBF &&
	                      s[2] == 0xBD)) {
		*bad = 1;
		*outlen = 3;
		return n;
	}
	*outlen = n;
	return n;
}

static void
trim(const unsigned char *s, size_t len, size_t *lead, size_t *end)
{
	size_t a = 0, b = len;
	while (a < b && s[a] <= 0x20)
		a++;
	while (b > a && s[b - 1] <= 0x20)
		b--;
	*lead = a;
	*end = b;
}

/* The 1-based character position in the raw input of offset `q` of the
 * cleaned input, found by replaying the clean-up. */
static size_t
raw_position(const char *in, size_t len, size_t q)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t lead, end, i, at = 0, pos = 1;

	trim(s, len, &lead, &end);
	for (i = lead; i < end;) {
		size_t olen;
		int bad;
		size_t n = clean_unit(s + i, end - i, &olen, &bad);
		if (at + olen > q)
			break;
		at += olen;
		i += n;
	}
	for (size_t k = 0; k < i && k < len; k++)
		if ((s[k] & 0xC0) != 0x80)
			pos++;
	return pos;
}

static int
clean_input(const char *in, size_t len, struct ubuf *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t lead, end;

	trim(s, len, &lead, &end);
	if (ubuf_put(out, "", 0))
		return -1;
	for (size_t i = lead; i < end;) {
		/* Printable ASCII, nearly every URL's every byte, goes in runs. */
		size_t run = i;
		while (run < end && s[run] >= 0x20 && s[run] < 0x80)
			run++;
		if (run > i) {
			if (ubuf_put(out, s + i, run - i))
				return -1;
			i = run;
			continue;
		}
		size_t olen;
		int bad;
		size_t n = clean_unit(s + i, end - i, &olen, &bad);
		if (bad && ubuf_put(out, "\xEF\xBF\xBD", 3))
			return -1;
		if (!bad && ubuf_put(out, s + i, olen))
			return -1;
		i += n;
	}
	return 0;
}

/* ---- the basic URL parser ---- */

enum state {
	ST_SCHEME_START, ST_SCHEME, ST_NO_SCHEME, ST_SPECIAL_RELATIVE_OR_AUTHORITY,
	ST_PATH_OR_AUTHORITY, ST_RELATIVE, ST_RELATIVE_SLASH,
	ST_SPECIAL_AUTHORITY_SLASHES, ST_SPECIAL_AUTHORITY_IGNORE_SLASHES,
	ST_AUTHORITY, ST_HOST, ST_PORT, ST_FILE, ST_FILE_SLASH, ST_FILE_HOST,
	ST_PATH_START, ST_PATH, ST_OPAQUE_PATH, ST_QUERY, ST_FRAGMENT,
};

#define C_EOF (-1)

struct parse_err {
	const char *reason;
	size_t at;      /* offset in the cleaned input */
	int nomem;
};

static int
perr(struct parse_err *e, const char *reason, size_t at)
{
	e->reason = reason;
	e->at = at;
	return -1;
}

static int
parse_host(struct rec *r, const char *s, size_t n, size_t at,
           struct parse_err *e)
{
	const char *reason = NULL;
	size_t where = 0;
	r->host.len = 0;
	int rc = url_host_parse(s, n, !r->special, &r->host, &r->host_kind,
	                        &reason, &where);
	if (rc == URL_NOMEM) {
		e->nomem = 1;
		return -1;
	}
	if (rc != URL_OK)
		return perr(e, reason, at + where);
	return 0;
}

#define OOM(x) do { if (x) { e->nomem = 1; return -1; } } while (0)

static int
basic_parse(const char *in, size_t len, const nk_url *base, struct rec *r,
            struct parse_err *e)
{
	enum state state = ST_SCHEME_START;
	struct ubuf buf = { 0 };
	ptrdiff_t p = 0;
	size_t mark = 0;    /* where the authority/host/port text starts */
	int at_seen = 0, in_brackets = 0, pw_seen = 0, rc = -1;

	r->port = -1;
	r->default_port = -1;
	r->host_kind = NK_URL_HOST_NONE;
	/* The record starts with "" strings everywhere, never NULL. */
	OOM(ubuf_put(&r->scheme, "", 0) || ubuf_put(&r->user, "", 0) ||
	    ubuf_put(&r->pass, "", 0) || ubuf_put(&r->host, "", 0) ||
	    ubuf_put(&r->path, "", 0) || ubuf_put(&r->query, "", 0) ||
	    ubuf_put(&r->frag, "", 0) || ubuf_put(&buf, "", 0));

#define REMAINING_STARTS(ch) ((size_t)p + 1 < len && in[p + 1] == (ch))
#define FAIL_OOM(x) do { if (x) { e->nomem = 1; goto out; } } while (0)
	for (;;) {
		int c = (size_t)p < len && p >= 0 ? (unsigned char)in[p] : C_EOF;
		switch (state) {
		case ST_SCHEME_START:
			if (c != C_EOF && is_alpha(c)) {
				FAIL_OOM(ubuf_putc(&buf, (char)(c | 0x20)));
				state = ST_SCHEME;
			} else {
				state = ST_NO_SCHEME;
				p--;
			}
			break;

		case ST_SCHEME:
			if (c != C_EOF && (is_alpha(c) || is_digit(c) || c == '+' ||
			                   c == '-' || c == '.')) {
				if (is_alpha(c))
					c |= 0x20;
				FAIL_OOM(ubuf_putc(&buf, (char)c));
			} else if (c == ':') {
				FAIL_OOM(set_scheme(r, buf.p, buf.len));
				buf.len = 0;
				if (is_file(r)) {
					state = ST_FILE;
				} else if (r->special && base &&
				           !strcmp(str(base, S_SCHEME), r->scheme.p)) {
					state = ST_SPECIAL_RELATIVE_OR_AUTHORITY;
				} else if (r->special) {
					state = ST_SPECIAL_AUTHORITY_SLASHES;
				} else if (REMAINING_STARTS('/')) {
					state = ST_PATH_OR_AUTHORITY;
					p++;
				} else {
					r->opaque_path = 1;
					state = ST_OPAQUE_PATH;
				}
			} else {
				buf.len = 0;
				state = ST_NO_SCHEME;
				p = -1;
			}
			break;

		case ST_NO_SCHEME:
			if (!base) {
				perr(e, "relative URL without a base URL", 0);
				goto out;
			}
			if (base->opaque_path && c != '#') {
				perr(e, "relative URL against a base URL that cannot "
				     "have one", 0);
				goto out;
			}
			if (base->opaque_path) {
				FAIL_OOM(set_scheme(r, str(base, S_SCHEME),
				                    strlen(str(base, S_SCHEME))) ||
				         copy_path(r, base) || copy_query(r, base));
				start_fragment(r);
				state = ST_FRAGMENT;
			} else if (!base_is_file(base)) {
				state = ST_RELATIVE;
				p--;
			} else {
				state = ST_FILE;
				p--;
			}
			break;

		case ST_SPECIAL_RELATIVE_OR_AUTHORITY:
			if (c == '/' && REMAINING_STARTS('/')) {
				state = ST_SPECIAL_AUTHORITY_IGNORE_SLASHES;
				p++;
			} else {
				state = ST_RELATIVE;
				p--;
			}
			break;

		case ST_PATH_OR_AUTHORITY:
			if (c == '/') {
				state = ST_AUTHORITY;
				mark = (size_t)p + 1;
			} else {
				state = ST_PATH;
				p--;
			}
			break;

		case ST_RELATIVE:
			FAIL_OOM(set_scheme(r, str(base, S_SCHEME),
			                    strlen(str(base, S_SCHEME))));
			if (c == '/' || (r->special && c == '\\')) {
				state = ST_RELATIVE_SLASH;
			} else {
				FAIL_OOM(copy_authority(r, base) || copy_path(r, base) ||
				         copy_query(r, base));
				if (c == '?') {
					start_query(r);
					state = ST_QUERY;
				} else if (c == '#') {
					start_fragment(r);
					state = ST_FRAGMENT;
				} else if (c != C_EOF) {
					r->has_query = 0;
					r->query.len = 0;
					path_shorten(r);
					state = ST_PATH;
					p--;
				}
			}
			break;

		case ST_RELATIVE_SLASH:
			if (r->special && (c == '/' || c == '\\')) {
				state = ST_SPECIAL_AUTHORITY_IGNORE_SLASHES;
			} else if (c == '/') {
				state = ST_AUTHORITY;
				mark = (size_t)p + 1;
			} else {
				FAIL_OOM(copy_authority(r, base));
				state = ST_PATH;
				p--;
			}
			break;

		case ST_SPECIAL_AUTHORITY_SLASHES:
			if (c == '/' && REMAINING_STARTS('/')) {
				state = ST_SPECIAL_AUTHORITY_IGNORE_SLASHES;
				p++;
			} else {
				state = ST_SPECIAL_AUTHORITY_IGNORE_SLASHES;
				p--;
			}
			break;

		case ST_SPECIAL_AUTHORITY_IGNORE_SLASHES:
			if (c != '/' && c != '\\') {
				state = ST_AUTHORITY;
				mark = (size_t)p;
				p--;
			}
			break;

		case ST_AUTHORITY:
			/* The buffer is in[mark..p): the text since the start of
			 * the authority or the last '@'. */
			if (c == '@') {
				struct ubuf *to = pw_seen ? &r->pass : &r->user;
				if (at_seen)
					FAIL_OOM(ubuf_puts(to, "%40"));
				at_seen = 1;
				for (size_t i = mark; i < (size_t)p; i++) {
					unsigned char ch = (unsigned char)in[i];
					if (ch == ':' && !pw_seen) {
						pw_seen = 1;
						to = &r->pass;
						continue;
					}
					FAIL_OOM(pe_put(to, ch, PE_USERINFO));
				}
				mark = (size_t)p + 1;
			} else if (c == C_EOF || c == '/' || c == '?' || c == '#' ||
			           (r->special && c == '\\')) {
				if (at_seen && (size_t)p == mark) {
					perr(e, "credentials without a host", (size_t)p);
					goto out;
				}
				p = (ptrdiff_t)mark - 1;
				state = ST_HOST;
			}
			break;

		case ST_HOST:
			/* The buffer is in[mark..p). */
			if (c == ':' && !in_brackets) {
				if ((size_t)p == mark) {
					perr(e, "port without a host", (size_t)p);
					goto out;
				}
				if (parse_host(r, in + mark, (size_t)p - mark, mark, e))
					goto out;
				mark = (size_t)p + 1;
				state = ST_PORT;
			} else if (c == C_EOF || c == '/' || c == '?' || c == '#' ||
			           (r->special && c == '\\')) {
				if (r->special && (size_t)p == mark) {
					perr(e, "empty host", (size_t)p);
					goto out;
				}
				if (parse_host(r, in + mark, (size_t)p - mark, mark, e))
					goto out;
				p--;
				state = ST_PATH_START;
			} else if (c == '[') {
				in_brackets = 1;
			} else if (c == ']') {
				in_brackets = 0;
			}
			break;

		case ST_PORT:
			if (c != C_EOF && is_digit(c)) {
				/* digits are read at the end of the port */
			} else if (c == C_EOF || c == '/' || c == '?' || c == '#' ||
			           (r->special && c == '\\')) {
				if ((size_t)p > mark) {
					unsigned long v = 0;
					for (size_t i = mark; i < (size_t)p; i++) {
						v = v * 10 + (unsigned long)(in[i] - '0');
						if (v > 65535) {
							perr(e, "port number above 65535", mark);
							goto out;
						}
					}
					r->port = (int)v == r->default_port ? -1 : (int)v;
				}
				state = ST_PATH_START;
				p--;
			} else {
				perr(e, "invalid character in port", (size_t)p);
				goto out;
			}
			break;

		case ST_FILE:
			FAIL_OOM(set_scheme(r, "file", 4));
			r->host_kind = NK_URL_HOST_EMPTY;
			set_buf(&r->host, "", 0);
			if (c == '/' || c == '\\') {
				state = ST_FILE_SLASH;
			} else if (base_is_file(base)) {
				r->host_kind = base->host_kind;
				FAIL_OOM(set_buf(&r->host, str(base, S_HOSTNAME),
				                 strlen(str(base, S_HOSTNAME))) ||
				         copy_path(r, base) || copy_query(r, base));
				if (c == '?') {
					start_query(r);
					state = ST_QUERY;
				} else if (c == '#') {
					start_fragment(r);
					state = ST_FRAGMENT;
				} else if (c != C_EOF) {
					r->has_query = 0;
					r->query.len = 0;
					if (!starts_with_drive(in + p, len - (size_t)p)) {
						path_shorten(r);
					} else {
						ubuf_clear(&r->path);
						r->nseg = 0;
					}
					state = ST_PATH;
					p--;
				}
			} else {
				state = ST_PATH;
				p--;
			}
			break;

		case ST_FILE_SLASH:
			if (c == '/' || c == '\\') {
				state = ST_FILE_HOST;
				mark = (size_t)p + 1;
			} else {
				if (base_is_file(base)) {
					size_t n;
					r->host_kind = base->host_kind;
					FAIL_OOM(set_buf(&r->host, str(base, S_HOSTNAME),
					                 strlen(str(base, S_HOSTNAME))));
					const char *bp = str(base, S_PATHNAME);
					if (!starts_with_drive(in + p, len - (size_t)p) &&
					    base->nseg > 0) {
						const char *s0 = first_segment(bp, strlen(bp), &n);
						if (is_normalized_drive(s0, n))
							FAIL_OOM(path_append(r, s0, n));
					}
				}
				state = ST_PATH;
				p--;
			}
			break;

		case ST_FILE_HOST:
			/* The buffer is in[mark..p). */
			if (c == C_EOF || c == '/' || c == '\\' || c == '?' || c == '#') {
				size_t n = (size_t)p - mark;
				p--;
				if (is_drive(in + mark, n)) {
					/* The drive letter is the path's start, not a
					 * host. */
					FAIL_OOM(ubuf_put(&buf, in + mark, n));
					state = ST_PATH;
				} else if (n == 0) {
					r->host_kind = NK_URL_HOST_EMPTY;
					set_buf(&r->host, "", 0);
					state = ST_PATH_START;
				} else {
					if (parse_host(r, in + mark, n, mark, e))
						goto out;
					if (!strcmp(r->host.p, "localhost")) {
						r->host_kind = NK_URL_HOST_EMPTY;
						set_buf(&r->host, "", 0);
					}
					state = ST_PATH_START;
				}
			}
			break;

		case ST_PATH_START:
			if (r->special) {
				state = ST_PATH;
				if (c != '/' && c != '\\')
					p--;
			} else if (c == '?') {
				start_query(r);
				state = ST_QUERY;
			} else if (c == '#') {
				start_fragment(r);
				state = ST_FRAGMENT;
			} else if (c != C_EOF) {
				state = ST_PATH;
				if (c != '/')
					p--;
			}
			break;

		case ST_PATH:
			if (c == C_EOF || c == '/' || (r->special && c == '\\') ||
			    c == '?' || c == '#') {
				int slash = c == '/' || (r->special && c == '\\');
				if (is_double_dot(buf.p, buf.len)) {
					path_shorten(r);
					if (!slash)
						FAIL_OOM(path_append(r, "", 0));
				} else if (is_single_dot(buf.p, buf.len)) {
					if (!slash)
						FAIL_OOM(path_append(r, "", 0));
				} else {
					if (is_file(r) && r->nseg == 0 &&
					    is_drive(buf.p, buf.len))
						buf.p[1] = ':';
					FAIL_OOM(path_append(r, buf.p, buf.len));
				}
				ubuf_clear(&buf);
				if (c == '?') {
					start_query(r);
					state = ST_QUERY;
				} else if (c == '#') {
					start_fragment(r);
					state = ST_FRAGMENT;
				}
			} else {
				FAIL_OOM(pe_put(&buf, (unsigned char)c, PE_PATH));
			}
			break;

		case ST_OPAQUE_PATH:
			if (c == '?') {
				start_query(r);
				state = ST_QUERY;
			} else if (c == '#') {
				start_fragment(r);
				state = ST_FRAGMENT;
			} else if (c == ' ') {
				/* Never a trailing space: a serialized URL must
				 * parse back the same. */
				if (REMAINING_STARTS('?') || REMAINING_STARTS('#'))
					FAIL_OOM(ubuf_puts(&r->path, "%20"));
				else
					FAIL_OOM(ubuf_putc(&r->path, ' '));
			} else if (c != C_EOF) {
				FAIL_OOM(pe_put(&r->path, (unsigned char)c, PE_C0));
			}
			break;

		case ST_QUERY:
			if (c == '#') {
				start_fragment(r);
				state = ST_FRAGMENT;
			} else if (c != C_EOF) {
				int set = r->special ? PE_SPECIAL_QUERY : PE_QUERY;
				FAIL_OOM(pe_put(&r->query, (unsigned char)c, set));
			}
			break;

		case ST_FRAGMENT:
			if (c != C_EOF)
				FAIL_OOM(pe_put(&r->frag, (unsigned char)c, PE_FRAGMENT));
			break;
		}
		if (p >= (ptrdiff_t)len)
			break;
		p++;
	}
	rc = 0;
out:
	ubuf_free(&buf);
	return rc;
#undef REMAINING_STARTS
#undef FAIL_OOM
}

/* ---- building the nk_url ---- */

static int
put_host_port(struct ubuf *b, const struct rec *r)
{
	char port[16] = ":";
	if (ubuf_put(b, r->host.p, r->host.len))
		return -1;
	if (r->port >= 0) {
		nk_put_uint(port + 1, port + sizeof port, (unsigned)r->port);
		if (ubuf_puts(b, port))
			return -1;
	}
	return 0;
}

static nk_err parse_internal(const char *in, size_t len, const nk_url *base,
                             int depth, nk_url **out, char *errmsg);

/* The origin's serialization: "scheme://host[:port]" for the special
 * schemes but file, the inner URL's origin for blob: (one level only), or
 * "null" for opaque origins. */
static int
origin_of(struct rec *r, struct ubuf *o, int depth)
{
	const char *s = r->scheme.p;
	if (r->special && strcmp(s, "file") != 0) {
		return ubuf_put(o, r->scheme.p, r->scheme.len) ||
		       ubuf_puts(o, "://") || put_host_port(o, r);
	}
	if (strcmp(s, "blob") == 0 && depth == 0) {
		nk_url *inner = NULL;
		nk_err err = parse_internal(r->path.p, r->path.len, NULL, 1, &inner,
		                            NULL);
		if (err == NK_ERR_OUT_OF_MEMORY)
			return -1;
		if (err == NK_OK && (strcmp(str(inner, S_SCHEME), "http") == 0 ||
		                     strcmp(str(inner, S_SCHEME), "https") == 0)) {
			int rc = ubuf_puts(o, str(inner, S_ORIGIN));
			nk_url_free(inner);
			return rc;
		}
		nk_url_free(inner);
	}
	return ubuf_puts(o, "null");
}

static nk_err
freeze(struct rec *r, int depth, nk_url **out)
{
	/* Every string is appended to m in turn, NUL-separated; room for
	 * all of them, each at most URL_MAX_OUTPUT long. */
	struct ubuf m = { .max = (size_t)S_COUNT * URL_MAX_OUTPUT };
	size_t off[S_COUNT];
	char port[16] = "";
	int fail = 0;

	size_t parts = r->scheme.len + r->user.len + r->pass.len + r->host.len +
	               r->path.len + r->query.len + r->frag.len;
	/* href, the parts again, host and target: about four times the
	 * parts; one allocation for the usual URL. */
	m.cap = 4 * parts + 128;
	if (!(m.p = malloc(m.cap)))
		return NK_ERR_OUT_OF_MEMORY;
	m.p[0] = '\0';
	if (r->port >= 0)
		nk_put_uint(port, port + sizeof port, (unsigned)r->port);
#define BEGIN(i) (off[i] = m.len)
#define END() (fail |= ubuf_put(&m, "", 1))
/* A string that is one part of the record as it is. */
#define PART(i, b) (BEGIN(i), fail |= ubuf_put(&m, (b).p, (b).len), END())

	BEGIN(S_HREF);
	fail |= ubuf_put(&m, r->scheme.p, r->scheme.len);
	fail |= ubuf_putc(&m, ':');
	if (r->host_kind != NK_URL_HOST_NONE) {
		fail |= ubuf_puts(&m, "//");
		if (r->user.len || r->pass.len) {
			fail |= ubuf_put(&m, r->user.p, r->user.len);
			if (r->pass.len) {
				fail |= ubuf_putc(&m, ':');
				fail |= ubuf_put(&m, r->pass.p, r->pass.len);
			}
			fail |= ubuf_putc(&m, '@');
		}
		fail |= put_host_port(&m, r);
	} else if (!r->opaque_path && r->nseg > 1 && r->path.len > 1 &&
	           r->path.p[1] == '/') {
		/* "/." keeps an empty first segment from reading as a host. */
		fail |= ubuf_puts(&m, "/.");
	}
	fail |= ubuf_put(&m, r->path.p, r->path.len);
	if (r->has_query) {
		fail |= ubuf_putc(&m, '?');
		fail |= ubuf_put(&m, r->query.p, r->query.len);
	}
	if (r->has_frag) {
		fail |= ubuf_putc(&m, '#');
		fail |= ubuf_put(&m, r->frag.p, r->frag.len);
	}
	END();

	BEGIN(S_ORIGIN);
	fail |= origin_of(r, &m, depth);
	END();
	BEGIN(S_PROTOCOL);
	fail |= ubuf_put(&m, r->scheme.p, r->scheme.len);
	fail |= ubuf_putc(&m, ':');
	END();
	PART(S_USERNAME, r->user);
	PART(S_PASSWORD, r->pass);
	BEGIN(S_HOST);
	if (r->host_kind != NK_URL_HOST_NONE)
		fail |= put_host_port(&m, r);
	END();
	PART(S_HOSTNAME, r->host);
	BEGIN(S_PORT);
	fail |= ubuf_puts(&m, port);
	END();
	PART(S_PATHNAME, r->path);
	BEGIN(S_SEARCH);
	if (r->has_query && r->query.len) {
		fail |= ubuf_putc(&m, '?');
		fail |= ubuf_put(&m, r->query.p, r->query.len);
	}
	END();
	BEGIN(S_HASH);
	if (r->has_frag && r->frag.len) {
		fail |= ubuf_putc(&m, '#');
		fail |= ubuf_put(&m, r->frag.p, r->frag.len);
	}
	END();
	PART(S_SCHEME, r->scheme);
	PART(S_QUERY, r->query);
	PART(S_FRAGMENT, r->frag);
	BEGIN(S_TARGET);
	fail |= r->path.len ? ubuf_put(&m, r->path.p, r->path.len)
	                    : ubuf_putc(&m, '/');
	if (r->has_query) {
		fail |= ubuf_putc(&m, '?');
		fail |= ubuf_put(&m, r->query.p, r->query.len);
	}
	END();
	BEGIN(S_CONNECT);
	if (r->host_kind == NK_URL_HOST_IPV6)
		fail |= ubuf_put(&m, r->host.p + 1, r->host.len - 2);
	else
		fail |= ubuf_put(&m, r->host.p, r->host.len);
	END();
#undef BEGIN
#undef END
#undef PART

	nk_url *u = fail ? NULL : malloc(sizeof *u + m.len);
	if (!u) {
		ubuf_free(&m);
		return NK_ERR_OUT_OF_MEMORY;
	}
	memcpy(u->mem, m.p, m.len);
	u->memlen = m.len;
	ubuf_free(&m);
	memcpy(u->off, off, sizeof off);
	u->host_kind = r->host_kind;
	u->port = r->port;
	u->default_port = r->default_port;
	u->special = r->special;
	u->opaque_path = r->opaque_path;
	u->nseg = r->nseg;
	u->has_query = r->has_query;
	u->has_fragment = r->has_frag;
	*out = u;
	return NK_OK;
}

static nk_err
parse_internal(const char *in, size_t len, const nk_url *base, int depth,
               nk_url **out, char *errmsg)
{
	struct ubuf clean = { 0 };
	struct rec r = { 0 };
	struct parse_err e = { 0 };
	nk_err err;

	if (!in && len > 0)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "NULL URL input");
	if (len > NK_URL_MAX_INPUT) {
		size_t pos = 1;
		for (size_t i = 0; i < NK_URL_MAX_INPUT; i++)
			pos += ((unsigned char)in[i] & 0xC0) != 0x80;
		return nk_fail(errmsg, NK_ERR_URL_MALFORMAT,
		               "URL longer than %d bytes at position %zu",
		               NK_URL_MAX_INPUT, pos);
	}
	if (clean_input(in ? in : "", len, &clean)) {
		err = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		goto done;
	}
	if (basic_parse(clean.p, clean.len, base, &r, &e)) {
		if (e.nomem)
			err = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		else
			err = nk_fail(errmsg, NK_ERR_URL_MALFORMAT,
			              "%s at position %zu", e.reason,
			              raw_position(in, len, e.at));
		goto done;
	}
	err = freeze(&r, depth, out);
	if (err)
		nk_fail(errmsg, err, "out of memory");
done:
	ubuf_free(&clean);
	rec_free(&r);
	return err;
}

/* ---- the public API ---- */

nk_err
nk_url_parse_buf(const char *input, size_t len, const nk_url *base,
                 nk_url **out, char *errmsg)
{
	if (!out)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "NULL out");
	return parse_internal(input, len, base, 0, out, errmsg);
}

nk_err
nk_url_parse(const char *input, const char *base, nk_url **out, char *errmsg)
{
	nk_url *b = NULL;
	nk_err err;

	if (!input || !out)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "NULL URL or out");
	if (base) {
		char msg[NK_ERR_MSG_LEN];
		err = nk_url_parse_buf(base, strlen(base), NULL, &b, msg);
		if (err)
			return nk_fail(errmsg, err, "base URL: %s", msg);
	}
	err = nk_url_parse_buf(input, strlen(input), b, out, errmsg);
	nk_url_free(b);
	return err;
}

nk_err
nk_url_resolve(const nk_url *base, const char *ref, nk_url **out,
               char *errmsg)
{
	if (!ref)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "NULL ref");
	return nk_url_parse_buf(ref, strlen(ref), base, out, errmsg);
}

size_t
nk_url_has_scheme(const char *input)
{
	if (!input)
		return 0;
	/* The parser strips leading C0 controls and spaces first. */
	size_t i = 0;
	while (input[i] && (unsigned char)input[i] <= 0x20)
		i++;
	if (!is_alpha((unsigned char)input[i]))
		return 0;
	char low[8];
	size_t n = 0;
	for (; input[i] != ':'; i++, n++) {
		unsigned char c = (unsigned char)input[i];
		if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.')
			return 0;
		if (n < sizeof low)
			low[n] = (char)(c | 0x20);
	}
	/* "localhost:8080" also parses as a URL (scheme "localhost"), but a
	 * person typing it means a host and a port: only a special scheme,
	 * or another followed by "//", is a scheme here. A special scheme
	 * needs no slashes at all, as the parser sees "http:/h" and "http:h". */
	int special = n <= sizeof low && scheme_special(low, n, NULL);
	if (special || strncmp(input + i + 1, "//", 2) == 0)
		return i + 1;
	return 0;
}

nk_err
nk_url_parse_default_scheme(const char *input, const char *scheme,
                            nk_url **out, char *errmsg)
{
	if (!input || !scheme || !out)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "NULL URL, scheme or out");
	if (nk_url_has_scheme(input))
		return nk_url_parse(input, NULL, out, errmsg);
	size_t pre = strlen(scheme) + 3, il = strlen(input);
	if (il > NK_URL_MAX_INPUT)
		return nk_url_parse_buf(input, il, NULL, out, errmsg);
	char *full = malloc(pre + il + 1);
	if (!full)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	snprintf(full, pre + il + 1, "%s://%s", scheme, input);
	char msg[NK_ERR_MSG_LEN];
	nk_err e = nk_url_parse_buf(full, pre + il, NULL, out, msg);
	free(full);
	if (e != NK_ERR_URL_MALFORMAT)
		return e ? nk_fail(errmsg, e, "%s", msg) : NK_OK;
	/* Positions count in what the caller gave, not in the added prefix. */
	static const char tag[] = " at position ";
	const char *at = strstr(msg, tag);
	char *end = NULL;
	unsigned long pos = at ? strtoul(at + sizeof tag - 1, &end, 10) : 0;
	if (at && end && *end == '\0' && pos > pre)
		return nk_fail(errmsg, e, "%.*s at position %lu", (int)(at - msg),
		               msg, pos - pre);
	return nk_fail(errmsg, e, "%s", msg);
}

nk_url *
nk_url_dup(const nk_url *u)
{
	nk_url *d;

	if (!u || !(d = malloc(sizeof *d + u->memlen)))
		return NULL;
	memcpy(d, u, sizeof *d + u->memlen);
	return d;
}

void
nk_url_free(nk_url *u)
{
	free(u);
}

const char *
nk_url_get(const nk_url *u, nk_url_part part)
{
	static const int map[] = {
		[NK_URL_HREF] = S_HREF, [NK_URL_ORIGIN] = S_ORIGIN,
		[NK_URL_PROTOCOL] = S_PROTOCOL, [NK_URL_USERNAME] = S_USERNAME,
		[NK_URL_PASSWORD] = S_PASSWORD, [NK_URL_HOST] = S_HOST,
		[NK_URL_HOSTNAME] = S_HOSTNAME, [NK_URL_PORT] = S_PORT,
		[NK_URL_PATHNAME] = S_PATHNAME, [NK_URL_SEARCH] = S_SEARCH,
		[NK_URL_HASH] = S_HASH,
	};
	if (!u || (unsigned)part >= NK_ARRAY_LEN(map))
		return "";
	return str(u, map[part]);
}

const char *
nk_url_scheme(const nk_url *u)
{
	return u ? str(u, S_SCHEME) : "";
}

int
nk_url_is_special(const nk_url *u)
{
	return u ? u->special : 0;
}

int
nk_url_port(const nk_url *u)
{
	if (!u)
		return -1;
	return u->port >= 0 ? u->port : u->default_port;
}

int
nk_url_default_port(const nk_url *u)
{
	return u ? u->default_port : -1;
}

nk_url_host_kind
nk_url_host_kind_of(const nk_url *u)
{
	return u ? u->host_kind : NK_URL_HOST_NONE;
}

const char *
nk_url_connect_host(const nk_url *u)
{
	return u ? str(u, S_CONNECT) : "";
}

const char *
nk_url_target(const nk_url *u)
{
	return u ? str(u, S_TARGET) : "/";
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *
nk_url_decode(const nk_url *u, nk_url_part part, size_t *len)
{
	const char *s = nk_url_get(u, part);
	size_t n = strlen(s), w = 0;
	char *d = malloc(n + 1);

	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < n &&
		    (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)s[i + 2])) >= 0) {
			d[w++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			d[w++] = s[i];
		}
	}
	d[w] = '\0';
	if (len)
		*len = w;
	return d;
}
