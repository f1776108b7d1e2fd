/* nk resolve: shows the addresses a name resolves to, in the order nk's
 * connect would try them, where each came from, and how long it took. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nk/nk.h"
#include "netargs.h"
#include "opts.h"
#include "text.h"
#include "tool.h"

enum { O_JSON = 1, O_TIMEOUT, O_PORT };

/* A lookup's default limit: the system resolver's own retries (5 s per
 * try and server by default in glibc) fit in it, a resolver that never
 * answers does not hold the run for ever. */
#define RESOLVE_TIMEOUT_MS 30000

static const struct opt opts[] = {
	NETARGS_FAMILY_OPTS,
	NETARGS_RESOLVE_OPT,
	{ O_JSON, 0, "json", OPT_FLAG, NULL, NULL,
	  "print one JSON array with an object per host" },
	{ O_TIMEOUT, 'm', "timeout", OPT_NUM, "SECS",
	  NULL, "give up on each name after SECS (default 30)" },
	{ O_PORT, 'p', "port", OPT_NUM, "N", NULL,
	  "the port --resolve entries must match (default: any)" },
};

static const struct tool tool = {
	"resolve", "show the addresses a host name resolves to, in connect order",
	"[-4|-6] [--resolve ENTRY]... [--json] [--timeout SECS] [--port N] HOST...",
	opts, NK_ARRAY_LEN(opts),
};

static void
put_ms(nk_time us)
{
	double ms = (double)us / 1000.0;
	printf(ms >= 1.0 ? "%.1f ms" : "%.3f ms", ms);
}

static void
text_result(const char *host, const nk_addrlist *l, int first)
{
	size_t w = 0;
	if (!first)
		putchar('\n');
	text_safe(stdout, host);
	putchar('\n');
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i].str) > w)
			w = strlen(l->v[i].str);
	for (size_t i = 0; i < l->n; i++)
		printf("  %-*s  IPv%d  %s\n", (int)w, l->v[i].str, l->v[i].family,
		       nk_addr_source_name(l->v[i].source));
	fputs("resolved in ", stdout);
	put_ms(l->elapsed);
	putchar('\n');
}

static void
json_result(const char *host, const nk_addrlist *l, nk_err e,
            const char *err, nk_time elapsed, int first)
{
	printf("%s\n  {\"host\": ", first ? "" : ",");
	text_json(stdout, host);
	if (e) {
		fputs(", \"error\": ", stdout);
		text_json_error(stdout, e, err);
		printf(", \"elapsed_ms\": %.3f}", (double)elapsed / 1000.0);
		return;
	}
	fputs(", \"addresses\": [", stdout);
	for (size_t i = 0; i < l->n; i++) {
		printf("%s{\"address\": ", i ? ", " : "");
		text_json(stdout, l->v[i].str);
		printf(", \"family\": \"IPv%d\", \"source\": ", l->v[i].family);
		text_json(stdout, nk_addr_source_name(l->v[i].source));
		putchar('}');
	}
	printf("], \"elapsed_ms\": %.3f}", (double)l->elapsed / 1000.0);
}

/* Parses the arguments and resolves each host. hosts has room for argc
 * entries. */
static int
run(int argc, char **argv, struct netargs *na, const char **hosts)
{
	struct optstate os = { 1, NULL, 0 };
	const nk_netopts *no = &na->net;
	const char *arg;
	size_t nhosts = 0;
	int json = 0, id, rc = 0, shown = 0;
	int64_t timeout_ms = RESOLVE_TIMEOUT_MS;
	long port = 0;
	char err[NK_ERR_MSG_LEN];

	while ((id = opt_next(&os, argc, argv, &tool, &arg)) != OPT_END) {
		switch (id) {
		case OPT_ERROR:
			return NK_ERR_FAILED_INIT;
		case OPT_ARG:
			hosts[nhosts++] = arg;
			break;
		case O_JSON:
			json = 1;
			break;
		case O_TIMEOUT:
			if (tool_parse_secs(arg, "--timeout", &timeout_ms) != 0)
				return NK_ERR_FAILED_INIT;
			if (timeout_ms == 0)
				timeout_ms = RESOLVE_TIMEOUT_MS;
			break;
		case O_PORT:
			if (tool_parse_long(arg, 1, 65535, "--port", &port) != 0)
				return NK_ERR_FAILED_INIT;
			break;
		default:
			if (netargs_take(na, id, arg) < 0)
				return NK_ERR_FAILED_INIT;
			break;
		}
	}
	if (nhosts == 0) {
		tool_msg("name a HOST to resolve; try --help");
		return NK_ERR_FAILED_INIT;
	}
	int ne = netargs_finish(na);
	if (ne != 0)
		return ne;

	if (json)
		putchar('[');
	for (size_t i = 0; i < nhosts; i++) {
		nk_addrlist l;
		nk_time t0 = nk_now();
		err[0] = '\0';
		nk_err e = nk_resolve(no, hosts[i], (int)port,
		                      nk_deadline_in_ms(timeout_ms), &l, err);
		if (e) {
			/* The message goes to stderr in both modes; JSON also
			 * carries it, so a script needs only stdout. */
			tool_fail(e, err);
			if (!rc)
				rc = (int)e;
		}
		if (json)
			json_result(hosts[i], &l, e, err, nk_now() - t0, i == 0);
		else if (!e)
			text_result(hosts[i], &l, shown++ == 0);
		nk_addrlist_free(&l);
	}
	if (json)
		fputs("\n]\n", stdout);
	int w = tool_flush_stdout();
	return rc ? rc : w;
}

int
main(int argc, char **argv)
{
	return netargs_main(argc, argv, run);
}
