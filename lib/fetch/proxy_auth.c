/* proxy_auth.c: authentication with an HTTP proxy (--proxy-basic,
 * --proxy-digest, --proxy-anyauth with --proxy-user), as curl 7.88 makes
 * it: the Proxy-Authorization of a forwarded request or a CONNECT, from
 * the run's struct nk_auth (proxy 1). */
#include <stdlib.h>
#include <string.h>

#include "fetch/fetch_int.h"

/* The Proxy-Authorization value for a request to the proxy px (method,
 * uri: the absolute URL of a forwarded request, "host:port" for a
 * CONNECT) into *value, NULL when none goes yet (Digest before its
 * challenge, --proxy-anyauth before the first 407). pa NULL: --proxy-
 * user's Basic as nk_http_request makes it (*value NULL). */
nk_err
proxy_authz(struct nk_auth *pa, const nk_fetch_callbacks *cb,
            const struct nk_proxy *px, const char *method, const char *uri,
            char **value, char *errmsg)
{
	*value = NULL;
	if (!pa)
		return NK_OK;
	pa->want &= NK_AUTH_BASIC | NK_AUTH_DIGEST;
	if (!pa->want)
		pa->want = NK_AUTH_BASIC;
	pa->user = px ? px->user : NULL;
	pa->pass = px ? px->pass : NULL;
	pa->bearer = NULL;
	if (!pa->user)
		return NK_OK;
	nk_err e = nk_auth_header(pa, 1, method, uri, value, errmsg);
	pa->probe = 0;
	if (!e && *value)
		fetch_trace(cb, "Proxy auth using %s with user '%.100s'",
		            nk_auth_name(pa->picked), pa->user);
	return e;
}
