/* run.c: nk_fetch_run, the top-level loop: tries, the wait between
 * them, and the result. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch/fetch_int.h"

nk_err
nk_fetch_run(nk_fetch *f, const nk_fetch_request *rq,
             const nk_fetch_callbacks *cb, nk_fetch_result *res,
             char *errmsg)
{
	static const nk_fetch_callbacks nocb;
	memset(res, 0, sizeof *res);
	res->start = nk_now();
	if (!cb)
		cb = &nocb;
	if (!rq || !rq->url) {
		res->err = nk_fail(res->errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		                   "no URL to fetch");
		nk_fail(errmsg, res->err, "%s", res->errmsg);
		return res->err;
	}
	nk_fetch_request r = *rq;
	pace_init(&f->down, rq->limit_rate);
	pace_init(&f->up, rq->limit_rate);
	uint64_t delivered = 0;
	struct src src;
	if (rq->body)
		src_init(&src, rq->body);
	struct retry rt = { &r, &delivered, res->start, 1000, 0, 0 };
	/* one transfer's authentication, across its tries and redirects */
	struct nk_auth auth;
	memset(&auth, 0, sizeof auth);
	memset(&f->pauth, 0, sizeof f->pauth);
	f->pauth.want = f->cfg.proxy_auth;
	nk_err e;
	for (int tries = 0;; tries++) {
		char msg[NK_ERR_MSG_LEN] = "";
		int can_retry = tries < r.retry && (r.retry_max_time_ms <= 0 ||
		                nk_now() - res->start < r.retry_max_time_ms * 1000);
		rt.ready = 0;
		e = fetch_try(f, &r, cb, res, can_retry ? &rt : NULL, &delivered,
		              rq->body ? &src : NULL, &auth, msg);
		memcpy(res->errmsg, msg, sizeof msg);
		if (!e || !can_retry || !retry_transient(e, res, &r))
			break;
		/* A body is sent again only from its start. */
		char rmsg[NK_ERR_MSG_LEN];
		if (rq->body && src_rewind(&src, "retry", rmsg) != NK_OK) {
			fetch_warn(cb, rmsg);
			break;
		}
		if (!rt.ready && !retry_ready(&rt, cb, res))
			break;
		int64_t wait = rt.wait;
		if (fetch_wants(cb, NK_FETCH_WARNING)) {
			char line[NK_ERR_MSG_LEN * 2];
			int n = snprintf(line, sizeof line, "Transient problem: %s. "
			                 "Will retry in %.1f seconds, %d %s left.",
			                 res->errmsg, (double)wait / 1000,
			                 r.retry - tries,
			                 r.retry - tries == 1 ? "retry" : "retries");
			if (n > 0)
				cb->trace(cb->ctx, NK_FETCH_WARNING, line,
				          (size_t)n < sizeof line ? (size_t)n
				                                  : sizeof line - 1, NULL);
		}
		if (wait > 0)
			nk_sleep_us(wait * 1000);
		if (r.retry_delay_ms <= 0 && rt.backoff < 600000)
			rt.backoff *= 2;
		for (size_t i = 0; i < res->nhops; i++)
			hop_clear(&res->hops[i]);
		res->nhops = 0;
		res->num_connects = 0;
		res->size_header = res->size_request = 0;
		res->already_complete = 0;
		res->retries++;
	}
	if (rq->body)
		free(src.kept);
	res->err = e;
	res->end = nk_now();
	if (e)
		nk_fail(errmsg, e, "%s", res->errmsg);
	else
		res->errmsg[0] = '\0';
	return e;
}
