/* Unit tests of lib/core/task.c (nk/task.h): tasks waiting on real pipes
 * and a real socket pair resume when their descriptor is ready and in
 * that order, deadlines end waits, a task may spawn others, parking and
 * waking, wait queues, a task that lets the others go first
 * (nk_task_idle), a name resolved on the DNS worker thread inside a
 * task, and a blocking nk_conn read inside a task that lets the others
 * run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "nk/task.h"
#include "nk/net.h"
#include "nk/conn.h"
#include "core/internal.h"

/* What the tasks did, in order. */
static char trail[256];

static void
note(const char *s)
{
	strncat(trail, s, sizeof trail - strlen(trail) - 1);
}

struct reader {
	int fd;
	const char *name;
	int got;
};

/* Waits for its pipe, reads a byte, notes its name. */
static void
read_one(void *arg)
{
	struct reader *r = arg;
	assert_ptr_equal(nk_task_arg(), r);
	struct pollfd p = { r->fd, POLLIN, 0 };
	assert_int_equal(nk_task_poll(&p, 1, 5000), 1);
	assert_true(p.revents & POLLIN);
	unsigned char c;
	assert_int_equal(read(r->fd, &c, 1), 1);
	r->got = c;
	note(r->name);
}

static void
writer(void *arg)
{
	int *fds = arg;   /* write ends: second, then first */
	note("w");
	nk_sleep_us(20000);
	assert_int_equal(write(fds[1], "b", 1), 1);
	nk_sleep_us(20000);
	assert_int_equal(write(fds[0], "a", 1), 1);
}

/* Two readers wait; a third task writes to the second's pipe first:
 * the second resumes first, all in one thread. */
static void
readers_resume_in_readiness_order(void **state)
{
	(void)state;
	int a[2], b[2];
	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	struct reader ra = { a[0], "A", 0 }, rb = { b[0], "B", 0 };
	int w[2] = { a[1], b[1] };
	nk_tasks *ts;
	char err[NK_ERR_MSG_LEN];
	trail[0] = '\0';
	assert_int_equal(nk_tasks_new(&ts, err), NK_OK);
	assert_int_equal(nk_tasks_spawn(ts, read_one, &ra, err), NK_OK);
	assert_int_equal(nk_tasks_spawn(ts, read_one, &rb, err), NK_OK);
	assert_int_equal(nk_tasks_spawn(ts, writer, w, err), NK_OK);
	assert_int_equal(nk_tasks_live(ts), 3);
	assert_null(nk_task_arg());
	nk_time t0 = nk_now();
	assert_int_equal(nk_tasks_run(ts, -1), 0);
	assert_true(nk_now() - t0 >= 40000);
	assert_string_equal(trail, "wBA");
	assert_int_equal(ra.got, 'a');
	assert_int_equal(rb.got, 'b');
	nk_tasks_free(ts);
	for (int i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
	}
}

static void
wait_nothing(void *arg)
{
	int *r = arg;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	struct pollfd p = { fds[0], POLLIN, 0 };
	*r = nk_task_poll(&p, 1, 30);
	close(fds[0]);
	close(fds[1]);
}

/* A wait with nothing coming ends at its deadline with 0; a run with a
 * timeout returns with the task still live. */
static void
deadlines(void **state)
{
	(void)state;
	nk_tasks *ts;
	char err[NK_ERR_MSG_LEN];
	int r = -1;
	assert_int_equal(nk_tasks_new(&ts, err), NK_OK);
	assert_int_equal(nk_tasks_spawn(ts, wait_nothing, &r, err), NK_OK);
	assert_int_equal(nk_tasks_run(ts, 5), 1);
	assert_int_equal(r, -1);
	nk_time t0 = nk_now();
	assert_int_equal(nk_tasks_run(ts, -1), 0);
	assert_int_equal(r, 0);
	assert_true(nk_now() - t0 >= 15000);
	nk_tasks_free(ts);
}

static nk_tasks *spawn_set;
static int spawned_ran;

static void
child(void *arg)
{
	(void)arg;
	spawned_ran++;
	nk_task_yield();
	spawned_ran++;
}

static void
parent(void *arg)
{
	(void)arg;
	char err[NK_ERR_MSG_LEN];
	for (int i = 0; i < 100; i++)
		assert_int_equal(nk_tasks_spawn(spawn_set, child, NULL, err), NK_OK);
}

/* A task spawns 100 more; each yields once; all end. */
static void
spawn_from_a_task(void **state)
{
	(void)state;
	char err[NK_ERR_MSG_LEN];
	spawned_ran = 0;
	assert_int_equal(nk_tasks_new(&spawn_set, err), NK_OK);
	assert_int_equal(nk_tasks_spawn(spawn_set, parent, NULL, err), NK_OK);
	assert_int_equal(nk_tasks_run(spawn_set, -1), 0);
	assert_int_equal(spawned_ran, 200);
	nk_tasks_free(spawn_set);
}

static struct nk_waitq q;
static struct nk_task *parked;
static int woken_by;

static void
waiter(void *arg)
{
	int *n = arg;
	(*n)++;
	if (*n == 1) {   /* the first parks, the second waits in q */
		parked = nk_task_self();
		woken_by = nk_task_park(NK_NO_DEADLINE);
	} else {
		woken_by += 10 * nk_waitq_wait(&q, NK_NO_DEADLINE);
	}
}

static void
waker(void *arg)
{
	(void)arg;
	nk_task_yield();
	nk_task_wake(parked);
	nk_waitq_wake_all(&q);
}

/* Parking and waitq: woken, not timed out; a waitq wait at its deadline
 * leaves the queue empty. */
static void
park_and_wake(void **state)
{
	(void)state;
	nk_tasks *ts;
	char err[NK_ERR_MSG_LEN];
	int n = 0;
	woken_by = 0;
	memset(&q, 0, sizeof q);
	assert_int_equal(nk_tasks_new(&ts, err), NK_OK);
	assert_int_equal(nk_tasks_spawn(ts, waiter, &n, err), NK_OK);
	assert_int_equal(nk_tasks_spawn(ts, waiter, &n, err), NK_OK);
	assert_int_equal(nk_tasks_spawn(ts, waker, NULL, err), NK_OK);
	assert_int_equal(nk_tasks_run(ts, 2000), 0);
	assert_int_equal(woken_by, 11);
	assert_null(q.head);
	/* outside a task: no wait at all */
	assert_int_equal(nk_waitq_wait(&q, NK_NO_DEADLINE), 0);
	assert_int_equal(nk_task_park(NK_NO_DEADLINE), 0);
	nk_tasks_free(ts);
}

static void
idler(void *arg)
{
	(void)arg;
	note("i");
	nk_task_idle();
	note("I");
}

static void
busy(void *arg)
{
	note(arg);
	nk_task_yield();
	note(arg);
}

/* A task that idles goes on after every task that was ready ran once:
 * "i" first, then both busy tasks' first halves, then "I" (before their
 * second halves, which come a pass later than their yields). */
static void
idle_after_the_others(void **state)
{
	(void)state;
	nk_tasks *ts;
	char err[NK_ERR_MSG_LEN];
	trail[0] = '\0';
	assert_int_equal(nk_tasks_new(&ts, err), NK_OK);
	assert_int_equal(nk_tasks_spawn(ts, idler, NULL, err), NK_OK);
	assert_int_equal(nk_tasks_spawn(ts, busy, "b", err), NK_OK);
	assert_int_equal(nk_tasks_spawn(ts, busy, "c", err), NK_OK);
	assert_int_equal(nk_tasks_run(ts, 2000), 0);
	assert_string_equal(trail, "ibcIbc");
	nk_tasks_free(ts);
}

static void
resolve_task(void *arg)
{
	nk_addrlist *al = arg;
	char err[NK_ERR_MSG_LEN];
	nk_netopts o;
	memset(&o, 0, sizeof o);
	assert_int_equal(nk_resolve(&o, "localhost", 80,
	                            nk_deadline_in_ms(5000), al, err), NK_OK);
}

static int ticks;

static void
ticker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++) {
		nk_sleep_us(1000);
		ticks++;
	}
}

/* A name resolved on the resolver's thread: the task waits on its pipe,
 * the other task runs meanwhile. */
static void
resolve_in_a_task(void **state)
{
	(void)state;
	nk_tasks *ts;
	char err[NK_ERR_MSG_LEN];
	nk_addrlist al;
	memset(&al, 0, sizeof al);
	ticks = 0;
	assert_int_equal(nk_tasks_new(&ts, err), NK_OK);
	assert_int_equal(nk_tasks_spawn(ts, resolve_task, &al, err), NK_OK);
	assert_int_equal(nk_tasks_spawn(ts, ticker, NULL, err), NK_OK);
	assert_int_equal(nk_tasks_run(ts, 10000), 0);
	assert_true(al.n >= 1);
	assert_int_equal(ticks, 3);
	nk_addrlist_free(&al);
	nk_tasks_free(ts);
}

struct conn_read {
	nk_conn *c;
	char buf[16];
	size_t n;
	nk_err e;
};

static void
conn_reader(void *arg)
{
	struct conn_read *r = arg;
	char err[NK_ERR_MSG_LEN];
	r->e = nk_conn_read(r->c, r->buf, sizeof r->buf, nk_deadline_in_ms(5000),
	                    &r->n, err);
	note("R");
}

static void
conn_writer(void *arg)
{
	int *fd = arg;
	note("W");
	nk_sleep_us(10000);
	assert_int_equal(write(*fd, "hello", 5), 5);
}

/* nk_conn_read blocks only its task: the writer runs while it waits. */
static void
conn_read_yields(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct conn_read r;
	memset(&r, 0, sizeof r);
	char err[NK_ERR_MSG_LEN];
	assert_int_equal(nk_conn_from_fd(sv[0], &r.c, err), NK_OK);
	nk_tasks *ts;
	trail[0] = '\0';
	assert_int_equal(nk_tasks_new(&ts, err), NK_OK);
	assert_int_equal(nk_tasks_spawn(ts, conn_reader, &r, err), NK_OK);
	assert_int_equal(nk_tasks_spawn(ts, conn_writer, &sv[1], err), NK_OK);
	assert_int_equal(nk_tasks_run(ts, 5000), 0);
	assert_int_equal(r.e, NK_OK);
	assert_int_equal(r.n, 5);
	assert_memory_equal(r.buf, "hello", 5);
	assert_string_equal(trail, "WR");
	nk_conn_free(r.c);
	close(sv[1]);
	nk_tasks_free(ts);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(readers_resume_in_readiness_order),
		cmocka_unit_test(deadlines),
		cmocka_unit_test(spawn_from_a_task),
		cmocka_unit_test(park_and_wake),
		cmocka_unit_test(idle_after_the_others),
		cmocka_unit_test(resolve_in_a_task),
		cmocka_unit_test(conn_read_yields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
