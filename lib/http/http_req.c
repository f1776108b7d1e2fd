/* http_req: the request head serializer and the validation that keeps CR,
 * LF and NUL off the wire; plus the Basic credentials of Authorization and
 * Proxy-Authorization. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "http/http_int.h"
#include "core/internal.h"

/* A capped growable string; the first failure sticks so callers check once
 * at the end. */
struct sbuf {
	char *p;
	size_t len, cap;
	nk_err err;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (n > NK_HTTP_MAX_REQUEST - b->len) {
		b->err = NK_ERR_FAILED_INIT;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np) {
			b->err = NK_ERR_OUT_OF_MEMORY;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void
sb_header(struct sbuf *b, const char *name, size_t nlen, const char *val,
          size_t vlen)
{
	sb_add(b, name, nlen);
	sb_add(b, ": ", vlen ? 2 : 1);
	sb_add(b, val, vlen);
	sb_add(b, "\r\n", 2);
}

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

static nk_err
check_value(const char *what, const char *v, size_t len, nk_err code,
            char *errmsg)
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
		size_t i = 0;
		while (nk_http_tchar[(unsigned char)h->name[i]])
			i++;
		char e[5];
		nk_http_escape_byte(e, (unsigned char)h->name[i]);
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "refused header \"%s\": "
		               "%s at offset %zu is not allowed in a header name",
		               shown, e, i);
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

/* Does any user header name `name` (set, empty or removed)? */
static int
user_names(const struct uhdr *u, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (nk_http_eq(u[i].name, u[i].name_len, name))
			return 1;
	return 0;
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
	/* Writes the NUL too. */
	EVP_EncodeBlock((unsigned char *)out + p + 6,
	                (const unsigned char *)userpass, (int)n);
	return out;
}

nk_err
nk_http_request_build(const struct nk_http_request *rq, char **out,
                      size_t *outlen, char *errmsg)
{
	struct sbuf b = { 0 };
	struct uhdr *u = NULL;
	char *auth = NULL;
	char num[64];
	nk_err e;

	*out = NULL;
	if (outlen)
		*outlen = 0;
	if (!rq || !rq->target)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "HTTP request without a target");
	const char *method = rq->method ? rq->method : "GET";
	if (!nk_http_is_token(method, strlen(method))) {
		char shown[96];
		nk_http_escape(shown, sizeof(shown), method, strlen(method));
		if (!*method)
			return nk_fail(errmsg, NK_ERR_FAILED_INIT, "refused method \"\": "
			               "empty");
		size_t i = 0;
		while (nk_http_tchar[(unsigned char)method[i]])
			i++;
		char eb[5];
		nk_http_escape_byte(eb, (unsigned char)method[i]);
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "refused method \"%s\": "
		               "%s at offset %zu is not allowed in a method",
		               shown, eb, i);
	}
	if ((e = check_target("request target", rq->target, errmsg)))
		return e;

	if (rq->nheaders) {
		u = calloc(rq->nheaders, sizeof(*u));
		if (!u)
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	for (size_t i = 0; i < rq->nheaders; i++)
		if ((e = split_user_header(rq->headers[i], &u[i], errmsg)))
			goto fail;

	int user_host = user_names(u, rq->nheaders, "Host");
	if (!user_host && rq->host) {
		if ((e = check_target("Host", rq->host, errmsg)))
			goto fail;
	} else if (!user_host && !rq->http10) {
		e = nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		            "HTTP/1.1 request without a Host");
		goto fail;
	}
	const char *ua = rq->user_agent ? rq->user_agent : "nk/" NK_VERSION;
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
	for (size_t i = 0; i < NK_ARRAY_LEN(vals); i++)
		if (vals[i].v && (e = check_value(vals[i].what, vals[i].v,
		                                  strlen(vals[i].v),
		                                  NK_ERR_FAILED_INIT, errmsg)))
			goto fail;
	if (rq->has_body && rq->body_len < 0) {
		e = nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		            "negative request body length");
		goto fail;
	}

	sb_str(&b, method);
	sb_add(&b, " ", 1);
	sb_str(&b, rq->target);
	sb_str(&b, rq->http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");

	/* Host stays first even when the user sets it (RFC 9112 §3.2: a
	 * client sends Host first), and goes once: several would make the
	 * request invalid (RFC 9112 §3.2, a 400), so the first the user gave
	 * a value decides, as in curl. */
	if (user_host) {
		/* "Host:" removes nk's own; a later "Host: x" still goes, as
		 * in curl. */
		for (size_t i = 0; i < rq->nheaders; i++)
			if (!u[i].remove &&
			    nk_http_eq(u[i].name, u[i].name_len, "Host")) {
				sb_header(&b, u[i].name, u[i].name_len, u[i].value,
				          u[i].value_len);
				break;
			}
	} else if (rq->host) {
		sb_header(&b, "Host", 4, rq->host, strlen(rq->host));
	}
	if (rq->userpass && !user_names(u, rq->nheaders, "Authorization")) {
		if (strlen(rq->userpass) > NK_HTTP_MAX_REQUEST) {
			e = nk_fail(errmsg, NK_ERR_FAILED_INIT, "user:password too long");
			goto fail;
		}
		auth = nk_http_basic("", rq->userpass);
		if (!auth) {
			e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
			goto fail;
		}
		sb_header(&b, "Authorization", 13, auth, strlen(auth));
	}
	if (!user_names(u, rq->nheaders, "Range")) {
		if (rq->range) {
			sb_str(&b, "Range: bytes=");
			sb_str(&b, rq->range);
			sb_add(&b, "\r\n", 2);
		} else if (rq->resume_from > 0) {
			snprintf(num, sizeof(num), "bytes=%lld-",
			         (long long)rq->resume_from);
			sb_header(&b, "Range", 5, num, strlen(num));
		}
	}
	if (*ua && !user_names(u, rq->nheaders, "User-Agent"))
		sb_header(&b, "User-Agent", 10, ua, strlen(ua));
	if (!user_names(u, rq->nheaders, "Accept")) {
		const char *acc = rq->accept ? rq->accept : "*/*";
		sb_header(&b, "Accept", 6, acc, strlen(acc));
	}
	if (rq->accept_encoding && !user_names(u, rq->nheaders, "Accept-Encoding"))
		sb_header(&b, "Accept-Encoding", 15, rq->accept_encoding,
		          strlen(rq->accept_encoding));
	if (rq->referer && !user_names(u, rq->nheaders, "Referer"))
		sb_header(&b, "Referer", 7, rq->referer, strlen(rq->referer));
	if (rq->chunked && !user_names(u, rq->nheaders, "Transfer-Encoding"))
		sb_header(&b, "Transfer-Encoding", 17, "chunked", 7);
	for (size_t i = 0; i < rq->nheaders; i++) {
		if (u[i].remove || nk_http_eq(u[i].name, u[i].name_len, "Host"))
			continue;
		sb_header(&b, u[i].name, u[i].name_len, u[i].value, u[i].value_len);
	}
	if (rq->has_body && !user_names(u, rq->nheaders, "Content-Length")) {
		snprintf(num, sizeof(num), "%lld", (long long)rq->body_len);
		sb_header(&b, "Content-Length", 14, num, strlen(num));
	}
	if (rq->content_type && !user_names(u, rq->nheaders, "Content-Type"))
		sb_header(&b, "Content-Type", 12, rq->content_type,
		          strlen(rq->content_type));
	if (rq->expect_continue && !user_names(u, rq->nheaders, "Expect"))
		sb_header(&b, "Expect", 6, "100-continue", 12);
	sb_add(&b, "\r\n", 2);

	if (b.err == NK_ERR_FAILED_INIT) {
		e = nk_fail(errmsg, NK_ERR_FAILED_INIT, "request head longer than "
		            "%d bytes", NK_HTTP_MAX_REQUEST);
		goto fail;
	} else if (b.err) {
		e = nk_fail(errmsg, b.err, "out of memory");
		goto fail;
	}
	free(u);
	free(auth);
	*out = b.p;
	if (outlen)
		*outlen = b.len;
	return NK_OK;
fail:
	free(b.p);
	free(u);
	free(auth);
	return e;
}
