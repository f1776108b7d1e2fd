/* response.c: reading a response head into the fetcher's buffer, and
 * passing the interim (1xx) ones that come before the final head. */
#include <string.h>

#include "fetch/fetch_int.h"

/* nk_conn_read, but before it waits for the network it lets the caller
 * write out what it holds back (cb->flush): output gathered across
 * pipelined responses goes out while nk waits, never later. *cb_failed
 * (when not NULL) says that the error came from the callback, not the
 * connection. */
nk_err
read_or_flush(const nk_fetch_callbacks *cb, nk_conn *c, void *buf,
             size_t len, nk_time deadline, size_t *n, int *cb_failed,
             char *errmsg)
{
	if (cb_failed)
		*cb_failed = 0;
	if (cb && cb->flush) {
		int want;
		nk_err e = nk_conn_try_read(c, buf, len, n, &want, errmsg);
		if (e || *n > 0 || !want)
			return e;
		if ((e = cb->flush(cb->ctx, errmsg)) != NK_OK) {
			if (cb_failed)
				*cb_failed = 1;
			return e;
		}
	}
	return nk_conn_read(c, buf, len, deadline, n, errmsg);
}

/* Parses the head in f->buf[0..len) into r; a head with more fields than
 * f->hdrs holds is parsed again into the largest array (the parser, done
 * with the head, only fills the fields in again; a fold it undid in the
 * buffer stays undone, so r->folded is carried over). */
static nk_err
parse_head(nk_fetch *f, struct nk_http_parser *p, size_t len,
           struct nk_http_response *r, char *errmsg)
{
	nk_err e = nk_http_parse_response(p, f->buf, len, r, errmsg);
	if (e && r->num_headers == r->max_headers &&
	    f->nhdrs < NK_HTTP_MAX_HEADERS) {
		int folded = r->folded;
		if (fetch_more_headers(f, errmsg) != NK_OK)
			return NK_ERR_OUT_OF_MEMORY;
		r->headers = f->hdrs;
		r->max_headers = f->nhdrs;
		e = nk_http_parse_response(p, f->buf, len, r, errmsg);
		r->folded |= folded;
	}
	return e;
}

/* Reads a response head into f->buf (which holds *len bytes already).
 * Returns NK_OK with res->head_len set, or an error; *got says whether any
 * byte arrived (a dead reused connection sends none), and is set too when
 * the error is the flush callback's, which no new connection would cure. */
nk_err
read_head(nk_fetch *f, const nk_fetch_callbacks *cb, nk_conn *c,
          size_t *len, struct nk_http_response *r, nk_time deadline,
          nk_fetch_hop *h, int *got, char *errmsg)
{
	struct nk_http_parser p;
	memset(&p, 0, sizeof p);
	p.max_line = f->cfg.max_line;
	p.max_head = f->cfg.max_head;
	memset(r, 0, sizeof *r);
	r->headers = f->hdrs;
	r->max_headers = f->nhdrs;
	if (*len > 0) {
		/* The start came with the response before (pipelining). */
		*got = 1;
		if (h && !h->starttransfer)
			h->starttransfer = nk_now();
	}
	for (;;) {
		if (*len > 0) {
			nk_err e = parse_head(f, &p, *len, r, errmsg);
			if (e || r->head_len)
				return e;
		}
		/* The parser keeps offsets, not pointers: the buffer may move. */
		if (*len == f->cap && f->cap < f->max &&
		    fetch_room(f, f->cap + 1, errmsg) != NK_OK)
			return NK_ERR_OUT_OF_MEMORY;
		if (*len == f->cap)
			return nk_fail(errmsg, NK_ERR_RECV_ERROR, "response head "
			               "larger than the %zu byte buffer", f->cap);
		size_t n;
		int cb_failed;
		size_t room = f->cap - *len;
		if (f->down.rate && room > PACE_HEAD_READ)
			room = PACE_HEAD_READ;
		nk_err e = read_or_flush(cb, c, f->buf + *len, room, deadline, &n,
		                        &cb_failed, errmsg);
		if (cb_failed)
			*got = 1;
		if (e)
			return e;
		if (n == 0)
			return nk_http_parse_eof(&p, *len, errmsg);
		if (!*got && h && !h->starttransfer)
			h->starttransfer = nk_now();
		*got = 1;
		*len += n;
	}
}

/* Shows an interim response (100, 103) and drops it from f->buf. */
nk_err
pass_interim(nk_fetch *f, const struct step *s, nk_fetch_hop *h,
             const struct nk_http_response *r, size_t *len, char *errmsg)
{
	h->header_bytes += r->head_len;
	s->res->size_header += r->head_len;
	if (fetch_wants(s->cb, NK_FETCH_HEAD_IN))
		s->cb->trace(s->cb->ctx, NK_FETCH_HEAD_IN, f->buf, r->head_len,
		             NULL);
	if (s->cb->head) {
		nk_fetch_hop tmp = *h;
		tmp.status = r->status;
		nk_err e = s->cb->head(s->cb->ctx, &tmp, f->buf, r->head_len, 1,
		                       errmsg);
		if (e)
			return e;
	}
	memmove(f->buf, f->buf + r->head_len, *len -= r->head_len);
	return NK_OK;
}
