/* Helpers shared inside libnk only; never installed. */
#ifndef NK_INTERNAL_H
#define NK_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include "nk/err.h"
#include "nk/time.h"

/* libnk's name for nk_err_set (nk/err.h), which the tools use too: a
 * formatted one-line message into a caller's NK_ERR_MSG_LEN buffer
 * (NULL-safe), errno preserved, `e` returned. */
#define nk_fail nk_err_set

/* Copies an addresses's printable form ("127.0.0.1" or "::1") into buf. */
struct sockaddr;
void nk_addr_str(const struct sockaddr *sa, char *buf, size_t len);

/* Append s (or v in decimal) at p, truncating so that a NUL fits before
 * end, and return where the next piece goes: snprintf's result for the
 * hot paths, without its cost (strput.c). Nothing is written when
 * p >= end. */
char *nk_put_str(char *p, const char *end, const char *s);
char *nk_put_uint(char *p, const char *end, unsigned long long v);

/* RFC 4648 base64 of in's n bytes into out, which has room for
 * NK_BASE64_LEN(n) + 1 bytes (a NUL ends it); returns the length
 * written, without the NUL. No line breaks, '=' padding (base64.c). */
#define NK_BASE64_LEN(n) (4 * (((n) + 2) / 3))
size_t nk_base64(const void *in, size_t n, char *out);

#define NK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* task.c: waiting. Everything in libnk that blocks waits through
 * nk_task_poll (nk/task.h) or these, so that inside a task the wait lets
 * the other tasks run. nk_sleep_us sleeps (a retry's back-off,
 * --limit-rate). A task parks to wait for another task rather than a
 * descriptor: nk_task_park returns 1 when nk_task_wake woke it, 0 at the
 * deadline (at once outside a task); nk_task_yield lets the others run
 * and comes back. nk_task_self is NULL outside a task. */
struct nk_task;
void nk_sleep_us(int64_t us);
struct nk_task *nk_task_self(void);
int nk_task_park(nk_time deadline);
void nk_task_wake(struct nk_task *t);
void nk_task_yield(void);
/* Lets every other task that has something to do now run first, once:
 * for a write that their work can share. */
void nk_task_idle(void);
/* Tasks waiting for something another task will finish: nk_waitq_wait
 * parks the running task in q until nk_waitq_wake_all or the deadline
 * (1: woken; 0: the deadline, or at once outside a task). A zeroed
 * nk_waitq is empty. */
struct nk_waitq {
	struct nk_task *head;
};
int nk_waitq_wait(struct nk_waitq *q, nk_time deadline);
void nk_waitq_wake_all(struct nk_waitq *q);

#endif
