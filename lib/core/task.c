/* task.c: the one place libnk waits (nk_task_poll), and the task sets that
 * make those waits yield: each task a coroutine with a stack of its own,
 * one poll(2) over every waiting task's descriptors, a task resumed when
 * one of them is ready or its deadline passes. See nk/task.h.
 *
 * Coroutines rather than hand-written state machines: every layer's code
 * (Happy Eyeballs, TLS handshakes, HTTP/1.1 and HTTP/2 exchanges, bodies,
 * retries) is written blocking with deadlines; here it becomes
 * non-blocking without a second copy of it. The sanitizers are told of
 * every stack switch (ASan's fiber calls, TSan's fibers). */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "nk/task.h"
#include "core/internal.h"

#if defined(__SANITIZE_ADDRESS__)
#define NK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NK_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define NK_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NK_TSAN 1
#endif
#endif
#ifdef NK_ASAN
void __sanitizer_start_switch_fiber(void **fake, const void *bottom,
                                    size_t size);
void __sanitizer_finish_switch_fiber(void *fake, const void **bottom,
                                     size_t *size);
void __asan_unpoison_memory_region(const volatile void *p, size_t size);
#endif

#if defined(__x86_64__)
/* The switch itself, on x86-64: the callee-saved registers and the
 * floating-point control words go on the stack being left, its stack
 * pointer into *from; then the other stack's are taken back, and `ret`
 * goes on where that one left (or, the first time, into entry). No
 * system call: swapcontext(3) also saves and sets the signal mask, two
 * system calls a switch, which showed as a tenth of -Z's time. */
#define FAST_SWITCH 1
void libnk_task_switch(void **from, void *to);
__asm__(
	".text\n"
	".p2align 4\n"
	".globl libnk_task_switch\n"
	".hidden libnk_task_switch\n"
	".type libnk_task_switch, @function\n"
	"libnk_task_switch:\n"
	"\tpushq %rbp\n"
	"\tpushq %rbx\n"
	"\tpushq %r12\n"
	"\tpushq %r13\n"
	"\tpushq %r14\n"
	"\tpushq %r15\n"
	"\tsubq $8, %rsp\n"
	"\tstmxcsr (%rsp)\n"
	"\tfnstcw 4(%rsp)\n"
	"\tmovq %rsp, (%rdi)\n"
	"\tmovq %rsi, %rsp\n"
	"\tldmxcsr (%rsp)\n"
	"\tfldcw 4(%rsp)\n"
	"\taddq $8, %rsp\n"
	"\tpopq %r15\n"
	"\tpopq %r14\n"
	"\tpopq %r13\n"
	"\tpopq %r12\n"
	"\tpopq %rbx\n"
	"\tpopq %rbp\n"
	"\tret\n"
	".size libnk_task_switch, .-libnk_task_switch\n");
#elif defined(NK_ASAN)
#include <dlfcn.h>
/* ASan's swapcontext interceptor warns on stderr that it may err, which
 * would change every tool's output under the sanitizer build; the
 * switches here tell ASan of each stack themselves (the fiber calls
 * above), so libc's own swapcontext is called, and a stack is cleared
 * of its last task's poisoning before it is used again. */
static int
switch_to(ucontext_t *from, const ucontext_t *to)
{
	static int (*real)(ucontext_t *, const ucontext_t *);
	if (!real) {
		void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
		if (libc)
			*(void **)&real = dlsym(libc, "swapcontext");
		if (!real)
			real = swapcontext;
	}
	return real(from, to);
}
#else
#define switch_to swapcontext
#endif
#ifdef NK_TSAN
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
#endif

enum { T_READY, T_WAIT, T_PARKED, T_IDLE, T_DONE };

struct nk_task {
#ifdef FAST_SWITCH
	void *sp;               /* where its stack was left */
#else
	ucontext_t uc;
#endif
	char *map;              /* the stack's mapping, guard page first */
	size_t maplen;
	void (*fn)(void *);
	void *arg;
	int state;
	struct pollfd *p;       /* T_WAIT: the descriptors, or none */
	nfds_t n;
	nk_time wake_at;        /* T_WAIT, T_PARKED: NK_NO_DEADLINE or when */
	int result;             /* poll's count, or 1 when woken */
	struct nk_task *next;
	struct nk_task *qnext;  /* in the nk_waitq it waits in */
#ifdef NK_ASAN
	void *fake;
#endif
#ifdef NK_TSAN
	void *fiber;
#endif
};

struct nk_tasks {
#ifdef FAST_SWITCH
	void *main_sp;
#else
	ucontext_t main;
#endif
	struct nk_task *head;   /* every live task that has run */
	struct nk_task *fresh;  /* spawned since the loop's last turn: kept
	                           apart, as a task may spawn while the loop
	                           walks head */
	size_t live;
	struct pollfd *pfd;     /* the loop's poll set */
	size_t pcap;
	char *spare;            /* one stack mapping kept for the next task */
#ifdef NK_ASAN
	const void *main_bottom;
	size_t main_size;
#endif
#ifdef NK_TSAN
	void *main_fiber;
#endif
};

/* The set running on this thread and its task (NULL: none). */
static _Thread_local struct nk_tasks *cur_set;
static _Thread_local struct nk_task *cur;

/* From a task to the loop and back. */
static void
to_loop(struct nk_task *t)
{
	struct nk_tasks *ts = cur_set;
#ifdef NK_ASAN
	__sanitizer_start_switch_fiber(t->state == T_DONE ? NULL : &t->fake,
	                               ts->main_bottom, ts->main_size);
#endif
#ifdef NK_TSAN
	__tsan_switch_to_fiber(ts->main_fiber, 0);
#endif
#ifdef FAST_SWITCH
	libnk_task_switch(&t->sp, ts->main_sp);
#else
	switch_to(&t->uc, &ts->main);
#endif
#ifdef NK_ASAN
	__sanitizer_finish_switch_fiber(t->fake, &ts->main_bottom,
	                                &ts->main_size);
#endif
}

static void
entry(void)
{
	struct nk_task *t = cur;
#ifdef NK_ASAN
	__sanitizer_finish_switch_fiber(NULL, &cur_set->main_bottom,
	                                &cur_set->main_size);
#endif
	t->fn(t->arg);
	t->state = T_DONE;
	to_loop(t);
	abort();   /* a finished task is never resumed */
}

/* From the loop into t until it waits or returns. */
static void
resume(struct nk_tasks *ts, struct nk_task *t)
{
	cur = t;
	t->state = T_READY;
#ifdef NK_ASAN
	void *fake = NULL;
	__sanitizer_start_switch_fiber(&fake, t->map + sysconf(_SC_PAGESIZE),
	                               t->maplen - (size_t)sysconf(_SC_PAGESIZE));
#endif
#ifdef NK_TSAN
	__tsan_switch_to_fiber(t->fiber, 0);
#endif
#ifdef FAST_SWITCH
	libnk_task_switch(&ts->main_sp, t->sp);
#else
	switch_to(&ts->main, &t->uc);
#endif
#ifdef NK_ASAN
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
	cur = NULL;
}

nk_err
nk_tasks_new(nk_tasks **out, char *errmsg)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	return NK_OK;
}

nk_err
nk_tasks_spawn(nk_tasks *ts, void (*fn)(void *arg), void *arg, char *errmsg)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct nk_task *t = calloc(1, sizeof *t);
	if (!t)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	t->maplen = NK_TASK_STACK + page;
	if (ts->spare) {
		t->map = ts->spare;
		ts->spare = NULL;
#ifdef NK_ASAN
		__asan_unpoison_memory_region(t->map + page, NK_TASK_STACK);
#endif
	} else {
		t->map = mmap(NULL, t->maplen, PROT_READ | PROT_WRITE,
		              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		              MAP_STACK, -1, 0);
		/* the guard page: an overflow faults instead of writing on */
		if (t->map == MAP_FAILED || mprotect(t->map, page, PROT_NONE)) {
			if (t->map != MAP_FAILED)
				munmap(t->map, t->maplen);
			free(t);
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "no memory for a "
			               "task's stack");
		}
	}
#ifdef FAST_SWITCH
	/* The frame the first switch into it takes back: no registers worth
	 * keeping, the default control words (MXCSR 0x1f80, x87 0x037f),
	 * entry as the return address, and a slot above it so that entry
	 * starts with the stack aligned as after a call. */
	uint64_t *sp = (uint64_t *)(void *)(t->map + t->maplen);
	*--sp = 0;
	*--sp = (uint64_t)(uintptr_t)entry;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	*--sp = (uint64_t)0x037f << 32 | 0x1f80;
	t->sp = sp;
#else
	getcontext(&t->uc);
	t->uc.uc_stack.ss_sp = t->map + page;
	t->uc.uc_stack.ss_size = t->maplen - page;
	t->uc.uc_link = NULL;
	makecontext(&t->uc, entry, 0);
#endif
	t->fn = fn;
	t->arg = arg;
	t->state = T_READY;
#ifdef NK_TSAN
	t->fiber = __tsan_create_fiber(0);
#endif
	t->next = ts->fresh;
	ts->fresh = t;
	ts->live++;
	return NK_OK;
}

static void
task_free(struct nk_tasks *ts, struct nk_task *t)
{
#ifdef NK_TSAN
	__tsan_destroy_fiber(t->fiber);
#endif
	if (!ts->spare)
		ts->spare = t->map;
	else
		munmap(t->map, t->maplen);
	free(t);
}

/* Runs every ready task once; the finished ones are freed. */
static void
run_ready(struct nk_tasks *ts)
{
	while (ts->fresh) {
		struct nk_task *t = ts->fresh;
		ts->fresh = t->next;
		t->next = ts->head;
		ts->head = t;
	}
	for (struct nk_task **pp = &ts->head; *pp;) {
		struct nk_task *t = *pp;
		if (t->state == T_READY)
			resume(ts, t);
		if (t->state == T_DONE) {
			*pp = t->next;
			ts->live--;
			task_free(ts, t);
			continue;
		}
		pp = &t->next;
	}
}

/* The tasks that waited for the others (nk_task_idle) go on in the next
 * pass, after every task that had something to do in this one. */
static void
idle_go(struct nk_tasks *ts)
{
	for (struct nk_task *t = ts->head; t; t = t->next)
		if (t->state == T_IDLE)
			t->state = T_READY;
}

/* The loop's poll set: every waiting task's descriptors; *ms the wait
 * until the nearest deadline (0 when a task is ready). */
static int
gather(struct nk_tasks *ts, nk_time until, size_t *np, int *ms)
{
	size_t n = 0;
	nk_time wake = until;
	int ready = ts->fresh != NULL;
	for (struct nk_task *t = ts->head; t; t = t->next) {
		if (t->state == T_READY)
			ready = 1;
		if (t->state == T_WAIT)
			n += t->n;
		if (t->state == T_WAIT || t->state == T_PARKED)
			wake = nk_deadline_min(wake, t->wake_at);
	}
	if (n > ts->pcap) {
		struct pollfd *p = realloc(ts->pfd, n * sizeof *p);
		if (!p)
			return -1;
		ts->pfd = p;
		ts->pcap = n;
	}
	n = 0;
	for (struct nk_task *t = ts->head; t; t = t->next)
		if (t->state == T_WAIT)
			for (nfds_t i = 0; i < t->n; i++)
				ts->pfd[n++] = t->p[i];
	*np = n;
	*ms = ready ? 0 : nk_deadline_poll_ms(wake);
	return 0;
}

/* Hands poll's answers back to the tasks, and wakes those whose
 * deadline passed. */
static void
scatter(struct nk_tasks *ts)
{
	size_t k = 0;
	nk_time now = nk_now();
	for (struct nk_task *t = ts->head; t; t = t->next) {
		if (t->state == T_WAIT) {
			int got = 0;
			for (nfds_t i = 0; i < t->n; i++, k++) {
				t->p[i].revents = ts->pfd[k].revents;
				got += ts->pfd[k].revents != 0;
			}
			if (got) {
				t->state = T_READY;
				t->result = got;
				continue;
			}
		}
		if ((t->state == T_WAIT || t->state == T_PARKED) &&
		    t->wake_at != NK_NO_DEADLINE && now >= t->wake_at) {
			t->state = T_READY;
			t->result = 0;
		}
	}
}

size_t
nk_tasks_run(nk_tasks *ts, int timeout_ms)
{
	if (cur)
		return ts->live;
	nk_time until = timeout_ms < 0 ? NK_NO_DEADLINE
	                : nk_now() + (nk_time)timeout_ms * 1000;
	struct nk_tasks *outer = cur_set;
	cur_set = ts;
#ifdef NK_TSAN
	ts->main_fiber = __tsan_get_current_fiber();
#endif
	for (;;) {
		run_ready(ts);
		if (!ts->live)
			break;
		idle_go(ts);
		size_t n;
		int ms;
		if (gather(ts, until, &n, &ms) != 0) {
			/* no memory for the poll set: try again shortly */
			struct timespec ts1 = { 0, 1000000 };
			nanosleep(&ts1, NULL);
			continue;
		}
		int r = poll(ts->pfd, n, ms);
		if (r < 0 && errno != EINTR)
			r = 0;
		if (r < 0)
			break;
		scatter(ts);
		if (until != NK_NO_DEADLINE && nk_now() >= until)
			break;
	}
	cur_set = outer;
	return ts->live;
}

size_t
nk_tasks_live(const nk_tasks *ts)
{
	return ts->live;
}

void
nk_tasks_free(nk_tasks *ts)
{
	if (!ts || ts->live)
		return;
	if (ts->spare)
		munmap(ts->spare, NK_TASK_STACK + (size_t)sysconf(_SC_PAGESIZE));
	free(ts->pfd);
	free(ts);
}

void *
nk_task_arg(void)
{
	return cur ? cur->arg : NULL;
}

int
nk_task_poll(struct pollfd *p, nfds_t n, int ms)
{
	struct nk_task *t = cur;
	if (!t || ms == 0)
		return poll(p, n, ms);
	for (nfds_t i = 0; i < n; i++)
		p[i].revents = 0;
	t->p = p;
	t->n = n;
	t->wake_at = ms < 0 ? NK_NO_DEADLINE : nk_now() + (nk_time)ms * 1000;
	t->state = T_WAIT;
	to_loop(t);
	return t->result;
}

void
nk_sleep_us(int64_t us)
{
	if (us <= 0)
		return;
	if (cur) {
		nk_task_poll(NULL, 0, (int)((us + 999) / 1000));
		return;
	}
	struct timespec ts = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

struct nk_task *
nk_task_self(void)
{
	return cur;
}

int
nk_task_park(nk_time deadline)
{
	struct nk_task *t = cur;
	if (!t)
		return 0;
	t->wake_at = deadline;
	t->state = T_PARKED;
	t->result = 0;
	to_loop(t);
	return t->result;
}

void
nk_task_wake(struct nk_task *t)
{
	if (t && t != cur && t->state == T_PARKED) {
		t->state = T_READY;
		t->result = 1;
	}
}

void
nk_task_yield(void)
{
	struct nk_task *t = cur;
	if (t) {
		t->state = T_READY;
		to_loop(t);
	}
}

int
nk_waitq_wait(struct nk_waitq *q, nk_time deadline)
{
	struct nk_task *t = cur;
	if (!t)
		return 0;
	t->qnext = q->head;
	q->head = t;
	int woken = nk_task_park(deadline);
	if (!woken)
		for (struct nk_task **pp = &q->head; *pp; pp = &(*pp)->qnext)
			if (*pp == t) {
				*pp = t->qnext;
				break;
			}
	return woken;
}

void
nk_waitq_wake_all(struct nk_waitq *q)
{
	struct nk_task *t = q->head;
	q->head = NULL;
	while (t) {
		struct nk_task *n = t->qnext;
		nk_task_wake(t);
		t = n;
	}
}

void
nk_task_idle(void)
{
	struct nk_task *t = cur;
	if (t) {
		t->state = T_IDLE;
		to_loop(t);
	}
}
