/* exchange.c: one request and its response on one connection, as a
 * sequence: get or reuse a connection, send the head (and body), read the
 * response head, decide, pump the body, release the connection. */
#include <stdlib.h>
#include <string.h>

#include "fetch/fetch_int.h"

/* Whether a request lost with a reused connection (no byte of an answer)
 * may go again on a new one. The server may have acted on it before the
 * connection died, so only an idempotent method is sent again
 * unasked (RFC 9112 §9.3.1, RFC 9110 §9.2.2); --retry-all-errors asks. */
static int
replayable(const struct step *s)
{
	static const char *const idempotent[] = { "GET", "HEAD", "PUT",
	                                          "DELETE", "OPTIONS", "TRACE" };
	for (size_t i = 0; i < NK_ARRAY_LEN(idempotent); i++)
		if (strcmp(s->method, idempotent[i]) == 0)
			return 1;
	return s->rq->retry_all_errors;
}

/* Whether the connection for this request could carry other requests at
 * once (HTTP/2 is offered: ALPN for https, prior knowledge for http). */
static int
may_share(const nk_fetch *f, const struct step *s,
          const struct nk_proxy *px)
{
	int v = f->cfg.http_version;
	if (f->cfg.immediate || proxy_forwards(px, s->url))
		return 0;
	return v == NK_FETCH_HTTP_2_PRIOR ||
	       (is_https(s->url) && v != NK_FETCH_HTTP_1_1);
}

/* The request of the hop: its route, its body's plan, its head (with a
 * small body in memory, which goes in the head's write and counts in
 * size_request, as curl does). */
static nk_err
exchange_prepare(nk_fetch *f, struct step *s, nk_fetch_hop *h,
                 struct exchange *x, char *errmsg)
{
	x->px = fetch_route(f, s->url, x->key);
	h->proxied = x->px != NULL;
	nk_err e = auth_prepare(s, errmsg);
	if (!e)
		e = up_plan(s, &x->up, errmsg);
	if (!e)
		e = build_request(s, x->px, &x->up, &x->req, &x->reqlen, errmsg);
	if (e)
		return e;
	x->headlen = x->reqlen;
	const struct src *sr = x->up.src;
	if (!up_inline(&x->up))
		return NK_OK;
	char *r2 = realloc(x->req, x->reqlen + sr->b->len);
	if (!r2)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	x->req = r2;
	memcpy(x->req + x->reqlen, sr->b->data, sr->b->len);
	x->reqlen += sr->b->len;
	x->up.src->used = 1;
	x->up.last = 1;
	x->up.inline_body = 1;
	return NK_OK;
}

/* Get or reuse a connection: a kept one (x->pc from the pool) tells the
 * hop what its opening found; otherwise a new one is opened. */
static nk_err
exchange_connect(nk_fetch *f, struct step *s, nk_fetch_hop *h,
                 struct exchange *x, char *errmsg)
{
	struct pooled *pc = &x->pc;
	struct opening op;
	int mine = 0;
	/* Tasks that could share a connection (HTTP/2) wait for the one
	 * another is opening rather than each open its own. */
	if (!pc->conn && may_share(f, s, x->px)) {
		if (pool_opening(f, x->key, &op, s->deadline))
			*pc = pool_take(f, x->key, x->req, x->reqlen, !replayable(s),
			                s->cb, &x->sent);
		else
			mine = 1;
	}
	if (!pc->conn) {
		h->reused = 0;
		pc->key = strdup(x->key);
		nk_err e = pc->key ? open_conn(f, s, x->px, h, pc, errmsg)
		           : nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		if (!e)
			h->connection = pc->id;
		if (!e && pc->h2)
			pool_lend(f, pc);
		if (mine)
			pool_opened(f, &op);
		return e;
	}
	h->reused = 1;
	h->namelookup = h->connect = h->start;
	if (pc->tls.tls) {
		h->appconnect = h->start;
		hop_set_tls(h, &pc->tls);
	}
	h->connection = pc->id;
	h->proxy_tls_verify_code = pc->proxy_verify;
	fill_addrs(h, pc->conn);
	fetch_trace(s->cb, "Re-using existing connection #%d with %s %s", pc->id,
	            x->px ? "proxy" : "host", x->px ? x->px->display
	            : nk_url_get(s->url, NK_URL_HOSTNAME));
	return NK_OK;
}

/* Send the head (and the body), and read the response head. x->got says
 * whether any byte of an answer came: a reused connection that died gave
 * none. */
static nk_err
exchange_send(nk_fetch *f, struct step *s, nk_fetch_hop *h,
              struct exchange *x, char *errmsg)
{
	struct pooled *pc = &x->pc;
	if (pc->h2)
		return h2x_send(f, s, h, x, errmsg);
	h->pretransfer = nk_now();
	if (fetch_wants(s->cb, NK_FETCH_HEAD_OUT))
		s->cb->trace(s->cb->ctx, NK_FETCH_HEAD_OUT, x->req, x->headlen,
		             NULL);
	nk_err e = send_request(f, s, pc, x->key, x->req, x->reqlen, x->sent,
	                        errmsg);
	if (!e) {
		if (x->reqlen > x->headlen && s->cb->wire)
			s->cb->wire(s->cb->ctx, 1, x->req + x->headlen,
			            x->reqlen - x->headlen);
		h->request_bytes += x->reqlen;
		s->res->size_request += x->reqlen;
		/* A pipelined response may have begun to arrive with the one
		 * before it. */
		x->len = pc->restlen;
		if (x->len)
			memcpy(f->buf, pc->rest, x->len);
		free(pc->rest);
		pc->rest = NULL;
		pc->restlen = 0;
		x->got = 0;
		if (x->up.src)
			e = up_send(f, s, pc, h, &x->up, &x->len, errmsg);
		/* up_send said what it timed out on */
		x->up_failed = e != NK_OK;
	}
	if (!e)
		e = read_head(f, s->cb, pc->conn, &x->len, &x->r, s->deadline, h,
		              &x->got, errmsg);
	if (e && !x->got && x->up.send_err) {
		e = x->up.send_err;
		memcpy(errmsg, x->up.send_msg, NK_ERR_MSG_LEN);
	}
	return e;
}

/* A reused connection gave no byte back (error e): the server closed it
 * as we reused it. Returns whether the request goes again, once, on a
 * new connection (then x is ready for it); if not, errmsg may say why. */
static int
exchange_again(nk_fetch *f, struct step *s, nk_fetch_hop *h,
               struct exchange *x, nk_err e, char *errmsg)
{
	/* An HTTP/2 stream the server refused was never acted on: it may go
	 * again whatever its method. */
	int refused = h2x_refused(x);
	if (!e || (!refused && (!h->reused || x->got ||
	                        e == NK_ERR_OPERATION_TIMEDOUT)))
		return 0;
	/* An HTTP/2 stream that failed on a connection still alive failed
	 * on its own (a reset, say): the connection did not die. */
	if (!refused && x->pc.h2 && h2x_usable(x->pc.h2))
		return 0;
	if (!refused && !replayable(s)) {
		char why[NK_ERR_MSG_LEN];
		memcpy(why, errmsg, sizeof why);
		nk_fail(errmsg, e, "%.150s, on a reused connection: a %s is not "
		        "sent again (the server may have acted on it)", why,
		        s->method);
		return 0;
	}
	if (x->fresh_tries > 0)
		return 0;
	fetch_trace(s->cb, "Connection #%d died (%s), retrying on a new "
	            "connection", x->pc.id, errmsg);
	/* A body that cannot go again ends the exchange with e, errmsg
	 * saying why. */
	if (x->up.src && src_rewind(x->up.src, "send the body again on a new "
	                            "connection", errmsg) != NK_OK)
		return 0;
	/* The body goes again from its start (or with the head). */
	int inl = x->up.inline_body;
	up_plan(s, &x->up, errmsg);
	x->up.inline_body = inl;
	x->up.last |= inl;
	if (x->pc.h2) {
		/* a refused stream says the server is busy: not this one */
		h2x_done(s, x);
		pool_return(f, &x->pc, 0);
	} else {
		conn_lost(f, &x->pc, s, x->sent);
	}
	x->sent = 0;
	x->fresh_tries++;
	h->starttransfer = 0;
	return 1;
}

/* The final response head, past the interim ones (shown, then skipped),
 * counted and kept in the hop. */
static nk_err
exchange_head(nk_fetch *f, struct step *s, nk_fetch_hop *h,
              struct exchange *x, char *errmsg)
{
	nk_err e;
	while (nk_http_is_interim(&x->r)) {
		e = pass_interim(f, s, h, &x->r, &x->len, errmsg);
		if (!e)
			e = read_head(f, s->cb, x->pc.conn, &x->len, &x->r, s->deadline,
			              h, &x->got, errmsg);
		if (e)
			return e;
	}
	h->header_bytes += x->r.head_len;
	s->res->size_header += x->r.head_len;
	if (fetch_wants(s->cb, NK_FETCH_HEAD_IN))
		s->cb->trace(s->cb->ctx, NK_FETCH_HEAD_IN, f->buf, x->r.head_len,
		             NULL);
	return keep_head(h, f->buf, &x->r, errmsg);
}

/* Release the connection after a whole response: kept for the next
 * request when the response allows it and nothing of it is left unread
 * (bytes after it are the next one's if it went ahead, otherwise junk),
 * closed otherwise. */
static void
exchange_release(nk_fetch *f, struct step *s, struct exchange *x)
{
	struct pooled *pc = &x->pc;
	if (pc->h2) {
		int ok = h2x_done(s, x);
		if (ok)
			fetch_trace(s->cb, "Connection #%d to %s left intact", pc->id,
			            nk_url_get(s->url, NK_URL_HOSTNAME));
		else if (!h2x_users(pc->h2))
			fetch_trace(s->cb, "Closing connection #%d (the HTTP/2 session "
			            "is over)", pc->id);
		pool_return(f, pc, ok);
		return;
	}
	if (!x->b.keep_alive || (x->len != 0 && pc->ahead == 0) ||
	    s->rq->http10 || x->skip || x->up.cut) {
		if (x->len)
			fetch_trace(s->cb, "Closing connection #%d: %zu bytes after the "
			            "response", pc->id, x->len);
		else
			fetch_trace(s->cb, "Closing connection #%d", pc->id);
		conn_lost(f, pc, s, 0);
		return;
	}
	if (x->len) {
		pc->rest = malloc(x->len);
		if (!pc->rest) {
			conn_lost(f, pc, s, 0);
			return;
		}
		memcpy(pc->rest, f->buf, x->len);
		pc->restlen = x->len;
	}
	fetch_trace(s->cb, "Connection #%d to %s left intact", pc->id,
	            nk_url_get(s->url, NK_URL_HOSTNAME));
	pool_put(f, pc);
}

/* One request and its response on one connection: the hop's record is
 * filled, the body goes where decide() says, and on return the
 * connection is back in the pool (kept alive) or closed. A redirect to
 * follow is left in s->next. */
nk_err
fetch_exchange(nk_fetch *f, struct step *s, nk_fetch_hop *h, char *errmsg)
{
	struct exchange x;
	memset(&x, 0, sizeof x);
	nk_err e = exchange_prepare(f, s, h, &x, errmsg);
	if (!e) {
		/* A request that may not go again if its connection turns out
		 * dead is worth a poll(2) first: the server may have closed it
		 * since. */
		x.pc = pool_take(f, x.key, x.req, x.reqlen, !replayable(s), s->cb,
		                 &x.sent);
		do {
			e = exchange_connect(f, s, h, &x, errmsg);
			if (e)
				goto fail;
			e = exchange_send(f, s, h, &x, errmsg);
		} while (exchange_again(f, s, h, &x, e, errmsg));
	}
	if (e == NK_ERR_OPERATION_TIMEDOUT && !x.up_failed)
		nk_fail(errmsg, e, "Operation timed out after %lld milliseconds "
		        "waiting for the response from %s",
		        (long long)((nk_now() - h->start) / 1000),
		        nk_url_get(s->url, NK_URL_HOST));
	if (!e)
		e = exchange_head(f, s, h, &x, errmsg);
	if (e)
		goto fail;
	enum after_head act = decide(f, s, h, &x, &e, errmsg);
	if (act != AFTER_FAIL)
		e = body_pump(f, s, h, &x, act, errmsg);
	if (e)
		goto fail;
	h->end = nk_now();
	free(x.req);
	auth_done(s);
	exchange_release(f, s, &x);
	return NK_OK;

fail:
	nk_decoder_free(x.dec);
	h->end = nk_now();
	h->err = e;
	free(x.req);
	auth_done(s);
	if (x.pc.h2) {
		h2x_done(s, &x);
		if (!x.pc.borrowed || (!h2x_usable(x.pc.h2) &&
		                       !h2x_users(x.pc.h2)))
			fetch_trace(s->cb, "Closing connection #%d", x.pc.id);
		pool_return(f, &x.pc, x.pc.borrowed);
	} else {
		if (x.pc.conn)
			fetch_trace(s->cb, "Closing connection #%d", x.pc.id);
		conn_lost(f, &x.pc, s, 0);
	}
	nk_url_free(s->next);
	s->next = NULL;
	return e;
}
