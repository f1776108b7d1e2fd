/* opts: one table per tool describes its options. The same table drives
 * argument parsing, --help, and (through --nk-options) the generated shell
 * completions and man-page checks, so an option exists everywhere or nowhere. */
#ifndef NK_CMD_OPTS_H
#define NK_CMD_OPTS_H

#include <stddef.h>
#include <stdio.h>

/* What an option's argument is, for completion. */
enum opt_kind {
	OPT_FLAG = 0,   /* takes no argument */
	OPT_STRING,     /* free text */
	OPT_NUM,        /* a number */
	OPT_FILE,       /* a file name */
	OPT_DIR,        /* a directory name */
	OPT_HOST,       /* a host name or address */
	OPT_CHOICE,     /* one of opt.choices, separated by '|' */
};

struct opt {
	int id;               /* returned by opt_next; > 0 */
	char shortopt;        /* 0 if none */
	const char *longopt;  /* without the dashes; NULL if none */
	enum opt_kind kind;
	const char *argname;  /* shown in --help: "FILE"; NULL for a flag */
	const char *choices;  /* for OPT_CHOICE: "smtp|imap|pop3|ftp" */
	const char *help;     /* one line */
};

struct tool {
	const char *name;     /* "url": the binary is nk-url */
	const char *summary;  /* one line, shown by `nk help` */
	const char *usage;    /* after "Usage: nk NAME " */
	const struct opt *opts;
	size_t nopts;
};

#define OPT_ARG   (-2)    /* a positional argument: *arg is it */
#define OPT_ERROR (-3)    /* a message was printed; exit 2 */
#define OPT_END   (-1)

struct optstate {
	int i;                /* next argv index; start at 1 */
	const char *bundle;   /* rest of a bundle of short flags ("-sS") */
	int only_args;        /* after "--" */
};

/* Returns the next option's id (with *arg set for options that take one),
 * OPT_ARG for a positional argument, OPT_END at the end, or OPT_ERROR after
 * printing a one-line message. --help, --version and --nk-options are
 * handled here: they print and exit 0. */
int opt_next(struct optstate *st, int argc, char **argv,
             const struct tool *t, const char **arg);

/* Prints the --help text generated from the table. */
void opt_help(const struct tool *t, FILE *out);

#endif
