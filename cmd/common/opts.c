/* opts: table-driven option parsing shared by every tool. Unlike getopt,
 * positional arguments may stand between options (curl's URLs do). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "tool.h"

static const char *kind_names[] = {
	[OPT_FLAG] = "flag", [OPT_STRING] = "string", [OPT_NUM] = "number",
	[OPT_FILE] = "file", [OPT_DIR] = "dir", [OPT_HOST] = "host",
	[OPT_CHOICE] = "choice",
};

/* The options every tool has; ids below zero never clash with a tool's. */
enum { ID_HELP = -100, ID_VERSION = -101, ID_DUMP = -102 };
static const struct opt builtin[] = {
	{ ID_HELP, 'h', "help", OPT_FLAG, NULL, NULL, "show this help and exit" },
	{ ID_VERSION, 0, "version", OPT_FLAG, NULL, NULL, "show versions and exit" },
};

void
opt_help(const struct tool *t, FILE *out)
{
	fprintf(out, "Usage: nk %s %s\n%s\n\nOptions:\n", t->name, t->usage,
	        t->summary);
	for (size_t n = 0; n < t->nopts + NK_ARRAY_LEN(builtin); n++) {
		const struct opt *o = n < t->nopts ? &t->opts[n]
		                                   : &builtin[n - t->nopts];
		char left[64];
		int len = snprintf(left, sizeof left, "%s%c%s%s%s%s%s",
		                   o->shortopt ? "-" : "   ",
		                   o->shortopt ? o->shortopt : ' ',
		                   o->shortopt && o->longopt ? ", " : "",
		                   o->longopt ? "--" : "",
		                   o->longopt ? o->longopt : "",
		                   o->argname ? " " : "",
		                   o->argname ? o->argname : "");
		fprintf(out, "  %-28s %s\n", left, o->help);
		(void)len;
	}
}

/* One line per option for the completion generator and the tests:
 * short<TAB>long<TAB>kind<TAB>argname<TAB>choices<TAB>help
 * The usage line tells the generator what the positional arguments are
 * (HOST, URL...), so they complete too. */
static void
dump(const struct tool *t)
{
	printf("tool\t%s\t%s\n", t->name, t->summary);
	printf("usage\t%s\n", t->usage);
	for (size_t n = 0; n < t->nopts + NK_ARRAY_LEN(builtin); n++) {
		const struct opt *o = n < t->nopts ? &t->opts[n]
		                                   : &builtin[n - t->nopts];
		printf("opt\t%s%c\t%s\t%s\t%s\t%s\t%s\n", o->shortopt ? "-" : "",
		       o->shortopt ? o->shortopt : '-', o->longopt ? o->longopt : "",
		       kind_names[o->kind], o->argname ? o->argname : "",
		       o->choices ? o->choices : "", o->help);
	}
}

static const struct opt *
find_long(const struct tool *t, const char *name, size_t len)
{
	for (size_t n = 0; n < t->nopts + NK_ARRAY_LEN(builtin); n++) {
		const struct opt *o = n < t->nopts ? &t->opts[n]
		                                   : &builtin[n - t->nopts];
		if (o->longopt && strlen(o->longopt) == len &&
		    memcmp(o->longopt, name, len) == 0)
			return o;
	}
	return NULL;
}

static const struct opt *
find_short(const struct tool *t, char c)
{
	for (size_t n = 0; n < t->nopts + NK_ARRAY_LEN(builtin); n++) {
		const struct opt *o = n < t->nopts ? &t->opts[n]
		                                   : &builtin[n - t->nopts];
		if (o->shortopt == c)
			return o;
	}
	return NULL;
}

static int
check_choice(const struct opt *o, const char *v)
{
	if (o->kind != OPT_CHOICE)
		return 1;
	size_t vl = strlen(v);
	for (const char *p = o->choices; *p;) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);
		if (l == vl && memcmp(p, v, l) == 0)
			return 1;
		if (!bar)
			break;
		p = bar + 1;
	}
	tool_msg("--%s takes one of %s, not '%s'",
	         o->longopt ? o->longopt : "?", o->choices, v);
	return 0;
}

static int
finish(const struct tool *t, const struct opt *o)
{
	switch (o->id) {
	case ID_HELP:
		opt_help(t, stdout);
		exit(0);
	case ID_VERSION:
		tool_version();
		exit(0);
	case ID_DUMP:
		dump(t);
		exit(0);
	}
	return o->id;
}

int
opt_next(struct optstate *st, int argc, char **argv, const struct tool *t,
         const char **arg)
{
	*arg = NULL;
	if (st->bundle && *st->bundle) {
		const struct opt *o = find_short(t, *st->bundle);
		if (!o) {
			tool_msg("unknown option -%c (see nk %s --help)",
			         *st->bundle, t->name);
			return OPT_ERROR;
		}
		st->bundle++;
		if (o->kind != OPT_FLAG) {
			if (*st->bundle) {
				*arg = st->bundle;
			} else if (st->i < argc) {
				*arg = argv[st->i++];
			} else {
				tool_msg("option -%c needs an argument", o->shortopt);
				return OPT_ERROR;
			}
			st->bundle = NULL;
			if (!check_choice(o, *arg))
				return OPT_ERROR;
		}
		return finish(t, o);
	}
	st->bundle = NULL;
	if (st->i >= argc)
		return OPT_END;
	const char *a = argv[st->i++];
	if (st->only_args || a[0] != '-' || a[1] == '\0') {
		*arg = a;
		return OPT_ARG;
	}
	if (a[1] != '-') {
		st->bundle = a + 1;
		return opt_next(st, argc, argv, t, arg);
	}
	if (a[2] == '\0') {
		st->only_args = 1;
		return opt_next(st, argc, argv, t, arg);
	}
	const char *name = a + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	if (len == 10 && memcmp(name, "nk-options", 10) == 0) {
		dump(t);
		exit(0);
	}
	const struct opt *o = find_long(t, name, len);
	if (!o) {
		tool_msg("unknown option --%.*s (see nk %s --help)", (int)len,
		         name, t->name);
		return OPT_ERROR;
	}
	if (o->kind == OPT_FLAG) {
		if (eq) {
			tool_msg("option --%s takes no argument", o->longopt);
			return OPT_ERROR;
		}
	} else if (eq) {
		*arg = eq + 1;
	} else if (st->i < argc) {
		*arg = argv[st->i++];
	} else {
		tool_msg("option --%s needs an argument", o->longopt);
		return OPT_ERROR;
	}
	if (*arg && !check_choice(o, *arg))
		return OPT_ERROR;
	return finish(t, o);
}
