/* -Z/--parallel: every group's transfers at once, at most --parallel-max
 * (and --parallel-max-host to one host) at a time, in command-line order
 * of start. One thread: --parallel-max tasks (nk/task.h) in libnk's poll
 * loop, each running one transfer after another with run.c's run_one
 * (nk_fetch_run), which yields wherever it would wait.
 *
 * Output: a transfer with its own file writes it directly. What goes to
 * stdout (the body, -i and -D - heads, -w) is held in the transfer's
 * capture (capture.c) and written whole once every earlier transfer's
 * has been: never interleaved, always in order.
 *
 * Each task has fetchers of its own (one a group, and a section with TLS
 * settings), sharing the connections of one home fetcher for that
 * configuration (nk_fetch_new_shared): a kept connection goes to the
 * next transfer whichever task runs it, and one HTTP/2 connection
 * carries many transfers at once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nk/task.h"
#include "tool.h"
#include "par.h"

#define PAR_DEFAULT 50

/* "host:port" of a URL as written (userinfo dropped, case folded), for
 * --parallel-max-host: the same host named two ways counts twice. */
static char *
host_key(const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	size_t n = strcspn(p, "/?#");
	const char *at = memchr(p, '@', n);
	if (at) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	char *k = strndup(p, n);
	for (char *q = k; q && *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	return k;
}

/* Whether job k may start now under --parallel-max-host. */
static int
host_free(const struct par *p, size_t k)
{
	if (!p->max_host || !p->jobs[k].host)
		return 1;
	int busy = 0;
	for (size_t j = p->next_out; j < p->next_start; j++)
		if (p->jobs[j].started && !p->jobs[j].done && p->jobs[j].host &&
		    strcmp(p->jobs[j].host, p->jobs[k].host) == 0)
			busy++;
	return busy < p->max_host;
}

/* A task that runs one transfer after another. cap must stay first:
 * capture.c finds the running transfer's capture through the task's
 * argument (cap_current). */
struct worker {
	struct capture *cap;        /* its transfer's, while one runs */
	struct par *p;
	nk_fetch **fs;              /* [group * stride + section + 1] */
};

/* The fetcher for a group (and section) in this worker: its own
 * buffers, the connections of the run's home fetcher for that
 * configuration (so transfers share them, HTTP/2 streams too). */
static int
worker_fetcher(struct worker *w, struct cfg *g, const struct host_sec *s,
               size_t at, char *errmsg)
{
	struct par *p = w->p;
	if (w->fs[at])
		return 0;
	if (!p->homes[at]) {
		int e = fetcher_new(g, s && s->has_tls ? s : NULL, &p->homes[at],
		                    errmsg);
		if (e)
			return e;
	}
	return nk_fetch_new_shared(p->homes[at], &w->fs[at], errmsg);
}

/* One transfer on this worker, its stdout captured. */
static int
run_job(struct worker *w, struct job *j)
{
	struct par *p = w->p;
	struct cfg *g = j->g;
	const struct host_sec *s = section_for(g, j->i);
	size_t at = j->gi * p->stride + (s ? (size_t)(s - g->secs) + 1 : 0);
	char errmsg[NK_ERR_MSG_LEN] = "";
	int e = worker_fetcher(w, g, s, at, errmsg);
	if (e) {
		report(g, e, errmsg);
		return e;
	}
	w->cap = &j->cap;
	/* A body made of a form or file is read as it goes: one transfer
	 * at a time, each from its start (one in memory is every one's). */
	int locked = g->body != NULL && !g->body->data;
	if (locked) {
		while (p->body_busy[j->gi])
			nk_task_poll(NULL, 0, 5);
		p->body_busy[j->gi] = 1;
		if (p->body_used[j->gi] && g->body->rewind)
			e = g->body->rewind(g->body->ctx, errmsg);
		p->body_used[j->gi] = 1;
		if (e)
			report(g, e, errmsg);
	}
	if (!e)
		e = run_one(w->fs[at], g, j->i, p->dumps[j->gi]);
	if (locked)
		p->body_busy[j->gi] = 0;
	w->cap = NULL;
	return e;
}

static void emit_ready(struct par *p);
static void abandon(const struct par *p, int status);

static void
work(void *arg)
{
	struct worker *w = arg;
	struct par *p = w->p;
	for (;;) {
		if (p->stop || p->next_start >= p->n)
			break;
		if (!host_free(p, p->next_start)) {
			/* --parallel-max-host: a transfer to that host ends first */
			nk_task_poll(NULL, 0, 5);
			continue;
		}
		struct job *j = &p->jobs[p->next_start++];
		j->started = 1;
		p->running++;
		int e = run_job(w, j);
		j->status = e;
		j->done = 1;
		p->running--;
		if (e && j->g->fail_early && !p->stop) {
			p->stop = 1;
			p->fail_status = e;
		}
		emit_ready(p);
		/* --fail-early with others still running: they are abandoned */
		if (p->stop && p->running)
			abandon(p, p->fail_status);
	}
}

/* The jobs, one a URL of each group, in command-line order. */
static int
plan_jobs(struct par *p)
{
	size_t n = 0;
	for (size_t gi = 0; gi < p->ngroups; gi++)
		n += p->groups[gi]->urls.n;
	p->jobs = calloc(n ? n : 1, sizeof *p->jobs);
	if (!p->jobs)
		return NK_ERR_OUT_OF_MEMORY;
	for (size_t gi = 0; gi < p->ngroups; gi++)
		for (size_t i = 0; i < p->groups[gi]->urls.n; i++) {
			struct job *j = &p->jobs[p->n++];
			j->g = p->groups[gi];
			j->i = i;
			j->gi = gi;
			cap_init(&j->cap);
			if (p->max_host && !(j->host = host_key(j->g->urls.v[i])))
				return NK_ERR_OUT_OF_MEMORY;
		}
	return 0;
}

/* Writes the next job's capture. A failure to write stdout is its
 * transfer's (reported once). */
static void
emit(struct par *p, struct job *j)
{
	char errmsg[NK_ERR_MSG_LEN];
	int e = cap_emit(&j->cap, errmsg);
	if (!e && j->cap.err) {
		e = j->cap.err;
		memcpy(errmsg, j->cap.msg, NK_ERR_MSG_LEN);
	}
	if (e && !j->status) {
		report(j->g, e, errmsg);
		j->status = e;
	}
	p->done_down += __atomic_load_n(&j->cap.down, __ATOMIC_RELAXED);
	p->done_up += __atomic_load_n(&j->cap.up, __ATOMIC_RELAXED);
	cap_free(&j->cap);
}

/* Each transfer's output as soon as its turn comes: every earlier one's
 * has gone. With --fail-early stopping the run, not past a transfer that
 * did not run. */
static void
emit_ready(struct par *p)
{
	while (p->next_out < p->n && p->jobs[p->next_out].done)
		emit(p, &p->jobs[p->next_out++]);
}

/* curl's -Z rule: a failure is not undone by a later success. nk takes
 * the last failure in command-line order (curl: in order of
 * completion), so the status does not depend on timing. */
static int
final_status(const struct par *p)
{
	if (p->stop)
		return p->fail_status;
	int status = 0;
	for (size_t k = 0; k < p->n; k++)
		if (p->jobs[k].status)
			status = p->jobs[k].status;
	return status;
}

static int
par_setup(struct par *p, struct cfg *root, const char *name, int *empty)
{
	p->stride = root->nsecs + 1;
	p->max_host = root->parallel_max_host;
	for (struct cfg *g = root; g; g = g->next) {
		if (!g->urls.n) {
			/* A group without a URL fails after those before it ran,
			 * as without -Z. */
			*empty = 1;
			(void)name;
			break;
		}
		p->ngroups++;
	}
	/* The first group has a URL (plan_finish saw to it). */
	size_t ng = p->ngroups ? p->ngroups : 1;
	p->groups = calloc(ng, sizeof(struct cfg *));
	p->dumps = calloc(ng, sizeof(FILE *));
	p->body_busy = calloc(ng, sizeof(int));
	p->body_used = calloc(ng, sizeof(int));
	p->homes = calloc(ng * p->stride, sizeof(nk_fetch *));
	if (!p->groups || !p->dumps || !p->body_busy || !p->body_used ||
	    !p->homes)
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	struct cfg *g = root;
	for (size_t gi = 0; gi < p->ngroups; gi++, g = g->next) {
		p->groups[gi] = g;
		/* a global option, as curl's: every group's fetchers */
		g->parallel_immediate = root->parallel_immediate;
		int e = group_start(root, g, &p->dumps[gi]);
		if (e)
			return e;
	}
	if (plan_jobs(p))
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	return 0;
}

static void
par_free(struct par *p)
{
	for (size_t k = 0; k < p->n; k++) {
		cap_free(&p->jobs[k].cap);
		free(p->jobs[k].host);
	}
	free(p->jobs);
	for (size_t k = 0; p->homes && k < p->ngroups * p->stride; k++)
		nk_fetch_free(p->homes[k]);
	free(p->homes);
	free(p->groups);
	free(p->dumps);
	free(p->body_busy);
	free(p->body_used);
}

/* --fail-early with transfers still running: they are abandoned, as
 * curl aborts them, by ending the process here: their temporary files
 * are removed, nothing half-written stays under a final name. */
static void
abandon(const struct par *p, int status)
{
	meter_end(p->meter, p);
	sink_unlink_all();
	fflush(stderr);
	_exit(status);
}

static void
workers_free(struct worker *ws, size_t n, const struct par *p)
{
	for (size_t k = 0; k < n; k++) {
		for (size_t f = 0; ws[k].fs && f < p->ngroups * p->stride; f++)
			nk_fetch_free(ws[k].fs[f]);
		free(ws[k].fs);
	}
	free(ws);
}

int
par_run(struct cfg *root, const char *name)
{
	struct par p;
	memset(&p, 0, sizeof p);
	int empty = 0;
	int status = par_setup(&p, root, name, &empty);
	if (status) {
		par_free(&p);
		return status;
	}
	size_t nw = root->parallel_max ? (size_t)root->parallel_max
	            : PAR_DEFAULT;
	if (nw > p.n)
		nw = p.n;
	struct worker *ws = calloc(nw ? nw : 1, sizeof *ws);
	nk_tasks *ts = NULL;
	char errmsg[NK_ERR_MSG_LEN];
	if (!ws || nk_tasks_new(&ts, errmsg)) {
		free(ws);
		par_free(&p);
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	}
	struct meter m;
	p.meter = &m;
	p.start = nk_now();
	meter_start(&m, &p);
	size_t made = 0;
	for (; made < nw; made++) {
		ws[made].p = &p;
		ws[made].fs = calloc(p.ngroups * p.stride, sizeof(nk_fetch *));
		if (!ws[made].fs ||
		    nk_tasks_spawn(ts, work, &ws[made], errmsg) != NK_OK)
			break;
	}
	if (!made) {
		workers_free(ws, nw, &p);
		nk_tasks_free(ts);
		par_free(&p);
		return tool_fail(NK_ERR_OUT_OF_MEMORY, "cannot start a task");
	}
	/* One thread, one poll loop: the meter between its turns. */
	while (nk_tasks_run(ts, m.on ? 250 : -1) > 0)
		meter_draw(&m, &p, 0);
	nk_tasks_free(ts);
	workers_free(ws, nw, &p);
	meter_end(&m, &p);
	status = final_status(&p);
	for (size_t gi = 0; gi < p.ngroups; gi++)
		status = group_end(p.groups[gi], p.dumps[gi], status);
	par_free(&p);
	if (!status && empty) {
		tool_msg("no URL given (see nk %s --help)", name);
		status = NK_ERR_FAILED_INIT;
	}
	return status;
}
