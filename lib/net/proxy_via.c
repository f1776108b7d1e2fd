/* proxy_via: a raw connection to host:port directly, through a SOCKS
 * proxy, or through an HTTP proxy's CONNECT tunnel (over TLS to an HTTPS
 * proxy, which the tls layer makes through a hook), for the tools that
 * carry bytes rather than HTTP (nk telnet, nk tls, nk echo). The net layer
 * cannot use the http layer above it, so the CONNECT exchange here is the
 * smallest one: the request line, Host, Basic Proxy-Authorization from
 * the URL, and only the response's status line read (its fields are
 * skipped). The fetch layer keeps its own, fuller tunnel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nk/net.h"
#include "net/net_int.h"
#include "net/conn_int.h"
#include "net/proxy_int.h"
#include "core/internal.h"

#define VIA_MAX_HEAD 16384

/* The CONNECT request for host:port, with the proxy's credentials. */
static char *
connect_request(const struct nk_proxy *px, const char *host, int port)
{
	const char *up = px->userpass ? px->userpass : "";
	size_t ul = strlen(up);
	size_t n = 2 * strlen(host) + 4 * (ul / 3 + 1) + 160;
	char *req = malloc(n), *auth = malloc(4 * (ul / 3 + 1) + 1);
	if (!req || !auth) {
		free(req);
		free(auth);
		return NULL;
	}
	nk_base64(up, ul, auth);
	const char *lb = strchr(host, ':') ? "[" : "", *rb = *lb ? "]" : "";
	snprintf(req, n, "CONNECT %s%s%s:%d HTTP/1.1\r\nHost: %s%s%s:%d\r\n"
	         "%s%s%s\r\n", lb, host, rb, port, lb, host, rb, port,
	         px->userpass ? "Proxy-Authorization: Basic " : "",
	         px->userpass ? auth : "", px->userpass ? "\r\n" : "");
	free(auth);
	return req;
}

/* Reads one response head byte by byte (so that nothing the target sends
 * after it is taken) and returns its status code, or -1 when it is not
 * HTTP. */
static nk_err
read_status(nk_conn *c, const struct nk_proxy *px, nk_time deadline,
            int *status, char *errmsg)
{
	char head[VIA_MAX_HEAD];
	size_t len = 0, n;
	for (;;) {
		if (len == sizeof head - 1)
			return nk_fail(errmsg, NK_ERR_RECV_ERROR, "proxy %s sent a "
			               "CONNECT response head over %d bytes",
			               px->display, VIA_MAX_HEAD);
		nk_err e = nk_conn_read(c, head + len, 1, deadline, &n, errmsg);
		if (e)
			return e;
		if (n == 0)
			return nk_fail(errmsg, NK_ERR_RECV_ERROR, "Proxy CONNECT "
			               "aborted: %s closed the connection",
			               px->display);
		len++;
		/* The blank line ends it: CRLF CRLF, or bare LFs. */
		if (head[len - 1] == '\n' && len >= 2 &&
		    (head[len - 2] == '\n' ||
		     (len >= 4 && memcmp(head + len - 4, "\r\n\r\n", 4) == 0)))
			break;
	}
	head[len] = '\0';
	*status = -1;
	if (strncmp(head, "HTTP/1.", 7) != 0 || len < 12 || head[8] != ' ')
		return NK_OK;
	int code = 0;
	for (int i = 9; i < 12; i++) {
		if (head[i] < '0' || head[i] > '9')
			return NK_OK;
		code = code * 10 + (head[i] - '0');
	}
	*status = code;
	return NK_OK;
}

/* The CONNECT exchange on c, a connection to the HTTP proxy px. */
static nk_err
tunnel(nk_conn *c, const struct nk_proxy *px, const char *host, int port,
       nk_time deadline, char *errmsg)
{
	for (const char *p = host; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return nk_fail(errmsg, NK_ERR_URL_MALFORMAT, "a CONNECT "
			               "target may hold no blank or control byte");
	char *req = connect_request(px, host, port);
	if (!req)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	nk_err e = nk_conn_write(c, req, strlen(req), deadline, errmsg);
	free(req);
	int status = 100;
	while (!e && status / 100 == 1)   /* interim responses go by */
		e = read_status(c, px, deadline, &status, errmsg);
	if (e)
		return e;
	if (status < 0)
		return nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY, "proxy %s did "
		               "not answer CONNECT in HTTP", px->display);
	if (status / 100 != 2)
		return nk_fail(errmsg, NK_ERR_RECV_ERROR, "CONNECT tunnel to "
		               "%.100s port %d through proxy %s failed, response "
		               "%d", host, port, px->display, status);
	nk_conn_set_target(c, host, port);
	return NK_OK;
}

nk_err
nk_connect_via(const nk_netopts *o, const char *proxy, const char *noproxy,
               const char *host, int port, nk_time deadline, nk_conn **out,
               nk_connect_info *info, char *errmsg)
{
	return nk_proxy_via(o, proxy, noproxy, host, port, deadline, NULL, NULL,
	                    out, info, errmsg);
}

nk_err
nk_proxy_via(const nk_netopts *o, const char *proxy, const char *noproxy,
             const char *host, int port, nk_time deadline,
             nk_proxy_secure_fn secure, void *arg, nk_conn **out,
             nk_connect_info *info, char *errmsg)
{
	*out = NULL;
	if (!proxy || !*proxy || nk_no_proxy_for(noproxy, host))
		return nk_connect(o, host, port, deadline, out, info, errmsg);
	struct nk_proxy px;
	nk_err e = nk_proxy_parse(proxy, NULL, &px, errmsg);
	if (e)
		return e;
	if (px.tls && !secure) {
		/* TLS is the layer above this one: nk_tls_connect_via. */
		e = nk_fail(errmsg, NK_ERR_COULDNT_CONNECT, "an HTTPS proxy "
		            "(%s) needs TLS, which this connection does not "
		            "make", px.display);
		nk_proxy_clear(&px);
		return e;
	}
	nk_time t0 = nk_now();
	nk_conn *c = NULL;
	e = nk_connect(o, px.host, px.port, deadline, &c, info, errmsg);
	if (e == NK_ERR_COULDNT_RESOLVE_HOST && !px.socks)
		e = nk_fail(errmsg, NK_ERR_COULDNT_RESOLVE_PROXY,
		            "Could not resolve proxy: %s", px.host);
	/* --connect-timeout covers the proxy's handshake too. */
	nk_time cdl = deadline;
	if (o && o->connect_timeout_ms > 0)
		cdl = nk_deadline_min(cdl, t0 + o->connect_timeout_ms * 1000);
	if (!e && px.tls)
		e = secure(arg, c, px.host, px.display, cdl, errmsg);
	if (!e && px.socks) {
		nk_socks sk = { px.socks, px.user, px.pass };
		e = nk_socks_connect(c, &sk, o, host, port, cdl, NULL, errmsg);
	} else if (!e) {
		e = tunnel(c, &px, host, port, cdl, errmsg);
	}
	if (e == NK_ERR_OPERATION_TIMEDOUT)
		nk_fail(errmsg, e, "Connection timed out after %lld ms %s %s",
		        (long long)((nk_now() - t0) / 1000), px.socks
		        ? "in the SOCKS handshake with"
		        : "setting up the tunnel through", px.display);
	nk_proxy_clear(&px);
	if (e) {
		nk_conn_free(c);
		return e;
	}
	*out = c;
	return NK_OK;
}
