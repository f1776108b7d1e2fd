/* retry.c: whether a failed try is worth another, and whether the retry
 * will really go (its wait, Retry-After, the caller taking back what it
 * was given). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch/fetch_int.h"

/* Is a final status one curl retries? */
int
retry_status(int status)
{
	return status == 408 || status == 429 || status == 500 ||
	       status == 502 || status == 503 || status == 504;
}

/* A failure curl (and nk) may try again. nk also retries a connection
 * that broke before the transfer completed (52, 55, 56, 18): with -C -,
 * the retry continues where the last try stopped. */
int
retry_transient(nk_err e, const nk_fetch_result *res,
                const nk_fetch_request *rq)
{
	const nk_fetch_hop *h = nk_fetch_result_final(res);
	switch (e) {
	case NK_ERR_OPERATION_TIMEDOUT:
	case NK_ERR_COULDNT_RESOLVE_HOST:
	case NK_ERR_COULDNT_RESOLVE_PROXY:
	case NK_ERR_GOT_NOTHING:
	case NK_ERR_SEND_ERROR:
	case NK_ERR_RECV_ERROR:
	case NK_ERR_PARTIAL_FILE:
		return 1;
	case NK_ERR_COULDNT_CONNECT:
		return rq->retry_connrefused;
	case NK_ERR_HTTP_RETURNED_ERROR:
		return h && retry_status(h->status);
	default:
		return rq->retry_all_errors;
	}
}

/* Retry-After (RFC 9110 §10.2.3): seconds or an HTTP date; -1 if none. */
static int64_t
retry_after_ms(const nk_fetch_result *res)
{
	const nk_fetch_hop *h = nk_fetch_result_final(res);
	char v[64];
	if (!h || !nk_fetch_hop_header(h, "Retry-After", v, sizeof v))
		return -1;
	char *end;
	long long secs = strtoll(v, &end, 10);
	if (end != v && *end == '\0' && secs >= 0)
		return secs > 86400 ? 86400000 : secs * 1000;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
		time_t when = timegm(&tm), now = time(NULL);
		return when > now ? (int64_t)(when - now) * 1000 : 0;
	}
	return -1;
}

/* Whether the retry after this try's failure will go: its wait must end
 * within --retry-max-time, and the caller must take back what it was
 * given (or keep a resumable body). Then the retry is ready, and it waits
 * rt->wait ms. When it will not go, the try's outcome stands: a transient
 * status is then the response, delivered as any other. */
int
retry_ready(struct retry *rt, const nk_fetch_callbacks *cb,
            nk_fetch_result *res)
{
	nk_fetch_request *r = rt->rq;
	int64_t wait = r->retry_delay_ms > 0 ? r->retry_delay_ms : rt->backoff;
	int64_t ra = retry_after_ms(res);
	if (ra >= 0 && r->retry_delay_ms <= 0)
		wait = ra;
	if (r->retry_max_time_ms > 0 && nk_now() + wait * 1000 >
	    rt->start + r->retry_max_time_ms * 1000) {
		if (ra >= 0 && r->retry_delay_ms <= 0)
			fetch_warn(cb, "The Retry-After: time would make this command line "
			     "exceed the maximum allowed time for retries.");
		return 0;
	}
	/* The caller may have written heads or body: it takes them back (or
	 * keeps a resumable body). */
	if (*rt->delivered > 0 || cb->restart) {
		char msg[NK_ERR_MSG_LEN];
		int64_t from = r->resume_from;
		if (!cb->restart || cb->restart(cb->ctx, &from, msg) != NK_OK)
			return 0;
		if (from != r->resume_from) {
			r->resume_from = from;
		} else {
			*rt->delivered = 0;
			res->size_download = 0;
		}
	}
	rt->wait = wait;
	rt->ready = 1;
	return 1;
}
