/* nk url: parses a URL (relative to an optional base) the way a browser
 * does and prints its parts, aligned for people or as one JSON object.
 *
 * Exit status: 0 parsed; 2 bad usage; 3 invalid URL or base; 23 writing
 * the output failed; 27 out of memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nk/url.h"
#include "opts.h"
#include "text.h"
#include "tool.h"

enum { OPT_JSON = 1 };

static const struct opt opts[] = {
	{ OPT_JSON, 0, "json", OPT_FLAG, NULL, NULL,
	  "print one JSON object with the URL API's fields" },
};

static const struct tool tool = {
	"url", "parse a URL and show its parts", "[--json] URL [BASE]",
	opts, NK_ARRAY_LEN(opts),
};

#define USAGE "usage: nk url [--json] URL [BASE]"

/* Prints s for a terminal under libnk's rule, tabs escaped too. */
static void
put_safe(FILE *f, const char *s)
{
	text_put(f, s, strlen(s), 0);
}

static void
line(const char *label, const char *value, const char *suffix)
{
	printf("%-11s", label);
	put_safe(stdout, value);
	fputs(suffix, stdout);
	fputc('\n', stdout);
}

static void
print_text(const nk_url *u)
{
	char port[32];
	const char *kind = "";

	line("href:", nk_url_get(u, NK_URL_HREF), "");
	line("scheme:", nk_url_scheme(u), "");
	if (*nk_url_get(u, NK_URL_USERNAME))
		line("user:", nk_url_get(u, NK_URL_USERNAME), "");
	if (*nk_url_get(u, NK_URL_PASSWORD))
		line("password:", nk_url_get(u, NK_URL_PASSWORD), "");
	if (nk_url_host_kind_of(u) == NK_URL_HOST_IPV4)
		kind = " (IPv4)";
	else if (nk_url_host_kind_of(u) == NK_URL_HOST_IPV6)
		kind = " (IPv6)";
	if (*nk_url_get(u, NK_URL_HOSTNAME))
		line("host:", nk_url_get(u, NK_URL_HOSTNAME), kind);
	if (*nk_url_get(u, NK_URL_PORT)) {
		line("port:", nk_url_get(u, NK_URL_PORT), "");
	} else if (nk_url_default_port(u) >= 0) {
		snprintf(port, sizeof port, "%d", nk_url_default_port(u));
		line("port:", port, " (default)");
	}
	if (*nk_url_get(u, NK_URL_PATHNAME))
		line("path:", nk_url_get(u, NK_URL_PATHNAME), "");
	if (*nk_url_get(u, NK_URL_SEARCH))
		line("query:", nk_url_get(u, NK_URL_SEARCH) + 1, "");
	if (*nk_url_get(u, NK_URL_HASH))
		line("fragment:", nk_url_get(u, NK_URL_HASH) + 1, "");
	if (strcmp(nk_url_get(u, NK_URL_ORIGIN), "null") != 0)
		line("origin:", nk_url_get(u, NK_URL_ORIGIN), "");
}

static void
print_json(const nk_url *u)
{
	static const struct {
		const char *name;
		nk_url_part part;
	} f[] = {
		{ "href", NK_URL_HREF }, { "origin", NK_URL_ORIGIN },
		{ "protocol", NK_URL_PROTOCOL }, { "username", NK_URL_USERNAME },
		{ "password", NK_URL_PASSWORD }, { "host", NK_URL_HOST },
		{ "hostname", NK_URL_HOSTNAME }, { "port", NK_URL_PORT },
		{ "pathname", NK_URL_PATHNAME }, { "search", NK_URL_SEARCH },
		{ "hash", NK_URL_HASH },
	};
	putchar('{');
	for (size_t i = 0; i < NK_ARRAY_LEN(f); i++) {
		printf("%s\"%s\":", i ? "," : "", f[i].name);
		text_json(stdout, nk_url_get(u, f[i].part));
	}
	fputs("}\n", stdout);
}

/* "invalid URL "TEXT": REASON at position N" on stderr; returns the code. */
static int
invalid(const char *text, nk_err e, const char *errmsg)
{
	if (e != NK_ERR_URL_MALFORMAT)
		return tool_fail(e, errmsg);
	fflush(stdout);
	fprintf(stderr, "%s: invalid URL \"", tool_name);
	put_safe(stderr, text);
	fprintf(stderr, "\": %s\n", errmsg);
	return (int)e;
}

int
main(int argc, char **argv)
{
	struct optstate st = { 1, NULL, 0 };
	const char *arg, *args[2] = { NULL, NULL };
	char errmsg[NK_ERR_MSG_LEN] = "";
	int id, json = 0, nargs = 0;
	nk_url *base = NULL, *u = NULL;
	nk_err e;

	tool_init(argc, argv);
	while ((id = opt_next(&st, argc, argv, &tool, &arg)) != OPT_END) {
		switch (id) {
		case OPT_ERROR:
			return 2;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_ARG:
			if (nargs == 2) {
				tool_msg("too many arguments (" USAGE ")");
				return 2;
			}
			args[nargs++] = arg;
			break;
		}
	}
	if (nargs == 0) {
		tool_msg("name a URL to parse (" USAGE ")");
		return 2;
	}

	if (args[1]) {
		e = nk_url_parse(args[1], NULL, &base, errmsg);
		if (e)
			return invalid(args[1], e, errmsg);
	}
	e = nk_url_parse_buf(args[0], strlen(args[0]), base, &u, errmsg);
	nk_url_free(base);
	if (e)
		return invalid(args[0], e, errmsg);
	if (json)
		print_json(u);
	else
		print_text(u);
	nk_url_free(u);
	return tool_flush_stdout();
}
