/* upload.c: the request body on one hop: how it goes (inline with the
 * head, Content-Length or chunked, Expect: 100-continue, sendfile), and
 * sending it while listening for the server's answer. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "nk/task.h"
#include "fetch/fetch_int.h"

/* The user's own Expect header: -1 none, 1 "100-continue", 0 another
 * value or its removal ("Expect:"). */
static int
user_expect(const nk_fetch_request *rq)
{
	int found = -1;
	for (size_t i = 0; i < rq->nheaders; i++) {
		const char *h = rq->headers[i];
		if (!header_is(h, "Expect"))
			continue;
		const char *v = h + 6;
		if (*v != ':')
			return 0;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		found = strncasecmp(v, "100-continue", 12) == 0;
	}
	return found;
}

/* Readies the next bytes to write: the rest of a body in memory, or a
 * buffer read from the source (as a chunk when chunked). */
static nk_err
up_fill(nk_fetch *f, struct up *u, char *errmsg)
{
	struct src *sr = u->src;
	if (sr->b->data) {
		u->p = sr->b->data + sr->pos;
		u->n = sr->b->len - (size_t)sr->pos;
		u->pend = u->n;
		sr->pos = sr->b->len;
		sr->used = 1;
		u->last = 1;
		return NK_OK;
	}
	if (!f->sbuf && !(f->sbuf = malloc(SEND_BUF)))
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	/* Room for a chunk's "hex\r\n" before and "\r\n0\r\n\r\n" after. */
	char *data = f->sbuf + (u->chunked ? 16 : 0);
	size_t cap = SEND_BUF - (u->chunked ? 16 + 7 : 0), n;
	nk_err e = src_read(sr, data, cap, &n, &u->src_wait, errmsg);
	if (e || u->src_wait)
		return e;
	u->pend = n;
	u->last = n == 0 || (sr->size >= 0 && (int64_t)sr->pos == sr->size);
	if (!u->chunked) {
		u->p = data;
		u->n = n;
		return NK_OK;
	}
	char *q = data + n;
	if (n) {
		char hex[17];
		int h = snprintf(hex, sizeof hex, "%zx\r\n", n);
		memcpy(data - h, hex, (size_t)h);
		u->p = data - h;
		*q++ = '\r';
		*q++ = '\n';
	} else {
		u->p = data;
	}
	if (u->last) {
		/* the last chunk, and the empty trailer section */
		static const char end[5] = { '0', '\r', '\n', '\r', '\n' };
		memcpy(q, end, sizeof end);
		q += sizeof end;
	}
	u->n = (size_t)(q - u->p);
	return NK_OK;
}

/* Reads what the server sent while the body goes. Interim heads are
 * passed (a 100 ends the wait for it); *final says a final head is
 * complete in f->buf (or the server closed, or sent what does not parse:
 * read_head will tell), so the upload stops. */
static nk_err
up_hear(nk_fetch *f, const struct step *s, nk_conn *c, nk_fetch_hop *h,
        size_t *len, int *got100, int *final, char *errmsg)
{
	size_t n;
	int want;
	if (*len == f->cap) {
		*final = 1;
		return NK_OK;
	}
	nk_err e = nk_conn_try_read(c, f->buf + *len, f->cap - *len, &n, &want,
	                            errmsg);
	if (e)
		return e;
	if (n == 0) {
		*final = !want;
		return NK_OK;
	}
	if (!h->starttransfer)
		h->starttransfer = nk_now();
	*len += n;
	for (;;) {
		struct nk_http_parser p;
		struct nk_http_response r;
		char msg[NK_ERR_MSG_LEN];
		memset(&p, 0, sizeof p);
		p.max_line = f->cfg.max_line;
		p.max_head = f->cfg.max_head;
		memset(&r, 0, sizeof r);
		r.headers = f->hdrs;
		r.max_headers = f->nhdrs;
		if (nk_http_parse_response(&p, f->buf, *len, &r, msg) != NK_OK) {
			*final = 1;
			return NK_OK;
		}
		if (!r.head_len)
			return NK_OK;
		if (!nk_http_is_interim(&r)) {
			*final = 1;
			return NK_OK;
		}
		if (r.status == 100)
			*got100 = 1;
		if ((e = pass_interim(f, s, h, &r, len, errmsg)) != NK_OK)
			return e;
	}
}

static nk_err
up_timeout(const struct step *s, const nk_fetch_hop *h, const struct up *u,
           char *errmsg)
{
	long long ms = (long long)((nk_now() - h->start) / 1000);
	if (u->src->size >= 0)
		return nk_fail(errmsg, NK_ERR_OPERATION_TIMEDOUT, "Operation timed "
		               "out after %lld milliseconds with %llu out of %lld "
		               "bytes of the request body sent", ms,
		               (unsigned long long)u->sent, (long long)u->src->size);
	return nk_fail(errmsg, NK_ERR_OPERATION_TIMEDOUT, "Operation timed out "
	               "after %lld milliseconds with %llu bytes of the request "
	               "body sent", ms, (unsigned long long)u->sent);
	(void)s;
}

/* Writes what is ready: *want says what the conn waits for, 0 when it
 * took bytes. A failed write stops the upload (the server may have
 * answered, and closed): the error is kept for when no answer came. */
static void
up_write(struct up *u, nk_conn *c, const nk_fetch_callbacks *cb,
         struct pace *pace, size_t cap, int *want)
{
	size_t n = 0;
	nk_err e;
	if (u->kernel) {
		int64_t left = u->src->size - (int64_t)u->src->pos;
		size_t len = left > (1 << 30) ? (size_t)1 << 30 : (size_t)left;
		e = nk_conn_try_sendfile(c, u->src->b->fd, len < cap ? len : cap,
		                         &n, want, u->send_msg);
		if (!e && n == 0 && !*want)
			e = nk_fail(u->send_msg, NK_ERR_READ_ERROR, "the request body "
			            "ended after %llu of its %lld bytes",
			            (unsigned long long)u->src->pos,
			            (long long)u->src->size);
		if (!e) {
			u->src->pos += n;
			u->src->used = 1;
			u->sent += n;
			u->last = (int64_t)u->src->pos == u->src->size;
		}
	} else {
		e = nk_conn_try_write(c, u->p, u->n < cap ? u->n : cap, &n, want,
		                      u->send_msg);
		if (!e && n && cb->wire)
			cb->wire(cb->ctx, 1, u->p, n);
		if (!e) {
			u->p += n;
			u->n -= n;
			if (!u->chunked) {
				u->sent += n;
			} else if (u->n == 0) {
				u->sent += u->pend;
			}
		}
	}
	if (e) {
		u->send_err = e;
		u->cut = 1;
		*want = 0;
		return;
	}
	pace_used(pace, n);
	if (n && cb->sent)
		cb->sent(cb->ctx, u->sent, u->src->size);
}

/* Sends the body of a request whose head went, and listens while it does:
 * a 100 ends the wait that Expect asked for (or expect_ms does), a final
 * answer ends the upload (the server will not read the rest: the
 * connection then closes after the answer), the deadline bounds it all.
 * On return, *len bytes of the response are in f->buf. */
static nk_err
send_body(nk_fetch *f, const struct step *s, nk_conn *c, nk_fetch_hop *h,
          struct up *u, size_t *len, char *errmsg)
{
	int64_t ems = s->rq->expect100_timeout_ms > 0
	              ? s->rq->expect100_timeout_ms : 1000;
	nk_time wait100 = u->expect ? nk_now() + ems * 1000 : 0;
	for (;;) {
		int want = 0, final = 0, got100 = 0;
		/* Checked at every turn: a server that reads slowly keeps
		 * every write and poll short, and must not outlast it. */
		if (nk_deadline_poll_ms(s->deadline) == 0)
			return up_timeout(s, h, u, errmsg);
		if (!wait100 && !u->kernel && !u->n && !u->last) {
			nk_err e = up_fill(f, u, errmsg);
			if (e)
				return e;
		}
		if (!wait100 && !u->n && u->last && !u->src_wait)
			return NK_OK;
		/* --limit-rate: write what the bucket holds, else wait for it
		 * (listening all the same). */
		int paced = 0;
		if (!wait100 && !u->src_wait && (u->n || u->kernel)) {
			size_t cap = pace_allow(&f->up, SIZE_MAX);
			if (cap)
				up_write(u, c, s->cb, &f->up, cap, &want);
			else
				paced = pace_wait_ms(&f->up);
			if (u->send_err)
				return NK_OK;
		}
		struct pollfd p[2] = {
			{ nk_conn_fd(c), (short)(POLLIN | (want & NK_WANT_WRITE
			                                   ? POLLOUT : 0)), 0 },
			{ u->src->b->fd, POLLIN, 0 },
		};
		int ms = want || u->src_wait || wait100 || paced
		         ? nk_deadline_poll_ms(s->deadline) : 0;
		if (wait100) {
			int64_t w = (int64_t)(wait100 - nk_now()) / 1000;
			w = w < 0 ? 0 : w;
			if (ms < 0 || w < ms)
				ms = (int)w;
		}
		if (paced && (ms < 0 || paced < ms))
			ms = paced;
		if (nk_conn_pending(c))
			ms = 0;
		int r = nk_task_poll(p, u->src_wait ? 2 : 1, ms);
		if (r < 0 && errno != EINTR)
			return nk_fail(errmsg, NK_ERR_SEND_ERROR, "poll: %s",
			               strerror(errno));
		if (r > 0 && p[1].revents)
			u->src_wait = 0;
		if ((r > 0 && p[0].revents & (POLLIN | POLLHUP | POLLERR)) ||
		    nk_conn_pending(c)) {
			nk_err e = up_hear(f, s, c, h, len, &got100, &final, errmsg);
			if (e)
				return e;
			if (final) {
				u->cut = !(u->last && !u->n);
				return NK_OK;
			}
			if (got100 && wait100) {
				wait100 = 0;
				continue;
			}
		}
		if (wait100 && nk_now() >= wait100) {
			fetch_trace(s->cb, "Done waiting for 100-continue");
			wait100 = 0;
		}
	}
}

/* Whether the body is small and in memory: then it goes with the head,
 * unless Expect asks to wait. */
int
up_inline(const struct up *u)
{
	return u->src && u->src->b->data && !u->expect && !u->paced &&
	       u->src->b->len > 0 && u->src->b->len < INLINE_MAX;
}

/* Whether the body can go from its file to the socket inside the kernel:
 * a regular file, read as it is, over plain TCP. */
static int
up_kernel(const struct up *u, const nk_conn *c)
{
	const struct src *sr = u->src;
	struct stat st;
	return !sr->b->data && !sr->b->read && sr->b->fd >= 0 &&
	       sr->fd_start >= 0 && !u->chunked && sr->size > 0 &&
	       nk_conn_can_splice(c) && fstat(sr->b->fd, &st) == 0 &&
	       S_ISREG(st.st_mode);
}

/* Sends the body of this hop (see send_body) and says how it went. */
nk_err
up_send(nk_fetch *f, const struct step *s, struct pooled *pc,
        nk_fetch_hop *h, struct up *u, size_t *len, char *errmsg)
{
	/* A traced body must pass through here to be seen. */
	u->kernel = !s->cb->wire && up_kernel(u, pc->conn);
	if (u->inline_body)
		u->sent = u->src->b->len;
	nk_err e = u->inline_body ? NK_OK
	           : send_body(f, s, pc->conn, h, u, len, errmsg);
	h->upload_bytes += u->sent;
	s->res->size_upload += u->sent;
	if (e)
		return e;
	if (u->cut && u->src->size >= 0)
		fetch_trace(s->cb, "Upload stopped after %llu of %lld bytes: %s",
		            (unsigned long long)u->sent, (long long)u->src->size,
		            u->send_err ? u->send_msg : "the server answered first");
	else if (u->cut)
		fetch_trace(s->cb, "Upload stopped after %llu bytes: %s",
		            (unsigned long long)u->sent,
		            u->send_err ? u->send_msg : "the server answered first");
	else
		fetch_trace(s->cb, "Upload complete: %llu bytes of request body sent",
		            (unsigned long long)u->sent);
	return NK_OK;
}

/* What body goes on this hop, and how. */
nk_err
up_plan(const struct step *s, struct up *u, char *errmsg)
{
	memset(u, 0, sizeof *u);
	u->src = s->src;
	if (!u->src)
		return NK_OK;
	u->chunked = u->src->size < 0;
	u->last = u->src->size == 0;
	u->paced = s->rq->limit_rate > 0;
	if (u->chunked && s->rq->http10)
		return nk_fail(errmsg, NK_ERR_UPLOAD_FAILED, "Chunky upload is not "
		               "supported by HTTP 1.0: the body's size is unknown");
	int ue = user_expect(s->rq);
	if (s->no_expect || s->rq->http10)
		u->expect = 0;
	else if (ue >= 0)
		u->expect = ue;
	else
		u->expect = u->src->b->expect_always ? u->src->size != 0
		            : u->src->size < 0 || u->src->size > EXPECT_MIN;
	return NK_OK;
}
