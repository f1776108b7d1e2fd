/* tls via: nk_tls_connect_via, a raw connection through any proxy
 * nk_connect_via knows and through an HTTPS proxy too. The net layer
 * connects, tunnels and words its errors; it calls back here for the TLS
 * with the proxy, between the TCP connect and the CONNECT, since TLS is a
 * layer above it. */
#include <stdint.h>

#include "core/internal.h"
#include "net/proxy_int.h"
#include "tls/tls_int.h"

/* TLS with the HTTPS proxy: a context for this one connection (the conn
 * keeps its own reference), the proxy's name verified. */
static nk_err
secure_proxy(void *arg, nk_conn *c, const char *name, const char *display,
             nk_time deadline, char *errmsg)
{
	const nk_tls_config *cfg = arg;
	char why[NK_ERR_MSG_LEN] = "";
	nk_tls_ctx *ctx;
	nk_err e = nk_tls_ctx_new(cfg, &ctx, why);
	if (!e) {
		e = nk_tls_start(ctx, c, name, deadline, NULL, why);
		nk_tls_ctx_free(ctx);
	}
	if (e)
		nk_fail(errmsg, e, "HTTPS proxy %s: %s", display, why);
	return e;
}

nk_err
nk_tls_connect_via(const nk_tls_config *proxy_tls, const nk_netopts *o,
                   const char *proxy, const char *noproxy, const char *host,
                   int port, nk_time deadline, nk_conn **out,
                   nk_connect_info *info, char *errmsg)
{
	static const nk_tls_config defaults;
	const nk_tls_config *cfg = proxy_tls ? proxy_tls : &defaults;
	/* The callback's argument is untyped; it only reads cfg. */
	return nk_proxy_via(o, proxy, noproxy, host, port, deadline,
	                    secure_proxy, (void *)(uintptr_t)cfg, out, info,
	                    errmsg);
}
