/* request.c: the request head of one hop: the user's headers as they
 * may go to this host, credentials (-u, the URL's, the netrc's, as Basic,
 * Digest or Bearer: auth_prepare), the proxy's form of the target. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nk/netrc.h"
#include "fetch/fetch_int.h"

/* The credentials for a request to u: the URL's, or the netrc entry for
 * u's own host (looked up on each hop, so a redirect elsewhere gets that
 * host's entry or none). *userpass NULL: none. */
static nk_err
url_userpass(const nk_fetch_request *rq, const nk_url *u, char **userpass,
             char *errmsg)
{
	*userpass = NULL;
	/* Most URLs have neither: nothing to decode or copy. */
	if (!rq->netrc_file && !*nk_url_get(u, NK_URL_USERNAME) &&
	    !*nk_url_get(u, NK_URL_PASSWORD))
		return NK_OK;
	char *user = nk_url_decode(u, NK_URL_USERNAME, NULL);
	char *pass = nk_url_decode(u, NK_URL_PASSWORD, NULL);
	nk_err e = NK_OK;
	if (!user || !pass) {
		e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		goto out;
	}
	if (rq->netrc_file && !(rq->netrc_optional && *pass)) {
		char *nu = NULL, *np = NULL;
		e = nk_netrc_lookup(rq->netrc_file, nk_url_connect_host(u),
		                    *user ? user : NULL, &nu, &np, errmsg);
		if (nu) {
			free(user);
			free(pass);
			user = nu;
			pass = np;
		}
		if (e)
			goto out;
	}
	if (*user || *pass) {
		size_t n = strlen(user) + strlen(pass) + 2;
		*userpass = malloc(n);
		if (!*userpass)
			e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		else
			snprintf(*userpass, n, "%s:%s", user, pass);
	}
out:
	free(user);
	free(pass);
	return e;
}

/* -z's header line in buf (of len bytes), unless the user's headers
 * name that field; returns whether there is one. */
static int
time_cond_line(const nk_fetch_request *rq, char *buf, size_t len)
{
	static const char *const names[] = {
		"If-Modified-Since", "If-Unmodified-Since", "Last-Modified" };
	if (rq->time_cond < NK_FETCH_IF_MODIFIED ||
	    rq->time_cond > NK_FETCH_LAST_MODIFIED)
		return 0;
	const char *name = names[rq->time_cond - 1];
	for (size_t i = 0; i < rq->nheaders; i++)
		if (header_is(rq->headers[i], name))
			return 0;
	char date[NK_HTTP_DATE_LEN];
	nk_http_date_format(rq->time_value, date);
	snprintf(buf, len, "%s: %s", name, date);
	return 1;
}

_Static_assert(NK_FETCH_AUTH_BASIC == NK_AUTH_BASIC &&
               NK_FETCH_AUTH_DIGEST == NK_AUTH_DIGEST &&
               NK_FETCH_AUTH_BEARER == NK_AUTH_BEARER &&
               NK_FETCH_AUTH_ANY == NK_AUTH_ANY, "one set of scheme bits");

/* Whether a request with this method and a body is one curl holds the
 * body of until Digest's challenge is answered: all but GET and HEAD. */
static int
may_probe(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* The credentials of this hop (-u where the user's credentials may go,
 * else the URL's or the netrc's for this host; --oauth2-bearer likewise)
 * into s->auth, and the Authorization value for its request into
 * s->authz. Digest before its challenge holds a body back (s->probe, and
 * s->src NULL): curl's Content-Length: 0 request. auth_done frees. */
nk_err
auth_prepare(struct step *s, char *errmsg)
{
	const nk_fetch_request *rq = s->rq;
	struct nk_auth *a = s->auth;
	nk_err e = NK_OK;
	if (!a)
		return NK_OK;
	if (s->creds && rq->userpass) {
		s->userpass = strdup(rq->userpass);
		if (!s->userpass)
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	} else if ((e = url_userpass(rq, s->url, &s->userpass, errmsg))) {
		return e;
	}
	a->want = rq->auth & NK_AUTH_ANY;
	a->user = s->userpass;
	a->pass = NULL;
	char *colon = s->userpass ? strchr(s->userpass, ':') : NULL;
	if (colon) {
		*colon = '\0';
		a->pass = colon + 1;
	}
	a->bearer = s->creds && (rq->auth & NK_FETCH_AUTH_BEARER)
	            ? rq->bearer : NULL;
	e = nk_auth_header(a, 0, s->method, nk_url_target(s->url), &s->authz,
	                   errmsg);
	if (!e && s->authz && a->user && a->picked != NK_AUTH_BEARER)
		fetch_trace(s->cb, "Server auth using %s with user '%.100s'",
		            nk_auth_name(a->picked), a->user);
	if (!e && a->probe && s->src && !s->no_probe &&
	    may_probe(s->method)) {
		s->probe = 1;
		s->src = NULL;
	}
	return e;
}

/* Frees what auth_prepare made for the step. */
void
auth_done(struct step *s)
{
	if (s->auth) {
		s->auth->user = s->auth->pass = s->auth->bearer = NULL;
	}
	free(s->authz);
	free(s->userpass);
	s->authz = s->userpass = NULL;
}

/* The request head for a step. Caller frees *head. */
nk_err
build_request(struct step *s, const struct nk_proxy *px,
              const struct up *up, char **head, size_t *headlen, char *errmsg)
{
	const nk_fetch_request *rq = s->rq;
	struct nk_http_request r;
	memset(&r, 0, sizeof r);
	char *target = NULL;
	char *pauthz = NULL;
	/* An HTTP proxy that forwards the request sees the whole of it: the
	 * absolute-form target, its credentials, its --proxy-header lines
	 * after the user's (as curl sends them). */
	int fwd = proxy_forwards(px, s->url);
	if (s->pauth && !fwd)
		s->pauth->user = NULL;   /* a 407 from no proxy is not answered */
	/* the user's, the cookie, the time condition, the proxy's: on the
	 * stack when they are few, as they mostly are */
	const char *few[16];
	size_t want = rq->nheaders + 2 + (fwd ? px->nheaders : 0);
	const char **hdrs = want <= NK_ARRAY_LEN(few) ? few
	                    : calloc(want, sizeof *hdrs);
	int oom = 0;
	char *cookie = hdrs ? cookie_line(s, &oom) : NULL;
	nk_err e = NK_OK;
	if (!hdrs || oom) {
		if (hdrs != few)
			free(hdrs);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	size_t nh = 0;
	/* Before the user's headers: where curl puts them. */
	if (cookie)
		hdrs[nh++] = cookie;
	char cond[NK_HTTP_DATE_LEN + 32];
	if (time_cond_line(rq, cond, sizeof cond))
		hdrs[nh++] = cond;
	for (size_t i = 0; i < rq->nheaders; i++) {
		const char *hl = rq->headers[i];
		/* Authorization and Cookie the user set are for the host the
		 * user named: not for a redirect elsewhere. */
		if (!s->creds && is_cred_header(hl))
			continue;
		/* Nor is a Host the user set: another host is another server
		 * (curl keeps it for another port of the same host). */
		if (!s->same_host && header_is(hl, "Host"))
			continue;
		hdrs[nh++] = hl;
	}
	if (fwd) {
		target = url_no_fragment(s->url, 1);
		if (!target) {
			e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
			goto out;
		}
		r.proxy_userpass = px->userpass;
		r.proxy_keepalive = 1;
		/* curl's digest-uri for a proxy is the path, as for a server */
		if ((e = proxy_authz(s->pauth, s->cb, px, s->method,
		                     nk_url_target(s->url), &pauthz, errmsg)))
			goto out;
		r.proxy_authorization = pauthz;
		if (s->pauth && !pauthz)
			r.proxy_userpass = NULL;
		for (size_t i = 0; i < px->nheaders; i++)
			hdrs[nh++] = px->headers[i];
	}
	r.authorization = s->authz;
	r.method = s->method;
	r.target = target ? target : nk_url_target(s->url);
	r.host = nk_url_get(s->url, NK_URL_HOST);
	r.http10 = rq->http10;
	r.user_agent = rq->user_agent;
	r.resume_from = rq->resume_from > 0 ? rq->resume_from : 0;
	r.range = rq->range;
	r.accept_encoding = rq->compressed ? "deflate, gzip, br, zstd" : NULL;
	r.referer = s->referer;
	r.headers = hdrs;
	r.nheaders = nh;
	r.accept = rq->accept;
	if (up->src) {
		r.has_body = !up->chunked;
		r.body_len = up->src->size;
		r.chunked = up->chunked;
		r.content_type = up->src->b->content_type;
		r.expect_continue = up->expect;
	} else if (s->probe) {
		r.has_body = 1;
		r.body_len = 0;
		r.content_type = rq->body->content_type;
	}
	e = nk_http_request_build(&r, head, headlen, errmsg);
out:
	if (hdrs != few)
		free(hdrs);
	free(cookie);
	free(target);
	free(pauthz);
	return e;
}
