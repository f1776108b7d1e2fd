/* body.c: the response body: framing it, decoding it, and handing it
 * to the caller within the limits (or splicing it to the caller's
 * descriptor), or draining it to keep the connection. */
#include <stdlib.h>
#include <string.h>

#include "fetch/fetch_int.h"

/* Where body bytes go: the caller, within the limits. ctx is the step. */
static nk_err
body_deliver(void *ctx, const char *data, size_t len, char *errmsg)
{
	struct step *s = ctx;
	if (s->range_refused)
		return nk_fail(errmsg, NK_ERR_RANGE_ERROR, "HTTP server doesn't "
		               "seem to support byte ranges. Cannot resume.");
	if (s->rq->max_filesize > 0 &&
	    *s->delivered + len > (uint64_t)s->rq->max_filesize)
		return nk_fail(errmsg, NK_ERR_FILESIZE_EXCEEDED, "Maximum file size "
		               "exceeded: the body is larger than %lld bytes",
		               (long long)s->rq->max_filesize);
	*s->delivered += len;
	if (s->cb->body)
		return s->cb->body(s->cb->ctx, data, len, errmsg);
	return NK_OK;
}

/* Whether the body of a redirect being followed is read (and dropped) to
 * keep the connection: only a small framed one, the rest of which comes
 * soon. One framed by the close, or large, may take long or never end
 * (a server that neither closes nor frames it): the connection is dropped
 * instead, and the next request goes on a new one. A chunked body is read
 * while it stays small (DRAIN_MAX bytes). */
static int
drain_redirect(const struct nk_http_body *b)
{
	return b->mode == NK_HTTP_BODY_NONE || b->mode == NK_HTTP_BODY_CHUNKED ||
	       (b->mode == NK_HTTP_BODY_LENGTH && b->length <= DRAIN_MAX);
}

/* Has the framer copy a chunked body's trailer lines for the caller, into
 * the fetcher's buffer (made the first time), which holds as many as the
 * framer accepts. Without memory, they are not shown. */
static void
keep_trailers(nk_fetch *f, struct nk_http_body *b)
{
	size_t cap = b->max_trailer ? b->max_trailer : NK_HTTP_MAX_HEAD;
	if (!f->tbuf)
		f->tbuf = malloc(cap);
	b->trailer_buf = f->tbuf;
	b->trailer_cap = f->tbuf ? cap : 0;
}

/* The descriptor the body may be spliced to, or -1: the caller must want
 * it, the bytes must need no decoding or framing work on the way, come
 * over plain TCP, and fit the size limit (checked here, as body_deliver()
 * cannot check bytes it never sees). */
static int
splice_target(const struct step *s, const struct nk_http_body *b,
              const nk_decoder *dec, int discard, nk_conn *c,
              const char **name)
{
	if (!s->cb->body_fd || s->cb->wire || dec || discard ||
	    s->range_refused ||
	    !nk_conn_can_splice(c))
		return -1;
	/* A small body costs fewer calls read with what follows it. */
	uint64_t raw = nk_http_body_raw_left(b);
	if (raw < SPLICE_MIN)
		return -1;
	if (s->rq->max_filesize > 0 && (raw == UINT64_MAX ||
	    *s->delivered + raw > (uint64_t)s->rq->max_filesize))
		return -1;
	*name = "the output";
	return s->cb->body_fd(s->cb->ctx, name);
}

/* The connection ended while the body was read: the body's own framing
 * says whether it is whole, but a body framed by the close alone is whole
 * over TLS only if the close was a close_notify; a bare TCP close may be
 * an attacker's cut (RFC 8446 section 6.1). */
static nk_err
body_eof(struct nk_http_body *b, const nk_conn *c, char *errmsg)
{
	nk_err e = nk_http_body_eof(b, errmsg);
	if (!e && b->mode == NK_HTTP_BODY_CLOSE && nk_tls_conn_unclean_eof(c))
		e = nk_fail(errmsg, NK_ERR_RECV_ERROR, "the TLS stream was cut: "
		            "the server closed the connection without a "
		            "close_notify, so the body (%llu bytes) may be "
		            "truncated", (unsigned long long)b->received);
	return e;
}

/* A decoder when the body needs one (transfer codings, or --compressed
 * and a Content-Encoding), in x->dec. */
static nk_err
body_decoder(const struct step *s, struct exchange *x, int discard,
             char *errmsg)
{
	if (discard || !(x->b.te_codings || (s->rq->compressed &&
	                 nk_http_header_find(&x->r, "Content-Encoding", NULL))))
		return NK_OK;
	nk_err e = nk_decoder_new(&x->dec, errmsg);
	if (!e)
		e = nk_decoder_add_response(x->dec, &x->r, NK_DECODE_TRANSFER |
		                            (s->rq->compressed ? NK_DECODE_CONTENT
		                                               : 0), errmsg);
	if (e)
		return e;
	if (!nk_decoder_active(x->dec)) {
		nk_decoder_free(x->dec);
		x->dec = NULL;
	}
	return NK_OK;
}

/* How many of the n bytes at p are the body's (the rest, a pipelined
 * response's): a framed body's end is known, a chunked one's is found
 * by a copy of its framer, which keeps no trailers. Bytes the framer
 * refuses are all counted: the real feed fails on them. */
static size_t
body_span(const struct nk_http_body *b, const char *p, size_t n)
{
	if (b->mode != NK_HTTP_BODY_CHUNKED) {
		uint64_t raw = nk_http_body_raw_left(b);
		return raw < n ? (size_t)raw : n;
	}
	struct nk_http_body probe = *b;
	probe.trailer_buf = NULL;
	probe.trailer_cap = 0;
	char msg[NK_ERR_MSG_LEN];
	size_t at = 0;
	while (at < n && !probe.done) {
		size_t used, dn;
		const char *d;
		if (nk_http_body_feed(&probe, p + at, n - at, &used, &d, &dn,
		                      msg) != NK_OK || used == 0)
			return n;
		at += used;
	}
	return at;
}

/* Feeds the x->len bytes at the front of f->buf to the framer, and the
 * body among them to the caller; *fed says how many were the body's (the
 * rest, once it is done, are the next response's). */
static nk_err
body_feed(nk_fetch *f, struct step *s, struct exchange *x, int discard,
          size_t *fed, char *errmsg)
{
	const char *q = f->buf;
	size_t left = x->len;
	/* Traced as read, before the caller gets them. */
	size_t span = s->cb->wire && left ? body_span(&x->b, q, left) : 0;
	if (span)
		s->cb->wire(s->cb->ctx, 0, q, span);
	while (left > 0 && !x->b.done) {
		size_t used, dn;
		const char *d;
		nk_err e = nk_http_body_feed(&x->b, q, left, &used, &d, &dn,
		                             errmsg);
		if (e)
			return e;
		q += used;
		left -= used;
		if (!dn || discard)
			continue;
		/* curl's size_download: body bytes before decoding. */
		s->res->size_download += dn;
		if (x->dec)
			e = nk_decoder_write(x->dec, d, dn, body_deliver, s, errmsg);
		else
			e = body_deliver(s, d, dn, errmsg);
		if (e)
			return e;
	}
	*fed = x->len - left;
	return NK_OK;
}

/* Reads the next bytes of the body into f->buf (x->len), or, when much
 * is left and the caller gave a descriptor, splices them to it (they are
 * only counted). *eof: the connection ended, and the body with it. */
static nk_err
body_read(nk_fetch *f, struct step *s, nk_fetch_hop *h, struct exchange *x,
          int out_fd, const char *out_name, int *eof, char *errmsg)
{
	size_t n;
	nk_err e;
	uint64_t raw = out_fd >= 0 ? nk_http_body_raw_left(&x->b) : 0;
	/* The last read filled the buffer (its bytes are fed): the body
	 * comes faster than it is read, so reads grow. Without the memory,
	 * they stay as they are. */
	if (x->len == f->cap && f->cap < f->body_max)
		(void)fetch_room(f, f->cap * 2, errmsg);
	/* What the caller holds of this body (the part that came with the
	 * head) must reach out_fd before the rest does. */
	if (raw >= SPLICE_MIN && s->cb->flush &&
	    (e = s->cb->flush(s->cb->ctx, errmsg)) != NK_OK)
		return e;
	size_t cap = raw >= SPLICE_MIN ? raw > SIZE_MAX ? SIZE_MAX : (size_t)raw
	             : f->cap;
	/* --limit-rate: wait for the bucket (what the caller holds goes out
	 * first), then take no more than it holds. */
	e = NK_OK;
	if (pace_wait_ms(&f->down) > 0) {
		if (s->cb->flush && (e = s->cb->flush(s->cb->ctx, errmsg)) != NK_OK)
			return e;
		e = pace_sleep(&f->down, s->deadline);
	}
	if (!e)
		cap = pace_allow(&f->down, cap);
	if (e)
		n = 0;
	else if (x->pc.h2)
		e = h2x_read(f, s, h, x, cap, &n, errmsg);
	else if (raw >= SPLICE_MIN)
		e = nk_conn_splice(x->pc.conn, out_fd, out_name, cap, s->deadline,
		                   &n, errmsg);
	else
		e = read_or_flush(s->cb, x->pc.conn, f->buf, cap, s->deadline, &n,
		                  NULL, errmsg);
	if (!e)
		pace_used(&f->down, n);
	if (e == NK_ERR_OPERATION_TIMEDOUT) {
		long long ms = (long long)((nk_now() - h->start) / 1000);
		if (x->b.mode == NK_HTTP_BODY_LENGTH)
			nk_fail(errmsg, e, "Operation timed out after %lld "
			        "milliseconds with %llu out of %lld bytes received",
			        ms, (unsigned long long)x->b.received,
			        (long long)x->b.length);
		else
			nk_fail(errmsg, e, "Operation timed out after %lld "
			        "milliseconds with %llu bytes received", ms,
			        (unsigned long long)x->b.received);
	}
	*eof = !e && n == 0;
	if (e || *eof)
		return e ? e : body_eof(&x->b, x->pc.conn, errmsg);
	if (!h->starttransfer)
		h->starttransfer = nk_now();
	if (raw >= SPLICE_MIN) {
		/* Already out: the framer and the caller only count it. */
		nk_http_body_passed(&x->b, n);
		s->res->size_download += n;
		e = body_deliver(s, NULL, n, errmsg);
		n = 0;
	}
	x->len = n;
	return e;
}

/* The body of the response whose head is at the front of f->buf: to the
 * caller (AFTER_DELIVER), dropped, or, for a redirect to follow, drained
 * while it stays small (x->skip: it was not, the connection cannot be
 * kept). On return, x->len bytes after it are at the front of f->buf. */
nk_err
body_pump(nk_fetch *f, struct step *s, nk_fetch_hop *h, struct exchange *x,
          enum after_head act, char *errmsg)
{
	int discard = act != AFTER_DELIVER, follow = act == AFTER_FOLLOW;
	nk_err e = body_decoder(s, x, discard, errmsg);
	if (e)
		return e;
	/* The header views are done with: the body starts at the front. */
	memmove(f->buf, f->buf + x->r.head_len, x->len -= x->r.head_len);
	/* What came with the head is paid for with the next wait. */
	pace_used(&f->down, x->len);
	const char *out_name = NULL;
	/* HTTP/2 body bytes come out of frames: none to splice. */
	int out_fd = x->pc.h2 ? -1 : splice_target(s, &x->b, x->dec, discard,
	                                           x->pc.conn, &out_name);
	x->skip = follow && !drain_redirect(&x->b);
	if (x->b.mode == NK_HTTP_BODY_CHUNKED && !discard && s->cb->trailers)
		keep_trailers(f, &x->b);
	for (;;) {
		if (x->skip || (follow && x->b.received > DRAIN_MAX)) {
			fetch_trace(s->cb, "Not waiting for the rest of the redirect's "
			            "body");
			x->skip = 1;
			x->len = 0;
			break;
		}
		size_t fed;
		int eof;
		if ((e = body_feed(f, s, x, discard, &fed, errmsg)) != NK_OK)
			return e;
		h->body_bytes = x->b.received;
		if (x->b.done) {
			/* What follows is the next response's (pipelining). */
			memmove(f->buf, f->buf + fed, x->len -= fed);
			break;
		}
		if ((e = body_read(f, s, h, x, out_fd, out_name, &eof, errmsg)) !=
		    NK_OK)
			return e;
		if (eof) {
			x->len = 0;
			break;
		}
	}
	if (x->dec && (e = nk_decoder_finish(x->dec, body_deliver, s, errmsg)))
		return e;
	nk_decoder_free(x->dec);
	x->dec = NULL;
	if (x->b.trailer_len && !discard && s->cb->trailers)
		return s->cb->trailers(s->cb->ctx, f->tbuf, x->b.trailer_len,
		                       errmsg);
	const char *t;
	size_t tn = x->pc.h2 ? h2x_trailers(x, &t) : 0;
	if (tn && !discard && s->cb->trailers)
		return s->cb->trailers(s->cb->ctx, t, tn, errmsg);
	return NK_OK;
}
