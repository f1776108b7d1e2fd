/* auth: what a server's 401 or a proxy's 407 asks for and what nk answers.
 * Reads the challenges of WWW-Authenticate and Proxy-Authenticate (RFC
 * 9110 §11: a scheme, then a token68 or auth-params, several in one field
 * and across fields), picks the scheme curl would, builds Bearer, and runs
 * the retry rules of curl's http.c (which scheme goes first, when a 401
 * means "try again" and when it is the answer). The Digest answer itself
 * is auth_digest.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/auth_int.h"
#include "http/http_int.h"
#include "core/internal.h"

/* ---- lexical pieces ------------------------------------------------ */

static const char *
skip_ows(const char *p, const char *end)
{
	while (p < end && nk_http_ows(*p))
		p++;
	return p;
}

/* Past OWS and empty list elements: where the next element starts. */
static const char *
skip_seps(const char *p, const char *end)
{
	while (p < end && (nk_http_ows(*p) || *p == ','))
		p++;
	return p;
}

static const char *
token_end(const char *p, const char *end)
{
	while (p < end && nk_http_tchar[(unsigned char)*p])
		p++;
	return p;
}

/* token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
static int
t68char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~' || c == '+' || c == '/';
}

/* p is at a '"': the byte after the closing quote, NULL when the string
 * never closes (a backslash quotes the byte after it). */
static const char *
quoted_end(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\') {
			if (++p == end)
				return NULL;
		} else if (*p == '"') {
			return p + 1;
		}
	}
	return NULL;
}

/* From p, the ',' that ends this list element (quotes respected), or end. */
static const char *
element_end(const char *p, const char *end)
{
	while (p < end && *p != ',') {
		if (*p == '"') {
			p = quoted_end(p, end);
			if (!p)
				return end;
		} else {
			p++;
		}
	}
	return p;
}

/* auth-param = token BWS "=" BWS ( token / quoted-string ) at p: fills a
 * and returns the byte after the value, or NULL when p holds none. */
static const char *
scan_param(const char *p, const char *end, struct nk_auth_param *a)
{
	const char *n = token_end(p, end), *q, *e;
	if (n == p)
		return NULL;
	q = skip_ows(n, end);
	if (q == end || *q != '=')
		return NULL;
	q = skip_ows(q + 1, end);
	if (q < end && *q == '"') {
		e = quoted_end(q, end);
		if (!e)
			return NULL;
		a->quoted = 1;
	} else {
		e = token_end(q, end);
		if (e == q)
			return NULL;
		a->quoted = 0;
	}
	a->name = p;
	a->name_len = (size_t)(n - p);
	a->value = q;
	a->value_len = (size_t)(e - q);
	return e;
}

/* An auth-param that makes up the whole list element at p: fills a and
 * returns the byte after its value (OWS and ',' or end follow), or NULL. */
static const char *
whole_param(const char *p, const char *end, struct nk_auth_param *a)
{
	const char *e = scan_param(p, end, a);
	const char *v = e ? skip_ows(e, end) : NULL;
	return v && (v == end || *v == ',') ? e : NULL;
}

/* Does the element at p start like an auth-param (token BWS "=")? If not,
 * it is the next challenge. */
static int
starts_param(const char *p, const char *end)
{
	const char *n = token_end(p, end);
	if (n == p)
		return 0;
	n = skip_ows(n, end);
	return n < end && *n == '=';
}

/* A token68 at p that makes up the whole element: its end, or NULL. */
static const char *
scan_token68(const char *p, const char *end)
{
	const char *t = p;
	while (t < end && t68char((unsigned char)*t))
		t++;
	if (t == p)
		return NULL;
	while (t < end && *t == '=')
		t++;
	const char *v = skip_ows(t, end);
	return v == end || *v == ',' ? t : NULL;
}

/* ---- challenges ---------------------------------------------------- */

/* The elements of one challenge after its scheme, from p: a token68 or
 * auth-params, up to the element that starts the next challenge (one
 * that does not begin "token =" ). Returns where that one starts, or
 * end. Every turn moves p on: an element never starts with ','. */
static const char *
read_body(const char *p, const char *end, struct nk_auth_challenge *c)
{
	struct nk_auth_param a;
	const char *t = scan_token68(p, end), *n;
	/* "a=b" is a param, "YWJj==" and "abc=" are token68s */
	if (t && !whole_param(p, end, &a)) {
		c->token68 = p;
		c->token68_len = (size_t)(t - p);
		p = t;
		/* params after a token68 belong to no grammar */
		while ((n = skip_seps(p, end)) < end && starts_param(n, end)) {
			c->malformed = 1;
			p = element_end(n, end);
		}
		return p;
	}
	const char *last = p;
	c->params = p;
	for (;;) {
		const char *e = whole_param(p, end, &a);
		if (e) {
			last = e;
			p = skip_ows(e, end);
		} else {
			c->malformed = 1;
			p = element_end(p, end);
			for (last = p; nk_http_ows(last[-1]); last--)
				;
		}
		n = skip_seps(p, end);
		if (n == end || !starts_param(n, end))
			break;
		p = n;
	}
	c->params_len = (size_t)(last - c->params);
	return p;
}

int
nk_auth_next(const char **pp, const char *end, struct nk_auth_challenge *c)
{
	const char *p = *pp;
	memset(c, 0, sizeof *c);
	for (;;) {
		p = skip_seps(p, end);
		if (p >= end) {
			*pp = end;
			return 0;
		}
		const char *s = token_end(p, end);
		if (s > p) {
			c->scheme = p;
			c->scheme_len = (size_t)(s - p);
			p = s;
			break;
		}
		/* not a challenge: skip the element */
		p = element_end(p, end);
	}
	const char *r = skip_ows(p, end);
	if (r == end || *r == ',') {
		*pp = r;
		return 1;
	}
	if (r == p) {
		/* "Basic=x", "Basic\"": the scheme runs into junk */
		c->malformed = 1;
		*pp = element_end(r, end);
		return 1;
	}
	*pp = read_body(r, end, c);
	return 1;
}

int
nk_auth_param_next(const char **pp, const char *end, struct nk_auth_param *a)
{
	const char *p = *pp;
	for (;;) {
		p = skip_seps(p, end);
		if (p >= end) {
			*pp = end;
			return 0;
		}
		const char *e = whole_param(p, end, a);
		if (e) {
			*pp = skip_ows(e, end);
			return 1;
		}
		/* malformed: on from the next comma; p is no ',', so this
		 * moves on */
		p = element_end(p, end);
	}
}

size_t
nk_auth_param_value(const struct nk_auth_param *a, char *out, size_t outsz)
{
	const char *s = a->value, *end = a->value + a->value_len;
	size_t n = 0;
	if (a->quoted && a->value_len >= 2) {
		s++;
		end--;
	}
	for (; s < end; s++) {
		if (a->quoted && *s == '\\' && s + 1 < end)
			s++;
		if (n + 1 < outsz)
			out[n] = *s;
		n++;
	}
	if (outsz)
		out[n < outsz ? n : outsz - 1] = '\0';
	return n;
}

static const struct {
	const char *name;
	unsigned bit;
} schemes[] = {
	{ "Basic", NK_AUTH_BASIC },
	{ "Digest", NK_AUTH_DIGEST },
	{ "Bearer", NK_AUTH_BEARER },
	{ "NTLM", NK_AUTH_NTLM },
	{ "Negotiate", NK_AUTH_NEGOTIATE },
};

unsigned
nk_auth_scheme(const struct nk_auth_challenge *c)
{
	for (size_t i = 0; i < NK_ARRAY_LEN(schemes); i++)
		if (nk_http_eq(c->scheme, c->scheme_len, schemes[i].name))
			return schemes[i].bit;
	return 0;
}

const char *
nk_auth_name(unsigned scheme)
{
	for (size_t i = 0; i < NK_ARRAY_LEN(schemes); i++)
		if (scheme == schemes[i].bit)
			return schemes[i].name;
	return "none";
}

unsigned
nk_auth_pick(unsigned offered, unsigned want)
{
	/* curl's pickoneauth order; Negotiate and NTLM are never in nk's
	 * mask, so they are never chosen over what comes after them */
	static const unsigned order[] = { NK_AUTH_NEGOTIATE, NK_AUTH_BEARER,
	                                  NK_AUTH_DIGEST, NK_AUTH_NTLM,
	                                  NK_AUTH_BASIC };
	unsigned avail = offered & want & NK_AUTH_ANY;
	for (size_t i = 0; i < NK_ARRAY_LEN(order); i++)
		if (avail & order[i])
			return order[i];
	return 0;
}

/* ---- building values ------------------------------------------------ */

nk_err
nk_auth_refuse_ctl(const char *what, const char *s, size_t len,
                   char *errmsg)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			char e[5], shown[96];
			nk_http_escape_byte(e, c);
			nk_http_escape(shown, sizeof shown, s, len);
			return nk_fail(errmsg, NK_ERR_FAILED_INIT, "refused %s \"%s\": "
			               "control byte %s at offset %zu", what, shown,
			               e, i);
		}
	}
	return NK_OK;
}

nk_err
nk_auth_bearer(const char *token, size_t len, char **value, char *errmsg)
{
	*value = NULL;
	nk_err e = nk_auth_refuse_ctl("--oauth2-bearer token", token, len,
	                              errmsg);
	if (e)
		return e;
	if (len > NK_HTTP_MAX_REQUEST)
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "refused --oauth2-bearer "
		               "token: longer than %d bytes", NK_HTTP_MAX_REQUEST);
	char *v = malloc(len + 8);
	if (!v)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	memcpy(v, "Bearer ", 7);
	memcpy(v + 7, token, len);
	v[len + 7] = '\0';
	*value = v;
	return NK_OK;
}

static nk_err
basic_value(const struct nk_auth *a, char **value, char *errmsg)
{
	const char *pass = a->pass ? a->pass : "";
	size_t u = strlen(a->user), p = strlen(pass);
	char *up = malloc(u + p + 2);
	if (!up)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	memcpy(up, a->user, u);
	up[u] = ':';
	memcpy(up + u + 1, pass, p + 1);
	*value = nk_http_basic("", up);
	free(up);
	if (!*value)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "Basic credentials: "
		               "out of memory or longer than %d bytes",
		               NK_HTTP_MAX_REQUEST);
	return NK_OK;
}

/* ---- the 401/407 flow ----------------------------------------------- */

static int
has_credentials(const struct nk_auth *a, int proxy)
{
	return a->user || (!proxy && a->bearer);
}

nk_err
nk_auth_header(struct nk_auth *a, int proxy, const char *method,
               const char *uri, char **value, char *errmsg)
{
	*value = NULL;
	a->probe = 0;
	if (!has_credentials(a, proxy))
		return NK_OK;
	/* curl: until a server answered, the scheme in use is all the user
	 * allows; only a single one is sent up front */
	if (!a->picked)
		a->picked = a->want ? a->want : NK_AUTH_BASIC;
	switch (a->picked) {
	case NK_AUTH_BASIC:
		return a->user ? basic_value(a, value, errmsg) : NK_OK;
	case NK_AUTH_BEARER:
		if (proxy || !a->bearer)
			return NK_OK;
		return nk_auth_bearer(a->bearer, strlen(a->bearer), value, errmsg);
	case NK_AUTH_DIGEST:
		if (!a->digest.nonce[0]) {
			a->probe = 1;
			return NK_OK;
		}
		return nk_auth_digest_response(&a->digest, method, uri,
		                               a->user ? a->user : "",
		                               a->pass ? a->pass : "", value,
		                               errmsg);
	default:
		return NK_OK;
	}
}

/* Reads the challenges of one field value into a->offered. Returns 0, or
 * 1 (with the reason in errmsg) when curl would stop on them: the scheme
 * it sent is offered again, or the Digest challenge is unusable. Only the
 * first Digest challenge counts (curl: "Ignoring duplicate digest auth
 * header"). */
static int
read_field(struct nk_auth *a, unsigned sent, const char *v, size_t len,
           char *errmsg)
{
	const char *p = v, *end = v + len;
	struct nk_auth_challenge c;
	int stop = 0;
	while (nk_auth_next(&p, end, &c)) {
		unsigned bit = nk_auth_scheme(&c);
		if (bit == NK_AUTH_DIGEST && (a->offered & NK_AUTH_DIGEST))
			continue;
		a->offered |= bit;
		if (stop)
			continue;
		if (bit == NK_AUTH_DIGEST) {
			stop = nk_digest_challenge(&a->digest, &c, errmsg) != NK_OK;
		} else if (bit && bit == sent &&
		           (bit == NK_AUTH_BASIC || bit == NK_AUTH_BEARER)) {
			nk_fail(errmsg, NK_OK, "%s credentials refused",
			        nk_auth_name(bit));
			stop = 1;
		}
	}
	return stop;
}

int
nk_auth_retry(struct nk_auth *a, const struct nk_http_response *res,
              int proxy, char *errmsg)
{
	const char *field = proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
	unsigned sent = a->picked ? a->picked
	                          : a->want ? a->want : NK_AUTH_BASIC;
	const struct nk_http_header *h;
	size_t it = 0;
	int stop = 0;

	a->offered = 0;
	if (!has_credentials(a, proxy)) {
		nk_fail(errmsg, NK_OK, "no credentials for %s", proxy ? "the proxy"
		        : "the server");
		return 0;
	}
	while ((h = nk_http_header_find(res, field, &it)))
		if (read_field(a, sent, h->value, h->value_len,
		               stop ? NULL : errmsg))
			stop = 1;
	if (stop)
		return 0;
	if (a->rounds >= NK_AUTH_MAX_ROUNDS) {
		nk_fail(errmsg, NK_OK, "gave up after %d authentication rounds",
		        NK_AUTH_MAX_ROUNDS);
		return 0;
	}
	unsigned mask = a->want ? a->want : NK_AUTH_BASIC;
	if (proxy || !a->bearer)
		mask &= ~NK_AUTH_BEARER;
	unsigned pick = nk_auth_pick(a->offered, mask);
	if (!pick) {
		nk_fail(errmsg, NK_OK, "no authentication scheme in common with "
		        "the %s", proxy ? "proxy" : "server");
		return 0;
	}
	a->picked = pick;
	a->rounds++;
	return 1;
}
