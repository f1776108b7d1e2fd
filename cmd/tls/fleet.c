/* fleet: nk tls for several targets at once; see fleet.h. Every target
 * is read (and its line's options parsed) before the first connection,
 * so a mistake in the file costs nothing on the network; then up to
 * --jobs workers (pool.h) take the next target each; the results are
 * printed once all are in, in the list's order (JSON) or by days left
 * (the table), so the output does not depend on who answered first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleet.h"
#include "pool.h"
#include "report.h"
#include "text.h"
#include "tool.h"

struct job {
	const char *target;        /* as given, for the table */
	char **argv;               /* the global options, then the line's */
	int argc;
	char *line;                /* the line the words point into (owned) */
	struct args a;
	int code;
	int has_days;
	int64_t days;              /* the trust path's first expiry */
	char *verdict;             /* the table's last column (owned) */
	char *json;                /* the report on one line (owned) */
};

struct fleet {
	const struct args *global;
	const struct fleet_ops *ops;
	char **gargv;              /* argv without the targets */
	int gargc;
	struct job *jobs;
	size_t n, cap;
};

/* ---- building the list ----------------------------------------------- */

static struct job *
new_job(struct fleet *fl)
{
	if (fl->n == fl->cap) {
		size_t cap = fl->cap ? fl->cap * 2 : 64;
		struct job *j = realloc(fl->jobs, cap * sizeof *j);
		if (!j)
			return NULL;
		fl->jobs = j;
		fl->cap = cap;
	}
	struct job *j = &fl->jobs[fl->n++];
	memset(j, 0, sizeof *j);
	return j;
}

/* The job's command line: the global options and then words; parsed. */
static int
job_parse(struct fleet *fl, struct job *j, char **words, int nwords,
          const char *where)
{
	j->argc = fl->gargc + nwords;
	j->argv = calloc((size_t)j->argc + 1, sizeof *j->argv);
	if (!j->argv)
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL), -1;
	memcpy(j->argv, fl->gargv, (size_t)fl->gargc * sizeof *j->argv);
	memcpy(j->argv + fl->gargc, words, (size_t)nwords * sizeof *words);
	int line_from = where ? fl->gargc : 0;
	int ok = fl->ops->parse(j->argc, j->argv, line_from, &j->a) == 0;
	if (ok && j->a.ntargets != 1) {
		tool_msg("one target a line, not %zu", j->a.ntargets);
		ok = 0;
	}
	if (!ok || !fl->ops->target_ok(&j->a)) {
		if (where)
			tool_msg("in %s", where);
		return -1;
	}
	j->target = j->a.target;
	return 0;
}

/* Words of a line, split at blanks; a '#' that starts a word starts a
 * comment. Returns the number of words (at most max). */
static int
split(char *line, char **words, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *w = strtok_r(line, " \t\r\n", &save); w && n < max;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (w[0] == '#')
			break;
		words[n++] = w;
	}
	return n;
}

static int
read_file(struct fleet *fl, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f) {
		tool_msg("cannot read %s: %s", path, strerror(errno));
		return NK_ERR_READ_ERROR;
	}
	char *buf = NULL;
	size_t cap = 0;
	long lineno = 0;
	int rc = 0;
	while (rc == 0 && getline(&buf, &cap, f) >= 0) {
		char *words[64];
		char where[300];
		lineno++;
		char *line = strdup(buf);
		int n = line ? split(line, words, 64) : -1;
		if (n <= 0) {
			free(line);
			if (n < 0)
				rc = tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
			continue;
		}
		struct job *j = new_job(fl);
		if (!j) {
			free(line);
			rc = tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
			break;
		}
		j->line = line;
		snprintf(where, sizeof where, "%s line %ld", path, lineno);
		if (job_parse(fl, j, words, n, where) != 0)
			rc = NK_ERR_FAILED_INIT;
	}
	if (rc == 0 && ferror(f)) {
		tool_msg("cannot read %s: %s", path, strerror(errno));
		rc = NK_ERR_READ_ERROR;
	}
	free(buf);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* The command line without its targets: every job starts from it. */
static int
global_argv(struct fleet *fl, int argc, char **argv)
{
	fl->gargv = calloc((size_t)argc + 1, sizeof *fl->gargv);
	if (!fl->gargv)
		return -1;
	for (int i = 0; i < argc; i++) {
		int target = 0;
		for (size_t t = 0; t < fl->global->ntargets; t++)
			if (argv[i] == fl->global->targets[t])
				target = 1;
		/* "--" would make the line's options targets */
		if (!target && strcmp(argv[i], "--") != 0)
			fl->gargv[fl->gargc++] = argv[i];
	}
	return 0;
}

/* ---- running --------------------------------------------------------- */

/* The report as one line: the pretty document's newlines and indents
 * are its only raw white space (strings escape theirs). */
static char *
json_line(const struct report *r, int code)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&doc, &len);
	if (!m)
		return NULL;
	json_report(m, r, code);
	if (fclose(m) != 0) {
		free(doc);
		return NULL;
	}
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (doc[i] == '\n') {
			while (i + 1 < len && doc[i + 1] == ' ')
				i++;
			if (o > 0 && doc[o - 1] == ',')
				doc[o++] = ' ';
			continue;
		}
		doc[o++] = doc[i];
	}
	doc[o] = '\0';
	return doc;
}

static char *
verdict_text(const struct report *r, int code)
{
	char buf[1200];
	const struct nk_x509_facts *exp = expiring_facts(r);
	if (r->err)
		snprintf(buf, sizeof buf, "%s", r->errmsg[0] ? r->errmsg
		                                            : nk_err_str(r->err));
	else if (!r->info.verify_ok)
		snprintf(buf, sizeof buf, "FAILED%s: %s",
		         r->a->na.tls.insecure ? " (ignored: --insecure)" : "",
		         r->info.verify_reason);
	else if (code == NK_ERR_SSL_INVALIDCERTSTATUS)
		snprintf(buf, sizeof buf, "UNCERTAIN: the revocation status "
		         "could not be established");
	else if (exp)
		snprintf(buf, sizeof buf, "EXPIRING: %s expires within %ld days",
		         exp->subject, r->a->expiry_warn);
	else
		snprintf(buf, sizeof buf, "OK");
	return strdup(buf);
}

static void
run_job(const struct fleet *fl, struct job *j)
{
	struct report *r = calloc(1, sizeof *r);
	if (!r) {
		j->code = NK_ERR_OUT_OF_MEMORY;
		return;
	}
	r->a = &j->a;
	int code = fl->ops->check(r);
	if (code) {
		r->err = (nk_err)code;
		r->now = (int64_t)time(NULL);
	}
	if (analyse(r) != 0) {
		j->code = NK_ERR_OUT_OF_MEMORY;
		report_free(r);
		free(r);
		return;
	}
	j->code = r->err ? (int)r->err : verdict_code(r);
	const struct nk_x509_facts *f = r->nv ? r->vf : r->sf;
	size_t n = r->nv ? r->nv : r->ns;
	for (size_t i = 0; i < n; i++)
		if (!j->has_days || f[i].days_left < j->days) {
			j->days = f[i].days_left;
			j->has_days = 1;
		}
	j->verdict = verdict_text(r, j->code);
	if (j->a.json)
		j->json = json_line(r, j->code);
	report_free(r);
	free(r);
}

static void
run_one(void *ctx, size_t i)
{
	struct fleet *fl = ctx;
	run_job(fl, &fl->jobs[i]);
}

/* ---- results --------------------------------------------------------- */

/* How bad an exit status is, for the fleet's own: see nk-tls(1). */
static int
rank(int code)
{
	switch (code) {
	case 0: return 0;
	case NK_ERR_CERT_EXPIRING: return 1;
	case NK_ERR_SSL_INVALIDCERTSTATUS: return 2;
	case NK_ERR_PEER_FAILED_VERIFICATION: return 3;
	default: return 4;
	}
}

/* No certificate first (nothing was checked), then by days left, then
 * in the list's order. */
static int
by_days(const void *pa, const void *pb)
{
	const struct job *a = *(const struct job *const *)pa;
	const struct job *b = *(const struct job *const *)pb;
	if (a->has_days != b->has_days)
		return a->has_days ? 1 : -1;
	if (a->has_days && a->days != b->days)
		return a->days < b->days ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int
table(const struct fleet *fl)
{
	typedef const struct job *jobp;
	jobp *order = malloc((fl->n ? fl->n : 1) * sizeof (jobp));
	if (!order)
		return -1;
	int w = 6;
	char tb[256];
	for (size_t i = 0; i < fl->n; i++) {
		order[i] = &fl->jobs[i];
		/* a file's bytes, shown as a terminal may take them */
		int l = (int)strlen(text_safe_buf(fl->jobs[i].target, tb, sizeof tb));
		if (l > w)
			w = l < 48 ? l : 48;
	}
	qsort(order, fl->n, sizeof (jobp), by_days);
	printf("%5s  %4s  %-*s  %s\n", "Days", "Exit", w, "Target", "Verdict");
	for (size_t i = 0; i < fl->n; i++) {
		const struct job *j = order[i];
		char days[24] = "-";
		if (j->has_days)
			snprintf(days, sizeof days, "%lld", (long long)j->days);
		printf("%5s  %4d  %-*s  ", days, j->code, w,
		       text_safe_buf(j->target, tb, sizeof tb));
		text_safe(stdout, j->verdict ? j->verdict : nk_err_str(j->code));
		putchar('\n');
	}
	free(order);
	return 0;
}

static int
report_all(const struct fleet *fl, double secs)
{
	size_t worst = 0, bad = 0;
	for (size_t i = 0; i < fl->n; i++) {
		if (fl->jobs[i].code)
			bad++;
		if (rank(fl->jobs[i].code) > rank(fl->jobs[worst].code))
			worst = i;
	}
	int code = fl->n ? fl->jobs[worst].code : 0;
	if (fl->global->json) {
		for (size_t i = 0; i < fl->n; i++)
			if (fl->jobs[i].json) {
				printf("%s\n", fl->jobs[i].json);
			} else {    /* out of memory for the report itself */
				fputs("{\"target\": ", stdout);
				text_json(stdout, fl->jobs[i].target);
				printf(", \"exit_code\": %d}\n", fl->jobs[i].code);
			}
	} else {
		if (table(fl) != 0)
			return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
		printf("%zu target%s checked in %.1f s: %zu OK, %zu not\n", fl->n,
		       fl->n == 1 ? "" : "s", secs, fl->n - bad, bad);
	}
	int fc = tool_flush_stdout();
	if (fc)
		return fc;
	if (code)
		tool_msg("%zu of %zu targets not OK; the worst is %s (exit %d)",
		         bad, fl->n, fl->jobs[worst].target, code);
	return code;
}

static void
fleet_free(struct fleet *fl)
{
	for (size_t i = 0; i < fl->n; i++) {
		struct job *j = &fl->jobs[i];
		args_free(&j->a);
		free(j->argv);
		free(j->line);
		free(j->verdict);
		free(j->json);
	}
	free(fl->jobs);
	free(fl->gargv);
}

int
fleet_run(int argc, char **argv, const struct args *global,
          const struct fleet_ops *ops)
{
	struct fleet fl;
	memset(&fl, 0, sizeof fl);
	fl.global = global;
	fl.ops = ops;
	int rc = 0;
	if (global_argv(&fl, argc, argv) != 0)
		rc = tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	for (size_t t = 0; rc == 0 && t < global->ntargets; t++) {
		struct job *j = new_job(&fl);
		char *w = (char *)global->targets[t];
		if (!j)
			rc = tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
		else if (job_parse(&fl, j, &w, 1, NULL) != 0)
			rc = NK_ERR_FAILED_INIT;
	}
	if (rc == 0 && global->file)
		rc = read_file(&fl, global->file);
	if (rc == 0 && fl.n == 0) {
		tool_msg("no target in %s", global->file);
		rc = NK_ERR_FAILED_INIT;
	}
	if (rc == 0) {
		nk_time t0 = nk_now();
		pool_run(fl.n, (size_t)global->jobs, run_one, NULL, &fl);
		rc = report_all(&fl, (double)(nk_now() - t0) / 1e6);
	}
	fleet_free(&fl);
	return rc;
}
