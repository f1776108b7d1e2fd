/* pace.c: --limit-rate: a token bucket per direction, refilled
 * continuously at the rate and holding at most a sixteenth of a second's
 * worth, so bytes go in small steady steps rather than bursts. A read
 * or write takes what the bucket holds (at least one byte); bytes that
 * came unasked (with a response head) drive it below zero, and the wait
 * that follows pays them back: over any second the average stays at the
 * rate. */
#include <errno.h>
#include <time.h>

#include "fetch/fetch_int.h"

void
pace_init(struct pace *p, int64_t rate)
{
	p->rate = rate > 0 ? rate : 0;
	p->cap = (double)p->rate / 16 >= 1 ? (double)p->rate / 16 : 1;
	p->tokens = p->cap;
	p->last = nk_now();
}

/* Adds what the time since the last count earned. */
static void
pace_refill(struct pace *p)
{
	nk_time now = nk_now();
	p->tokens += (double)(now - p->last) * (double)p->rate / 1e6;
	if (p->tokens > p->cap)
		p->tokens = p->cap;
	p->last = now;
}

size_t
pace_allow(struct pace *p, size_t want)
{
	if (!p->rate)
		return want;
	pace_refill(p);
	if (p->tokens < 1)
		return 0;
	return p->tokens < (double)want ? (size_t)p->tokens : want;
}

void
pace_used(struct pace *p, size_t n)
{
	if (p->rate)
		p->tokens -= (double)n;
}

int
pace_wait_ms(struct pace *p)
{
	if (!p->rate)
		return 0;
	pace_refill(p);
	if (p->tokens >= 1)
		return 0;
	double ms = (1 - p->tokens) * 1000 / (double)p->rate;
	return ms > 1000000 ? 1000000 : (int)ms + 1;
}

nk_err
pace_sleep(struct pace *p, nk_time deadline)
{
	int ms;
	while ((ms = pace_wait_ms(p)) > 0) {
		int left = nk_deadline_poll_ms(deadline);
		if (left == 0)
			return NK_ERR_OPERATION_TIMEDOUT;
		if (left > 0 && left < ms)
			ms = left;
		nk_sleep_us((int64_t)ms * 1000);
	}
	return NK_OK;
}
