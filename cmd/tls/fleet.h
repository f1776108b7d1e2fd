/* fleet: nk tls with several targets (on the command line and with
 * -f FILE): each checked as a run of nk tls for that target alone would
 * check it, up to --jobs at once in threads; then a table sorted by days
 * left, or one JSON report a line, and the worst exit status. */
#ifndef NK_TLS_FLEET_H
#define NK_TLS_FLEET_H

struct args;
struct report;

/* What main.c lends the fleet (as pointers, so the fleet does not reach
 * back into the file that calls it). */
struct fleet_ops {
	/* The command line of one job into a, as parse_args; argv[line_from
	 * ...] came from a line of -f's file (0: none), where options that
	 * concern the whole run (--json, --pem, -o, -f, --jobs, -v) are
	 * refused. 0, or -1 after a message. */
	int (*parse)(int argc, char **argv, int line_from, struct args *a);
	/* 1 if a's target parses; 0 after saying why on stderr. */
	int (*target_ok)(const struct args *a);
	/* One check without output, as check_target. */
	int (*check)(struct report *r);
};

/* argv is the command line, global the arguments read from it; returns
 * the exit status. */
int fleet_run(int argc, char **argv, const struct args *global,
              const struct fleet_ops *ops);

#endif
