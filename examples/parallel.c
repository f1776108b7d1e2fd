/* parallel: fetch every URL on the command line at once, in one thread,
 * and print a line for each: its status, its size, the HTTP version and
 * the connection it went on (several HTTP/2 transfers share one).
 *
 *   cc parallel.c $(pkg-config --cflags --libs nk) -o parallel
 *   ./parallel https://example.org/a https://example.org/b ...
 *   ./parallel --http2-prior-knowledge http://localhost:8080/a ...
 *
 * Each URL is a task (nk/task.h) running the blocking nk_fetch_run with a
 * fetcher of its own that shares the first one's connections
 * (nk_fetch_new_shared). Exits with the first failure's error, numbered
 * as curl's exit codes, or 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nk/nk.h>
#include <nk/fetch.h>
#include <nk/task.h>

struct job {
	nk_fetch *f;
	nk_fetch_request rq;
	nk_fetch_callbacks cb;
	nk_fetch_result res;
	unsigned long long bytes;
	nk_err err;
	char msg[NK_ERR_MSG_LEN];
};

/* Counts the body; a real program would write it somewhere. */
static nk_err
count(void *ctx, const char *data, size_t len, char *errmsg)
{
	struct job *j = ctx;
	(void)data;
	(void)errmsg;
	j->bytes += len;
	return NK_OK;
}

/* A task: one transfer, written as if it were alone. */
static void
get(void *arg)
{
	struct job *j = arg;
	j->err = nk_fetch_run(j->f, &j->rq, &j->cb, &j->res, j->msg);
}

int
main(int argc, char **argv)
{
	nk_fetch_config cfg;
	memset(&cfg, 0, sizeof cfg);
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "--http2-prior-knowledge") == 0) {
		cfg.http_version = NK_FETCH_HTTP_2_PRIOR;   /* h2c */
		first = 2;
	}
	if (argc <= first) {
		fprintf(stderr, "usage: %s [--http2-prior-knowledge] URL...\n",
		        argv[0]);
		return 2;
	}
	int n = argc - first;
	char errmsg[NK_ERR_MSG_LEN] = "";
	cfg.tls.default_cafile = getenv("SSL_CERT_FILE");
	cfg.tls.cafile = getenv("NK_CAFILE");   /* a test CA, say */

	/* Every error below ends the program, which frees everything. */
	static nk_fetch *home;
	static nk_tasks *ts;
	static struct job *jobs;
	jobs = calloc((size_t)n, sizeof *jobs);
	if (!jobs) {
		fprintf(stderr, "parallel: out of memory\n");
		return 1;
	}
	if (nk_fetch_new(&cfg, &home, errmsg) != NK_OK ||
	    nk_tasks_new(&ts, errmsg) != NK_OK) {
		fprintf(stderr, "parallel: %s\n", errmsg);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		j->rq.url = argv[first + i];
		j->rq.follow = 1;
		j->rq.max_time_ms = 30000;
		j->cb.ctx = j;
		j->cb.body = count;
		if (nk_fetch_new_shared(home, &j->f, errmsg) != NK_OK ||
		    nk_tasks_spawn(ts, get, j, errmsg) != NK_OK) {
			fprintf(stderr, "parallel: %s\n", errmsg);
			return 1;
		}
	}
	/* The one poll loop: returns when every transfer has ended. */
	while (nk_tasks_run(ts, -1) > 0)
		;
	nk_tasks_free(ts);

	int status = 0;
	for (int i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		const nk_fetch_hop *h = nk_fetch_result_final(&j->res);
		if (j->err) {
			printf("%s: error %d: %s\n", j->rq.url, (int)j->err, j->msg);
			if (!status)
				status = (int)j->err;
		} else {
			printf("%s: %d, %llu bytes, HTTP/%s, connection #%d\n",
			       j->rq.url, h ? h->status : 0, j->bytes,
			       h && h->http2 ? "2" : "1.1", h ? h->connection : -1);
		}
		nk_fetch_result_clear(&j->res);
		nk_fetch_free(j->f);
	}
	nk_fetch_free(home);
	free(jobs);
	return status;
}
