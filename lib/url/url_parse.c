/* url_parse: the WHATWG URL Standard's basic URL parser, a state machine
 * over the cleaned input, one byte at a time; each state of the Standard
 * is one function below, named after it. It fills a struct url_rec, which
 * url_serialize.c turns into an nk_url. Hosts go to url_host.c.
 *
 * The parser works on UTF-8 bytes: every non-ASCII byte is in every
 * percent-encode set, so percent-encoding a code point byte by byte is the
 * same as the Standard's "UTF-8 percent-encode". */
#include <string.h>

#include "url/url_int.h"

/* ---- the state machine ---- */

enum state {
	ST_SCHEME_START, ST_SCHEME, ST_NO_SCHEME, ST_SPECIAL_RELATIVE_OR_AUTHORITY,
	ST_PATH_OR_AUTHORITY, ST_RELATIVE, ST_RELATIVE_SLASH,
	ST_SPECIAL_AUTHORITY_SLASHES, ST_SPECIAL_AUTHORITY_IGNORE_SLASHES,
	ST_AUTHORITY, ST_HOST, ST_PORT, ST_FILE, ST_FILE_SLASH, ST_FILE_HOST,
	ST_PATH_START, ST_PATH, ST_OPAQUE_PATH, ST_QUERY, ST_FRAGMENT,
};

#define C_EOF (-1)

/* The parser's variables. A state function sees the byte at p as c (C_EOF
 * past the end); it may move p (the Standard's "decrease pointer by 1" is
 * p--) and set the next state. */
struct parser {
	const char *in;
	size_t len;
	ptrdiff_t p;
	const nk_url *base;
	struct url_rec *r;
	struct url_parse_err *e;
	enum state state;
	nk_buf buf;         /* the scheme, then a path segment */
	size_t mark;        /* where the authority/host/port text starts */
	int at_seen, in_brackets, pw_seen;
};

static int
fail_at(struct parser *ps, const char *reason, size_t at)
{
	ps->e->reason = reason;
	ps->e->at = at;
	return -1;
}

/* For an append that failed: memory (or the output cap) ran out. */
static int
nomem(struct parser *ps)
{
	ps->e->nomem = 1;
	return -1;
}

static inline int
remaining_starts(const struct parser *ps, char ch)
{
	return (size_t)ps->p + 1 < ps->len && ps->in[ps->p + 1] == ch;
}

/* The byte at p: the end of a host, port or authority. */
static inline int
ends_authority(const struct parser *ps, int c)
{
	return c == C_EOF || c == '/' || c == '?' || c == '#' ||
	       (ps->r->special && c == '\\');
}

static inline void
to_query(struct parser *ps)
{
	/* The query starts empty (present, unlike null). */
	nk_buf_clear(&ps->r->query);
	ps->r->has_query = 1;
	ps->state = ST_QUERY;
}

static inline void
to_fragment(struct parser *ps)
{
	ps->r->has_frag = 1;
	ps->state = ST_FRAGMENT;
}

/* Goes to state, to read the byte at p again there. */
static inline void
again_in(struct parser *ps, enum state state)
{
	ps->state = state;
	ps->p--;
}

static int
parse_host(struct parser *ps, size_t from, size_t to)
{
	struct url_rec *r = ps->r;
	const char *reason = NULL;
	size_t where = 0;

	nk_buf_clear(&r->host);
	int rc = url_host_parse(ps->in + from, to - from, !r->special, &r->host,
	                        &r->host_kind, &reason, &where);
	if (rc == URL_NOMEM)
		return nomem(ps);
	if (rc != URL_OK)
		return fail_at(ps, reason, from + where);
	return 0;
}

static int
scheme_start_state(struct parser *ps, int c)
{
	if (c != C_EOF && url_is_alpha(c)) {
		if (url_addc(&ps->buf, (char)(c | 0x20)))
			return nomem(ps);
		ps->state = ST_SCHEME;
	} else {
		again_in(ps, ST_NO_SCHEME);
	}
	return 0;
}

/* After "scheme:": where the rest of the URL goes. */
static void
after_scheme(struct parser *ps)
{
	struct url_rec *r = ps->r;

	if (url_rec_is_file(r)) {
		ps->state = ST_FILE;
	} else if (r->special && ps->base &&
	           !strcmp(url_str(ps->base, S_SCHEME), nk_buf_str(&r->scheme))) {
		ps->state = ST_SPECIAL_RELATIVE_OR_AUTHORITY;
	} else if (r->special) {
		ps->state = ST_SPECIAL_AUTHORITY_SLASHES;
	} else if (remaining_starts(ps, '/')) {
		ps->state = ST_PATH_OR_AUTHORITY;
		ps->p++;
	} else {
		r->opaque_path = 1;
		ps->state = ST_OPAQUE_PATH;
	}
}

static int
scheme_state(struct parser *ps, int c)
{
	if (c != C_EOF && (url_is_alpha(c) || url_is_digit(c) || c == '+' || c == '-' ||
	                   c == '.')) {
		if (url_is_alpha(c))
			c |= 0x20;
		if (url_addc(&ps->buf, (char)c))
			return nomem(ps);
	} else if (c == ':') {
		if (url_set_scheme(ps->r, ps->buf.p, ps->buf.len))
			return nomem(ps);
		nk_buf_clear(&ps->buf);
		after_scheme(ps);
	} else {
		/* Not a scheme after all: start over without one. */
		nk_buf_clear(&ps->buf);
		ps->state = ST_NO_SCHEME;
		ps->p = -1;
	}
	return 0;
}

static int
no_scheme_state(struct parser *ps, int c)
{
	const nk_url *base = ps->base;

	if (!base)
		return fail_at(ps, "relative URL without a base URL", 0);
	if (base->opaque_path && c != '#')
		return fail_at(ps, "relative URL against a base URL that cannot "
		               "have one", 0);
	if (base->opaque_path) {
		if (url_set_scheme(ps->r, url_str(base, S_SCHEME),
		               strlen(url_str(base, S_SCHEME))) ||
		    url_copy_path(ps->r, base) || url_copy_query(ps->r, base))
			return nomem(ps);
		to_fragment(ps);
	} else {
		again_in(ps, url_base_is_file(base) ? ST_FILE : ST_RELATIVE);
	}
	return 0;
}

/* "//" goes on past both slashes to the special authority ignore slashes
 * state; anything else is read again in the state `otherwise`. */
static int
two_slashes_or(struct parser *ps, int c, enum state otherwise)
{
	if (c == '/' && remaining_starts(ps, '/')) {
		ps->state = ST_SPECIAL_AUTHORITY_IGNORE_SLASHES;
		ps->p++;
	} else {
		again_in(ps, otherwise);
	}
	return 0;
}

static int
special_relative_or_authority_state(struct parser *ps, int c)
{
	return two_slashes_or(ps, c, ST_RELATIVE);
}

static int
path_or_authority_state(struct parser *ps, int c)
{
	if (c == '/') {
		ps->state = ST_AUTHORITY;
		ps->mark = (size_t)ps->p + 1;
	} else {
		again_in(ps, ST_PATH);
	}
	return 0;
}

/* The query, fragment or path of a relative reference that inherits the
 * base's path (and query): what c starts. */
static void
after_inherited_path(struct parser *ps, int c, int drive_resets)
{
	struct url_rec *r = ps->r;

	if (c == '?') {
		to_query(ps);
	} else if (c == '#') {
		to_fragment(ps);
	} else if (c != C_EOF) {
		r->has_query = 0;
		nk_buf_clear(&r->query);
		if (drive_resets &&
		    url_starts_with_drive(ps->in + ps->p, ps->len - (size_t)ps->p)) {
			nk_buf_clear(&r->path);
			r->nseg = 0;
		} else {
			url_path_shorten(r);
		}
		again_in(ps, ST_PATH);
	}
}

static int
relative_state(struct parser *ps, int c)
{
	struct url_rec *r = ps->r;
	const nk_url *base = ps->base;

	if (url_set_scheme(r, url_str(base, S_SCHEME),
	               strlen(url_str(base, S_SCHEME))))
		return nomem(ps);
	if (c == '/' || (r->special && c == '\\')) {
		ps->state = ST_RELATIVE_SLASH;
		return 0;
	}
	if (url_copy_authority(r, base) || url_copy_path(r, base) || url_copy_query(r, base))
		return nomem(ps);
	after_inherited_path(ps, c, 0);
	return 0;
}

static int
relative_slash_state(struct parser *ps, int c)
{
	if (ps->r->special && (c == '/' || c == '\\')) {
		ps->state = ST_SPECIAL_AUTHORITY_IGNORE_SLASHES;
	} else if (c == '/') {
		ps->state = ST_AUTHORITY;
		ps->mark = (size_t)ps->p + 1;
	} else {
		if (url_copy_authority(ps->r, ps->base))
			return nomem(ps);
		again_in(ps, ST_PATH);
	}
	return 0;
}

static int
special_authority_slashes_state(struct parser *ps, int c)
{
	return two_slashes_or(ps, c, ST_SPECIAL_AUTHORITY_IGNORE_SLASHES);
}

static int
special_authority_ignore_slashes_state(struct parser *ps, int c)
{
	if (c != '/' && c != '\\') {
		ps->mark = (size_t)ps->p;
		again_in(ps, ST_AUTHORITY);
	}
	return 0;
}

/* The credentials in in[mark..p), before an '@': percent-encoded into the
 * username, and the password after the first ':'. */
static int
take_credentials(struct parser *ps)
{
	struct url_rec *r = ps->r;
	nk_buf *to = ps->pw_seen ? &r->pass : &r->user;

	/* An earlier '@' belonged to the credentials. */
	if (ps->at_seen && nk_buf_adds(to, "%40"))
		return -1;
	ps->at_seen = 1;
	for (size_t i = ps->mark; i < (size_t)ps->p; i++) {
		unsigned char ch = (unsigned char)ps->in[i];
		if (ch == ':' && !ps->pw_seen) {
			ps->pw_seen = 1;
			to = &r->pass;
			continue;
		}
		if (url_pe_add(to, ch, PE_USERINFO))
			return -1;
	}
	return 0;
}

static int
authority_state(struct parser *ps, int c)
{
	/* The buffer is in[mark..p): the text since the start of the
	 * authority or the last '@'. */
	if (c == '@') {
		if (take_credentials(ps))
			return nomem(ps);
		ps->mark = (size_t)ps->p + 1;
	} else if (ends_authority(ps, c)) {
		if (ps->at_seen && (size_t)ps->p == ps->mark)
			return fail_at(ps, "credentials without a host",
			               (size_t)ps->p);
		ps->p = (ptrdiff_t)ps->mark - 1;
		ps->state = ST_HOST;
	}
	return 0;
}

static int
host_state(struct parser *ps, int c)
{
	size_t p = (size_t)ps->p;

	/* The buffer is in[mark..p). */
	if (c == ':' && !ps->in_brackets) {
		if (p == ps->mark)
			return fail_at(ps, "port without a host", p);
		if (parse_host(ps, ps->mark, p))
			return -1;
		ps->mark = p + 1;
		ps->state = ST_PORT;
	} else if (ends_authority(ps, c)) {
		if (ps->r->special && p == ps->mark)
			return fail_at(ps, "empty host", p);
		if (parse_host(ps, ps->mark, p))
			return -1;
		again_in(ps, ST_PATH_START);
	} else if (c == '[') {
		ps->in_brackets = 1;
	} else if (c == ']') {
		ps->in_brackets = 0;
	}
	return 0;
}

static int
port_state(struct parser *ps, int c)
{
	struct url_rec *r = ps->r;

	if (c != C_EOF && url_is_digit(c))
		return 0;   /* digits are read at the end of the port */
	if (!ends_authority(ps, c))
		return fail_at(ps, "invalid character in port", (size_t)ps->p);
	if ((size_t)ps->p > ps->mark) {
		unsigned long v = 0;
		for (size_t i = ps->mark; i < (size_t)ps->p; i++) {
			v = v * 10 + (unsigned long)(ps->in[i] - '0');
			if (v > 65535)
				return fail_at(ps, "port number above 65535", ps->mark);
		}
		r->port = (int)v == r->default_port ? -1 : (int)v;
	}
	again_in(ps, ST_PATH_START);
	return 0;
}

/* The host of a file: URL is the empty host. */
static void
empty_host(struct url_rec *r)
{
	r->host_kind = NK_URL_HOST_EMPTY;
	nk_buf_clear(&r->host);
}

static int
file_state(struct parser *ps, int c)
{
	struct url_rec *r = ps->r;
	const nk_url *base = ps->base;

	if (url_set_scheme(r, "file", 4))
		return nomem(ps);
	empty_host(r);
	if (c == '/' || c == '\\') {
		ps->state = ST_FILE_SLASH;
	} else if (url_base_is_file(base)) {
		r->host_kind = base->host_kind;
		if (url_set_str(&r->host, url_str(base, S_HOSTNAME)) ||
		    url_copy_path(r, base) || url_copy_query(r, base))
			return nomem(ps);
		after_inherited_path(ps, c, 1);
	} else {
		again_in(ps, ST_PATH);
	}
	return 0;
}

static int
file_slash_state(struct parser *ps, int c)
{
	struct url_rec *r = ps->r;
	const nk_url *base = ps->base;

	if (c == '/' || c == '\\') {
		ps->state = ST_FILE_HOST;
		ps->mark = (size_t)ps->p + 1;
		return 0;
	}
	if (url_base_is_file(base)) {
		/* The base's host, and its drive letter unless the input has
		 * its own. */
		size_t n;
		r->host_kind = base->host_kind;
		if (url_set_str(&r->host, url_str(base, S_HOSTNAME)))
			return nomem(ps);
		const char *bp = url_str(base, S_PATHNAME);
		if (!url_starts_with_drive(ps->in + ps->p, ps->len - (size_t)ps->p) &&
		    base->nseg > 0) {
			const char *s0 = url_first_segment(bp, strlen(bp), &n);
			if (url_is_normalized_drive(s0, n) && url_path_append(r, s0, n))
				return nomem(ps);
		}
	}
	again_in(ps, ST_PATH);
	return 0;
}

static int
file_host_state(struct parser *ps, int c)
{
	struct url_rec *r = ps->r;

	/* The buffer is in[mark..p). */
	if (c != C_EOF && c != '/' && c != '\\' && c != '?' && c != '#')
		return 0;
	size_t mark = ps->mark, n = (size_t)ps->p - mark;
	if (url_is_drive(ps->in + mark, n)) {
		/* The drive letter is the path's start, not a host. */
		if (url_add(&ps->buf, ps->in + mark, n))
			return nomem(ps);
		again_in(ps, ST_PATH);
		return 0;
	}
	if (n == 0) {
		empty_host(r);
	} else {
		if (parse_host(ps, mark, mark + n))
			return -1;
		if (!strcmp(nk_buf_str(&r->host), "localhost"))
			empty_host(r);
	}
	again_in(ps, ST_PATH_START);
	return 0;
}

static int
path_start_state(struct parser *ps, int c)
{
	if (ps->r->special) {
		ps->state = ST_PATH;
		if (c != '/' && c != '\\')
			ps->p--;
	} else if (c == '?') {
		to_query(ps);
	} else if (c == '#') {
		to_fragment(ps);
	} else if (c != C_EOF) {
		ps->state = ST_PATH;
		if (c != '/')
			ps->p--;
	}
	return 0;
}

/* The segment in buf is complete: onto the path, or "." and ".." taken
 * as what they mean. slash: a '/' follows. */
static int
end_segment(struct parser *ps, int slash)
{
	struct url_rec *r = ps->r;
	nk_buf *b = &ps->buf;

	if (url_is_double_dot(b->p, b->len)) {
		url_path_shorten(r);
		if (!slash && url_path_append(r, "", 0))
			return -1;
	} else if (url_is_single_dot(b->p, b->len)) {
		if (!slash && url_path_append(r, "", 0))
			return -1;
	} else {
		/* A drive letter's '|' becomes ':' ("C|" is "C:"). */
		if (b->p && url_rec_is_file(r) && r->nseg == 0 &&
		    url_is_drive(b->p, b->len))
			b->p[1] = ':';
		if (url_path_append(r, b->p, b->len))
			return -1;
	}
	nk_buf_clear(b);
	return 0;
}

/* The bytes that end a run of take_run, a bit for each kind of run. */
enum {
	END_PATH = 1,           /* a path segment */
	END_SPECIAL_PATH = 2,   /* of a special URL, where '\\' is '/' too */
	END_OPAQUE = 4,         /* an opaque path: ' ' has its own rule */
	END_QUERY = 8,
};

static const unsigned char run_ends[128] = {
	['/'] = END_PATH | END_SPECIAL_PATH,
	['\\'] = END_SPECIAL_PATH,
	['?'] = END_PATH | END_SPECIAL_PATH | END_OPAQUE,
	['#'] = END_PATH | END_SPECIAL_PATH | END_OPAQUE | END_QUERY,
	[' '] = END_OPAQUE,
};

/* The bytes from p up to the next that ends a run of this kind (0: to the
 * end), percent-encoded with set onto b; p is left on the last of them.
 * The states that only copy (path, query, fragment) take their runs in
 * one go, which is what the Standard's byte at a time comes to. */
static int
take_run(struct parser *ps, nk_buf *b, int set, int kind)
{
	size_t from = (size_t)ps->p, to = from;

	while (to < ps->len) {
		unsigned char ch = (unsigned char)ps->in[to];
		if (ch < 0x80 && (run_ends[ch] & kind))
			break;
		to++;
	}
	ps->p = (ptrdiff_t)to - 1;
	return url_pe_add_run(b, ps->in + from, to - from, set) ? nomem(ps) : 0;
}

static int
path_state(struct parser *ps, int c)
{
	int special = ps->r->special;
	int slash = c == '/' || (special && c == '\\');

	if (c != C_EOF && !slash && c != '?' && c != '#')
		return take_run(ps, &ps->buf, PE_PATH,
		                special ? END_SPECIAL_PATH : END_PATH);
	if (end_segment(ps, slash))
		return nomem(ps);
	if (c == '?')
		to_query(ps);
	else if (c == '#')
		to_fragment(ps);
	return 0;
}

static int
opaque_path_state(struct parser *ps, int c)
{
	nk_buf *path = &ps->r->path;
	int rc = 0;

	if (c == '?') {
		to_query(ps);
	} else if (c == '#') {
		to_fragment(ps);
	} else if (c == ' ') {
		/* Never a trailing space: a serialized URL must parse back the
		 * same. */
		if (remaining_starts(ps, '?') || remaining_starts(ps, '#'))
			rc = nk_buf_adds(path, "%20");
		else
			rc = url_addc(path, ' ');
	} else if (c != C_EOF) {
		return take_run(ps, path, PE_C0, END_OPAQUE);
	}
	return rc ? nomem(ps) : 0;
}

static int
query_state(struct parser *ps, int c)
{
	if (c == '#') {
		to_fragment(ps);
	} else if (c != C_EOF) {
		int set = ps->r->special ? PE_SPECIAL_QUERY : PE_QUERY;
		return take_run(ps, &ps->r->query, set, END_QUERY);
	}
	return 0;
}

static int
fragment_state(struct parser *ps, int c)
{
	if (c != C_EOF)
		return take_run(ps, &ps->r->frag, PE_FRAGMENT, 0);
	return 0;
}

/* One step of the machine: the current state's function on the byte at
 * p. A switch, not a table of pointers, so that the compiler can inline
 * each state into the loop. */
static int
step(struct parser *ps, int c)
{
	switch (ps->state) {
	case ST_SCHEME_START:
		return scheme_start_state(ps, c);
	case ST_SCHEME:
		return scheme_state(ps, c);
	case ST_NO_SCHEME:
		return no_scheme_state(ps, c);
	case ST_SPECIAL_RELATIVE_OR_AUTHORITY:
		return special_relative_or_authority_state(ps, c);
	case ST_PATH_OR_AUTHORITY:
		return path_or_authority_state(ps, c);
	case ST_RELATIVE:
		return relative_state(ps, c);
	case ST_RELATIVE_SLASH:
		return relative_slash_state(ps, c);
	case ST_SPECIAL_AUTHORITY_SLASHES:
		return special_authority_slashes_state(ps, c);
	case ST_SPECIAL_AUTHORITY_IGNORE_SLASHES:
		return special_authority_ignore_slashes_state(ps, c);
	case ST_AUTHORITY:
		return authority_state(ps, c);
	case ST_HOST:
		return host_state(ps, c);
	case ST_PORT:
		return port_state(ps, c);
	case ST_FILE:
		return file_state(ps, c);
	case ST_FILE_SLASH:
		return file_slash_state(ps, c);
	case ST_FILE_HOST:
		return file_host_state(ps, c);
	case ST_PATH_START:
		return path_start_state(ps, c);
	case ST_PATH:
		return path_state(ps, c);
	case ST_OPAQUE_PATH:
		return opaque_path_state(ps, c);
	case ST_QUERY:
		return query_state(ps, c);
	case ST_FRAGMENT:
		return fragment_state(ps, c);
	}
	return 0;
}

int
url_basic_parse(const char *in, size_t len, const nk_url *base,
                struct url_rec *r, struct url_parse_err *e)
{
	struct parser ps = {
		.in = in, .len = len, .base = base, .r = r, .e = e,
		.state = ST_SCHEME_START, .buf = NK_BUF_INIT(URL_MAX_OUTPUT),
	};
	int rc = 0;

	/* The Standard's loop: every byte, then once more at the end (EOF). */
	for (;;) {
		int c = (size_t)ps.p < len && ps.p >= 0 ?
		        (unsigned char)in[ps.p] : C_EOF;
		if ((rc = step(&ps, c)) != 0)
			break;
		if (ps.p >= (ptrdiff_t)len)
			break;
		ps.p++;
	}
	nk_buf_free(&ps.buf);
	return rc;
}
