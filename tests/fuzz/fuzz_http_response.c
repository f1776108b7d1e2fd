/* Fuzz target: the HTTP response head parser (nk_http_parse_response) and
 * the header helpers that read its result.
 *
 * Input: 8 bytes of options, then the bytes a server sends.
 *   [0] flags: bit 0 small limits from [1..3]; bits 1-2 the request method
 *       for nk_http_body_init (GET, HEAD, CONNECT, POST)
 *   [1] max_line - 16, [2] max_head / 4 - 4, [3] max_headers
 *       (only with bit 0; otherwise the defaults and 64 headers)
 *   [4..7] seed of the split points
 *
 * The head is parsed three ways: whole, byte by byte, and in pieces the
 * seed picks, moving the buffer between calls as a caller that grows it
 * does. The bytes a call has not been given yet are poisoned, so reading
 * them is an ASan report. All three must agree on everything: the error
 * and its message, status, version, reason, every header view, head
 * length, folding, and the bytes of the head after unfolding. */
#include <stdint.h>
#include <string.h>

#include "nk/http.h"
#include "fuzz.h"

struct opts {
	size_t max_line, max_head, max_headers;
	const char *method;
};

struct result {
	nk_err err;
	char msg[NK_ERR_MSG_LEN];
	struct nk_http_response res;
	char *buf;           /* the run's buffer, as the parser left it */
	size_t len;          /* bytes it was given in all */
	int eof;             /* ended without a complete head */
};

static void
setup(const struct opts *o, struct nk_http_parser *p,
      struct nk_http_response *res)
{
	memset(p, 0, sizeof *p);
	p->max_line = o->max_line;
	p->max_head = o->max_head;
	memset(res, 0, sizeof *res);
	res->max_headers = o->max_headers;
	res->headers = o->max_headers ?
	               calloc(o->max_headers, sizeof *res->headers) : NULL;
	FUZZ_CHECK(!o->max_headers || res->headers, "out of memory");
}

/* Feeds the n bytes of `in` in pieces: `mode` 0 whole, 1 byte by byte, 2
 * pieces from the generator with the buffer moved before each call. */
static void
run(const struct opts *o, const char *in, size_t n, int mode,
    struct fuzz_rng *rng, struct result *r)
{
	struct nk_http_parser p;
	char *buf = fuzz_dup(in, n);
	size_t len = 0;

	setup(o, &p, &r->res);
	r->msg[0] = '\0';
	FUZZ_POISON(buf, n);
	for (;;) {
		size_t more = mode == 0 ? n - len : mode == 1 ? (n > len)
		              : fuzz_piece(rng, n - len);
		if (mode == 2 && len > 0) {
			/* the caller grew its buffer: same bytes, new place */
			char *nb = fuzz_dup(in, n);
			FUZZ_POISON(nb, n);
			FUZZ_UNPOISON(nb, len);
			FUZZ_UNPOISON(buf, n);
			free(buf);
			buf = nb;
		}
		FUZZ_UNPOISON(buf + len, more);
		len += more;
		r->err = nk_http_parse_response(&p, buf, len, &r->res, r->msg);
		if (r->err || r->res.head_len > 0 || len == n)
			break;
	}
	FUZZ_UNPOISON(buf, n);
	r->buf = buf;
	r->len = len;
	r->eof = !r->err && r->res.head_len == 0;
	if (r->eof) {
		r->err = nk_http_parse_eof(&p, len, r->msg);
		FUZZ_CHECK(r->err == (len ? NK_ERR_WEIRD_SERVER_REPLY
		                          : NK_ERR_GOT_NOTHING),
		           "nk_http_parse_eof returned %d for %zu bytes", r->err, len);
	}
}

static void
clear(struct result *r)
{
	free(r->buf);
	free(r->res.headers);
}

/* Views are compared as offsets, since each run has its own buffer. */
static void
same(const struct result *a, const struct result *b, const char *what)
{
	FUZZ_CHECK(a->err == b->err, "%s: error %d vs %d (\"%s\" vs \"%s\")",
	           what, a->err, b->err, a->msg, b->msg);
	FUZZ_CHECK(strcmp(a->msg, b->msg) == 0, "%s: message \"%s\" vs \"%s\"",
	           what, a->msg, b->msg);
	FUZZ_CHECK(a->eof == b->eof, "%s: incomplete %d vs %d", what, a->eof,
	           b->eof);
	if (a->err)
		return;
	const struct nk_http_response *x = &a->res, *y = &b->res;
	FUZZ_CHECK(x->head_len == y->head_len, "%s: head_len %zu vs %zu", what,
	           x->head_len, y->head_len);
	FUZZ_CHECK(x->status == y->status && x->minor_version == y->minor_version
	           && x->folded == y->folded && x->num_headers == y->num_headers,
	           "%s: status/version/folded/count differ", what);
	FUZZ_CHECK(x->reason - a->buf == y->reason - b->buf &&
	           x->reason_len == y->reason_len, "%s: reason differs", what);
	for (size_t i = 0; i < x->num_headers; i++) {
		const struct nk_http_header *h = &x->headers[i], *k = &y->headers[i];
		FUZZ_CHECK(h->name - a->buf == k->name - b->buf &&
		           h->name_len == k->name_len &&
		           h->value - a->buf == k->value - b->buf &&
		           h->value_len == k->value_len,
		           "%s: header %zu differs", what, i);
	}
	FUZZ_CHECK(memcmp(a->buf, b->buf, x->head_len) == 0,
	           "%s: the head bytes differ after parsing", what);
}

static int
has_ctl(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0' || s[i] == '\r' || s[i] == '\n')
			return 1;
	return 0;
}

/* What the header promises about a complete head. */
static void
check_head(const struct opts *o, const struct result *r)
{
	const struct nk_http_response *res = &r->res;
	const char *end = r->buf + res->head_len;
	size_t lim_head = o->max_head ? o->max_head : NK_HTTP_MAX_HEAD;

	FUZZ_CHECK(res->head_len <= r->len, "head_len %zu past the %zu bytes",
	           res->head_len, r->len);
	FUZZ_CHECK(res->head_len <= (lim_head < 16 ? 16 : lim_head),
	           "head of %zu bytes over the limit %zu", res->head_len,
	           lim_head);
	FUZZ_CHECK(res->head_len >= 2 && end[-1] == '\n', "head does not end "
	           "with a line end");
	FUZZ_CHECK(res->status >= 100 && res->status <= 999, "status %d",
	           res->status);
	FUZZ_CHECK(res->minor_version >= 0 && res->minor_version <= 9,
	           "minor version %d", res->minor_version);
	FUZZ_CHECK(memcmp(r->buf, "HTTP/1.", 7) == 0, "no HTTP/1. prefix");
	FUZZ_CHECK(res->reason >= r->buf && res->reason + res->reason_len <= end,
	           "reason outside the head");
	FUZZ_CHECK(!has_ctl(res->reason, res->reason_len), "reason holds CR, "
	           "LF or NUL");
	FUZZ_CHECK(res->num_headers <= o->max_headers, "%zu headers over %zu",
	           res->num_headers, o->max_headers);
	for (size_t i = 0; i < res->num_headers; i++) {
		const struct nk_http_header *h = &res->headers[i];
		FUZZ_CHECK(h->name > r->buf && h->name + h->name_len <= end &&
		           h->value >= h->name + h->name_len &&
		           h->value + h->value_len <= end, "header %zu outside the "
		           "head", i);
		FUZZ_CHECK(nk_http_is_token(h->name, h->name_len), "header %zu "
		           "name is not a token", i);
		FUZZ_CHECK(h->name[h->name_len] == ':', "header %zu name not "
		           "followed by a colon", i);
		FUZZ_CHECK(!has_ctl(h->value, h->value_len), "header %zu value "
		           "holds CR, LF or NUL", i);
		FUZZ_CHECK(h->value_len == 0 ||
		           (h->value[0] != ' ' && h->value[0] != '\t' &&
		            h->value[h->value_len - 1] != ' ' &&
		            h->value[h->value_len - 1] != '\t'),
		           "header %zu value not trimmed", i);
	}
}

/* Calls every reader of a parsed head; they must stay inside it. */
static void
use_head(const struct opts *o, const struct result *r)
{
	const struct nk_http_response *res = &r->res;
	static const char *const names[] = {
		"Content-Length", "Transfer-Encoding", "Connection",
		"Content-Type", "Content-Encoding", "Location",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t it = 0, count = 0;
		const struct nk_http_header *h;
		while ((h = nk_http_header_find(res, names[i], &it))) {
			FUZZ_CHECK(h >= res->headers &&
			           h < res->headers + res->num_headers,
			           "header_find outside the array");
			const char *p = h->value, *end = h->value + h->value_len, *el;
			size_t n, guard = 0;
			while (nk_http_list_next(&p, end, &el, &n)) {
				FUZZ_CHECK(el >= h->value && el + n <= end && n > 0,
				           "list element outside its value");
				FUZZ_CHECK(++guard <= h->value_len, "list_next loops");
			}
			FUZZ_CHECK(++count <= res->num_headers, "header_find loops");
		}
	}
	(void)nk_http_has_token(res, "Connection", "close");
	(void)nk_http_has_token(res, "Transfer-Encoding", "chunked");
	(void)nk_http_is_interim(res);
	const char *type, *cs;
	size_t type_len, cs_len;
	if (nk_http_content_type(res, &type, &type_len, &cs, &cs_len)) {
		const struct nk_http_header *h = nk_http_header_find(res,
		                                                     "Content-Type",
		                                                     NULL);
		const char *end = h->value + h->value_len;
		FUZZ_CHECK(type >= h->value && type + type_len <= end,
		           "content type outside the value");
		FUZZ_CHECK(!cs || (cs >= h->value && cs + cs_len <= end),
		           "charset outside the value");
	}
	struct nk_http_body b = { 0 };
	char msg[NK_ERR_MSG_LEN];
	nk_err e = nk_http_body_init(&b, o->method, res, msg);
	if (!e)
		FUZZ_CHECK(b.mode != NK_HTTP_BODY_LENGTH || b.length >= 0,
		           "negative Content-Length %lld", (long long)b.length);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { NULL, "HEAD", "CONNECT", "POST" };
	struct fuzz_in in = FUZZ_IN(data, size);
	struct opts o;
	uint8_t flags = fuzz_u8(&in);
	uint8_t l1 = fuzz_u8(&in), l2 = fuzz_u8(&in), l3 = fuzz_u8(&in);
	struct fuzz_rng rng = { fuzz_u32(&in) };

	if (flags & 1) {
		o.max_line = 16 + (size_t)l1;
		o.max_head = 16 + 4 * (size_t)l2;
		o.max_headers = l3;
	} else {
		o.max_line = o.max_head = 0;
		o.max_headers = 64;
	}
	o.method = methods[(flags >> 1) & 3];

	struct result whole, bytes, pieces;
	run(&o, (const char *)in.p, in.n, 0, &rng, &whole);
	run(&o, (const char *)in.p, in.n, 1, &rng, &bytes);
	run(&o, (const char *)in.p, in.n, 2, &rng, &pieces);
	same(&whole, &bytes, "whole vs byte by byte");
	same(&whole, &pieces, "whole vs pieces");
	if (!whole.err) {
		check_head(&o, &whole);
		use_head(&o, &whole);
	}
	clear(&whole);
	clear(&bytes);
	clear(&pieces);
	return 0;
}
