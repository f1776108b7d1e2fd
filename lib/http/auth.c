/* auth: what nk answers to a server's 401 or a proxy's 407. Picks the
 * scheme curl would among those offered (auth_challenge.c reads them),
 * builds Bearer and Basic, and runs the retry rules of curl's http.c:
 * which scheme goes first, when a 401 means "try again" and when it is
 * the answer. The Digest answer itself is auth_digest.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/auth_int.h"
#include "http/http_int.h"
#include "core/internal.h"

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
nk_auth_bearer(const char *token, size_t len, char **value, char *errmsg)
{
	*value = NULL;
	nk_err e = nk_http_check_value("--oauth2-bearer token", token, len,
	                               NK_ERR_FAILED_INIT, errmsg);
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
