/* target.c: where a request goes. A URL parsed as curl takes it, the
 * scheme and origin rules that decide what may follow it, the route
 * (proxy and pool key), and which of the user's headers carry
 * credentials. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetch/fetch_int.h"

/* Parses a URL as curl takes it: one without a scheme gets the default
 * scheme. */
nk_err
fetch_parse_url(const char *in, const char *scheme, nk_url **out, char *errmsg)
{
	char msg[NK_ERR_MSG_LEN];
	nk_err e;
	/* The URL Standard drops tabs and newlines, and a browser's address
	 * bar may; a URL given to a client with a CR or LF in it is a
	 * mistake or an attack, and curl refuses it: so does nk. */
	for (const unsigned char *p = (const unsigned char *)in; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return nk_fail(errmsg, NK_ERR_URL_MALFORMAT, "invalid URL: "
			               "control character \\x%02x at position %zu",
			               *p, (size_t)(p - (const unsigned char *)in) + 1);
	e = nk_url_parse_default_scheme(in, scheme, out, msg);
	if (e == NK_ERR_URL_MALFORMAT)
		return nk_fail(errmsg, e, "invalid URL \"%.100s\": %s", in, msg);
	if (e)
		return nk_fail(errmsg, e, "%s", msg);
	return NK_OK;
}

int
is_http(const nk_url *u)
{
	const char *s = nk_url_scheme(u);
	return strcmp(s, "http") == 0 || strcmp(s, "https") == 0;
}

int
is_https(const nk_url *u)
{
	return strcmp(nk_url_scheme(u), "https") == 0;
}

/* Same scheme, host and port: where the user's credentials may go. */
int
same_origin(const nk_url *a, const nk_url *b)
{
	return strcmp(nk_url_scheme(a), nk_url_scheme(b)) == 0 &&
	       strcmp(nk_url_connect_host(a), nk_url_connect_host(b)) == 0 &&
	       nk_url_port(a) == nk_url_port(b);
}

/* The URL without its fragment (and without credentials), for a proxy's
 * absolute-form target and for Referer. Caller frees. */
char *
url_no_fragment(const nk_url *u, int strip_userinfo)
{
	const char *href = nk_url_get(u, NK_URL_HREF);
	const char *hash = strchr(href, '#');
	size_t len = hash ? (size_t)(hash - href) : strlen(href);
	if (strip_userinfo && (*nk_url_get(u, NK_URL_USERNAME) ||
	                       *nk_url_get(u, NK_URL_PASSWORD))) {
		const char *origin = nk_url_get(u, NK_URL_ORIGIN);
		const char *path = nk_url_target(u);
		size_t n = strlen(origin) + strlen(path) + 1;
		char *s = malloc(n);
		if (s)
			snprintf(s, n, "%s%s", origin, path);
		return s;
	}
	return strndup(href, len);
}

/* Whether a -H line ("Name: value", "Name:", "Name;") is for name. */
int
header_is(const char *h, const char *name)
{
	size_t n = strlen(name);
	return strncasecmp(h, name, n) == 0 && (h[n] == ':' || h[n] == ';');
}

/* A -H line that carries credentials: Authorization or Cookie. */
int
is_cred_header(const char *h)
{
	return header_is(h, "Authorization") || header_is(h, "Cookie");
}

int
has_creds(const nk_fetch_request *rq)
{
	if (rq->userpass)
		return 1;
	for (size_t i = 0; i < rq->nheaders; i++)
		if (is_cred_header(rq->headers[i]))
			return 1;
	return 0;
}

/* Where a request for u goes: the proxy (NULL: straight to the host), and
 * the pool key of the connection that carries it. */
const struct nk_proxy *
fetch_route(const nk_fetch *f, const nk_url *u, char key[KEY_LEN])
{
	const char *host = nk_url_connect_host(u);
	const struct nk_proxy *px = is_https(u) ? &f->https_proxy : &f->http_proxy;
	if (!px->host || nk_no_proxy_for(f->cfg.no_proxy, host))
		px = NULL;
	/* "scheme://host:port proxyhost:proxyport" */
	char *k = key, *end = key + KEY_LEN;
	k = nk_put_str(k, end, nk_url_scheme(u));
	k = nk_put_str(k, end, "://");
	k = nk_put_str(k, end, host);
	k = nk_put_str(k, end, ":");
	k = nk_put_uint(k, end, (unsigned)nk_url_port(u));
	k = nk_put_str(k, end, " ");
	k = nk_put_str(k, end, px ? px->host : "");
	k = nk_put_str(k, end, ":");
	nk_put_uint(k, end, px ? (unsigned)px->port : 0);
	return px;
}

/* Whether the proxy px forwards the request for u (absolute-form, its
 * credentials in the head): an HTTP proxy, for http:// without -p. A
 * SOCKS proxy or a CONNECT tunnel carries the bytes unseen. */
int
proxy_forwards(const struct nk_proxy *px, const nk_url *u)
{
	return px && !px->socks && !px->tunnel && !is_https(u);
}
