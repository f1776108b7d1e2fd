/* -Z/--parallel: every group's transfers at once, at most --parallel-max
 * (and --parallel-max-host to one host) at a time, in command-line order
 * of start. A bounded pool of worker threads each runs one transfer at a
 * time with run.c's run_one (libnk's blocking nk_fetch_run): the
 * event-driven engine of issue 17 can replace this scheduler without
 * the command line noticing.
 *
 * Output: a transfer with its own file writes it directly. What goes to
 * stdout (the body, -i and -D - heads, -w) is held in the transfer's
 * capture (capture.c) and written whole by the main thread once every
 * earlier transfer's has been: never interleaved, always in order.
 *
 * Each worker has fetchers of its own (one a group, and a section with
 * TLS settings): connections are reused between the transfers one worker
 * runs, not across workers. The cookie jar is shared (it locks). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

struct worker {
	struct par *p;
	pthread_t tid;
	nk_fetch **fs;              /* [group * stride + section + 1] */
};

/* One transfer on this worker, its stdout captured. */
static int
run_job(struct worker *w, struct job *j)
{
	struct par *p = w->p;
	struct cfg *g = j->g;
	const struct host_sec *s = section_for(g, j->i);
	size_t at = j->gi * p->stride + (s ? (size_t)(s - g->secs) + 1 : 0);
	char errmsg[NK_ERR_MSG_LEN] = "";
	if (!w->fs[at]) {
		int e = fetcher_new(g, s && s->has_tls ? s : NULL, &w->fs[at],
		                    errmsg);
		if (e) {
			report(g, e, errmsg);
			return e;
		}
	}
	cap_cur = &j->cap;
	/* A body made of a form or file is read as it goes: one transfer
	 * at a time, each from its start. */
	int locked = g->body != NULL;
	int e = 0;
	if (locked) {
		pthread_mutex_lock(&p->body_mu[j->gi]);
		if (p->body_used[j->gi] && g->body->rewind)
			e = g->body->rewind(g->body->ctx, errmsg);
		p->body_used[j->gi] = 1;
		if (e)
			report(g, e, errmsg);
	}
	if (!e)
		e = run_one(w->fs[at], g, j->i, p->dumps[j->gi]);
	if (locked)
		pthread_mutex_unlock(&p->body_mu[j->gi]);
	cap_cur = NULL;
	return e;
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct par *p = w->p;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->next_start < p->n &&
		       !host_free(p, p->next_start))
			pthread_cond_wait(&p->to_workers, &p->mu);
		if (p->stop || p->next_start >= p->n)
			break;
		struct job *j = &p->jobs[p->next_start++];
		j->started = 1;
		p->running++;
		pthread_mutex_unlock(&p->mu);
		int e = run_job(w, j);
		pthread_mutex_lock(&p->mu);
		j->status = e;
		j->done = 1;
		p->running--;
		if (e && j->g->fail_early && !p->stop) {
			p->stop = 1;
			p->fail_status = e;
		}
		pthread_cond_broadcast(&p->to_workers);
		pthread_cond_signal(&p->to_main);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
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

/* The main thread: each transfer's output as soon as its turn comes,
 * the meter between. Returns with p->mu not held; 1 when --fail-early
 * stopped the run with transfers still running. */
static int
drain(struct par *p, struct meter *m)
{
	pthread_mutex_lock(&p->mu);
	while (p->next_out < p->n) {
		struct job *j = &p->jobs[p->next_out];
		if (j->done) {
			pthread_mutex_unlock(&p->mu);
			emit(p, j);
			pthread_mutex_lock(&p->mu);
			p->next_out++;
			continue;
		}
		if (p->stop && (!j->started || p->running))
			break;
		if (m->on) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 250000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&p->to_main, &p->mu, &ts);
			meter_draw(m, p, 0);
		} else {
			pthread_cond_wait(&p->to_main, &p->mu);
		}
	}
	int abort_run = p->stop && p->running;
	pthread_mutex_unlock(&p->mu);
	return abort_run;
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
	p->body_mu = calloc(ng, sizeof(pthread_mutex_t));
	p->body_used = calloc(ng, sizeof(int));
	if (!p->groups || !p->dumps || !p->body_mu || !p->body_used)
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	struct cfg *g = root;
	for (size_t gi = 0; gi < p->ngroups; gi++, g = g->next) {
		p->groups[gi] = g;
		pthread_mutex_init(&p->body_mu[gi], NULL);
		int e = group_start(root, g, &p->dumps[gi]);
		if (e)
			return e;
	}
	if (plan_jobs(p))
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->to_main, NULL);
	pthread_cond_init(&p->to_workers, NULL);
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
	for (size_t gi = 0; gi < p->ngroups; gi++)
		pthread_mutex_destroy(&p->body_mu[gi]);
	free(p->groups);
	free(p->dumps);
	free(p->body_mu);
	free(p->body_used);
}

/* --fail-early with transfers still running: they are abandoned, as
 * curl aborts them, by ending the process here: their temporary files
 * are removed, nothing half-written stays under a final name. */
static void
abandon(struct meter *m, const struct par *p, int status)
{
	meter_end(m, p);
	sink_unlink_all();
	fflush(stderr);
	_exit(status);
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
	/* Asked once here, not by every thread at once. */
	for (int fd = 0; fd < 3; fd++)
		show_isatty(fd);
	size_t nw = root->parallel_max ? (size_t)root->parallel_max
	            : PAR_DEFAULT;
	if (nw > p.n)
		nw = p.n;
	struct worker *ws = calloc(nw ? nw : 1, sizeof *ws);
	if (!ws) {
		par_free(&p);
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	}
	struct meter m;
	p.start = nk_now();
	meter_start(&m, &p);
	size_t started = 0;
	for (; started < nw; started++) {
		ws[started].p = &p;
		ws[started].fs = calloc(p.ngroups * p.stride,
		                        sizeof(nk_fetch *));
		if (!ws[started].fs || pthread_create(&ws[started].tid, NULL, work,
		                                      &ws[started]) != 0) {
			free(ws[started].fs);
			break;
		}
	}
	if (!started) {
		free(ws);
		par_free(&p);
		return tool_fail(NK_ERR_OUT_OF_MEMORY, "cannot start a thread");
	}
	if (drain(&p, &m)) {
		/* Not waited for: the process ends under them. */
		for (size_t k = 0; k < started; k++)
			pthread_detach(ws[k].tid);
		abandon(&m, &p, p.fail_status);
	}
	for (size_t k = 0; k < started; k++) {
		pthread_join(ws[k].tid, NULL);
		for (size_t f = 0; f < p.ngroups * p.stride; f++)
			nk_fetch_free(ws[k].fs[f]);
		free(ws[k].fs);
	}
	free(ws);
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
