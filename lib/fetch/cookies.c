/* cookies.c: the cookie jar's glue: the Cookie line a request sends,
 * and the Set-Cookie lines of a response taken into the jar. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch/fetch_int.h"

/* The jar's view of a URL at this moment. host holds the host name. */
static void
cookie_req(const nk_url *u, char host[256], nk_cookie_req *cr)
{
	const char *h = nk_url_get(u, NK_URL_HOSTNAME);
	size_t n = strlen(h);
	if (n >= 2 && h[0] == '[')
		h++, n -= 2;
	snprintf(host, 256, "%.*s", (int)n, h);
	cr->host = host;
	cr->path = nk_url_get(u, NK_URL_PATHNAME);
	cr->secure = is_https(u);
	cr->now = (int64_t)time(NULL);
}

/* The Cookie line for a step, as curl 7.88 builds it: the jar's cookies,
 * then -b's string. NULL when there is none; *oom on failure. */
char *
cookie_line(const struct step *s, int *oom)
{
	const nk_fetch_request *rq = s->rq;
	char host[256], *jar = NULL, *line = NULL;
	nk_cookie_req cr;
	if (rq->cookies) {
		cookie_req(s->url, host, &cr);
		jar = nk_cookie_header(rq->cookies, &cr);
	}
	const char *b = rq->cookie && *rq->cookie ? rq->cookie : NULL;
	if ((jar || b) && asprintf(&line, "Cookie: %s%s%s", jar ? jar : "",
	                           jar && b ? "; " : "", b ? b : "") < 0) {
		line = NULL;
		*oom = 1;
	}
	free(jar);
	return line;
}

/* Every Set-Cookie of a hop's response goes to the jar. */
void
take_cookies(const nk_fetch_request *rq, const nk_url *u,
             const nk_fetch_hop *h)
{
	char host[256];
	nk_cookie_req cr;
	if (!rq->cookies)
		return;
	cookie_req(u, host, &cr);
	for (size_t i = 0; i < h->num_headers; i++)
		if (nk_http_eq(h->headers[i].name, h->headers[i].name_len,
		               "Set-Cookie"))
			nk_cookie_set(rq->cookies, &cr, h->headers[i].value,
			              h->headers[i].value_len);
}
