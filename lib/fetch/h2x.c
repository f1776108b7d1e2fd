/* h2x.c: an exchange over HTTP/2: drives a connection's session (h2.c)
 * over its nk_conn, one stream an exchange. It turns the request head
 * request.c built for HTTP/1.1 into the stream's header list (so every
 * check and header rule of 1.1 holds for 2 as well), puts the response
 * head in f->buf in the form nk shows heads ("HTTP/2 200 \r\n") with
 * x->r's views into it, and hands body data to body.c as the
 * connection's reads would.
 *
 * Several exchanges share a connection when transfers run as tasks
 * (nk/task.h): the pool lends it to each (pool.c). Whichever of them needs
 * bytes reads for all (the reader), feeding the session, which lands each
 * stream's data with it and wakes its task; the others park meanwhile.
 * Writes go the same way: one writer at a time sends whatever the
 * session has queued, everyone's frames. Between two waits a task runs
 * alone, so these roles are plain flags. */
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "nk/task.h"
#include "fetch/fetch_int.h"
#include "fetch/h2_int.h"

/* A connection's session, shared by the exchanges that borrowed it. */
struct h2conn {
	struct h2 *s;
	size_t max;             /* of a response head */
	int users;              /* exchanges with a stream open on it */
	int reading, writing;   /* a task is reading it, or writing it */
	int eof;                /* the server closed it */
	nk_err broken;          /* a write was cut: no stream may use it */
	char why[NK_ERR_MSG_LEN];   /* what broke it */
	uint8_t out[H2_WRITE];  /* frames gathered for one write */
	uint8_t in[H2_READ];
};

nk_err
h2x_new(nk_fetch *f, struct pooled *pc, char *errmsg)
{
	struct h2conn *hc = malloc(sizeof *hc);
	if (!hc)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	memset(hc, 0, offsetof(struct h2conn, in));
	hc->max = f->cfg.max_head ? f->cfg.max_head : NK_HTTP_MAX_HEAD;
	nk_err e = h2_new(&hc->s, hc->max, errmsg);
	if (e) {
		free(hc);
		return e;
	}
	pc->h2 = hc;
	return NK_OK;
}

void
h2x_free(struct h2conn *hc)
{
	if (hc) {
		h2_free(hc->s);
		free(hc);
	}
}

int
h2x_users(const struct h2conn *hc)
{
	return hc->users;
}

int
h2x_usable(const struct h2conn *hc)
{
	return !hc->broken && !hc->eof && h2_reusable(hc->s);
}

/* The connection cannot go on (why in msg): every stream's task hears. */
static nk_err
broke(struct h2conn *hc, nk_err e, const char *msg, char *errmsg)
{
	if (!hc->broken) {
		hc->broken = e;
		snprintf(hc->why, sizeof hc->why, "%s", msg);
	}
	h2_wake_all(hc->s);
	if (msg != errmsg)
		memcpy(errmsg, hc->why, NK_ERR_MSG_LEN);
	return e;
}

/* Writes all the session has to say, unless a writer already is (it
 * sends this too: it writes until the session has nothing more). A
 * write cut short leaves half a frame on the wire: the connection is
 * then broken for every stream. */
static nk_err
flush_out(struct h2conn *hc, nk_conn *c, nk_time deadline, char *errmsg)
{
	if (hc->broken)
		return nk_fail(errmsg, hc->broken, "%s", hc->why);
	if (hc->writing)
		return NK_OK;
	hc->writing = 1;
	nk_err e;
	/* nghttp2 hands out a frame at a time: they are gathered, so that
	 * the requests of many streams (or a body's DATA frames) go in one
	 * write, one system call and a few TLS records. */
	size_t have = 0;
	for (;;) {
		const uint8_t *p;
		size_t n;
		e = h2_out(hc->s, &p, &n, errmsg);
		if (!e && n && have + n <= sizeof hc->out) {
			memcpy(hc->out + have, p, n);
			have += n;
			continue;
		}
		if (!e && have)
			e = nk_conn_write(c, hc->out, have, deadline, errmsg);
		have = 0;
		if (!e && n)   /* a frame larger than the whole buffer */
			e = nk_conn_write(c, p, n, deadline, errmsg);
		if (e || !n)
			break;
	}
	if (e && e != NK_ERR_HTTP2)
		broke(hc, e, errmsg, errmsg);
	hc->writing = 0;
	return e;
}

/* Waits for the connection or the request body's descriptor, whichever
 * has something first: the body's source goes on when it has, *conn
 * says the connection has. */
static nk_err
wait_src(struct h2_stream *st, struct pace *pace, nk_conn *c,
         const struct src *src, nk_time deadline, int *conn, char *errmsg)
{
	if (st->paced) {
		/* --limit-rate: the connection meanwhile, or the bucket's time */
		int ms = pace_wait_ms(pace), dl = nk_deadline_poll_ms(deadline);
		struct pollfd p = { nk_conn_fd(c), POLLIN, 0 };
		*conn = nk_conn_pending(c) > 0 ||
		        (ms > 0 && nk_task_poll(&p, 1, dl >= 0 && dl < ms ? dl : ms) > 0);
		if (!*conn && dl == 0)
			return nk_fail(errmsg, NK_ERR_OPERATION_TIMEDOUT, "Operation "
			               "timed out sending the request body");
		if (!*conn)
			h2_resume(st);
		return NK_OK;
	}
	int fd = src && src->b->fd >= 0 ? src->b->fd : -1;
	*conn = nk_conn_pending(c) > 0;
	if (fd < 0 || *conn) {
		if (!*conn)
			h2_resume(st);
		return NK_OK;
	}
	struct pollfd p[2] = { { nk_conn_fd(c), POLLIN, 0 }, { fd, POLLIN, 0 } };
	int r = nk_task_poll(p, 2, nk_deadline_poll_ms(deadline));
	if (r == 0)
		return nk_fail(errmsg, NK_ERR_OPERATION_TIMEDOUT, "Operation timed "
		               "out sending the request body");
	if (r > 0 && p[1].revents)
		h2_resume(st);
	*conn = r > 0 && p[0].revents;
	return NK_OK;
}

/* Why the stream can go no further, when the connection ended (eof) or
 * the session did, in curl's terms: a reset stream is 92, a connection
 * that failed or went away before the stream ended is 16, or 18 once the
 * body had begun, a head over the limit 56. */
static nk_err
stream_failed(const struct h2conn *hc, const struct h2_stream *st, int eof,
              char *errmsg)
{
	const char *why = h2_conn_error(hc->s);
	if (st->src_err)
		return nk_fail(errmsg, st->src_err, "%s", st->src_msg);
	if (st->too_big)
		return nk_fail(errmsg, NK_ERR_RECV_ERROR, "HTTP/2 stream %d: the "
		               "response head is larger than %zu bytes",
		               (int)st->id, hc->max);
	if (st->refused)
		return nk_fail(errmsg, NK_ERR_HTTP2, "HTTP/2 stream %d was refused: "
		               "%s", (int)st->id, *why ? why : "REFUSED_STREAM");
	if (st->closed && st->code)
		return nk_fail(errmsg, NK_ERR_HTTP2_STREAM, "HTTP/2 stream %d was "
		               "not closed cleanly: %s (err %u)", (int)st->id,
		               nghttp2_http2_strerror(st->code), (unsigned)st->code);
	if (st->closed && !st->head_done)
		return nk_fail(errmsg, NK_ERR_HTTP2_STREAM, "HTTP/2 stream %d was "
		               "closed cleanly, but before getting all response "
		               "header fields, treated as error", (int)st->id);
	if ((eof || *why) && st->head_done)
		return nk_fail(errmsg, NK_ERR_PARTIAL_FILE, "HTTP/2 stream %d was "
		               "not closed cleanly before end of the underlying "
		               "stream%s%s", (int)st->id, *why ? ": " : "", why);
	if (*why)
		return nk_fail(errmsg, NK_ERR_HTTP2, "%s", why);
	if (eof)
		return nk_fail(errmsg, NK_ERR_RECV_ERROR, "the server closed the "
		               "connection before answering HTTP/2 stream %d",
		               (int)st->id);
	return nk_fail(errmsg, NK_ERR_HTTP2, "the HTTP/2 session ended before "
	               "stream %d did", (int)st->id);
}

/* Reads once for every stream and feeds the session. */
static nk_err
read_some(struct h2conn *hc, const struct h2_stream *st,
          const nk_fetch_callbacks *cb, nk_conn *c, nk_time deadline,
          char *errmsg)
{
	size_t n;
	hc->reading = 1;
	nk_err e = read_or_flush(cb, c, hc->in, sizeof hc->in, deadline, &n, NULL,
	                         errmsg);
	hc->reading = 0;
	if (e) {
		/* another stream's task reads next */
		h2_wake_all(hc->s);
		return e;
	}
	if (!n) {
		hc->eof = 1;
		h2_wake_all(hc->s);
		return st->closed ? NK_OK : stream_failed(hc, st, 1, errmsg);
	}
	if (h2_feed(hc->s, hc->in, n, errmsg) != NK_OK) {
		h2_wake_all(hc->s);
		return stream_failed(hc, st, 0, errmsg);
	}
	return NK_OK;
}

/* Runs the session until the stream's final head came (want_head), or
 * body data waits, or the stream closed. *read: this task read for
 * everyone meanwhile. */
static nk_err
pump_loop(struct h2conn *hc, struct h2_stream *st, struct pace *pace,
          const nk_fetch_callbacks *cb, nk_conn *c, const struct src *src,
          int want_head, nk_time deadline, int *read, char *errmsg)
{
	for (;;) {
		if (st->src_err)
			return stream_failed(hc, st, 0, errmsg);
		if (st->closed || (want_head && st->head_done) || h2_has_data(st))
			return NK_OK;
		/* Written only when this stream waits for the server: a task
		 * that comes for data it has leaves the others' new requests to
		 * gather for one write. */
		nk_err e = flush_out(hc, c, deadline, errmsg);
		if (e)
			return e;
		/* sending may end it (a reset of ours goes out, say) */
		if (st->closed || st->src_err)
			continue;
		if (hc->broken)
			return nk_fail(errmsg, hc->broken, "%s", hc->why);
		if (hc->eof)
			return stream_failed(hc, st, 1, errmsg);
		if (!h2_live(hc->s))
			return stream_failed(hc, st, 0, errmsg);
		if (hc->reading) {
			/* another task reads for us: wait for news */
			st->waiter = nk_task_self();
			int woken = nk_task_park(deadline);
			st->waiter = NULL;
			if (!woken && nk_deadline_poll_ms(deadline) == 0)
				return nk_fail(errmsg, NK_ERR_OPERATION_TIMEDOUT, "Operation "
				               "timed out waiting for HTTP/2 stream %d",
				               (int)st->id);
			continue;
		}
		if (st->src_wait) {
			int conn;
			if ((e = wait_src(st, pace, c, src, deadline, &conn, errmsg)))
				return e;
			if (!conn || hc->reading)
				continue;
		}
		*read = 1;
		if ((e = read_some(hc, st, cb, c, deadline, errmsg)))
			return e;
		/* the other streams' tasks take what came for them */
		if (hc->users > 1)
			nk_task_yield();
	}
}

static nk_err
pump(struct h2conn *hc, struct h2_stream *st, struct pace *pace,
     const nk_fetch_callbacks *cb, nk_conn *c, const struct src *src,
     int want_head, nk_time deadline, char *errmsg)
{
	int read = 0;
	nk_err e = pump_loop(hc, st, pace, cb, c, src, want_head, deadline,
	                     &read, errmsg);
	/* Streams parked while this task read need a reader now. */
	if (read && hc->users > 1)
		h2_wake_all(hc->s);
	return e;
}

/* Whether a request header line stays out of HTTP/2 (RFC 9113 §8.2.2:
 * connection-specific fields; Expect too, as curl sends none over 2, and
 * Host, which becomes :authority). */
static int
dropped(const char *name, size_t len, const char *value, size_t vlen)
{
	static const char *const hop[] = { "connection", "keep-alive",
		"proxy-connection", "transfer-encoding", "upgrade", "expect",
		"host" };
	for (size_t i = 0; i < NK_ARRAY_LEN(hop); i++)
		if (nk_http_eq(name, len, hop[i]))
			return 1;
	return nk_http_eq(name, len, "te") && !nk_http_eq(value, vlen,
	                                                   "trailers");
}

/* The request: the HTTP/1.1 head at req[0..len) (request.c checked every
 * byte of it) as an HTTP/2 header list into nva (at most cap entries:
 * :method, :path, :scheme, :authority, then the fields), pointing into a
 * copy in *buf whose names are lower case. */
static nk_err
convert(const struct step *s, const char *req, size_t len, nghttp2_nv *nva,
        size_t cap, size_t *nv, char **buf, char *errmsg)
{
	char *b = malloc(len + 1);
	if (!b)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	memcpy(b, req, len);
	b[len] = '\0';
	char *sp1 = strchr(b, ' '), *eol = strstr(b, "\r\n");
	char *sp2 = sp1 && eol > sp1 ? memchr(sp1 + 1, ' ',
	                                      (size_t)(eol - sp1 - 1)) : NULL;
	if (!sp2 || cap < 4) {   /* request.c made it: cannot happen */
		free(b);
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "bad request head");
	}
	*sp1 = *sp2 = '\0';
	const char *scheme = is_https(s->url) ? "https" : "http";
	const char *auth = nk_url_get(s->url, NK_URL_HOST);
#define NV(n, nl, v, vl) (nva[(*nv)++] = (nghttp2_nv){ (uint8_t *)(n), \
	(uint8_t *)(v), (nl), (vl), NGHTTP2_NV_FLAG_NONE })
	*nv = 0;
	NV(":method", 7, b, strlen(b));
	NV(":path", 5, sp1 + 1, strlen(sp1 + 1));
	NV(":scheme", 7, scheme, strlen(scheme));
	NV(":authority", 10, auth, strlen(auth));
	size_t at = (size_t)(eol - b) + 2;
	while (at < len && b[at] != '\r' && *nv < cap) {
		char *line = b + at;
		char *end = memchr(line, '\r', len - at);
		char *colon = end ? memchr(line, ':', (size_t)(end - line)) : NULL;
		if (!colon)
			break;
		at = (size_t)(end - b) + 2;
		char *v = colon + 1;
		while (v < end && nk_http_ows(*v))
			v++;
		size_t nl = (size_t)(colon - line), vl = (size_t)(end - v);
		if (nk_http_eq(line, nl, "host")) {   /* -H Host: the authority */
			nva[3].value = (uint8_t *)v;
			nva[3].valuelen = vl;
			continue;
		}
		if (dropped(line, nl, v, vl))
			continue;
		for (size_t i = 0; i < nl; i++)
			if (line[i] >= 'A' && line[i] <= 'Z')
				line[i] = (char)(line[i] - 'A' + 'a');
		NV(line, nl, v, vl);
	}
#undef NV
	*buf = b;
	return NK_OK;
}

static void
put(char *o, size_t *ol, const void *p, size_t n)
{
	memcpy(o + *ol, p, n);
	*ol += n;
}

/* The request as -v shows it, in curl's form: "GET /path HTTP/2", the
 * Host line, then the fields as they go. NULL when out of memory. */
static char *
shown_head(const nghttp2_nv *nva, size_t nv, size_t *len)
{
	size_t need = 32;
	for (size_t i = 0; i < nv; i++)
		need += nva[i].namelen + nva[i].valuelen + 4;
	char *o = nv >= 4 ? malloc(need) : NULL;
	if (!o)
		return NULL;
	size_t ol = 0;
	const struct { const void *p; size_t n; } part[] = {
		{ nva[0].value, nva[0].valuelen }, { " ", 1 },
		{ nva[1].value, nva[1].valuelen }, { " HTTP/2\r\nHost: ", 15 },
		{ nva[3].value, nva[3].valuelen },
	};
	for (size_t i = 0; i < NK_ARRAY_LEN(part); i++)
		put(o, &ol, part[i].p, part[i].n);
	for (size_t i = 4; i < nv; i++) {
		put(o, &ol, "\r\n", 2);
		put(o, &ol, nva[i].name, nva[i].namelen);
		put(o, &ol, ": ", 2);
		put(o, &ol, nva[i].value, nva[i].valuelen);
	}
	put(o, &ol, "\r\n\r\n", 4);
	*len = ol;
	return o;
}

/* x->r from the head at f->buf[0..len): what nk_http_parse_response
 * would give for it. */
static nk_err
head_views(nk_fetch *f, struct exchange *x, int status, size_t len,
           char *errmsg)
{
	struct nk_http_response *r = &x->r;
	memset(r, 0, sizeof *r);
	r->headers = f->hdrs;
	r->max_headers = f->nhdrs;
	r->minor_version = 1;
	r->status = status;
	r->reason = "";
	r->head_len = len;
	const char *p = strstr(f->buf, "\r\n") + 2, *end = f->buf + len - 2;
	while (p < end) {
		const char *eol = memchr(p, '\r', (size_t)(end - p));
		const char *colon = memchr(p, ':', (size_t)(eol - p));
		if (r->num_headers == r->max_headers) {
			if (f->nhdrs >= NK_HTTP_MAX_HEADERS)
				return nk_fail(errmsg, NK_ERR_RECV_ERROR, "HTTP/2 response "
				               "with more than %d header fields",
				               (int)NK_HTTP_MAX_HEADERS);
			nk_err e = fetch_more_headers(f, errmsg);
			if (e)
				return e;
			r->headers = f->hdrs;
			r->max_headers = f->nhdrs;
		}
		struct nk_http_header *hd = &r->headers[r->num_headers++];
		hd->name = p;
		hd->name_len = (size_t)(colon - p);
		hd->value = colon + 2;
		hd->value_len = (size_t)(eol - colon - 2);
		p = eol + 2;
	}
	return NK_OK;
}

/* The interim (1xx) heads that came before the final one, shown and
 * passed on as HTTP/1.1's are (pass_interim), one after another. */
static nk_err
pass_interims(nk_fetch *f, struct step *s, nk_fetch_hop *h,
              struct exchange *x, char *errmsg)
{
	const struct h2_text *t = &x->st->interim;
	for (size_t at = 0; at < t->len;) {
		const char *end = memmem(t->p + at, t->len - at, "\r\n\r\n", 4);
		size_t n = end ? (size_t)(end - t->p) + 4 - at : t->len - at;
		nk_err e = fetch_room(f, n + 1, errmsg);
		if (e)
			return e;
		memcpy(f->buf, t->p + at, n);
		at += n;
		struct nk_http_response r;
		memset(&r, 0, sizeof r);
		r.head_len = n;
		/* "HTTP/2 1xx ": three digits, nghttp2 checked */
		r.status = (f->buf[7] - '0') * 100 + (f->buf[8] - '0') * 10 +
		           f->buf[9] - '0';
		size_t len = n;
		if ((e = pass_interim(f, s, h, &r, &len, errmsg)))
			return e;
	}
	return NK_OK;
}

/* The trailer lines of the stream, after its body: *p and their length
 * (0: none). */
size_t
h2x_trailers(const struct exchange *x, const char **p)
{
	*p = x->st ? x->st->trailers.p : NULL;
	return x->st ? x->st->trailers.len : 0;
}

/* The request body bytes that went since the last count, counted in the
 * hop and the result (x->up.sent: those counted). */
static void
count_up(struct step *s, nk_fetch_hop *h, struct exchange *x)
{
	uint64_t sent = x->st->sent;
	h->upload_bytes += sent - x->up.sent;
	s->res->size_upload += sent - x->up.sent;
	x->up.sent = sent;
}

/* Sends the request on the connection's session and waits for the final
 * response head, which lands in f->buf (x->len its length) and x->r.
 * x->got: the server answered something on the stream (a refused stream
 * may go again on a new connection: h2x_refused). */
nk_err
h2x_send(nk_fetch *f, struct step *s, nk_fetch_hop *h, struct exchange *x,
         char *errmsg)
{
	struct h2conn *hc = x->pc.h2;
	size_t maxnv = 5;
	for (size_t i = 0; i < x->headlen; i++)
		maxnv += x->req[i] == '\n';
	nghttp2_nv *nva = calloc(maxnv, sizeof *nva);
	char *copy = NULL, *shown = NULL;
	size_t nv = 0, shown_len = 0;
	nk_err e = nva ? convert(s, x->req, x->headlen, nva, maxnv, &nv, &copy,
	                         errmsg)
	           : nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	if (!e && !(shown = shown_head(nva, nv, &shown_len)))
		e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	h->pretransfer = nk_now();
	h->http2 = 1;
	if (!e && s->cb->trace)
		s->cb->trace(s->cb->ctx, NK_FETCH_HEAD_OUT, shown, shown_len, NULL);
	/* The body goes from its start in DATA frames (never in the head). */
	struct src *src = x->up.src;
	if (!e && src && x->up.inline_body)
		src->used = 0;
	if (!e && !h2x_usable(hc))
		e = nk_fail(errmsg, NK_ERR_HTTP2, "HTTP/2: the connection can take "
		            "no more streams");
	if (!e)
		e = h2_request(hc->s, nva, nv, src, &f->up, &x->st, errmsg);
	free(nva);
	free(copy);
	free(shown);
	if (e)
		return e;
	hc->users++;
	/* Streams opened together go out together: the other tasks with
	 * something to do queue theirs before this one writes, and one write
	 * carries them all (else a quick server answers each before the next
	 * is asked for, and transfers go one at a time). */
	nk_task_idle();
	h->request_bytes += shown_len;
	s->res->size_request += shown_len;
	x->got = 0;
	x->len = 0;
	x->up.sent = 0;
	e = pump(hc, x->st, &f->up, s->cb, x->pc.conn, src, 1, s->deadline,
	         errmsg);
	const struct h2_stream *st = x->st;
	x->got = st->got;
	count_up(s, h, x);
	if (e)
		return e;
	if (st->refused || !st->head_done)
		return stream_failed(hc, st, 0, errmsg);
	x->got = 1;
	if (!h->starttransfer)
		h->starttransfer = nk_now();
	if ((e = pass_interims(f, s, h, x, errmsg)))
		return e;
	size_t len;
	const char *head = h2_head(st, &len);
	if ((e = fetch_room(f, len + 1, errmsg)))
		return e;
	memcpy(f->buf, head, len);
	f->buf[len] = '\0';
	x->len = len;
	/* three digits: nghttp2 checked :status */
	int status = (head[7] - '0') * 100 + (head[8] - '0') * 10 + head[9] - '0';
	return head_views(f, x, status, len, errmsg);
}

/* The next body data of the stream into f->buf (at most cap bytes): *n,
 * 0 at the end of a whole body. */
nk_err
h2x_read(nk_fetch *f, struct step *s, nk_fetch_hop *h, struct exchange *x,
         size_t cap, size_t *n, char *errmsg)
{
	struct h2conn *hc = x->pc.h2;
	struct h2_stream *st = x->st;
	*n = 0;
	h2_sink(st, f->buf, cap);
	nk_err e = pump(hc, st, &f->up, s->cb, x->pc.conn, x->up.src, 0,
	                s->deadline, errmsg);
	count_up(s, h, x);
	if (e) {
		h2_sink(st, NULL, 0);
		return e;
	}
	*n = h2_take(st, f->buf, cap);
	if (*n)
		return NK_OK;
	if (st->closed && !st->code && !st->reset)
		return NK_OK;
	return stream_failed(hc, st, 0, errmsg);
}

/* After the response, or instead of it: the stream ends (one still open,
 * a redirect's body left unread, is cancelled), and the exchange stops
 * using the connection. Returns whether the session may carry another
 * stream (the connection is worth keeping). */
int
h2x_done(const struct step *s, struct exchange *x)
{
	struct h2conn *hc = x->pc.h2;
	if (!hc)
		return 0;
	if (x->st) {
		int open = !x->st->closed;
		h2_close(x->st);
		x->st = NULL;
		hc->users--;
		char msg[NK_ERR_MSG_LEN];
		if (open && h2x_usable(hc) &&
		    flush_out(hc, x->pc.conn, s->deadline, msg)) {
			fetch_trace(s->cb, "Cancelling the stream failed: %s", msg);
			return 0;
		}
	}
	return h2x_usable(hc);
}

/* An idle connection in the pool: what the server sent meanwhile (a
 * PING, SETTINGS, GOAWAY) is taken in, without waiting; returns whether
 * the session may still carry a stream. One in use is read by its users:
 * only its state is asked. */
int
h2x_idle_ok(struct pooled *p)
{
	struct h2conn *hc = p->h2;
	if (hc->users || hc->reading || hc->writing)
		return h2x_usable(hc);
	char msg[NK_ERR_MSG_LEN];
	for (;;) {
		size_t n = 0;
		int want = 0;
		if (nk_conn_try_read(p->conn, hc->in, sizeof hc->in, &n, &want,
		                     msg) || (!n && !want))
			return 0;
		if (!n)
			break;
		if (h2_feed(hc->s, hc->in, n, msg))
			return 0;
	}
	return h2x_usable(hc) &&
	       flush_out(hc, p->conn, nk_now() + 1000000, msg) == NK_OK;
}

/* The exchange's stream was refused: the server did not act on it, so
 * it may go again on a new connection, whatever its method. */
int
h2x_refused(const struct exchange *x)
{
	return x->pc.h2 && x->st && x->st->refused;
}
