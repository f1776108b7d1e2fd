/* proxy: the proxy a fetch goes through (HTTP or SOCKS), as curl's -x
 * and *_proxy name it, and the no_proxy list that sends a host around it.
 * Internal to libnk (lib/net/, lib/fetch/). */
#ifndef NK_PROXY_INT_H
#define NK_PROXY_INT_H

#include "nk/err.h"
#include "nk/net.h"

struct nk_proxy {
	char *host;             /* connect host (IPv6 without brackets); NULL:
	                           no proxy */
	int port;
	nk_socks_kind socks;    /* 0: an HTTP proxy; else the SOCKS version */
	int tls;                /* an HTTPS proxy: TLS to it, HTTP inside */
	char *userpass;         /* decoded "user:password", or NULL */
	char *user, *pass;      /* the same, apart (NULL when userpass is) */
	char *display;          /* "host:port" for messages */
	/* Set by the fetcher (borrowed): */
	int tunnel;             /* -p: CONNECT for http:// URLs too */
	const char *const *headers;  /* --proxy-header lines */
	size_t nheaders;
};

/* Parses "[SCHEME://][user:password@]host[:port]" (port 1080 by default,
 * as curl) into p, which owns its strings; NULL or "" is no proxy.
 * SCHEME is http, https (port 443 by default, as curl), socks4, socks4a,
 * socks5 or socks5h. userpass (may be
 * NULL) is --proxy-user's "user:password", percent-decoded as curl does,
 * for a proxy URL without credentials. Errors:
 * NK_ERR_COULDNT_RESOLVE_PROXY (5: it does not parse),
 * NK_ERR_COULDNT_CONNECT (7: another scheme, as curl),
 * NK_ERR_OUT_OF_MEMORY. */
nk_err nk_proxy_parse(const char *spec, const char *userpass,
                      struct nk_proxy *p, char *errmsg);

/* Makes c, a plain conn to the proxy named `name` ("name:port" in
 * messages: display), speak TLS with it before the deadline (the tls
 * layer's part of an HTTPS proxy). */
typedef nk_err (*nk_proxy_secure_fn)(void *arg, nk_conn *c, const char *name,
                                     const char *display, nk_time deadline,
                                     char *errmsg);

/* nk_connect_via, with secure (may be NULL: an https:// proxy is then
 * NK_ERR_COULDNT_CONNECT) called with arg for TLS to an HTTPS proxy,
 * before its CONNECT; its errors are returned as they are. */
nk_err nk_proxy_via(const nk_netopts *o, const char *proxy,
                    const char *noproxy, const char *host, int port,
                    nk_time deadline, nk_proxy_secure_fn secure, void *arg,
                    nk_conn **out, nk_connect_info *info, char *errmsg);

/* Frees p's strings and zeroes it. */
void nk_proxy_clear(struct nk_proxy *p);

/* Whether host (a name or an address literal) is in curl's NO_PROXY list:
 * "*", or entries separated by commas; a name matches itself and its
 * subdomains, an address may carry a /prefix length. */
int nk_no_proxy_for(const char *list, const char *host);

#endif
