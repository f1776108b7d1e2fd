/* pipeline.c: --pipeline's queue. The requests the caller will run are
 * built ahead (nk_fetch_pipeline), and sent in batches on the connection
 * of the one running now; their responses are read in order by the runs
 * that follow. */
#include <stdlib.h>
#include <string.h>

#include "fetch/fetch_int.h"

void
queue_clear(nk_fetch *f)
{
	for (size_t i = 0; i < f->nqueue; i++) {
		free(f->queue[i].key);
		free(f->queue[i].head);
	}
	free(f->queue);
	f->queue = NULL;
	f->nqueue = f->qpos = 0;
}

/* Whether queue entry i is the request (key, req) about to be made. */
int
queued_is(const nk_fetch *f, size_t i, const char *key, const char *req,
          size_t reqlen)
{
	return i < f->nqueue && f->queue[i].len == reqlen &&
	       memcmp(f->queue[i].head, req, reqlen) == 0 &&
	       strcmp(f->queue[i].key, key) == 0;
}

/* Sends the request (unless `sent`: it went ahead earlier) and, when the
 * caller pipelines, the queued requests that follow it to the same place,
 * as many as the window has room for, in the same write. A batch goes
 * when half the window is free, so writes carry many requests. */
nk_err
send_request(nk_fetch *f, struct step *s, struct pooled *pc,
             const char *key, const char *req, size_t reqlen, int sent,
             char *errmsg)
{
	/* Which queue entry this run is, if any: runs come in queue order,
	 * but a redirect or a request that is not queued comes between. */
	size_t cur = SIZE_MAX;
	if (sent) {
		cur = pc->first_ahead++;
		pc->ahead--;
	} else {
		for (size_t i = f->qpos; i < f->nqueue && i < f->qpos + 64; i++)
			if (queued_is(f, i, key, req, reqlen)) {
				cur = i;
				break;
			}
	}
	if (cur != SIZE_MAX)
		f->qpos = cur + 1;

	size_t more = 0, bytes = sent ? 0 : reqlen, next = 0;
	if (cur != SIZE_MAX && !f->pipe_off &&
	    pc->ahead <= PIPE_WINDOW / 2) {
		next = pc->ahead ? pc->first_ahead + (size_t)pc->ahead : cur + 1;
		while ((size_t)pc->ahead + more < PIPE_WINDOW &&
		       next + more < f->nqueue && f->queue[next + more].key &&
		       strcmp(f->queue[next + more].key, key) == 0)
			bytes += f->queue[next + more++].len;
	}
	if (bytes == 0)
		return NK_OK;
	char *batch = NULL;
	if (more) {
		batch = malloc(bytes);
		if (!batch)
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		size_t at = 0;
		if (!sent) {
			memcpy(batch, req, reqlen);
			at = reqlen;
		}
		for (size_t i = 0; i < more; i++) {
			memcpy(batch + at, f->queue[next + i].head,
			       f->queue[next + i].len);
			at += f->queue[next + i].len;
		}
		fetch_trace(s->cb, "Pipelining %zu more request%s on connection #%d",
		            more, more == 1 ? "" : "s", pc->id);
	}
	nk_err e = nk_conn_write(pc->conn, batch ? batch : req, bytes,
	                         s->deadline, errmsg);
	free(batch);
	if (!e && more) {
		if (pc->ahead == 0)
			pc->first_ahead = next;
		pc->ahead += (int)more;
	}
	return e;
}

nk_err
nk_fetch_pipeline(nk_fetch *f, const nk_fetch_request *rqs, size_t n,
                  char *errmsg)
{
	queue_clear(f);
	f->pipe_off = 0;
	if (n == 0)
		return NK_OK;
	f->queue = calloc(n, sizeof *f->queue);
	if (!f->queue)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	f->nqueue = n;
	for (size_t i = 0; i < n; i++) {
		const nk_fetch_request *rq = &rqs[i];
		const char *method = rq->method ? rq->method : "GET";
		/* Only what may safely be asked twice goes ahead (RFC 9112
		 * §9.3.2): a request lost with its connection is asked again. A
		 * request that stays out keeps its place (key NULL). */
		if ((strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) ||
		    rq->http10 || !rq->url)
			continue;
		nk_url *u = NULL;
		char msg[NK_ERR_MSG_LEN];
		if (fetch_parse_url(rq->url, rq->default_scheme ? rq->default_scheme
		                    : "http", &u, msg) != NK_OK)
			continue;
		if (is_http(u)) {
			struct step st;
			memset(&st, 0, sizeof st);
			st.rq = rq;
			st.url = u;
			st.method = method;
			st.creds = 1;
			st.same_host = 1;
			st.referer = rq->referer;
			char key[KEY_LEN];
			const struct nk_proxy *px = fetch_route(f, u, key);
			struct queued *q = &f->queue[i];
			struct up none;
			memset(&none, 0, sizeof none);
			/* the first request's credentials, as the run will have
			 * them: a scheme that waits for a challenge sends none */
			struct nk_auth a, pa;
			memset(&a, 0, sizeof a);
			memset(&pa, 0, sizeof pa);
			pa.want = f->cfg.proxy_auth;
			st.auth = &a;
			st.pauth = &pa;
			nk_err be = auth_prepare(&st, msg);
			if (!be)
				be = build_request(&st, px, &none, &q->head, &q->len, msg);
			auth_done(&st);
			if (be == NK_OK) {
				q->key = strdup(key);
				if (!q->key) {
					nk_url_free(u);
					queue_clear(f);
					return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY,
					               "out of memory");
				}
			}
		}
		nk_url_free(u);
	}
	return NK_OK;
}
