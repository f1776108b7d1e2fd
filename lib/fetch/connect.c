/* connect.c: a new connection for a hop: TCP to the host or the proxy,
 * the SOCKS handshake (net/socks.c) or a CONNECT tunnel through an HTTP
 * proxy, and the TLS handshake. */
#include <stdlib.h>
#include <string.h>

#include "fetch/fetch_int.h"

/* The facts a hop record keeps of a handshake. */
static struct tls_facts
tls_facts_of(const nk_tls_info *ti)
{
	struct tls_facts t;
	memset(&t, 0, sizeof t);
	t.tls = 1;
	nk_put_str(t.version, t.version + sizeof t.version, ti->version);
	nk_put_str(t.cipher, t.cipher + sizeof t.cipher, ti->cipher);
	t.verify_ok = ti->verify_ok;
	t.verify_code = ti->verify_code;
	t.resumed = ti->resumed;
	return t;
}

/* A 407 to a CONNECT is to be answered: its body read off (len bytes of
 * f->buf hold its head and what came after) when the proxy keeps the
 * connection (*again 1: CONNECT again on c), else *again 2: on a new
 * connection, as curl does. */
static nk_err
tunnel_again(nk_fetch *f, struct step *s, nk_conn *c,
             const struct nk_http_response *r, size_t len, int *again,
             char *errmsg)
{
	struct nk_http_body b;
	memset(&b, 0, sizeof b);
	nk_err e = nk_http_body_init(&b, "CONNECT", r, errmsg);
	*again = 2;
	if (e || !b.keep_alive)
		return NK_OK;
	size_t have = len - r->head_len;
	const char *q = f->buf + r->head_len;
	while (!b.done) {
		size_t n = have;
		if (!n) {
			e = nk_conn_read(c, f->buf, f->cap, s->deadline, &n, errmsg);
			if (e || !n)
				return NK_OK;
			q = f->buf;
		}
		have = n;
		while (have && !b.done) {
			size_t used;
			const char *d;
			size_t dn;
			if (nk_http_body_feed(&b, q, have, &used, &d, &dn, errmsg))
				return NK_OK;
			q += used;
			have -= used;
		}
		if (have)   /* bytes after the body: not a connection to reuse */
			return NK_OK;
	}
	*again = 1;
	return NK_OK;
}

/* Opens a CONNECT tunnel to target ("host:port") through an HTTP proxy;
 * *again set (tunnel_again) when a 407 is to be answered. */
static nk_err
tunnel_through(nk_fetch *f, struct step *s, nk_conn *c,
               const struct nk_proxy *px, nk_fetch_hop *h, const char *target,
               int *again, char *errmsg)
{
	*again = 0;
	/* A CONNECT carries no content negotiation; --proxy-header lines go
	 * after its own. */
	const char **hdrs = calloc(px->nheaders + 1, sizeof *hdrs);
	size_t nh = 0;
	if (!hdrs)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	hdrs[nh++] = "Accept:";
	for (size_t i = 0; i < px->nheaders; i++)
		hdrs[nh++] = px->headers[i];
	char *pv = NULL;
	nk_err e = proxy_authz(&f->pauth, s->cb, px, "CONNECT", target, &pv,
	                       errmsg);
	if (e) {
		free(hdrs);
		return e;
	}
	struct nk_http_request rq;
	memset(&rq, 0, sizeof rq);
	rq.method = "CONNECT";
	rq.target = target;
	rq.host = target;
	rq.user_agent = s->rq->user_agent;
	rq.headers = hdrs;
	rq.nheaders = nh;
	rq.proxy_userpass = NULL;   /* proxy_authz made it, Basic too */
	rq.proxy_authorization = pv;
	rq.proxy_keepalive = 1;
	char *head = NULL;
	size_t headlen;
	e = nk_http_request_build(&rq, &head, &headlen, errmsg);
	free(hdrs);
	free(pv);
	if (e)
		return e;
	fetch_trace(s->cb, "Establishing a tunnel to %s through proxy %s", target,
	            px->display);
	if (fetch_wants(s->cb, NK_FETCH_HEAD_OUT))
		s->cb->trace(s->cb->ctx, NK_FETCH_HEAD_OUT, head, headlen, NULL);
	e = nk_conn_write(c, head, headlen, s->deadline, errmsg);
	free(head);
	if (e)
		return e;
	size_t len = 0;
	int got = 0;
	struct nk_http_response r;
	for (;;) {
		e = read_head(f, s->cb, c, &len, &r, s->deadline, NULL, &got,
		              errmsg);
		if (e)
			return e;
		if (fetch_wants(s->cb, NK_FETCH_HEAD_IN))
			s->cb->trace(s->cb->ctx, NK_FETCH_HEAD_IN, f->buf, r.head_len,
			             NULL);
		h->header_bytes += r.head_len;
		s->res->size_header += r.head_len;
		if (!nk_http_is_interim(&r))
			break;
		memmove(f->buf, f->buf + r.head_len, len -= r.head_len);
	}
	if (r.status == 407 && f->pauth.user) {
		char why[NK_ERR_MSG_LEN] = "";
		if (nk_auth_retry(&f->pauth, &r, 1, why))
			return tunnel_again(f, s, c, &r, len, again, errmsg);
		fetch_trace(s->cb, "%s", why);
	}
	if (r.status / 100 != 2)
		return nk_fail(errmsg, NK_ERR_RECV_ERROR, "CONNECT tunnel to %.100s "
		               "through proxy %s failed, response %d", target,
		               px->display, r.status);
	if (len != r.head_len)
		return nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY, "proxy %s sent "
		               "data after its CONNECT response", px->display);
	fetch_trace(s->cb, "Tunnel to %s established", target);
	return NK_OK;
}

/* Opens a CONNECT tunnel through an HTTP proxy to the step's host. */
static nk_err
tunnel(nk_fetch *f, struct step *s, nk_conn *c, const struct nk_proxy *px,
       nk_fetch_hop *h, int *redo, char *errmsg)
{
	/* host:port, the host as long as a URL may make it */
	const char *host = nk_url_get(s->url, NK_URL_HOSTNAME);
	size_t tlen = strlen(host) + sizeof ":65535";
	char *target = malloc(tlen);
	if (!target)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	nk_put_uint(nk_put_str(nk_put_str(target, target + tlen, host),
	                       target + tlen, ":"),
	            target + tlen, (unsigned)nk_url_port(s->url));
	int again;
	nk_err e;
	do
		e = tunnel_through(f, s, c, px, h, target, &again, errmsg);
	while (!e && again == 1);
	free(target);
	*redo = !e && again;
	if (!e && !*redo)   /* TLS sessions and messages name the target, not the proxy */
		nk_conn_set_target(c, host, nk_url_port(s->url));
	return e;
}

/* Asks the SOCKS proxy at the other end of c for the step's host. */
static nk_err
socks_through(nk_fetch *f, struct step *s, nk_conn *c,
              const struct nk_proxy *px, nk_time deadline, char *errmsg)
{
	nk_socks sk = { px->socks, px->user, px->pass };
	char said[NK_ERR_MSG_LEN] = "";
	nk_err e = nk_socks_connect(c, &sk, &f->cfg.net,
	                            nk_url_connect_host(s->url),
	                            nk_url_port(s->url), deadline, said, errmsg);
	if (*said)
		fetch_trace(s->cb, "%s", said);
	if (!e)
		fetch_trace(s->cb, "%s request granted.", px->socks == NK_SOCKS5H
		            ? "SOCKS5" : nk_socks_name(px->socks));
	return e;
}

/* TLS with an HTTPS proxy, verified for its name with the proxy's own
 * trust settings; the messages say it is the proxy's. */
static nk_err
proxy_tls(nk_fetch *f, struct step *s, struct pooled *pc,
          const struct nk_proxy *px, nk_time deadline, char *errmsg)
{
	char why[NK_ERR_MSG_LEN] = "";
	nk_err e = NK_OK;
	nk_fetch *hf = fetch_home(f);
	if (!hf->ptls)
		e = nk_tls_ctx_new(&f->cfg.proxy_tls, &hf->ptls, why);
	nk_tls_info ti;
	memset(&ti, 0, sizeof ti);
	if (!e) {
		e = nk_tls_start(hf->ptls, pc->conn, px->host, deadline, &ti, why);
		pc->proxy_verify = ti.verify_code;
		if (s->cb->trace && ti.version[0])
			s->cb->trace(s->cb->ctx, NK_FETCH_PROXY_TLS, px->host,
			             strlen(px->host), &ti);
	}
	nk_tls_info_clear(&ti);
	if (e)
		nk_fail(errmsg, e, "HTTPS proxy %s: %s", px->display, why);
	return e;
}

/* Makes a new connection for the step: TCP (to the proxy, if any), TLS
 * with an HTTPS proxy, the SOCKS handshake or the CONNECT tunnel, TLS. */
nk_err
open_conn(nk_fetch *f, struct step *s, const struct nk_proxy *px,
          nk_fetch_hop *h, struct pooled *pc, char *errmsg)
{
	const char *host = px ? px->host : nk_url_connect_host(s->url);
	int port = px ? px->port : nk_url_port(s->url);
	nk_conn *c = NULL;
	nk_time t0 = nk_now();
	nk_err e = nk_connect(&f->cfg.net, host, port, s->deadline, &c, &h->net,
	                      errmsg);
	if (h->net.resolved) {
		h->namelookup = h->net.resolved;
		fetch_trace(s->cb, "Resolved %s%s in %.3f ms%s%s%s", px ? "proxy " : "",
		            h->net.host[0] ? h->net.host : host,
		            (double)(h->net.resolved - h->net.start) / 1000.0,
		            e ? "" : " (", e ? "" : nk_addr_source_name(h->net.source),
		            e ? "" : ")");
	}
	for (size_t i = 0; i < h->net.nattempts; i++) {
		const nk_attempt *a = &h->net.attempts[i];
		fetch_trace(s->cb, "  Trying %s%s%s:%d... %s",
		            a->family == 6 ? "[" : "", a->addr,
		            a->family == 6 ? "]" : "", a->port,
		            a->err == NK_OK ? "connected" : a->why);
	}
	if (e) {
		/* curl 7.88 says so of an HTTP proxy; of a SOCKS proxy, "Could
		 * not resolve host" (6), as the resolver put it. */
		if (px && !px->socks && e == NK_ERR_COULDNT_RESOLVE_HOST)
			e = nk_fail(errmsg, NK_ERR_COULDNT_RESOLVE_PROXY,
			            "Could not resolve proxy: %s", px->host);
		return e;
	}
	h->connect = h->net.connected ? h->net.connected : nk_now();
	if (!h->namelookup)
		h->namelookup = h->connect;
	s->res->num_connects++;
	pc->conn = c;
	pc->id = fetch_home(f)->next_id++;
	fill_addrs(h, c);
	fetch_trace(s->cb, "Connected to %s%s (%s) port %d (#%d)",
	            px ? "proxy " : "",
	            px ? px->host : nk_url_get(s->url, NK_URL_HOSTNAME),
	            h->remote_ip, h->remote_port, pc->id);

	/* --connect-timeout covers the tunnel and the handshakes too. */
	nk_time cdl = s->deadline;
	if (f->cfg.net.connect_timeout_ms > 0)
		cdl = nk_deadline_min(cdl, t0 + f->cfg.net.connect_timeout_ms * 1000);
	if (px && px->tls) {
		e = proxy_tls(f, s, pc, px, cdl, errmsg);
		h->proxy_tls_verify_code = pc->proxy_verify;
		if (e)
			return e;
	}
	if (px && (px->socks || is_https(s->url) || px->tunnel)) {
		struct step ts = *s;
		ts.deadline = cdl;
		int redo = 0;
		e = px->socks ? socks_through(f, &ts, c, px, cdl, errmsg)
		    : tunnel(f, &ts, c, px, h, &redo, errmsg);
		if (redo) {   /* the proxy closed after its 407: a new one
		                 (nk_auth_retry bounds the rounds) */
			nk_conn_free(c);
			pc->conn = NULL;
			return open_conn(f, s, px, h, pc, errmsg);
		}
		if (e == NK_ERR_OPERATION_TIMEDOUT)
			nk_fail(errmsg, e, "Connection timed out after %lld ms %s %s",
			        (long long)((nk_now() - t0) / 1000),
			        px->socks ? "in the SOCKS handshake with"
			        : "setting up the tunnel through", px->display);
		if (e)
			return e;
	}
	if (is_https(s->url)) {
		nk_fetch *hf = fetch_home(f);
		if (!hf->tls) {
			e = nk_tls_ctx_new(&f->cfg.tls, &hf->tls, errmsg);
			if (e)
				return e;
		}
		nk_tls_info ti;
		memset(&ti, 0, sizeof ti);
		const char *name = nk_url_connect_host(s->url);
		if (f->cfg.tls.alpn && *f->cfg.tls.alpn)
			fetch_trace(s->cb, "ALPN: offers %s", f->cfg.tls.alpn);
		e = nk_tls_start(hf->tls, c, name, cdl, &ti, errmsg);
		if (!e)
			fetch_trace(s->cb, "ALPN: server %s%s", ti.alpn[0] ? "accepted "
			            : "did not agree on a protocol. Uses default.",
			            ti.alpn);
		int h2 = !e && strcmp(ti.alpn, "h2") == 0;
		struct tls_facts t = tls_facts_of(&ti);
		/* A failed handshake's facts go in the hop too: they say why. */
		hop_set_tls(h, &t);
		if (fetch_wants(s->cb, NK_FETCH_TLS) && ti.version[0])
			s->cb->trace(s->cb->ctx, NK_FETCH_TLS, name, strlen(name), &ti);
		nk_tls_info_clear(&ti);
		if (e)
			return e;
		h->appconnect = nk_now();
		/* The hops that reuse the connection did no handshake. */
		t.resumed = 0;
		pc->tls = t;
		if (h2)
			return h2x_new(f, pc, errmsg);
	} else if (f->cfg.http_version == NK_FETCH_HTTP_2_PRIOR &&
	           !proxy_forwards(px, s->url)) {
		fetch_trace(s->cb, "Using HTTP/2 (prior knowledge)");
		return h2x_new(f, pc, errmsg);
	}
	return NK_OK;
}
