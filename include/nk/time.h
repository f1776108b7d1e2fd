/* libnk time: deadlines on the monotonic clock.
 *
 * Every blocking call in libnk takes an absolute deadline in microseconds
 * of CLOCK_MONOTONIC (nk_now() + timeout). NK_NO_DEADLINE means wait
 * forever. A call whose deadline passes returns NK_ERR_OPERATION_TIMEDOUT. */
#ifndef NK_TIME_H
#define NK_TIME_H

#include "nk/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int64_t nk_time;   /* microseconds */

#define NK_NO_DEADLINE ((nk_time)0)

/* Now, on the monotonic clock, in microseconds. */
NK_API nk_time nk_now(void);

/* The deadline `ms` milliseconds from now, or NK_NO_DEADLINE if ms <= 0. */
NK_API nk_time nk_deadline_in_ms(int64_t ms);

/* The earlier of two deadlines, NK_NO_DEADLINE counting as latest. */
NK_API nk_time nk_deadline_min(nk_time a, nk_time b);

/* Milliseconds left until `deadline`, suitable for poll(): -1 for no
 * deadline, 0 when it has passed, else rounded up. */
NK_API int nk_deadline_poll_ms(nk_time deadline);

#ifdef __cplusplus
}
#endif

#endif
