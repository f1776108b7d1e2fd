/* auth_challenge: the lexical side of HTTP authentication. Reads the
 * challenges of WWW-Authenticate and Proxy-Authenticate (RFC 9110 §11: a
 * scheme, then a token68 or auth-params with quoted-strings, several in
 * one field and across fields; an element that breaks the grammar is
 * skipped to the next comma), names the schemes, and keeps control bytes
 * out of the values nk builds from them. Bounded by the field: every
 * step moves on, nothing is copied but into the caller's buffer. */
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
