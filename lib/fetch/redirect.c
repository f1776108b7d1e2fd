/* redirect.c: one try: its hops, following redirects (the method and
 * body after one, credentials and Referer across hosts, the limit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetch/fetch_int.h"

/* The method after a redirect, as curl 7.88 picks it: 301 and 302 turn
 * POST into GET, 303 turns all but HEAD into GET (unless --post30x keeps
 * a POST). *body says whether the body goes on. */
static const char *
redirect_method(const nk_fetch_request *rq, int status, const char *method,
                int *body)
{
	int post = strcmp(method, "POST") == 0;
	int keep = status == 301 ? !post || rq->post301
	           : status == 302 ? !post || rq->post302
	           : status == 303 ? (post && rq->post303) ||
	                             strcmp(method, "GET") == 0
	           : 1;
	if (keep)
		return method;
	*body = 0;
	return strcmp(method, "HEAD") == 0 ? method : "GET";
}

/* One try in progress: where it started, where it is, and what a
 * redirect carries over to the next hop. */
struct hops {
	const nk_fetch_request *rq;
	const nk_fetch_callbacks *cb;
	nk_url *first;          /* the URL the user named */
	nk_url *cur;            /* this hop's */
	const char *method;
	char *referer;
	long max;               /* redirects allowed; -1: no limit */
	long redirects;
	nk_time deadline;
	struct src *src;        /* the run's body, or NULL */
	int body;               /* the body goes on this hop */
	int no_expect;          /* a 417 said: no Expect from now on */
	struct nk_auth *auth;   /* the transfer's (run.c) */
	int no_probe;           /* a probe got a 2xx: the body goes now */
};

/* Runs the hop to t->cur: its step (what may go to this host), its
 * exchange, its cookies. A redirect to follow comes back in s->next. */
static nk_err
hop_run(nk_fetch *f, struct hops *t, nk_fetch_result *res,
        struct retry *retry, uint64_t *delivered, nk_fetch_hop *h,
        struct step *s, char *errmsg)
{
	memset(s, 0, sizeof *s);
	s->rq = t->rq;
	s->cb = t->cb;
	s->res = res;
	s->url = t->cur;
	s->method = t->method;
	s->creds = same_origin(t->cur, t->first);
	s->same_host = strcasecmp(nk_url_connect_host(t->cur),
	                          nk_url_connect_host(t->first)) == 0;
	s->referer = t->referer;
	s->deliver = 1;
	s->follow = t->rq->follow;
	s->retry = retry;
	s->deadline = t->deadline;
	s->delivered = delivered;
	s->src = t->body ? t->src : NULL;
	s->no_expect = t->no_expect;
	s->auth = t->auth;
	s->pauth = &f->pauth;
	s->no_probe = t->no_probe;
	nk_err e = fetch_exchange(f, s, h, errmsg);
	take_cookies(t->rq, t->cur, h);
	return e;
}

/* Moves the try to next (taken), the redirect of hop h: unless it goes
 * where nk does not follow or past --max-redirs. The method and body
 * after it, the Referer, the credentials, as curl has them. */
static nk_err
hop_follow(struct hops *t, const nk_fetch_hop *h, nk_url *next,
           char *errmsg)
{
	const nk_fetch_request *rq = t->rq;
	nk_err e = NK_OK;
	if (!is_http(next))
		e = nk_fail(errmsg, NK_ERR_UNSUPPORTED_PROTOCOL, "Refusing to "
		            "follow a redirect to %.150s: only http and https are "
		            "followed", h->location);
	else if (t->max >= 0 && t->redirects >= t->max)
		e = nk_fail(errmsg, NK_ERR_TOO_MANY_REDIRECTS, "Maximum (%ld) "
		            "redirects followed", t->max);
	if (e) {
		nk_url_free(next);
		return e;
	}
	t->redirects++;
	/* RFC 9110 §15.4: 303 always, and 301/302 in practice, turn a POST
	 * into a GET; 307 and 308 keep the method and the body. HEAD stays
	 * HEAD, or a redirect would download a body. */
	const char *m = redirect_method(rq, h->status, t->method, &t->body);
	if (m != t->method)
		fetch_trace(t->cb, "Switch from %s to %s", t->method, m);
	t->method = m;
	if (t->body) {
		char why[64];
		snprintf(why, sizeof why, "follow the %d redirect", h->status);
		e = src_rewind(t->src, why, errmsg);
		if (e) {
			nk_url_free(next);
			return e;
		}
	}
	if (rq->auto_referer) {
		free(t->referer);
		t->referer = url_no_fragment(t->cur, 1);
	}
	if (!same_origin(next, t->first) && has_creds(rq))
		fetch_trace(t->cb, "Not sending the user's credentials to %s: not "
		            "the host the user named", nk_url_get(next, NK_URL_HOST));
	/* curl keeps what a server said about authentication for its own
	 * origin only */
	if (!same_origin(next, t->cur)) {
		unsigned rounds = t->auth->rounds;
		memset(t->auth, 0, sizeof *t->auth);
		t->auth->rounds = rounds;
	}
	fetch_trace(t->cb, "Following redirect %d to %s", h->status, h->location);
	nk_url_free(t->cur);
	t->cur = next;
	return NK_OK;
}

/* One try of the request: its hops, until one is not a redirect to
 * follow (or fails). */
nk_err
fetch_try(nk_fetch *f, const nk_fetch_request *rq,
          const nk_fetch_callbacks *cb, nk_fetch_result *res,
          struct retry *retry, uint64_t *delivered, struct src *src,
          struct nk_auth *auth, char *errmsg)
{
	struct hops t;
	memset(&t, 0, sizeof t);
	nk_err e = fetch_parse_url(rq->url, rq->default_scheme
	                           ? rq->default_scheme : "http", &t.first,
	                           errmsg);
	if (e)
		return e;
	t.cur = nk_url_dup(t.first);
	if (!t.cur) {
		nk_url_free(t.first);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	t.rq = rq;
	t.cb = cb;
	t.method = rq->method ? rq->method : "GET";
	t.max = rq->max_redirs == 0 ? DEFAULT_REDIRS
	        : rq->max_redirs == NK_FETCH_REDIRS_NONE ? 0 : rq->max_redirs;
	t.referer = rq->referer ? strdup(rq->referer) : NULL;
	t.deadline = rq->max_time_ms > 0 ? nk_now() + rq->max_time_ms * 1000
	             : NK_NO_DEADLINE;
	t.src = src;
	t.body = src != NULL;
	t.auth = auth;
	for (;;) {
		nk_fetch_hop *h = hop_add(res, t.cur, t.method, errmsg);
		if (!h) {
			e = NK_ERR_OUT_OF_MEMORY;
			break;
		}
		if (!is_http(t.cur)) {
			e = nk_fail(errmsg, NK_ERR_UNSUPPORTED_PROTOCOL, "Protocol \"%s\" "
			            "not supported: nk http fetches http and https URLs",
			            nk_url_scheme(t.cur));
			h->err = e;
			h->end = nk_now();
			break;
		}
		struct step s;
		e = hop_run(f, &t, res, retry, delivered, h, &s, errmsg);
		if (!e && s.again_417) {
			t.no_expect = 1;
			e = src_rewind(src, "send the body again after the 417",
			               errmsg);
			if (e)
				break;
			continue;
		}
		if (!e && s.again_auth) {
			t.no_probe |= h->status != 401;
			e = src_rewind(t.body ? src : NULL, "send the body again with "
			               "credentials", errmsg);
			if (e)
				break;
			continue;
		}
		/* decide() alone says whether this is a redirect to follow. */
		if (e || !s.next || (e = hop_follow(&t, h, s.next, errmsg)))
			break;
	}
	free(t.referer);
	nk_url_free(t.cur);
	nk_url_free(t.first);
	return e;
}
