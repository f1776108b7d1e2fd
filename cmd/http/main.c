/* nk http / nk https: fetch URLs. Options, names and exit codes follow
 * curl's, so a script moves from curl by changing the command name; the
 * transfer itself is libnk's nk_fetch. `nk https` differs only in the
 * scheme assumed for a URL given without one.
 *
 * This file is the run from start to end: the options read (args.c),
 * then for each group of options (--next) the fetchers and files set
 * up and each URL's transfer (run.c) in turn, and the exit status. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "nk/fetch.h"
#include "nk/tls.h"
#include "tool.h"
#include "http.h"
#include "cfg.h"

static void
version_hook(void)
{
	printf("%s, zlib %s\n", nk_tls_library_version(), zlibVersion());
}

/* Two options that each set the method: curl's usage error. */
static int
method_clash(const char *a, const char *b)
{
	tool_msg("You can only select one HTTP request method! You asked for "
	         "both %s and %s.", a, b);
	return NK_ERR_FAILED_INIT;
}

/* -T sends PUT, -d and -F POST, -I HEAD: one of them at the most. */
static int
check_method(const struct cfg *c)
{
	const char *put = "PUT (-T, --upload-file)";
	const char *post = c->data.nparts ? "multipart formpost (-F, --form)"
	                   : "POST (-d, --data)";
	if (c->uploads.n && c->body)
		return method_clash(put, post);
	if (c->head && (c->uploads.n || c->body))
		return method_clash(c->uploads.n ? put : post, "HEAD (-I, --head)");
	return 0;
}

/* Every URL of group c in turn. The exit status is the last transfer's,
 * as curl's: a failed URL followed by a good one is 0. *stop is set
 * when --fail-early ends the run here. */
static int
run_all(const struct cfg *c, FILE *dump, int *stop)
{
	int status = 0;
	for (size_t i = 0; i < c->urls.n; i++) {
		const struct host_sec *s = section_for(c, i);
		status = run_one(s && s->f ? s->f : c->f, c, i, dump);
		if (status && c->fail_early) {
			*stop = 1;
			break;
		}
	}
	return status;
}

/* Each group in turn, from its set-up to its last transfer's end. */
static int
run(struct cfg *root, const char *name)
{
	sink_signals();
	if (root->parallel)
		return par_run(root, name);
	int status = 0, stop = 0;
	for (struct cfg *c = root; c && !stop; c = c->next) {
		FILE *dump = NULL;
		if (!c->urls.n) {
			tool_msg("no URL given (see nk %s --help)", name);
			return NK_ERR_FAILED_INIT;
		}
		status = group_start(root, c, &dump);
		if (status) {
			if (dump && dump != stdout)
				fclose(dump);
			break;
		}
		status = run_all(c, dump, &stop);
		status = group_end(c, dump, status);
	}
	return status;
}

int
main(int argc, char **argv)
{
	tool_init(argc, argv);
	tool_code_in_msgs = 1;
	tool_version_hook = version_hook;
	size_t nl = strlen(tool_name);
	int https = nl >= 5 && strcmp(tool_name + nl - 5, "https") == 0;
	struct cfg c;
	memset(&c, 0, sizeof c);
	c.default_scheme = https ? "https" : "http";
	const struct tool *t = args_tool(https);
	int status = parse_args(&c, argc, argv, t);
	for (const struct cfg *g = &c; g && !status; g = g->next)
		status = check_method(g);
	if (!status)
		status = run(&c, t->name);
	cfg_free(&c);
	return status;
}
