/* pool: nk tls's worker pool (cmd/tls/pool.c) runs every job once, never
 * more at a time than it was given, and skips what is left once stop
 * says so; a pool of one or none is the caller alone. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <time.h>
#include <cmocka.h>

#include "../../cmd/tls/pool.h"

struct count {
	pthread_mutex_t lock;
	int runs[200];
	int now, most, total, stop_after;
	pthread_t who[200];
};

static void
nap(void)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	nanosleep(&ts, NULL);
}

static void
run(void *ctx, size_t i)
{
	struct count *c = ctx;
	pthread_mutex_lock(&c->lock);
	c->runs[i]++;
	c->total++;
	c->who[i] = pthread_self();
	if (++c->now > c->most)
		c->most = c->now;
	pthread_mutex_unlock(&c->lock);
	nap();
	pthread_mutex_lock(&c->lock);
	c->now--;
	pthread_mutex_unlock(&c->lock);
}

static int
stop(void *ctx)
{
	struct count *c = ctx;
	pthread_mutex_lock(&c->lock);
	int s = c->total >= c->stop_after;
	pthread_mutex_unlock(&c->lock);
	return s;
}

/* A count with nothing run yet, whose stop says yes from stop_after on. */
static void
fresh(struct count *c, int stop_after)
{
	*c = (struct count){ .lock = PTHREAD_MUTEX_INITIALIZER,
	                     .stop_after = stop_after };
}

static void
test_each_once_bounded(void **state)
{
	(void)state;
	static struct count c;
	fresh(&c, 0);
	pool_run(120, 4, run, NULL, &c);
	for (size_t i = 0; i < 120; i++)
		assert_int_equal(c.runs[i], 1);
	assert_int_equal(c.runs[120], 0);
	assert_int_equal(c.total, 120);
	assert_int_equal(c.now, 0);
	/* 2 ms a job: four workers overlap, and a fifth never joins. */
	assert_true(c.most >= 2);
	assert_true(c.most <= 4);
}

static void
test_one_is_the_caller(void **state)
{
	(void)state;
	static struct count c;
	for (size_t threads = 0; threads <= 1; threads++) {
		fresh(&c, 0);
		pool_run(10, threads, run, NULL, &c);
		assert_int_equal(c.total, 10);
		assert_int_equal(c.most, 1);
		for (size_t i = 0; i < 10; i++)
			assert_true(pthread_equal(c.who[i], pthread_self()));
		}
	/* No job: nothing runs, nothing waits. */
	fresh(&c, 0);
	pool_run(0, 8, run, NULL, &c);
	assert_int_equal(c.total, 0);
}

static void
test_stop_skips_the_rest(void **state)
{
	(void)state;
	static struct count c;
	fresh(&c, 5);
	pool_run(50, 1, run, stop, &c);
	assert_int_equal(c.total, 5);
	for (size_t i = 0; i < 50; i++)
		assert_int_equal(c.runs[i], i < 5);
	/* With several workers a job already begun still ends; none starts
	 * after stop said so, so at most one a worker past the mark. */
	fresh(&c, 5);
	pool_run(50, 4, run, stop, &c);
	assert_true(c.total >= 5 && c.total <= 5 + 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_once_bounded),
		cmocka_unit_test(test_one_is_the_caller),
		cmocka_unit_test(test_stop_skips_the_rest),
	};
	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
