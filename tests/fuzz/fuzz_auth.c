/* libFuzzer target: lib/http/auth_int.h, the challenges of WWW-
 * Authenticate / Proxy-Authenticate, the Digest answer and the 401/407
 * flow.
 *
 * Input: [0] flags (bit 0: a proxy's 407; bit 1: -u given; bit 2: a
 * bearer token; bit 3: RFC 8187 user names), [1] the want mask (low 3
 * bits: Basic, Digest, Bearer; 0 is curl's default, Basic), then field
 * values separated by NUL (at most 8 fields).
 *
 * Checks: every challenge and param view lies inside its field and moves
 * on; a scheme and a param name are tokens; a quoted value starts and
 * ends with '"'; an unquoted value is no longer than the raw one. A
 * Digest challenge taken has a nonce of at most NK_DIGEST_MAX_VALUE
 * bytes, and its answer starts "Digest username", holds no control byte
 * and a response of 32 or 64 hex digits. nk_auth_retry picks a single
 * scheme the user allows; the header that follows holds no control byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/auth_int.h"
#include "http/http_int.h"
#include "fuzz.h"

#define MAX_FIELDS 8

static int
inside(const char *p, size_t n, const char *lo, const char *hi)
{
	return p >= lo && p <= hi && n <= (size_t)(hi - p);
}

static void
check_clean(const char *v)
{
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;
		FUZZ_CHECK(c >= 0x20 || c == '\t', "control byte 0x%02x in %s", c,
		           v);
		FUZZ_CHECK(c != 0x7f, "DEL in %s", v);
	}
}

/* The answer read back as a challenge: one "Digest" with well-formed
 * params, realm, nonce and opaque as the server sent them (the quoting
 * holds), a response of 32 or 64 hex digits. */
static void
check_answer(struct nk_digest *d, int star)
{
	char *v = NULL, msg[NK_ERR_MSG_LEN];
	FUZZ_CHECK(d->nonce[0] && strlen(d->nonce) <= NK_DIGEST_MAX_VALUE,
	           "nonce of %zu bytes", strlen(d->nonce));
	d->username_star = star;
	nk_err e = nk_auth_digest_response(d, "GET", "/p?q", "us\"er\\",
	                                   "pass", &v, msg);
	FUZZ_CHECK(e == NK_OK, "answer: %d %s", (int)e, msg);
	FUZZ_CHECK(strncmp(v, "Digest username", 15) == 0, "starts %s", v);
	check_clean(v);

	const char *p = v, *end = v + strlen(v);
	struct nk_auth_challenge c, more;
	FUZZ_CHECK(nk_auth_next(&p, end, &c) && !c.malformed && c.params &&
	           nk_auth_scheme(&c) == NK_AUTH_DIGEST, "answer: %s", v);
	FUZZ_CHECK(!nk_auth_next(&p, end, &more), "two challenges in %s", v);
	p = c.params;
	struct nk_auth_param a;
	static char got[NK_DIGEST_MAX_VALUE + 1];
	int seen = 0;
	while (nk_auth_param_next(&p, end, &a)) {
		nk_auth_param_value(&a, got, sizeof got);
		if (nk_http_eq(a.name, a.name_len, "realm"))
			FUZZ_CHECK(strcmp(got, d->realm) == 0, "realm %s", got);
		else if (nk_http_eq(a.name, a.name_len, "nonce"))
			FUZZ_CHECK(strcmp(got, d->nonce) == 0, "nonce %s", got);
		else if (nk_http_eq(a.name, a.name_len, "opaque"))
			FUZZ_CHECK(strcmp(got, d->opaque) == 0, "opaque %s", got);
		else if (nk_http_eq(a.name, a.name_len, "response")) {
			size_t n = strspn(got, "0123456789abcdef");
			FUZZ_CHECK((n == 32 || n == 64) && !got[n], "response %s", got);
		} else {
			continue;
		}
		seen++;
	}
	FUZZ_CHECK(seen == 3 + d->has_opaque, "%d fields in %s", seen, v);
	free(v);
}

static void
check_params(const struct nk_auth_challenge *c)
{
	const char *p = c->params;
	const char *end = p ? p + c->params_len : NULL;
	struct nk_auth_param a;
	char out[64];
	while (p && nk_auth_param_next(&p, end, &a)) {
		FUZZ_CHECK(inside(a.name, a.name_len, c->params, end) &&
		           inside(a.value, a.value_len, c->params, end),
		           "param outside its challenge");
		FUZZ_CHECK(p <= end && p >= a.value + a.value_len, "no progress");
		FUZZ_CHECK(nk_http_is_token(a.name, a.name_len), "name no token");
		FUZZ_CHECK(a.value_len > 0, "empty value");
		if (a.quoted)
			FUZZ_CHECK(a.value_len >= 2 && a.value[0] == '"' &&
			           a.value[a.value_len - 1] == '"', "quoted value");
		else
			FUZZ_CHECK(nk_http_is_token(a.value, a.value_len),
			           "unquoted value no token");
		size_t n = nk_auth_param_value(&a, out, sizeof out);
		FUZZ_CHECK(n <= a.value_len, "unquoted longer than raw");
		FUZZ_CHECK(strlen(out) == (n < sizeof out ? n : sizeof out - 1),
		           "value length");
	}
}

/* Every challenge of one field: views and progress; Digest answered. */
static void
check_field(const char *v, size_t len, int star)
{
	const char *p = v, *end = v + len, *before = v;
	struct nk_auth_challenge c;
	size_t count = 0;
	while (nk_auth_next(&p, end, &c)) {
		FUZZ_CHECK(++count <= len, "more challenges than bytes");
		FUZZ_CHECK(c.scheme >= before && p > c.scheme && p <= end,
		           "no progress");
		FUZZ_CHECK(nk_http_is_token(c.scheme, c.scheme_len),
		           "scheme no token");
		FUZZ_CHECK(!c.token68 || inside(c.token68, c.token68_len, v, p),
		           "token68 outside");
		FUZZ_CHECK(!c.params_len || inside(c.params, c.params_len, v, p),
		           "params outside");
		FUZZ_CHECK(!(c.token68 && c.params_len), "token68 and params");
		check_params(&c);
		if (nk_auth_scheme(&c) == NK_AUTH_DIGEST) {
			struct nk_digest d;
			memset(&d, 0, sizeof d);
			if (nk_digest_challenge(&d, &c, NULL) == NK_OK)
				check_answer(&d, star);
			else
				FUZZ_CHECK(d.nonce[0] == '\0', "nonce kept on error");
		}
		before = p;
	}
	FUZZ_CHECK(p == end, "stopped at %zd of %zu", p - v, len);
}

static void
check_flow(struct nk_http_response *res, int flags, unsigned want)
{
	int proxy = flags & 1;
	struct nk_auth a;
	char *v = NULL, msg[NK_ERR_MSG_LEN];
	memset(&a, 0, sizeof a);
	a.want = want;
	a.user = flags & 2 ? "user" : NULL;
	a.pass = "pw";
	a.bearer = flags & 4 ? "tok" : NULL;
	a.digest.username_star = (flags >> 3) & 1;
	for (int round = 0; round < 3; round++) {
		nk_err e = nk_auth_header(&a, proxy, "POST", "/x", &v, msg);
		FUZZ_CHECK(e == NK_OK, "header: %d %s", (int)e, msg);
		if (v)
			check_clean(v);
		free(v);
		v = NULL;
		if (!nk_auth_retry(&a, res, proxy, msg))
			break;
		unsigned allowed = want ? want : NK_AUTH_BASIC;
		FUZZ_CHECK(a.picked && !(a.picked & (a.picked - 1)) &&
		           (a.picked & allowed & a.offered),
		           "picked %x of %x offered %x", a.picked, allowed, a.offered);
		FUZZ_CHECK(!(proxy && a.picked == NK_AUTH_BEARER), "proxy bearer");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = FUZZ_IN(data, size);
	int flags = fuzz_u8(&in);
	unsigned want = fuzz_u8(&in) & 7u;
	struct nk_http_header h[MAX_FIELDS];
	struct nk_http_response res;
	memset(&res, 0, sizeof res);
	res.headers = h;
	res.max_headers = MAX_FIELDS;
	res.status = flags & 1 ? 407 : 401;

	/* each field in its own allocation: a read past it is ASan's */
	char *copies[MAX_FIELDS] = { 0 };
	while (in.n > 0 && res.num_headers < MAX_FIELDS) {
		const uint8_t *f;
		size_t n = fuzz_field(&in, 0, &f);
		char *c = malloc(n ? n : 1);
		FUZZ_CHECK(c != NULL, "out of memory");
		memcpy(c, f, n);
		copies[res.num_headers] = c;
		check_field(c, n, (flags >> 3) & 1);
		struct nk_http_header *x = &h[res.num_headers++];
		x->name = flags & 1 ? "Proxy-Authenticate" : "WWW-Authenticate";
		x->name_len = strlen(x->name);
		x->value = c;
		x->value_len = n;
	}
	check_flow(&res, flags, want);
	for (size_t i = 0; i < MAX_FIELDS; i++)
		free(copies[i]);
	return 0;
}
