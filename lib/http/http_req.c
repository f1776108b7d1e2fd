/* http_req: the request head serializer and the validation that keeps CR,
 * LF and NUL off the wire; plus the Basic credentials of Authorization and
 * Proxy-Authorization. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nk/buf.h"
#include "http/http_int.h"
#include "core/internal.h"

/* A field value may hold HTAB, SP, visible ASCII and obs-text; never CR,
 * LF, NUL or another control byte (RFC 9110 §5.5). Returns the offset of
 * the first bad byte, or len. */
static size_t
bad_value_byte(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return i;
	}
	return len;
}

nk_err
nk_http_check_value(const char *what, const char *v, size_t len,
                    nk_err code, char *errmsg)
{
	size_t i = bad_value_byte(v, len);
	if (i == len)
		return NK_OK;
	char e[5], shown[96];
	nk_http_escape_byte(e, (unsigned char)v[i]);
	nk_http_escape(shown, sizeof(shown), v, len);
	return nk_fail(errmsg, code, "refused %s \"%s\": control byte %s at "
	               "offset %zu", what, shown, e, i);
}

/* Refuses a name that is not a token: what it is ("method"), where it
 * stands ("a method"), the text the message quotes and the name itself,
 * which holds a byte other than tchar. */
static nk_err
refuse_name(const char *what, const char *in, const char *shown,
            const char *name, size_t len, char *errmsg)
{
	size_t i = nk_http_token_len(name, len);
	char e[5];
	nk_http_escape_byte(e, (unsigned char)name[i]);
	return nk_fail(errmsg, NK_ERR_FAILED_INIT, "refused %s \"%s\": %s at "
	               "offset %zu is not allowed in %s", what, shown, e, i, in);
}

/* One user header line, split the curl way. */
struct uhdr {
	const char *name, *value;
	size_t name_len, value_len;
	int remove;          /* "Name:" with nothing after: suppress only */
};

static nk_err
split_user_header(const char *line, struct uhdr *h, char *errmsg)
{
	char shown[96];
	size_t len = strlen(line);
	const char *colon = memchr(line, ':', len);
	const char *sep = colon;
	int semi = 0;

	if (!sep) {
		sep = memchr(line, ';', len);
		semi = 1;
	}
	if (!sep) {
		nk_http_escape(shown, sizeof(shown), line, len);
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "refused header \"%s\": "
		               "no colon", shown);
	}
	h->name = line;
	h->name_len = (size_t)(sep - line);
	if (!nk_http_is_token(h->name, h->name_len)) {
		nk_http_escape(shown, sizeof(shown), line, len);
		if (h->name_len == 0)
			return nk_fail(errmsg, NK_ERR_FAILED_INIT, "refused header "
			               "\"%s\": empty name", shown);
		return refuse_name("header", "a header name", shown, h->name,
		                   h->name_len, errmsg);
	}
	const char *v = sep + 1, *end = line + len;
	while (v < end && nk_http_ows(*v))
		v++;
	while (end > v && nk_http_ows(end[-1]))
		end--;
	if (semi) {
		/* "Name;" sends an empty value; "Name;x" is not a header */
		if (v != end) {
			nk_http_escape(shown, sizeof(shown), line, len);
			return nk_fail(errmsg, NK_ERR_FAILED_INIT, "refused header "
			               "\"%s\": no colon", shown);
		}
		h->value = v;
		h->value_len = 0;
		h->remove = 0;
		return NK_OK;
	}
	h->value = v;
	h->value_len = (size_t)(end - v);
	h->remove = h->value_len == 0;
	/* Check the whole rest of the line: a CR or LF among the trimmed
	 * whitespace must be refused too. */
	size_t rest = len - h->name_len - 1, bad;
	if ((bad = bad_value_byte(sep + 1, rest)) != rest) {
		char e[5], nm[64];
		nk_http_escape_byte(e, (unsigned char)sep[1 + bad]);
		nk_http_escape(nm, sizeof(nm), h->name, h->name_len);
		nk_http_escape(shown, sizeof(shown), sep + 1, rest);
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "refused header \"%s\": "
		               "control byte %s in its value \"%s\"", nm, e, shown);
	}
	return NK_OK;
}

static nk_err
check_target(const char *what, const char *t, char *errmsg)
{
	size_t len = strlen(t);
	char shown[96], e[5];
	if (len == 0)
		return nk_fail(errmsg, NK_ERR_URL_MALFORMAT, "refused %s: empty",
		               what);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c <= 0x20 || c == 0x7f) {
			nk_http_escape_byte(e, c);
			nk_http_escape(shown, sizeof(shown), t, len);
			return nk_fail(errmsg, NK_ERR_URL_MALFORMAT, "refused %s \"%s\": "
			               "%s at offset %zu", what, shown,
			               c == ' ' ? "space" : e, i);
		}
	}
	return NK_OK;
}

char *
nk_http_basic(const char *prefix, const char *userpass)
{
	size_t p = strlen(prefix), n = strlen(userpass);
	if (n > NK_HTTP_MAX_REQUEST)
		return NULL;
	char *out = malloc(p + 6 + 4 * ((n + 2) / 3) + 1);
	if (!out)
		return NULL;
	snprintf(out, p + 7, "%sBasic ", prefix);
	nk_base64(userpass, n, out + p + 6);
	return out;
}

/* ---- building a head ----------------------------------------------- */

/* A request head in the making: the request, what the checks found in
 * it, and the buffer the head goes into, capped at NK_HTTP_MAX_REQUEST
 * so that one check at the end catches a head too long. */
struct head {
	const struct nk_http_request *rq;
	const char *method;
	struct uhdr *u;      /* rq->headers, split */
	int user_host;       /* a user header names Host (set, empty or removed) */
	char *auth;          /* the Authorization value nk sends, or NULL */
	char *pauth;         /* the Proxy-Authorization value, or NULL */
	nk_buf b;
};

/* Does any user header name `name` (set, empty or removed)? */
static int
user_names(const struct head *h, const char *name)
{
	for (size_t i = 0; i < h->rq->nheaders; i++)
		if (nk_http_eq(h->u[i].name, h->u[i].name_len, name))
			return 1;
	return 0;
}

static nk_err
check_method(const char *method, char *errmsg)
{
	size_t len = strlen(method);
	if (nk_http_is_token(method, len))
		return NK_OK;
	if (len == 0)
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "refused method \"\": "
		               "empty");
	char shown[96];
	nk_http_escape(shown, sizeof(shown), method, len);
	return refuse_name("method", "a method", shown, method, len, errmsg);
}

static nk_err
split_user_headers(struct head *h, char *errmsg)
{
	const struct nk_http_request *rq = h->rq;
	nk_err e = NK_OK;
	if (!rq->nheaders)
		return NK_OK;
	h->u = calloc(rq->nheaders, sizeof(*h->u));
	if (!h->u)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	for (size_t i = 0; i < rq->nheaders && !e; i++)
		e = split_user_header(rq->headers[i], &h->u[i], errmsg);
	return e;
}

/* The request's own values, each as it would go on the wire. */
static nk_err
check_values(const struct nk_http_request *rq, char *errmsg)
{
	const struct {
		const char *what, *v;
	} vals[] = {
		{ "User-Agent", rq->user_agent },
		{ "Referer", rq->referer },
		{ "Range", rq->range },
		{ "Accept-Encoding", rq->accept_encoding },
		{ "Accept", rq->accept },
		{ "Content-Type", rq->content_type },
	};
	nk_err e;
	for (size_t i = 0; i < NK_ARRAY_LEN(vals); i++) {
		if (!vals[i].v)
			continue;
		e = nk_http_check_value(vals[i].what, vals[i].v, strlen(vals[i].v),
		                        NK_ERR_FAILED_INIT, errmsg);
		if (e)
			return e;
	}
	if (rq->has_body && rq->body_len < 0)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "negative request body length");
	return NK_OK;
}

/* The Basic value of field `name` for "user:password" (NULL: none) in
 * *out, unless a user header names the field. */
static nk_err
basic_value(struct head *h, const char *userpass, const char *name,
            const char *what, char **out, char *errmsg)
{
	if (!userpass || user_names(h, name))
		return NK_OK;
	if (strlen(userpass) > NK_HTTP_MAX_REQUEST)
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "%suser:password too "
		               "long", what);
	*out = nk_http_basic("", userpass);
	if (!*out)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	return NK_OK;
}

/* Everything that can refuse the request, in the order it is reported,
 * before a byte of the head is written. */
static nk_err
check_request(struct head *h, char *errmsg)
{
	const struct nk_http_request *rq = h->rq;
	nk_err e;
	if ((e = check_method(h->method, errmsg)) ||
	    (e = check_target("request target", rq->target, errmsg)) ||
	    (e = split_user_headers(h, errmsg)))
		return e;
	h->user_host = user_names(h, "Host");
	if (!h->user_host && rq->host) {
		if ((e = check_target("Host", rq->host, errmsg)))
			return e;
	} else if (!h->user_host && !rq->http10) {
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "HTTP/1.1 request without a Host");
	}
	if ((e = check_values(rq, errmsg)))
		return e;
	if (rq->authorization && !user_names(h, "Authorization")) {
		/* a whole value (Digest, Bearer) made by the caller */
		if ((e = nk_http_check_value("Authorization", rq->authorization,
		                             strlen(rq->authorization),
		                             NK_ERR_FAILED_INIT, errmsg)))
			return e;
		h->auth = strdup(rq->authorization);
		if (!h->auth)
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	} else if ((e = basic_value(h, rq->userpass, "Authorization", "",
	                            &h->auth, errmsg))) {
		return e;
	}
	if (rq->proxy_authorization && !user_names(h, "Proxy-Authorization")) {
		if ((e = nk_http_check_value("Proxy-Authorization",
		                             rq->proxy_authorization,
		                             strlen(rq->proxy_authorization),
		                             NK_ERR_FAILED_INIT, errmsg)))
			return e;
		h->pauth = strdup(rq->proxy_authorization);
		return h->pauth ? NK_OK : nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY,
		                                  "out of memory");
	}
	return basic_value(h, rq->proxy_userpass, "Proxy-Authorization",
	                   "proxy ", &h->pauth, errmsg);
}

/* "Name: value\r\n"; "Name:\r\n" for an empty value ("Name;" given). */
static void
put_field(nk_buf *b, const char *name, size_t nlen, const char *val,
          size_t vlen)
{
	nk_buf_add(b, name, nlen);
	nk_buf_add(b, ": ", vlen ? 2 : 1);
	nk_buf_add(b, val, vlen);
	nk_buf_add(b, "\r\n", 2);
}

/* put_field for C strings. */
static void
put_str_field(nk_buf *b, const char *name, const char *val)
{
	put_field(b, name, strlen(name), val, strlen(val));
}

static void
put_request_line(struct head *h)
{
	nk_buf_adds(&h->b, h->method);
	nk_buf_addc(&h->b, ' ');
	nk_buf_adds(&h->b, h->rq->target);
	nk_buf_adds(&h->b, h->rq->http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
}

/* Host stays first even when the user sets it (RFC 9112 §3.2: a client
 * sends Host first), and goes once: several would make the request
 * invalid (RFC 9112 §3.2, a 400), so the first the user gave a value
 * decides, as in curl. */
static void
put_host(struct head *h)
{
	if (!h->user_host) {
		if (h->rq->host)
			put_str_field(&h->b, "Host", h->rq->host);
		return;
	}
	/* "Host:" removes nk's own; a later "Host: x" still goes, as in
	 * curl. */
	for (size_t i = 0; i < h->rq->nheaders; i++) {
		const struct uhdr *u = &h->u[i];
		if (!u->remove && nk_http_eq(u->name, u->name_len, "Host")) {
			put_field(&h->b, u->name, u->name_len, u->value, u->value_len);
			return;
		}
	}
}

static void
put_range(struct head *h)
{
	const struct nk_http_request *rq = h->rq;
	if (user_names(h, "Range"))
		return;
	if (rq->range) {
		nk_buf_adds(&h->b, "Range: bytes=");
		nk_buf_adds(&h->b, rq->range);
		nk_buf_add(&h->b, "\r\n", 2);
	} else if (rq->resume_from > 0) {
		char num[64];
		snprintf(num, sizeof(num), "bytes=%lld-",
		         (long long)rq->resume_from);
		put_str_field(&h->b, "Range", num);
	}
}

/* The fields nk sends before the user's, each unless a user header names
 * it. */
static void
put_defaults(struct head *h)
{
	const struct nk_http_request *rq = h->rq;
	const char *ua = rq->user_agent ? rq->user_agent : "nk/" NK_VERSION;
	if (h->pauth)
		put_str_field(&h->b, "Proxy-Authorization", h->pauth);
	if (h->auth)
		put_str_field(&h->b, "Authorization", h->auth);
	put_range(h);
	if (*ua && !user_names(h, "User-Agent"))
		put_str_field(&h->b, "User-Agent", ua);
	if (!user_names(h, "Accept"))
		put_str_field(&h->b, "Accept", rq->accept ? rq->accept : "*/*");
	if (rq->accept_encoding && !user_names(h, "Accept-Encoding"))
		put_str_field(&h->b, "Accept-Encoding", rq->accept_encoding);
	if (rq->referer && !user_names(h, "Referer"))
		put_str_field(&h->b, "Referer", rq->referer);
	if (rq->proxy_keepalive && !user_names(h, "Proxy-Connection"))
		put_str_field(&h->b, "Proxy-Connection", "Keep-Alive");
	if (rq->chunked && !user_names(h, "Transfer-Encoding"))
		put_str_field(&h->b, "Transfer-Encoding", "chunked");
}

/* The user's headers in their order, but Host (put first) and the ones
 * that only remove a field. */
static void
put_user_headers(struct head *h)
{
	for (size_t i = 0; i < h->rq->nheaders; i++) {
		const struct uhdr *u = &h->u[i];
		if (u->remove || nk_http_eq(u->name, u->name_len, "Host"))
			continue;
		put_field(&h->b, u->name, u->name_len, u->value, u->value_len);
	}
}

/* What describes the body, after the user's headers, and the empty line
 * that ends the head. */
static void
put_body_fields(struct head *h)
{
	const struct nk_http_request *rq = h->rq;
	if (rq->has_body && !user_names(h, "Content-Length")) {
		char num[64];
		snprintf(num, sizeof(num), "%lld", (long long)rq->body_len);
		put_str_field(&h->b, "Content-Length", num);
	}
	if (rq->content_type && !user_names(h, "Content-Type"))
		put_str_field(&h->b, "Content-Type", rq->content_type);
	if (rq->expect_continue && !user_names(h, "Expect"))
		put_str_field(&h->b, "Expect", "100-continue");
	nk_buf_add(&h->b, "\r\n", 2);
}

static nk_err
build(struct head *h, char *errmsg)
{
	nk_err e = check_request(h, errmsg);
	if (e)
		return e;
	put_request_line(h);
	put_host(h);
	put_defaults(h);
	put_user_headers(h);
	put_body_fields(h);
	/* the cap is the request's limit, not a file size */
	if (h->b.err == NK_ERR_FILESIZE_EXCEEDED)
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "request head longer "
		               "than %d bytes", NK_HTTP_MAX_REQUEST);
	if (h->b.err)
		return nk_fail(errmsg, h->b.err, "out of memory");
	return NK_OK;
}

nk_err
nk_http_request_build(const struct nk_http_request *rq, char **out,
                      size_t *outlen, char *errmsg)
{
	*out = NULL;
	if (outlen)
		*outlen = 0;
	if (!rq || !rq->target)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "HTTP request without a target");
	struct head h = { .rq = rq, .method = rq->method ? rq->method : "GET",
	                  .b = NK_BUF_INIT(NK_HTTP_MAX_REQUEST) };
	/* a usual head in one allocation, not four doublings */
	nk_buf_reserve(&h.b, 512);
	nk_err e = build(&h, errmsg);
	free(h.u);
	free(h.auth);
	free(h.pauth);
	if (e) {
		nk_buf_free(&h.b);
		return e;
	}
	if (outlen)
		*outlen = h.b.len;
	*out = nk_buf_take(&h.b);
	return NK_OK;
}
