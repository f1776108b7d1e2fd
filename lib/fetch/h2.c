/* h2.c: one connection's HTTP/2 session over libnghttp2 (the framing,
 * HPACK and flow control are nghttp2's): the streams open on it, each
 * one's response head rewritten in the form nk shows heads, its body data
 * held for its taker, its request body read from its run's source as the
 * server's window allows. No socket here: bytes in (h2_feed), bytes out
 * (h2_out); h2x.c drives it. See h2_int.h.
 *
 * The server may send a stream only as much as its taker has taken plus
 * the window (windows are updated by hand, as data is taken), so what a
 * stream holds for a task busy elsewhere stays bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "fetch/fetch_int.h"
#include "fetch/h2_int.h"

struct h2 {
	nghttp2_session *ng;
	struct h2_stream *streams;   /* every stream not yet h2_close'd */
	size_t head_max;
	int goaway;
	char err[160];          /* the connection's end, in words */
};

static void
news(struct h2_stream *st)
{
	nk_task_wake(st->waiter);
}

static struct h2_stream *
stream_of(struct h2 *h, int32_t id)
{
	return id ? nghttp2_session_get_stream_user_data(h->ng, id) : NULL;
}

/* Appends a, b and c to t, leaving room for a last CRLF: 0, or -1 when
 * that passes max (or memory runs out). */
static int
text_put(struct h2_text *t, size_t max, const char *a, size_t an,
         const char *b, size_t bn, const char *c, size_t cn)
{
	size_t need = t->len + an + bn + cn + 2;
	if (need > max)
		return -1;
	if (need > t->cap) {
		/* most heads are small: 1 KiB, then doubled as needed */
		size_t cap = t->cap * 2 > need ? t->cap * 2 : need;
		cap = cap < 1024 ? 1024 : cap;
		char *p = realloc(t->p, cap < max ? cap : max);
		if (!p)
			return -1;
		t->p = p;
		t->cap = cap < max ? cap : max;
	}
	memcpy(t->p + t->len, a, an);
	memcpy(t->p + t->len + an, b, bn);
	memcpy(t->p + t->len + an + bn, c, cn);
	t->len += an + bn + cn;
	return 0;
}

static int
head_put(struct h2_stream *h, const char *a, size_t an, const char *b,
         size_t bn, const char *c, size_t cn)
{
	return text_put(&h->head, h->h->head_max, a, an, b, bn, c, cn);
}

static int
on_header(nghttp2_session *ng, const nghttp2_frame *fr, const uint8_t *name,
          size_t namelen, const uint8_t *value, size_t valuelen,
          uint8_t flags, void *ud)
{
	struct h2_stream *h = stream_of(ud, fr->hd.stream_id);
	(void)ng;
	(void)flags;
	if (fr->hd.type != NGHTTP2_HEADERS || !h)
		return 0;
	const char *n = (const char *)name, *v = (const char *)value;
	if (h->head_done) {
		/* trailers: kept while they fit, for -i and -D */
		size_t was = h->trailers.len;
		if (text_put(&h->trailers, h->h->head_max, n, namelen, ": ", 2,
		             v, valuelen) != 0 ||
		    text_put(&h->trailers, h->h->head_max, "\r\n", 2, "", 0, "",
		             0) != 0)
			h->trailers.len = was;
		return 0;
	}
	h->got = 1;
	if (namelen == 7 && memcmp(n, ":status", 7) == 0) {
		/* nghttp2 has checked it is three digits */
		char line[32];
		if (valuelen != 3)
			return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
		h->status = (v[0] - '0') * 100 + (v[1] - '0') * 10 + v[2] - '0';
		h->head.len = 0;
		int ln = snprintf(line, sizeof line, "HTTP/2 %d \r\n", h->status);
		return head_put(h, line, (size_t)ln, "", 0, "", 0) ? -1 : 0;
	}
	if (namelen && n[0] == ':')
		return 0;
	if (head_put(h, n, namelen, ": ", 2, v, valuelen) == 0 &&
	    head_put(h, "\r\n", 2, "", 0, "", 0) == 0)
		return 0;
	/* The stream is reset (INTERNAL_ERROR); the driver says why. */
	h->too_big = 1;
	news(h);
	return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
}

static void
goaway_got(struct h2 *h, const nghttp2_goaway *g)
{
	h->goaway = 1;
	snprintf(h->err, sizeof h->err, "the server ended the HTTP/2 "
	         "connection (GOAWAY, %s)", nghttp2_http2_strerror(g->error_code));
	/* A stream above the last one it processed was never acted on. */
	for (struct h2_stream *st = h->streams; st; st = st->next)
		if (st->id > g->last_stream_id && !st->closed) {
			st->refused = 1;
			news(st);
		}
}

static int
on_frame(nghttp2_session *ng, const nghttp2_frame *fr, void *ud)
{
	struct h2 *h = ud;
	(void)ng;
	if (fr->hd.type == NGHTTP2_GOAWAY) {
		goaway_got(h, &fr->goaway);
		return 0;
	}
	struct h2_stream *st = stream_of(h, fr->hd.stream_id);
	if (!st)
		return 0;
	if (fr->hd.type == NGHTTP2_RST_STREAM) {
		st->reset = 1;
		if (fr->rst_stream.error_code == NGHTTP2_REFUSED_STREAM)
			st->refused = 1;
		news(st);
	} else if (fr->hd.type == NGHTTP2_HEADERS && !st->head_done &&
	           (fr->hd.flags & NGHTTP2_FLAG_END_HEADERS)) {
		/* An interim (1xx) head is kept aside: the final one follows. */
		int bad = head_put(st, "\r\n", 2, "", 0, "", 0) != 0;
		if (!bad && st->status >= 200)
			st->head_done = 1;
		else if (!bad)
			bad = text_put(&st->interim, st->h->head_max, st->head.p,
			               st->head.len, "", 0, "", 0) != 0;
		if (bad)
			st->too_big = 1;
		if (!st->head_done)
			st->head.len = 0;
		if (st->too_big)   /* the driver says why */
			nghttp2_submit_rst_stream(h->ng, NGHTTP2_FLAG_NONE, st->id,
			                          NGHTTP2_INTERNAL_ERROR);
		news(st);
	}
	return 0;
}

static int
on_data(nghttp2_session *ng, uint8_t flags, int32_t id, const uint8_t *data,
        size_t len, void *ud)
{
	struct h2 *h = ud;
	struct h2_stream *st = stream_of(h, id);
	(void)flags;
	if (!st || st->closed) {
		/* nobody takes it: the connection's window gets it back now */
		nghttp2_session_consume_connection(ng, len);
		return 0;
	}
	st->got = 1;
	if (st->sink) {
		size_t k = st->sink_cap - st->sink_len < len
		           ? st->sink_cap - st->sink_len : len;
		memcpy(st->sink + st->sink_len, data, k);
		st->sink_len += k;
		data += k;
		len -= k;
	}
	if (len) {
		if (st->data_off == st->data_len)
			st->data_off = st->data_len = 0;
		if (st->data_len + len > st->data_cap) {
			size_t cap = st->data_cap ? st->data_cap * 2 : 64 * 1024;
			while (cap < st->data_len + len)
				cap *= 2;
			char *p = realloc(st->data, cap);
			if (!p) {
				snprintf(h->err, sizeof h->err, "out of memory");
				return NGHTTP2_ERR_CALLBACK_FAILURE;
			}
			st->data = p;
			st->data_cap = cap;
		}
		memcpy(st->data + st->data_len, data, len);
		st->data_len += len;
	}
	news(st);
	return 0;
}

static int
on_close(nghttp2_session *ng, int32_t id, uint32_t code, void *ud)
{
	struct h2_stream *st = stream_of(ud, id);
	(void)ng;
	if (!st)
		return 0;
	st->closed = 1;
	st->code = code;
	if (code == NGHTTP2_REFUSED_STREAM)
		st->refused = 1;
	news(st);
	return 0;
}

static int
on_error(nghttp2_session *ng, int lib_code, const char *msg, size_t len,
         void *ud)
{
	struct h2 *h = ud;
	(void)ng;
	(void)lib_code;
	if (!h->err[0])
		snprintf(h->err, sizeof h->err, "HTTP/2 framing error: %.*s",
		         (int)(len > 120 ? 120 : len), msg);
	return 0;
}

static int
on_invalid(nghttp2_session *ng, const nghttp2_frame *fr, int lib_code,
           void *ud)
{
	struct h2 *h = ud;
	(void)ng;
	if (!h->err[0] && fr->hd.stream_id == 0)
		snprintf(h->err, sizeof h->err, "HTTP/2 framing error: an invalid "
		         "frame (type %u) from the server: %s", fr->hd.type,
		         nghttp2_strerror(lib_code));
	return 0;
}

/* nghttp2 ended the connection itself (a GOAWAY with an error, for what
 * the server sent): the reason, unless one is known. */
static int
on_sent(nghttp2_session *ng, const nghttp2_frame *fr, void *ud)
{
	struct h2 *h = ud;
	(void)ng;
	if (fr->hd.type == NGHTTP2_GOAWAY && fr->goaway.error_code &&
	    !h->err[0])
		snprintf(h->err, sizeof h->err, "HTTP/2 framing error: nk ended "
		         "the connection (%s)",
		         nghttp2_http2_strerror(fr->goaway.error_code));
	return 0;
}

/* The request body, as much as the window lets go now. */
static ssize_t
body_read(nghttp2_session *ng, int32_t id, uint8_t *buf, size_t len,
          uint32_t *flags, nghttp2_data_source *source, void *ud)
{
	struct h2_stream *h = source->ptr;
	(void)ng;
	(void)id;
	(void)ud;
	size_t n = 0;
	int wait = 0;
	nk_err e = NK_OK;
	struct src *sr = h->src;
	/* --limit-rate: no more than the bucket holds; an empty one waits */
	if (h->pace && !(len = pace_allow(h->pace, len))) {
		h->src_wait = h->paced = 1;
		return NGHTTP2_ERR_DEFERRED;
	}
	if (sr->b->data) {   /* memory: src_read is for the other sources */
		n = sr->b->len - sr->pos < len ? sr->b->len - sr->pos : len;
		memcpy(buf, sr->b->data + sr->pos, n);
		sr->pos += n;
		sr->used = 1;
	} else {
		e = src_read(sr, (char *)buf, len, &n, &wait, h->src_msg);
	}
	if (e) {
		h->src_err = e;
		news(h);
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	}
	if (wait && !n) {
		h->src_wait = 1;
		return NGHTTP2_ERR_DEFERRED;
	}
	h->sent += n;
	if (h->pace)
		pace_used(h->pace, n);
	if (n == 0 || (h->src->size >= 0 &&
	               h->src->pos >= (uint64_t)h->src->size)) {
		*flags |= NGHTTP2_DATA_FLAG_EOF;
		h->src_done = 1;
	}
	return (ssize_t)n;
}

nk_err
h2_new(struct h2 **out, size_t max_head, char *errmsg)
{
	*out = NULL;
	struct h2 *h = calloc(1, sizeof *h);
	nghttp2_session_callbacks *cb = NULL;
	nghttp2_option *opt = NULL;
	if (!h || nghttp2_session_callbacks_new(&cb) != 0 ||
	    nghttp2_option_new(&opt) != 0)
		goto oom;
	h->head_max = max_head;
	/* windows grow back as takers take (h2_take), not as data comes */
	nghttp2_option_set_no_auto_window_update(opt, 1);
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
	nghttp2_session_callbacks_set_error_callback2(cb, on_error);
	nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(cb,
	                                                            on_invalid);
	nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_sent);
	int r = nghttp2_session_client_new2(&h->ng, cb, h, opt);
	nghttp2_session_callbacks_del(cb);
	nghttp2_option_del(opt);
	cb = NULL;
	opt = NULL;
	if (r != 0)
		goto oom;
	/* No push (nk would have nowhere to put it); the windows large. */
	nghttp2_settings_entry iv[] = {
		{ NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
		{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100 },
		{ NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, H2_STREAM_WINDOW },
	};
	if (nghttp2_submit_settings(h->ng, NGHTTP2_FLAG_NONE, iv,
	                            NK_ARRAY_LEN(iv)) != 0 ||
	    nghttp2_session_set_local_window_size(h->ng, NGHTTP2_FLAG_NONE, 0,
	                                          H2_CONN_WINDOW) != 0)
		goto oom;
	*out = h;
	return NK_OK;
oom:
	nghttp2_session_callbacks_del(cb);
	nghttp2_option_del(opt);
	h2_free(h);
	return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
}

static void
stream_free(struct h2_stream *st)
{
	free(st->head.p);
	free(st->interim.p);
	free(st->trailers.p);
	free(st->data);
	free(st);
}

void
h2_free(struct h2 *h)
{
	if (!h)
		return;
	nghttp2_session_del(h->ng);
	while (h->streams) {
		struct h2_stream *st = h->streams;
		h->streams = st->next;
		stream_free(st);
	}
	free(h);
}

nk_err
h2_request(struct h2 *h, const nghttp2_nv *nva, size_t n,
           struct src *src, struct pace *pace, struct h2_stream **out,
           char *errmsg)
{
	struct h2_stream *st = calloc(1, sizeof *st);
	*out = NULL;
	if (!st)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	st->h = h;
	st->src = src;
	st->pace = pace;
	nghttp2_data_provider prd = { .source.ptr = st,
	                              .read_callback = body_read };
	int32_t id = nghttp2_submit_request(h->ng, NULL, nva, n,
	                                    src ? &prd : NULL, st);
	if (id < 0) {
		free(st);
		return nk_fail(errmsg, NK_ERR_HTTP2, "HTTP/2: the request could "
		               "not be queued: %s", nghttp2_strerror(id));
	}
	st->id = id;
	st->next = h->streams;
	h->streams = st;
	*out = st;
	return NK_OK;
}

void
h2_close(struct h2_stream *st)
{
	if (!st)
		return;
	struct h2 *h = st->h;
	if (!st->closed) {
		nghttp2_submit_rst_stream(h->ng, NGHTTP2_FLAG_NONE, st->id,
		                          NGHTTP2_CANCEL);
		st->closed = 1;
	}
	size_t held = st->sink_len + st->data_len - st->data_off;
	if (held)
		nghttp2_session_consume_connection(h->ng, held);
	nghttp2_session_set_stream_user_data(h->ng, st->id, NULL);
	for (struct h2_stream **pp = &h->streams; *pp; pp = &(*pp)->next)
		if (*pp == st) {
			*pp = st->next;
			break;
		}
	stream_free(st);
}

/* nghttp2 gave up on the session (code r): the first reason known. */
static nk_err
session_failed(struct h2 *h, const char *what, ssize_t r, char *errmsg)
{
	if (!h->err[0])
		snprintf(h->err, sizeof h->err, "%s: %s", what,
		         nghttp2_strerror((int)r));
	return nk_fail(errmsg, NK_ERR_HTTP2, "%s", h->err);
}

nk_err
h2_feed(struct h2 *h, const uint8_t *p, size_t n, char *errmsg)
{
	ssize_t r = nghttp2_session_mem_recv(h->ng, p, n);
	if (r < 0)
		return session_failed(h, "HTTP/2 framing error", r, errmsg);
	return NK_OK;
}

nk_err
h2_out(struct h2 *h, const uint8_t **p, size_t *n, char *errmsg)
{
	ssize_t r = nghttp2_session_mem_send(h->ng, p);
	*n = 0;
	if (r < 0)
		return session_failed(h, "HTTP/2 session failed", r, errmsg);
	*n = (size_t)r;
	return NK_OK;
}

void
h2_sink(struct h2_stream *st, char *dst, size_t cap)
{
	st->sink = dst;
	st->sink_cap = cap;
	st->sink_len = 0;
	if (dst && st->data_len > st->data_off) {
		size_t k = st->data_len - st->data_off;
		k = k < cap ? k : cap;
		memcpy(dst, st->data + st->data_off, k);
		st->data_off += k;
		st->sink_len = k;
	}
}

size_t
h2_take(struct h2_stream *st, char *dst, size_t cap)
{
	size_t n;
	if (st->sink_len) {   /* already in dst, which is the sink */
		n = st->sink_len;
	} else {
		n = st->data_len - st->data_off;
		n = n < cap ? n : cap;
		memcpy(dst, st->data + st->data_off, n);
		st->data_off += n;
	}
	st->sink = NULL;
	st->sink_len = 0;
	if (n)
		nghttp2_session_consume(st->h->ng, st->id, n);
	return n;
}

int
h2_has_data(const struct h2_stream *st)
{
	return st->data_len > st->data_off || st->sink_len > 0;
}

const char *
h2_head(const struct h2_stream *st, size_t *len)
{
	*len = st->head.len;
	return st->head.p;
}

int
h2_reusable(const struct h2 *h)
{
	return !h->goaway && !h->err[0] && nghttp2_session_want_read(h->ng) &&
	       nghttp2_session_check_request_allowed(h->ng);
}

int
h2_live(const struct h2 *h)
{
	return nghttp2_session_want_read(h->ng) ||
	       nghttp2_session_want_write(h->ng);
}

const char *
h2_conn_error(const struct h2 *h)
{
	return h->err;
}

void
h2_resume(struct h2_stream *st)
{
	if (st->src_wait && !st->closed) {
		st->src_wait = st->paced = 0;
		nghttp2_session_resume_data(st->h->ng, st->id);
	}
}

void
h2_wake_all(struct h2 *h)
{
	for (struct h2_stream *st = h->streams; st; st = st->next)
		news(st);
}
