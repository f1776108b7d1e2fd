/* time: the monotonic clock and deadline arithmetic every blocking call uses. */
#include <time.h>

#include "core/internal.h"

nk_time
nk_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (nk_time)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

nk_time
nk_deadline_in_ms(int64_t ms)
{
	return ms > 0 ? nk_now() + ms * 1000 : NK_NO_DEADLINE;
}

nk_time
nk_deadline_min(nk_time a, nk_time b)
{
	if (a == NK_NO_DEADLINE)
		return b;
	if (b == NK_NO_DEADLINE)
		return a;
	return a < b ? a : b;
}

int
nk_deadline_poll_ms(nk_time deadline)
{
	if (deadline == NK_NO_DEADLINE)
		return -1;
	nk_time left = deadline - nk_now();
	if (left <= 0)
		return 0;
	left = (left + 999) / 1000;
	return left > 0x7fffffff ? 0x7fffffff : (int)left;
}
