/* pool: the bounded worker pool (pool.h). Jobs are indexes taken under
 * one lock; the workers own nothing, so the callers keep their results
 * where they like. */
#include <pthread.h>
#include <stdlib.h>

#include "pool.h"

struct pool {
	void (*run)(void *ctx, size_t i);
	int (*stop)(void *ctx);
	void *ctx;
	size_t n, next;
	pthread_mutex_t lock;
};

static void *
worker(void *arg)
{
	struct pool *pl = arg;
	for (;;) {
		pthread_mutex_lock(&pl->lock);
		size_t i = pl->next < pl->n ? pl->next++ : pl->n;
		pthread_mutex_unlock(&pl->lock);
		if (i >= pl->n)
			return NULL;
		if (!pl->stop || !pl->stop(pl->ctx))
			pl->run(pl->ctx, i);
	}
}

void
pool_run(size_t n, size_t threads, void (*run)(void *ctx, size_t i),
         int (*stop)(void *ctx), void *ctx)
{
	struct pool pl = { run, stop, ctx, n, 0, PTHREAD_MUTEX_INITIALIZER };
	/* The caller is a worker too: threads - 1 more, and none idle. */
	size_t more = threads > 1 ? threads - 1 : 0;
	if (more > (n ? n - 1 : 0))
		more = n ? n - 1 : 0;
	pthread_t *th = more ? malloc(more * sizeof *th) : NULL;
	size_t started = 0;
	while (th && started < more &&
	       pthread_create(&th[started], NULL, worker, &pl) == 0)
		started++;
	worker(&pl);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	pthread_mutex_destroy(&pl.lock);
}
