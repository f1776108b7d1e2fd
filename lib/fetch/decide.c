/* decide.c: what an exchange does after the final response head, decided
 * in one place (decide): the body's framing, a redirect to follow (the
 * only place that says so; redirect.c acts on s->next), a 417 to send
 * again, a 401 to answer with credentials, a resume's range, --fail, a
 * retry that will go, and the size limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetch/fetch_int.h"

/* Content-Range: bytes START-END/TOTAL (or bytes * / TOTAL); START, or -1. */
static int64_t
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

/* The body's framing, and the Content-Length the hop shows. */
static nk_err
head_framing(nk_fetch *f, const struct step *s, nk_fetch_hop *h,
             struct exchange *x, char *errmsg)
{
	memset(&x->b, 0, sizeof x->b);
	x->b.max_line = f->cfg.max_line;
	x->b.max_trailer = f->cfg.max_head;
	nk_err e = nk_http_body_init(&x->b, s->method, &x->r, errmsg);
	/* Over HTTP/2 the stream ends the body, never the connection. */
	if (!e && x->pc.h2)
		x->b.keep_alive = 1;
	if (!e && x->b.mode == NK_HTTP_BODY_TUNNEL)
		e = nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY, "the server "
		            "switched protocols (%d): not HTTP any more", x->r.status);
	h->content_length = x->b.mode == NK_HTTP_BODY_LENGTH ? x->b.length
	                    : x->b.mode == NK_HTTP_BODY_NONE ? 0 : -1;
	return e;
}

/* A Location, resolved against the hop's URL: the hop shows it (any 3xx),
 * and a redirect that will be followed keeps it parsed in s->next. Returns
 * whether the response is a redirect to follow; *e is set when it cannot
 * be (a Location that does not resolve). */
static int
head_redirect(struct step *s, nk_fetch_hop *h, const struct exchange *x,
              nk_err *e, char *errmsg)
{
	int st = x->r.status;
	const struct nk_http_header *loc = nk_http_header_find(&x->r, "Location",
	                                                       NULL);
	/* An empty Location names no other place: curl ignores it, and
	 * resolved it would be this URL again, until --max-redirs. */
	if (!loc || loc->value_len == 0 || st / 100 != 3)
		return 0;
	int follow = s->follow && (st == 301 || st == 302 || st == 303 ||
	                           st == 307 || st == 308);
	char msg[NK_ERR_MSG_LEN] = "";
	char *l = strndup(loc->value, loc->value_len);
	nk_url *t = NULL;
	if (l && nk_url_resolve(s->url, l, &t, msg) == NK_OK) {
		msg[0] = '\0';
		h->location = strdup(nk_url_get(t, NK_URL_HREF));
	}
	if (follow && h->location) {
		s->next = t;
		t = NULL;
	} else if (follow && !*e) {
		*e = nk_fail(errmsg, NK_ERR_URL_MALFORMAT, "bad redirect Location "
		             "\"%.100s\": %s", l ? l : "",
		             msg[0] ? msg : "out of memory");
	}
	nk_url_free(t);
	free(l);
	return follow;
}

/* Whether the same request goes again with credentials (curl 7.88's
 * Curl_http_auth_act): a 401 that nk_auth_retry says to answer, or a 2xx
 * to a probe that held its body back. A 401 that is the answer after
 * credentials went is shown with curl's -v line. */
static int
head_auth(struct step *s, const struct exchange *x)
{
	struct nk_auth *a = s->auth;
	int st = x->r.status;
	int again = 0;
	if (st == 407 && s->pauth && s->pauth->user) {
		char why[NK_ERR_MSG_LEN] = "";
		again = nk_auth_retry(s->pauth, &x->r, 1, why);
		if (!again) {
			fetch_trace(s->cb, "%s", why);
			fetch_trace(s->cb, "Authentication problem. Ignoring this.");
		}
	} else if (!a) {
		return 0;
	} else if (st == 401) {
		char why[NK_ERR_MSG_LEN] = "";
		int creds = a->user || a->bearer;
		again = nk_auth_retry(a, &x->r, 0, why);
		if (!again && creds) {
			fetch_trace(s->cb, "%s", why);
			fetch_trace(s->cb, "Authentication problem. Ignoring this.");
		}
	} else {
		again = s->probe && st >= 200 && st < 300;
	}
	if (again) {
		char *u = url_no_fragment(s->url, 1);
		fetch_trace(s->cb, "Issue another request to this URL: '%s'",
		            u ? u : "");
		free(u);
	}
	return again;
}

/* Resume: only a range starting where asked for is appended; any other
 * answer (an error page too) would be appended to the part there is as if
 * it were the rest. Returns whether the body is to be dropped (the file
 * was whole already). */
static int
head_resume(struct step *s, const struct exchange *x, nk_err *e,
            char *errmsg)
{
	const nk_fetch_request *rq = s->rq;
	int64_t total;
	if (x->r.status == 416) {
		s->res->already_complete = 1;
		fetch_trace(s->cb, "The whole file was already there (416)");
		return 1;
	}
	if (x->r.status == 206) {
		int64_t st = range_start(&x->r, &total);
		if (st != rq->resume_from)
			*e = nk_fail(errmsg, NK_ERR_RANGE_ERROR, "the server sent a "
			             "range starting at %lld, not at %lld as asked",
			             (long long)st, (long long)rq->resume_from);
		return 0;
	}
	if (x->b.mode == NK_HTTP_BODY_LENGTH && x->b.length == rq->resume_from) {
		s->res->already_complete = 1;
		fetch_trace(s->cb, "The whole file was already there");
		return 1;
	}
	/* An empty answer appends nothing: only a body byte is refused, as
	 * in curl. */
	s->range_refused = 1;
	return 0;
}

/* What ends a response that would be delivered before its body: --fail,
 * a transient status when the retry will go, the size limit. */
static nk_err
head_refuse(const struct step *s, const nk_fetch_hop *h, int status,
            char *errmsg)
{
	const nk_fetch_request *rq = s->rq;
	if (rq->fail && status >= 400)
		return nk_fail(errmsg, NK_ERR_HTTP_RETURNED_ERROR,
		               "The requested URL returned error: %d", status);
	if (s->retry && retry_status(status) && !s->range_refused &&
	    src_restartable(s->src) && retry_ready(s->retry, s->cb, s->res))
		return nk_fail(errmsg, NK_ERR_HTTP_RETURNED_ERROR, "HTTP error %d "
		               "(transient)", status);
	if (rq->max_filesize > 0 && h->content_length > rq->max_filesize)
		return nk_fail(errmsg, NK_ERR_FILESIZE_EXCEEDED, "Maximum file size "
		               "exceeded: the body is %lld bytes, the limit %lld",
		               (long long)h->content_length,
		               (long long)rq->max_filesize);
	return NK_OK;
}

/* -z on a reply with a body: a Last-Modified that fails the condition
 * (the server did not judge it) makes the reply a 304 without its body,
 * as curl does; with a range asked for, the body is what was asked.
 * As in curl, a Last-Modified that is no date fails the condition, and
 * no Last-Modified passes it. Returns whether the body is dropped. */
static int
head_time_cond(const struct step *s, nk_fetch_hop *h,
               const struct exchange *x)
{
	const nk_fetch_request *rq = s->rq;
	if (!rq->time_cond || rq->time_cond > NK_FETCH_LAST_MODIFIED ||
	    rq->range || rq->resume_from > 0 || x->r.status < 200 ||
	    x->b.mode == NK_HTTP_BODY_NONE ||
	    (x->b.mode == NK_HTTP_BODY_LENGTH && x->b.length == 0))
		return 0;
	const struct nk_http_header *lm = nk_http_header_find(&x->r,
	                                                      "Last-Modified",
	                                                      NULL);
	if (!lm || rq->time_value == 0)
		return 0;
	char *v = strndup(lm->value, lm->value_len);
	int64_t t = v ? nk_http_date_parse(v) : -1;
	free(v);
	if (t == 0)
		return 0;
	if (rq->time_cond == NK_FETCH_IF_UNMODIFIED) {
		if (t < rq->time_value)
			return 0;
		fetch_trace(s->cb, "The requested document is not old enough");
	} else {
		if (t > rq->time_value)
			return 0;
		fetch_trace(s->cb, "The requested document is not new enough");
	}
	fetch_trace(s->cb, "Simulate an HTTP 304 response");
	h->status = 304;
	return 1;
}

/* The one decision after the final head (in f->buf, kept in h). The
 * caller's head callback runs inside it, where curl shows the head: after
 * what the head says (framing, Location, range) is known, before the
 * judgements that may ask the caller to take its output back (a retry). */
enum after_head
decide(nk_fetch *f, struct step *s, nk_fetch_hop *h, struct exchange *x,
       nk_err *err, char *errmsg)
{
	int status = x->r.status;
	nk_err framing = head_framing(f, s, h, x, errmsg);
	int follow = head_redirect(s, h, x, &framing, errmsg);
	/* A 417 to our Expect: the same request goes again without it. */
	s->again_417 = status == 417 && x->up.expect && x->up.cut &&
	               !s->no_expect;
	if (s->again_417)
		fetch_trace(s->cb, "Got 417 while waiting for a 100: sending again "
		            "without Expect");
	s->again_auth = !follow && !s->again_417 && head_auth(s, x);
	int discard = !s->deliver || follow || s->again_417 || s->again_auth;
	/* --fail judges an error before a resume does. */
	if (!framing && s->rq->resume_from > 0 && !discard &&
	    strcmp(s->method, "HEAD") != 0 && !(s->rq->fail && status >= 400))
		discard = head_resume(s, x, &framing, errmsg);

	*err = NK_OK;
	if (s->cb->head)
		*err = s->cb->head(s->cb->ctx, h, h->head, h->head_len, 0, errmsg);
	if (!*err)
		*err = framing;
	if (!*err && !discard)
		*err = head_refuse(s, h, status, errmsg);
	if (*err)
		return AFTER_FAIL;
	if (!follow && !discard && strcmp(s->method, "HEAD") != 0 &&
	    head_time_cond(s, h, x))
		discard = 1;
	return follow ? AFTER_FOLLOW : discard ? AFTER_DISCARD : AFTER_DELIVER;
}
