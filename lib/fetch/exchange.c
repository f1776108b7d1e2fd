/* exchange.c: one request and its response on one connection, as a
 * sequence: get or reuse a connection, send the head (and body), read the
 * response head, decide, pump the body, release the connection. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "nk/netrc.h"
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

nk_err
fetch_exchange(nk_fetch *f, struct step *s, nk_fetch_hop *h, char *errmsg)
{
	const nk_url *u = s->url;
	char key[KEY_LEN];
	const struct nk_proxy *px = fetch_route(f, u, key);
	h->proxied = px != NULL;

	char *req = NULL;
	size_t reqlen = 0;
	struct up up;
	nk_err e = up_plan(s, &up, errmsg);
	if (!e)
		e = build_request(s, px, &up, &req, &reqlen, errmsg);
	if (e) {
		h->err = e;
		h->end = nk_now();
		return e;
	}
	size_t headlen = reqlen;
	if (up_inline(&up)) {
		/* A small body in memory goes in the head's write, and counts
		 * in size_request, as curl does. */
		char *r2 = realloc(req, reqlen + up.src->b->len);
		if (!r2) {
			free(req);
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		}
		req = r2;
		memcpy(req + reqlen, up.src->b->data, up.src->b->len);
		reqlen += up.src->b->len;
		up.src->used = 1;
		up.last = 1;
		up.inline_body = 1;
	}

	int sent;
	/* A request that may not go again if its connection turns out dead
	 * is worth a poll(2) first: the server may have closed it since. */
	struct pooled pc = pool_take(f, key, req, reqlen, !replayable(s), s->cb,
	                             &sent);
	struct nk_http_response r;
	size_t len = 0;
	int got = 0;
	int fresh_tries = 0, up_failed = 0;
	nk_decoder *dec = NULL;

again:
	if (pc.conn) {
		h->reused = 1;
		h->namelookup = h->connect = h->start;
		if (pc.tls.tls) {
			h->appconnect = h->start;
			hop_set_tls(h, &pc.tls);
		}
		h->connection = pc.id;
		fill_addrs(h, pc.conn);
		fetch_trace(s->cb, "Re-using existing connection #%d with %s %s", pc.id,
		      px ? "proxy" : "host",
		      px ? px->display : nk_url_get(u, NK_URL_HOSTNAME));
	} else {
		h->reused = 0;
		pc.key = strdup(key);
		if (!pc.key) {
			e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
			goto fail;
		}
		e = open_conn(f, s, px, h, &pc, errmsg);
		if (e)
			goto fail;
		h->connection = pc.id;
	}

	h->pretransfer = nk_now();
	if (s->cb->trace)
		s->cb->trace(s->cb->ctx, NK_FETCH_HEAD_OUT, req, headlen, NULL);
	e = send_request(f, s, &pc, key, req, reqlen, sent, errmsg);
	if (!e) {
		h->request_bytes += reqlen;
		s->res->size_request += reqlen;
		/* A pipelined response may have begun to arrive with the one
		 * before it. */
		len = pc.restlen;
		if (len)
			memcpy(f->buf, pc.rest, len);
		free(pc.rest);
		pc.rest = NULL;
		pc.restlen = 0;
		got = 0;
		if (up.src)
			e = up_send(f, s, &pc, h, &up, &len, errmsg);
		/* up_send said what it timed out on */
		up_failed = e != NK_OK;
	}
	if (!e)
		e = read_head(f, s->cb, pc.conn, &len, &r, s->deadline, h, &got,
		              errmsg);
	if (e && !got && up.send_err) {
		e = up.send_err;
		memcpy(errmsg, up.send_msg, NK_ERR_MSG_LEN);
	}
	if (e && h->reused && !got && e != NK_ERR_OPERATION_TIMEDOUT &&
	    !replayable(s)) {
		char why[NK_ERR_MSG_LEN];
		memcpy(why, errmsg, sizeof why);
		nk_fail(errmsg, e, "%.150s, on a reused connection: a %s is not "
		        "sent again (the server may have acted on it)", why,
		        s->method);
	}
	/* cppcheck does not follow the goto back to again: (fresh_tries 1). */
	/* cppcheck-suppress knownConditionTrueFalse */
	else if (e && h->reused && !got && fresh_tries == 0 &&
	         e != NK_ERR_OPERATION_TIMEDOUT) {
		/* The server closed the idle connection as we reused it: say
		 * so and try once more on a new one. */
		fetch_trace(s->cb, "Connection #%d died (%s), retrying on a new "
		      "connection", pc.id, errmsg);
		if (up.src && src_rewind(up.src, "send the body again on a new "
		                         "connection", errmsg) != NK_OK)
			goto fail;
		/* The body goes again from its start (or with the head). */
		int inl = up.inline_body;
		up_plan(s, &up, errmsg);
		up.inline_body = inl;
		up.last |= inl;
		conn_lost(f, &pc, s, sent);
		sent = 0;
		fresh_tries++;
		h->starttransfer = 0;
		goto again;
	}
	if (e == NK_ERR_OPERATION_TIMEDOUT && !up_failed)
		nk_fail(errmsg, e, "Operation timed out after %lld milliseconds "
		        "waiting for the response from %s",
		        (long long)((nk_now() - h->start) / 1000),
		        nk_url_get(u, NK_URL_HOST));
	if (e)
		goto fail;

	/* Interim responses: shown, then skipped. */
	while (nk_http_is_interim(&r)) {
		e = pass_interim(f, s, h, &r, &len, errmsg);
		if (e)
			goto fail;
		e = read_head(f, s->cb, pc.conn, &len, &r, s->deadline, h, &got,
		              errmsg);
		if (e)
			goto fail;
	}
	h->header_bytes += r.head_len;
	s->res->size_header += r.head_len;
	if (s->cb->trace)
		s->cb->trace(s->cb->ctx, NK_FETCH_HEAD_IN, f->buf, r.head_len, NULL);
	e = keep_head(h, f->buf, &r, errmsg);
	if (e)
		goto fail;

	struct nk_http_body b;
	memset(&b, 0, sizeof b);
	b.max_line = f->cfg.max_line;
	b.max_trailer = f->cfg.max_head;
	nk_err framing = nk_http_body_init(&b, s->method, &r, errmsg);
	if (!framing && b.mode == NK_HTTP_BODY_TUNNEL)
		framing = nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY, "the server "
		                  "switched protocols (%d): not HTTP any more",
		                  r.status);
	h->content_length = b.mode == NK_HTTP_BODY_LENGTH ? b.length
	                    : b.mode == NK_HTTP_BODY_NONE ? 0 : -1;

	/* A redirect we follow: its body is read and dropped. */
	const struct nk_http_header *loc = nk_http_header_find(&r, "Location",
	                                                       NULL);
	/* An empty Location names no other place: curl ignores it, and
	 * resolved it would be this URL again, until --max-redirs. */
	if (loc && loc->value_len == 0)
		loc = NULL;
	int redirect = (r.status == 301 || r.status == 302 || r.status == 303 ||
	                r.status == 307 || r.status == 308) && loc;
	if (loc && r.status / 100 == 3) {
		char *l = strndup(loc->value, loc->value_len);
		nk_url *t = NULL;
		char msg[NK_ERR_MSG_LEN];
		if (l && nk_url_resolve(u, l, &t, msg) == NK_OK)
			h->location = strdup(nk_url_get(t, NK_URL_HREF));
		nk_url_free(t);
		free(l);
	}
	/* A 417 to our Expect: the same request goes again without it. */
	s->again_417 = r.status == 417 && up.expect && up.cut && !s->no_expect;
	if (s->again_417)
		fetch_trace(s->cb, "Got 417 while waiting for a 100: sending again "
		      "without Expect");
	int discard = !s->deliver || (redirect && s->follow) || s->again_417;
	if (!framing && redirect && s->follow && !h->location) {
		char msg[NK_ERR_MSG_LEN] = "";
		char *l = strndup(loc->value, loc->value_len);
		nk_url *t = NULL;
		if (l && nk_url_resolve(u, l, &t, msg) == NK_OK)
			msg[0] = '\0';
		nk_url_free(t);
		framing = nk_fail(errmsg, NK_ERR_URL_MALFORMAT, "bad redirect "
		                  "Location \"%.100s\": %s", l ? l : "",
		                  msg[0] ? msg : "out of memory");
		free(l);
	}

	/* Resume: only a range starting where asked for is appended; any
	 * other answer (an error page too) would be appended to the part
	 * there is as if it were the rest. --fail judges an error first. */
	int64_t total;
	if (!framing && s->rq->resume_from > 0 && !discard &&
	    strcmp(s->method, "HEAD") != 0 &&
	    !(s->rq->fail && r.status >= 400)) {
		if (r.status == 416) {
			s->res->already_complete = 1;
			discard = 1;
			fetch_trace(s->cb, "The whole file was already there (416)");
		} else if (r.status == 206) {
			int64_t st = range_start(&r, &total);
			if (st != s->rq->resume_from) {
				framing = nk_fail(errmsg, NK_ERR_RANGE_ERROR, "the server "
				                  "sent a range starting at %lld, not at "
				                  "%lld as asked", (long long)st,
				                  (long long)s->rq->resume_from);
			}
		} else if (b.mode == NK_HTTP_BODY_LENGTH &&
		           b.length == s->rq->resume_from) {
			s->res->already_complete = 1;
			discard = 1;
			fetch_trace(s->cb, "The whole file was already there");
		} else {
			/* An empty answer appends nothing: only a body byte is
			 * refused, as in curl. */
			s->range_refused = 1;
		}
	}

	if (s->cb->head) {
		e = s->cb->head(s->cb->ctx, h, h->head, h->head_len, 0, errmsg);
		if (e)
			goto fail;
	}
	if (framing) {
		e = framing;
		goto fail;
	}
	if (!discard && s->rq->fail && r.status >= 400) {
		e = nk_fail(errmsg, NK_ERR_HTTP_RETURNED_ERROR,
		            "The requested URL returned error: %d", r.status);
		goto fail;
	}
	if (!discard && s->retry && retry_status(r.status) &&
	    !s->range_refused && src_restartable(s->src) &&
	    retry_ready(s->retry, s->cb, s->res)) {
		e = nk_fail(errmsg, NK_ERR_HTTP_RETURNED_ERROR, "HTTP error %d "
		            "(transient)", r.status);
		goto fail;
	}
	if (!discard && s->rq->max_filesize > 0 && h->content_length >
	    s->rq->max_filesize) {
		e = nk_fail(errmsg, NK_ERR_FILESIZE_EXCEEDED, "Maximum file size "
		            "exceeded: the body is %lld bytes, the limit %lld",
		            (long long)h->content_length,
		            (long long)s->rq->max_filesize);
		goto fail;
	}

	struct sinkctx k = { s };
	if (!discard && (b.te_codings ||
	                 (s->rq->compressed &&
	                  nk_http_header_find(&r, "Content-Encoding", NULL)))) {
		e = nk_decoder_new(&dec, errmsg);
		if (!e)
			e = nk_decoder_add_response(dec, &r, NK_DECODE_TRANSFER |
			                            (s->rq->compressed ? NK_DECODE_CONTENT
			                                               : 0), errmsg);
		if (e)
			goto fail;
		if (!nk_decoder_active(dec)) {
			nk_decoder_free(dec);
			dec = NULL;
		}
	}

	/* The header views are done with: the body starts at the front. */
	memmove(f->buf, f->buf + r.head_len, len -= r.head_len);
	const char *out_name = NULL;
	int out_fd = splice_target(s, &b, dec, discard, pc.conn, &out_name);
	int skip = redirect && s->follow && !drain_redirect(&b);
	if (b.mode == NK_HTTP_BODY_CHUNKED && !discard && s->cb->trailers)
		keep_trailers(f, &b);
	for (;;) {
		if (skip || (redirect && s->follow && b.received > DRAIN_MAX)) {
			fetch_trace(s->cb, "Not waiting for the rest of the redirect's body");
			skip = 1;
			len = 0;
			break;
		}
		const char *q = f->buf;
		size_t left = len;
		while (left > 0 && !b.done) {
			size_t used, dn;
			const char *d;
			e = nk_http_body_feed(&b, q, left, &used, &d, &dn, errmsg);
			if (e)
				goto fail;
			q += used;
			left -= used;
			if (!dn || discard)
				continue;
			/* curl's size_download: body bytes before decoding. */
			s->res->size_download += dn;
			if (dec)
				e = nk_decoder_write(dec, d, dn, body_deliver, &k, errmsg);
			else
				e = body_deliver(&k, d, dn, errmsg);
			if (e)
				goto fail;
		}
		h->body_bytes = b.received;
		if (b.done) {
			/* What follows is the next response's (pipelining). */
			memmove(f->buf, q, left);
			len = left;
			break;
		}
		size_t n;
		uint64_t raw = out_fd >= 0 ? nk_http_body_raw_left(&b) : 0;
		/* What the caller holds of this body (the part that came
		 * with the head) must reach out_fd before the rest does. */
		if (raw >= SPLICE_MIN && s->cb->flush &&
		    (e = s->cb->flush(s->cb->ctx, errmsg)) != NK_OK)
			goto fail;
		if (raw >= SPLICE_MIN)
			e = nk_conn_splice(pc.conn, out_fd, out_name, raw > SIZE_MAX
			                   ? SIZE_MAX : (size_t)raw, s->deadline, &n,
			                   errmsg);
		else
			e = read_or_flush(s->cb, pc.conn, f->buf, f->cap, s->deadline,
			                 &n, NULL, errmsg);
		if (e == NK_ERR_OPERATION_TIMEDOUT) {
			long long ms = (long long)((nk_now() - h->start) / 1000);
			if (b.mode == NK_HTTP_BODY_LENGTH)
				nk_fail(errmsg, e, "Operation timed out after %lld "
				        "milliseconds with %llu out of %lld bytes received",
				        ms, (unsigned long long)b.received,
				        (long long)b.length);
			else
				nk_fail(errmsg, e, "Operation timed out after %lld "
				        "milliseconds with %llu bytes received", ms,
				        (unsigned long long)b.received);
		}
		if (e)
			goto fail;
		if (n == 0) {
			e = body_eof(&b, pc.conn, errmsg);
			if (e)
				goto fail;
			len = 0;
			break;
		}
		if (!h->starttransfer)
			h->starttransfer = nk_now();
		if (raw >= SPLICE_MIN) {
			/* Already out: the framer and the caller only count it. */
			nk_http_body_passed(&b, n);
			s->res->size_download += n;
			e = body_deliver(&k, NULL, n, errmsg);
			if (e)
				goto fail;
			n = 0;
		}
		len = n;
	}
	if (dec) {
		e = nk_decoder_finish(dec, body_deliver, &k, errmsg);
		if (e)
			goto fail;
	}
	nk_decoder_free(dec);
	dec = NULL;
	if (b.trailer_len && !discard && s->cb->trailers) {
		e = s->cb->trailers(s->cb->ctx, f->tbuf, b.trailer_len, errmsg);
		if (e)
			goto fail;
	}
	h->end = nk_now();
	free(req);
	if (b.keep_alive && (len == 0 || pc.ahead > 0) && !s->rq->http10 &&
	    !skip && !up.cut) {
		/* Bytes after the response are the next one's, if it was asked
		 * for; otherwise junk. */
		if (len) {
			pc.rest = malloc(len);
			if (!pc.rest) {
				conn_lost(f, &pc, s, 0);
				return NK_OK;
			}
			memcpy(pc.rest, f->buf, len);
			pc.restlen = len;
		}
		fetch_trace(s->cb, "Connection #%d to %s left intact", pc.id,
		      nk_url_get(u, NK_URL_HOSTNAME));
		pool_put(f, &pc);
	} else {
		if (len)
			fetch_trace(s->cb, "Closing connection #%d: %zu bytes after the "
			      "response", pc.id, len);
		else
			fetch_trace(s->cb, "Closing connection #%d", pc.id);
		conn_lost(f, &pc, s, 0);
	}
	return NK_OK;

fail:
	nk_decoder_free(dec);
	h->end = nk_now();
	h->err = e;
	free(req);
	if (pc.conn)
		fetch_trace(s->cb, "Closing connection #%d", pc.id);
	conn_lost(f, &pc, s, 0);
	return e;
}
