/* pool.c: the connections kept between requests: taking one back for
 * reuse (if the server has not closed it), putting one back, and dropping
 * one that will not be reused. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/fetch_int.h"

void
pool_drop(struct pooled *p)
{
	h2x_free(p->h2);
	nk_conn_free(p->conn);
	free(p->key);
	free(p->rest);
	memset(p, 0, sizeof *p);
}

/* Takes the connection for key out of the pool, if it is still usable.
 * One with pipelined requests on it is usable only by the first of them
 * (*sent is then set: the request is already on the wire). An idle HTTP/1.1
 * connection has nothing to say, so readable means the server closed it
 * (or sent junk); one idle for less than a second is taken without asking
 * (poll), unless `check`: if the server closed it after all, the request
 * gets no byte back and goes again on a new connection, which a request
 * that is not replayable may not. */
struct pooled
pool_take(nk_fetch *f, const char *key, const char *req, size_t reqlen,
          int check, const nk_fetch_callbacks *cb, int *sent)
{
	struct pooled none;
	memset(&none, 0, sizeof none);
	*sent = 0;
	for (int i = 0; i < POOL_SIZE; i++) {
		struct pooled *p = &f->pool[i];
		if (!p->conn || strcmp(p->key, key) != 0)
			continue;
		if (p->ahead > 0) {
			if (!queued_is(f, p->first_ahead, key, req, reqlen))
				continue;
			*sent = 1;
		} else if (p->h2) {
			/* An idle HTTP/2 server may well speak (SETTINGS, PING):
			 * the session says whether it is still usable. */
			if (!h2x_idle_ok(p)) {
				fetch_trace(cb, "Connection #%d: the HTTP/2 session ended "
				            "while idle", p->id);
				pool_drop(p);
				continue;
			}
		} else {
			struct pollfd pfd = { nk_conn_fd(p->conn), POLLIN, 0 };
			if (nk_conn_pending(p->conn) > 0 ||
			    ((check || nk_now() - p->idle_since >= IDLE_CHECK_US) &&
			     poll(&pfd, 1, 0) != 0)) {
				fetch_trace(cb, "Connection #%d was closed by the server while "
				            "idle", p->id);
				pool_drop(p);
				continue;
			}
		}
		struct pooled got = *p;
		memset(p, 0, sizeof *p);
		return got;
	}
	return none;
}

void
pool_put(nk_fetch *f, struct pooled *c)
{
	int slot = 0;
	for (int i = 0; i < POOL_SIZE; i++) {
		if (!f->pool[i].conn) {
			slot = i;
			break;
		}
		if (f->pool[i].idle_since < f->pool[slot].idle_since)
			slot = i;
	}
	pool_drop(&f->pool[slot]);
	c->idle_since = nk_now();
	f->pool[slot] = *c;
	memset(c, 0, sizeof *c);
}

/* Drops a connection that will not be reused; if requests were pipelined
 * on it, they will be sent again one at a time, and no more are. */
void
conn_lost(nk_fetch *f, struct pooled *pc, const struct step *s, int mine)
{
	/* mine: the run's own request went ahead and is unanswered too */
	int n = pc->ahead + (mine ? 1 : 0);
	if (n > 0 && !f->pipe_off) {
		fetch_trace(s->cb, "Connection #%d ends with %d pipelined request%s "
		            "unanswered: %s again one at a time", pc->id, n,
		            n == 1 ? "" : "s", n == 1 ? "it goes" : "they go");
		f->pipe_off = 1;
	}
	pool_drop(pc);
}
