/* pool.c: the connections kept between requests: taking one back for
 * reuse (if the server has not closed it), putting one back, and dropping
 * one that will not be reused. An HTTP/2 connection stays in the pool
 * while exchanges use it: each borrows it, several at once when
 * transfers run as tasks (nk/task.h), and the fetchers made with
 * nk_fetch_new_shared use their home's pool. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/fetch_int.h"

void
pool_drop(struct pooled *p)
{
	if (p->borrowed) {   /* the pool's to drop */
		memset(p, 0, sizeof *p);
		return;
	}
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
	nk_fetch *hf = fetch_home(f);
	for (int i = 0; i < hf->npool; i++) {
		struct pooled *p = &hf->pool[i];
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
				if (h2x_users(p->h2))
					continue;   /* its last user drops it */
				fetch_trace(cb, "Connection #%d: the HTTP/2 session ended "
				            "while idle", p->id);
				pool_drop(p);
				continue;
			}
			struct pooled got = *p;
			got.borrowed = 1;
			return got;
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

/* The slot a connection goes in: a free one, else the one idle longest
 * (an HTTP/2 connection in use is not idle); -1 when all are in use. */
static int
free_slot(nk_fetch *hf)
{
	int slot = -1;
	for (int i = 0; i < hf->npool; i++) {
		struct pooled *p = &hf->pool[i];
		if (!p->conn)
			return i;
		if (p->h2 && h2x_users(p->h2))
			continue;
		if (slot < 0 || p->idle_since < hf->pool[slot].idle_since)
			slot = i;
	}
	return slot;
}

void
pool_put(nk_fetch *f, struct pooled *c)
{
	if (c->borrowed) {
		pool_return(f, c, 1);
		return;
	}
	nk_fetch *hf = fetch_home(f);
	int slot = free_slot(hf);
	if (slot < 0) {
		pool_drop(c);
		return;
	}
	pool_drop(&hf->pool[slot]);
	c->idle_since = nk_now();
	hf->pool[slot] = *c;
	memset(c, 0, sizeof *c);
}

void
pool_lend(nk_fetch *f, struct pooled *pc)
{
	nk_fetch *hf = fetch_home(f);
	int slot = free_slot(hf);
	if (slot < 0)
		return;   /* it stays the exchange's own */
	pool_drop(&hf->pool[slot]);
	pc->idle_since = nk_now();
	hf->pool[slot] = *pc;
	pc->borrowed = 1;
}

void
pool_return(nk_fetch *f, struct pooled *pc, int ok)
{
	if (!pc->borrowed) {
		if (ok)
			pool_put(f, pc);
		else
			pool_drop(pc);
		return;
	}
	nk_fetch *hf = fetch_home(f);
	for (int i = 0; i < hf->npool; i++) {
		struct pooled *p = &hf->pool[i];
		if (p->conn != pc->conn)
			continue;
		if (!h2x_users(p->h2)) {
			p->idle_since = nk_now();
			if (!ok || !h2x_usable(p->h2))
				pool_drop(p);
		}
		break;
	}
	memset(pc, 0, sizeof *pc);
}

int
pool_opening(nk_fetch *f, const char *key, struct opening *op,
             nk_time deadline)
{
	nk_fetch *hf = fetch_home(f);
	int waited = 0;
	for (;;) {
		struct opening *o = hf->opening;
		while (o && strcmp(o->key, key) != 0)
			o = o->next;
		if (!o)
			break;
		if (!nk_waitq_wait(&hf->opened, deadline))
			break;   /* the deadline, or not a task: open one */
		waited = 1;
	}
	if (waited)
		return 1;
	op->key = key;
	op->next = hf->opening;
	hf->opening = op;
	return 0;
}

void
pool_opened(nk_fetch *f, struct opening *op)
{
	nk_fetch *hf = fetch_home(f);
	for (struct opening **pp = &hf->opening; *pp; pp = &(*pp)->next)
		if (*pp == op) {
			*pp = op->next;
			break;
		}
	/* They take the connection and queue their requests while this one
	 * waits to write its own (h2x_send): one write carries them all. */
	nk_waitq_wake_all(&hf->opened);
}

/* Drops a connection that will not be reused; if requests were pipelined
 * on it, they will be sent again one at a time, and no more are. */
void
conn_lost(nk_fetch *f, struct pooled *pc, const struct step *s, int mine)
{
	if (pc->borrowed) {
		/* the stream failed, not necessarily the connection */
		pool_return(f, pc, 1);
		return;
	}
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
