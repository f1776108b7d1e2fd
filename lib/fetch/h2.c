/* h2.c: one connection's HTTP/2 session over libnghttp2 (the framing,
 * HPACK and flow control are nghttp2's): the stream open on it, its
 * response head rewritten in the form nk shows heads, its body data held
 * for the taker, its request body read from the run's source as the
 * server's window allows. No socket here: bytes in (h2_feed), bytes out
 * (h2_out); h2x.c is the blocking driver. See h2_int.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "fetch/fetch_int.h"
#include "fetch/h2_int.h"

struct h2 {
	nghttp2_session *ng;
	struct h2_stream st;
	struct src *src;
	struct pace *pace;      /* the request body's --limit-rate, or NULL */
	/* the response head as nk shows it */
	char *head;
	size_t head_len, head_cap, head_max;   /* grown up to head_max */
	int status;
	/* body data of the stream not taken yet: inside the bytes being fed,
	 * which the driver keeps until it is taken */
	const uint8_t *spill;
	size_t spill_len;
	/* where body data goes while the taker has room (h2_sink): read
	 * after read lands there, one frame after another, without a pause */
	char *sink;
	size_t sink_cap, sink_len;
	int paused;             /* a DATA frame's end (END_STREAM, say) is
	                           still to be processed: feed again, even
	                           nothing */
	int goaway;
	char err[160];          /* the connection's end, in words */
};

/* Appends a, b and c to the head, leaving room for its last CRLF:
 * 0, or -1 when that passes head_max (or memory runs out). */
static int
head_put(struct h2 *h, const char *a, size_t an, const char *b, size_t bn,
         const char *c, size_t cn)
{
	size_t need = h->head_len + an + bn + cn + 2;
	if (need > h->head_max)
		return -1;
	if (need > h->head_cap) {
		size_t cap = h->head_cap * 2 > need ? h->head_cap * 2 : need;
		char *p = realloc(h->head, cap < h->head_max ? cap : h->head_max);
		if (!p)
			return -1;
		h->head = p;
		h->head_cap = cap < h->head_max ? cap : h->head_max;
	}
	memcpy(h->head + h->head_len, a, an);
	memcpy(h->head + h->head_len + an, b, bn);
	memcpy(h->head + h->head_len + an + bn, c, cn);
	h->head_len += an + bn + cn;
	return 0;
}

static int
on_header(nghttp2_session *ng, const nghttp2_frame *fr, const uint8_t *name,
          size_t namelen, const uint8_t *value, size_t valuelen,
          uint8_t flags, void *ud)
{
	struct h2 *h = ud;
	(void)ng;
	(void)flags;
	if (fr->hd.type != NGHTTP2_HEADERS || fr->hd.stream_id != h->st.id ||
	    h->st.head_done)
		return 0;   /* trailers: not shown */
	const char *n = (const char *)name, *v = (const char *)value;
	if (namelen == 7 && memcmp(n, ":status", 7) == 0) {
		/* nghttp2 has checked it is three digits */
		char line[32];
		if (valuelen != 3)
			return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
		h->status = (v[0] - '0') * 100 + (v[1] - '0') * 10 + v[2] - '0';
		h->head_len = 0;
		int ln = snprintf(line, sizeof line, "HTTP/2 %d \r\n", h->status);
		return head_put(h, line, (size_t)ln, "", 0, "", 0) ? -1 : 0;
	}
	if (namelen && n[0] == ':')
		return 0;
	if (head_put(h, n, namelen, ": ", 2, v, valuelen) == 0 &&
	    head_put(h, "\r\n", 2, "", 0, "", 0) == 0)
		return 0;
	/* The stream is reset (INTERNAL_ERROR); the driver says why. */
	h->st.too_big = 1;
	return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
}

static void
goaway_got(struct h2 *h, const nghttp2_goaway *g)
{
	h->goaway = 1;
	snprintf(h->err, sizeof h->err, "the server ended the HTTP/2 "
	         "connection (GOAWAY, %s)", nghttp2_http2_strerror(g->error_code));
	/* A stream above the last one it processed was never acted on. */
	if (h->st.id > g->last_stream_id && !h->st.closed)
		h->st.refused = 1;
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
	if (fr->hd.stream_id != h->st.id || h->st.id == 0)
		return 0;
	if (fr->hd.type == NGHTTP2_RST_STREAM) {
		h->st.reset = 1;
		if (fr->rst_stream.error_code == NGHTTP2_REFUSED_STREAM)
			h->st.refused = 1;
	} else if (fr->hd.type == NGHTTP2_HEADERS && !h->st.head_done &&
	           (fr->hd.flags & NGHTTP2_FLAG_END_HEADERS)) {
		/* An interim (1xx) head is dropped: the final one follows. */
		if (h->status >= 200 && head_put(h, "\r\n", 2, "", 0, "", 0) == 0)
			h->st.head_done = 1;
		else
			h->head_len = 0;
	}
	return 0;
}

static int
on_data(nghttp2_session *ng, uint8_t flags, int32_t id, const uint8_t *data,
        size_t len, void *ud)
{
	struct h2 *h = ud;
	(void)ng;
	(void)flags;
	if (id != h->st.id || h->st.closed || !len)
		return 0;
	if (h->sink) {
		size_t k = h->sink_cap - h->sink_len < len ? h->sink_cap - h->sink_len
		           : len;
		memcpy(h->sink + h->sink_len, data, k);
		h->sink_len += k;
		data += k;
		len -= k;
		if (!len)
			return 0;
	}
	/* The rest held where it is, in the fed bytes: h2_feed stops here
	 * until it is taken. */
	h->spill = data;
	h->spill_len = len;
	h->paused = 1;
	return NGHTTP2_ERR_PAUSE;
}

static int
on_close(nghttp2_session *ng, int32_t id, uint32_t code, void *ud)
{
	struct h2 *h = ud;
	(void)ng;
	if (id != h->st.id)
		return 0;
	h->st.closed = 1;
	h->st.code = code;
	if (code == NGHTTP2_REFUSED_STREAM)
		h->st.refused = 1;
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
	struct h2 *h = ud;
	(void)ng;
	(void)id;
	(void)source;
	size_t n = 0;
	int wait = 0;
	nk_err e = NK_OK;
	struct src *sr = h->src;
	/* --limit-rate: no more than the bucket holds; an empty one waits */
	if (h->pace && !(len = pace_allow(h->pace, len))) {
		h->st.src_wait = h->st.paced = 1;
		return NGHTTP2_ERR_DEFERRED;
	}
	if (sr->b->data) {   /* memory: src_read is for the other sources */
		n = sr->b->len - sr->pos < len ? sr->b->len - sr->pos : len;
		memcpy(buf, sr->b->data + sr->pos, n);
		sr->pos += n;
		sr->used = 1;
	} else {
		e = src_read(sr, (char *)buf, len, &n, &wait, h->st.src_msg);
	}
	if (e) {
		h->st.src_err = e;
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	}
	if (wait && !n) {
		h->st.src_wait = 1;
		return NGHTTP2_ERR_DEFERRED;
	}
	h->st.sent += n;
	if (h->pace)
		pace_used(h->pace, n);
	if (n == 0 || (h->src->size >= 0 &&
	               h->src->pos >= (uint64_t)h->src->size)) {
		*flags |= NGHTTP2_DATA_FLAG_EOF;
		h->st.src_done = 1;
	}
	return (ssize_t)n;
}

nk_err
h2_new(struct h2 **out, size_t max_head, char *errmsg)
{
	*out = NULL;
	struct h2 *h = calloc(1, sizeof *h);
	nghttp2_session_callbacks *cb = NULL;
	/* most heads are small: the buffer grows when one is not */
	size_t cap = max_head < 4096 ? max_head : 4096;
	if (!h || !(h->head = malloc(cap)) ||
	    nghttp2_session_callbacks_new(&cb) != 0)
		goto oom;
	h->head_max = max_head;
	h->head_cap = cap;
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
	nghttp2_session_callbacks_set_error_callback2(cb, on_error);
	nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(cb,
	                                                            on_invalid);
	nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_sent);
	int r = nghttp2_session_client_new(&h->ng, cb, h);
	nghttp2_session_callbacks_del(cb);
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
	h2_free(h);
	return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
}

void
h2_free(struct h2 *h)
{
	if (!h)
		return;
	nghttp2_session_del(h->ng);
	free(h->head);
	free(h);
}

nk_err
h2_request(struct h2 *h, const nghttp2_nv *nva, size_t n,
           struct src *src, struct pace *pace, char *errmsg)
{
	memset(&h->st, 0, sizeof h->st);
	h->head_len = 0;
	h->status = 0;
	h->spill = NULL;
	h->spill_len = 0;
	h->sink = NULL;
	h->sink_len = 0;
	h->src = src;
	h->pace = pace;
	nghttp2_data_provider prd = { .read_callback = body_read };
	int32_t id = nghttp2_submit_request(h->ng, NULL, nva, n,
	                                    src ? &prd : NULL, NULL);
	if (id < 0)
		return nk_fail(errmsg, NK_ERR_HTTP2, "HTTP/2: the request could "
		               "not be queued: %s", nghttp2_strerror(id));
	h->st.id = id;
	return NK_OK;
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
h2_feed(struct h2 *h, const uint8_t *p, size_t n, size_t *used,
        char *errmsg)
{
	*used = 0;
	if (h->spill_len)
		return NK_OK;
	h->paused = 0;
	ssize_t r = nghttp2_session_mem_recv(h->ng, p, n);
	if (r < 0)
		return session_failed(h, "HTTP/2 framing error", r, errmsg);
	*used = (size_t)r;
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
h2_sink(struct h2 *h, char *dst, size_t cap)
{
	h->sink = dst;
	h->sink_cap = cap;
	h->sink_len = 0;
	if (dst && h->spill_len)
		h->sink_len = h2_take(h, dst, cap);
}

int
h2_spilled(const struct h2 *h)
{
	return h->spill_len > 0;
}

size_t
h2_take(struct h2 *h, char *dst, size_t cap)
{
	if (h->sink_len) {   /* already in dst, which is the sink */
		size_t n = h->sink_len;
		h->sink = NULL;
		h->sink_len = 0;
		return n;
	}
	h->sink = NULL;
	size_t n = h->spill_len < cap ? h->spill_len : cap;
	memcpy(dst, h->spill, n);
	h->spill += n;
	h->spill_len -= n;
	return n;
}

int
h2_paused(const struct h2 *h)
{
	return h->paused;
}

int
h2_has_data(const struct h2 *h)
{
	return h->spill_len > 0 || h->sink_len > 0;
}

const struct h2_stream *
h2_stream(const struct h2 *h)
{
	return &h->st;
}

const char *
h2_head(const struct h2 *h, size_t *len)
{
	*len = h->head_len;
	return h->head;
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

void
h2_cancel(struct h2 *h)
{
	h->spill = NULL;
	h->spill_len = 0;
	h->sink = NULL;
	h->sink_len = 0;
	if (h->st.id && !h->st.closed)
		nghttp2_submit_rst_stream(h->ng, NGHTTP2_FLAG_NONE, h->st.id,
		                          NGHTTP2_CANCEL);
	h->st.closed = 1;
}

const char *
h2_conn_error(const struct h2 *h)
{
	return h->err;
}

void
h2_resume(struct h2 *h)
{
	if (h->st.src_wait && h->st.id) {
		h->st.src_wait = h->st.paced = 0;
		nghttp2_session_resume_data(h->ng, h->st.id);
	}
}
