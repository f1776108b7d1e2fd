/* redirect.c: one try: its hops, following redirects (the method and
 * body after one, credentials and Referer across hosts, the limit). */
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

nk_err
fetch_try(nk_fetch *f, const nk_fetch_request *rq, const nk_fetch_callbacks *cb,
        nk_fetch_result *res, struct retry *retry, uint64_t *delivered,
        struct src *src, char *errmsg)
{
	nk_url *first = NULL, *cur = NULL;
	nk_err e = fetch_parse_url(rq->url, rq->default_scheme ? rq->default_scheme
	                                                 : "http", &first, errmsg);
	if (e)
		return e;
	cur = nk_url_dup(first);
	if (!cur) {
		nk_url_free(first);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	const char *method = rq->method ? rq->method : "GET";
	long max = rq->max_redirs == 0 ? DEFAULT_REDIRS
	           : rq->max_redirs == NK_FETCH_REDIRS_NONE ? 0 : rq->max_redirs;
	long redirects = 0;
	char *referer = rq->referer ? strdup(rq->referer) : NULL;
	nk_time deadline = rq->max_time_ms > 0
	                   ? nk_now() + rq->max_time_ms * 1000 : NK_NO_DEADLINE;
	int body = src != NULL, no_expect = 0;
	for (;;) {
		nk_fetch_hop *h = hop_add(res, cur, method, errmsg);
		if (!h) {
			e = NK_ERR_OUT_OF_MEMORY;
			break;
		}
		if (!is_http(cur)) {
			e = nk_fail(errmsg, NK_ERR_UNSUPPORTED_PROTOCOL, "Protocol \"%s\" "
			            "not supported: nk http fetches http and https URLs",
			            nk_url_scheme(cur));
			h->err = e;
			h->end = nk_now();
			break;
		}
		struct step s;
		memset(&s, 0, sizeof s);
		s.rq = rq;
		s.cb = cb;
		s.res = res;
		s.url = cur;
		s.method = method;
		s.creds = same_origin(cur, first);
		s.same_host = strcasecmp(nk_url_connect_host(cur),
		                         nk_url_connect_host(first)) == 0;
		s.referer = referer;
		s.deliver = 1;
		s.follow = rq->follow;
		s.retry = retry;
		s.deadline = deadline;
		s.delivered = delivered;
		s.src = body ? src : NULL;
		s.no_expect = no_expect;
		e = fetch_exchange(f, &s, h, errmsg);
		take_cookies(rq, cur, h);
		if (!e && s.again_417) {
			no_expect = 1;
			e = src_rewind(src, "send the body again after the 417",
			               errmsg);
			if (e)
				break;
			continue;
		}
		/* decide() alone says whether this is a redirect to follow. */
		nk_url *next = s.next;
		if (e || !next)
			break;
		if (!is_http(next)) {
			e = nk_fail(errmsg, NK_ERR_UNSUPPORTED_PROTOCOL, "Refusing to "
			            "follow a redirect to %.150s: only http and https "
			            "are followed", h->location);
			nk_url_free(next);
			break;
		}
		if (max >= 0 && redirects >= max) {
			e = nk_fail(errmsg, NK_ERR_TOO_MANY_REDIRECTS, "Maximum (%ld) "
			            "redirects followed", max);
			nk_url_free(next);
			break;
		}
		redirects++;
		/* RFC 9110 §15.4: 303 always, and 301/302 in practice, turn a
		 * POST into a GET; 307 and 308 keep the method and the body.
		 * HEAD stays HEAD, or a redirect would download a body. */
		const char *m = redirect_method(rq, h->status, method, &body);
		if (m != method)
			fetch_trace(cb, "Switch from %s to %s", method, m);
		method = m;
		if (body) {
			char why[64];
			snprintf(why, sizeof why, "follow the %d redirect", h->status);
			e = src_rewind(src, why, errmsg);
			if (e) {
				nk_url_free(next);
				break;
			}
		}
		if (rq->auto_referer) {
			free(referer);
			referer = url_no_fragment(cur, 1);
		}
		if (!same_origin(next, first) && has_creds(rq))
			fetch_trace(cb, "Not sending the user's credentials to %s: not the "
			      "host the user named", nk_url_get(next, NK_URL_HOST));
		fetch_trace(cb, "Following redirect %d to %s", h->status, h->location);
		nk_url_free(cur);
		cur = next;
	}
	free(referer);
	nk_url_free(cur);
	nk_url_free(first);
	return e;
}
