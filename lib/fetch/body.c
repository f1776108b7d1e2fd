/* body.c: the response body: framing it, decoding it, and handing it
 * to the caller within the limits (or splicing it to the caller's
 * descriptor), or draining it to keep the connection. */
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

/* Content-Range: bytes START-END/TOTAL (or bytes * / TOTAL); START, or -1. */
int64_t
range_start(const struct nk_http_response *r, int64_t *total)
{
	const struct nk_http_header *h = nk_http_header_find(r, "Content-Range",
	                                                     NULL);
	*total = -1;
	if (!h || h->value_len < 7 || strncasecmp(h->value, "bytes ", 6) != 0)
		return -1;
	char v[128];
	snprintf(v, sizeof v, "%.*s", (int)h->value_len - 6, h->value + 6);
	char *slash = strchr(v, '/');
	if (slash && slash[1] != '*')
		*total = strtoll(slash + 1, NULL, 10);
	if (v[0] == '*')
		return -1;
	return strtoll(v, NULL, 10);
}

nk_err
body_deliver(void *ctx, const char *data, size_t len, char *errmsg)
{
	struct sinkctx *k = ctx;
	struct step *s = k->s;
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
int
drain_redirect(const struct nk_http_body *b)
{
	return b->mode == NK_HTTP_BODY_NONE || b->mode == NK_HTTP_BODY_CHUNKED ||
	       (b->mode == NK_HTTP_BODY_LENGTH && b->length <= DRAIN_MAX);
}

/* Has the framer copy a chunked body's trailer lines for the caller, into
 * the fetcher's buffer (made the first time), which holds as many as the
 * framer accepts. Without memory, they are not shown. */
void
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
int
splice_target(const struct step *s, const struct nk_http_body *b,
              const nk_decoder *dec, int discard, nk_conn *c,
              const char **name)
{
	if (!s->cb->body_fd || dec || discard || s->range_refused ||
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
nk_err
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
