/* libnk tasks: many blocking libnk calls at once, in one thread.
 *
 * Every libnk call that waits (resolving, connecting, a TLS handshake,
 * reading a response, sending a body, --limit-rate's pauses, a retry's
 * back-off) waits in one place. Inside a task that place does not block
 * the thread: it hands the wait (the descriptors and the deadline) to the
 * task set's poll loop and lets the other tasks run, and the loop resumes
 * the task when one of its descriptors is ready or its deadline passes.
 * So code written as plain blocking calls (nk_fetch_run, say) runs as one
 * of many transfers in a single poll loop, each a state machine whose
 * state is its own stack, with the deadlines, limits and errors it has
 * when run alone.
 *
 * Several URLs at once from C (error handling shortened):
 *
 *	static void get(void *arg)
 *	{
 *		struct job *j = arg;   // a fetcher of its own (nk_fetch_new_shared)
 *		j->err = nk_fetch_run(j->f, &j->rq, &j->cb, &j->res, j->msg);
 *	}
 *
 *	nk_tasks *ts;
 *	nk_tasks_new(&ts, err);
 *	for (i = 0; i < n; i++)
 *		nk_tasks_spawn(ts, get, &jobs[i], err);
 *	while (nk_tasks_run(ts, -1) > 0)
 *		;
 *	nk_tasks_free(ts);
 *
 * examples/parallel.c is the whole program.
 *
 * Rules: a task set belongs to the thread that made it, and its tasks run
 * only inside nk_tasks_run on that thread, one at a time, switching only
 * where libnk waits: between two waits a task runs alone, so tasks share
 * data without locks, but must not hold a lock (a pthread mutex) across a
 * libnk call that may wait. A task's stack is NK_TASK_STACK bytes (pages
 * are used only when touched); deep recursion does not belong in a task.
 * Blocking calls from outside libnk (read(2) on a slow pipe, say) block
 * every task: wait for such descriptors with nk_task_poll. */
#ifndef NK_TASK_H
#define NK_TASK_H

#include <poll.h>

#include "nk/defs.h"
#include "nk/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nk_tasks nk_tasks;

/* Each task's stack, guard page not counted. */
#define NK_TASK_STACK (1024 * 1024)

/* Makes an empty task set. NK_ERR_OUT_OF_MEMORY. Free with
 * nk_tasks_free. */
NK_API nk_err nk_tasks_new(nk_tasks **out, char *errmsg);

/* Adds a task that will run fn(arg) at the next nk_tasks_run; may be
 * called from a task of the same set. arg is the caller's. Errors:
 * NK_ERR_OUT_OF_MEMORY (no memory for the stack). */
NK_API nk_err nk_tasks_spawn(nk_tasks *ts, void (*fn)(void *arg), void *arg,
                             char *errmsg);

/* Runs the tasks until none is left, or timeout_ms passed (-1: no
 * limit), or a signal interrupted the wait. Returns how many tasks are
 * left (0: all returned). Not from inside a task. */
NK_API size_t nk_tasks_run(nk_tasks *ts, int timeout_ms);

/* How many tasks have not returned yet. */
NK_API size_t nk_tasks_live(const nk_tasks *ts);

/* Frees the set; its tasks must all have returned (a set with live tasks
 * is left alone: their stacks may hold the caller's data). NULL is a
 * no-op. */
NK_API void nk_tasks_free(nk_tasks *ts);

/* The running task's arg, or NULL outside a task. */
NK_API void *nk_task_arg(void);

/* poll(2) as libnk waits: inside a task, lets the others run meanwhile;
 * outside, poll itself. Returns as poll does (never -1 with EINTR inside
 * a task). For a caller's own descriptors (a pipe to read a body from). */
NK_API int nk_task_poll(struct pollfd *p, nfds_t n, int ms);

#ifdef __cplusplus
}
#endif

#endif
