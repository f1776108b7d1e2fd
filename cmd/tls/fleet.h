/* fleet: nk tls with several targets (on the command line and with
 * -f FILE): each checked as a run of nk tls for that target alone would
 * check it, up to --jobs at once in threads; then a table sorted by days
 * left, or one JSON report a line, and the worst exit status. */
#ifndef NK_TLS_FLEET_H
#define NK_TLS_FLEET_H

struct args;

/* argv is the command line, global the arguments read from it; returns
 * the exit status. */
int fleet_run(int argc, char **argv, const struct args *global);

/* main.c: 1 if a's target parses; 0 after saying why on stderr. */
int target_syntax_ok(const struct args *a);

/* main.c: parse_args for a fleet job, whose argv[line_from...] came
 * from a line of -f's file: options that concern the whole run (--json,
 * --pem, -o, -f, --jobs, -v) are refused there. */
int parse_job_args(int argc, char **argv, int line_from, struct args *a);

#endif
