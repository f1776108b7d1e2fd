/* nk-http's settings (struct cfg): one for each group of options that
 * -:/--next separates, in a list from the first, which also holds the
 * global options (curl's: -s, -S, -v, --no-progress-meter,
 * --fail-early, --variable) and the config files' host sections. The
 * files that work on them: args.c reads the options into a cfg, plan.c owns its lists
 * (the URLs globbed into transfers) and its host sections, run.c makes
 * one transfer of it. Functions that print say so; the others return
 * an nk_err or exit code for the caller to report. */
#ifndef NK_HTTP_CFG_H
#define NK_HTTP_CFG_H

#include <stdint.h>
#include <stdio.h>

#include "nk/fetch.h"
#include "nk/tls.h"
#include "opts.h"
#include "netargs.h"
#include "cond.h"
#include "cookies.h"
#include "trace.h"
#include "data.h"
#include "netrc.h"
#include "strv.h"
#include "vars.h"

/* -o FILE or -O, in the order given; each goes to the next URL. */
#define OUT_REMOTE ((const char *)1)
/* --out-null: the body goes nowhere. */
#define OUT_NULL ((const char *)2)
/* An -o name to use as it is (not -O, not --out-null). */
#define OUT_NAMED(o) ((o) && (o) != OUT_REMOTE && (o) != OUT_NULL)

struct cfg {
	struct strv owned;          /* strings made here, freed at exit */
	struct netrc_opt netrc;
	const char *default_scheme;
	struct strv urls, outputs, headers, uploads;
	struct strv listed;         /* per URL: non-NULL if from --url @FILE */
	size_t *urlnum;             /* per globbed URL: its argument's index */
	const char *output_dir, *dump_header, *user_agent, *referer, *user;
	const char *method, *proxy, *noproxy;
	long max_redirs;
	int64_t max_time_ms, max_filesize;
	long retry;
	int64_t retry_delay_ms, retry_max_time_ms;
	int64_t limit_rate;         /* --limit-rate: bytes a second, 0 none */
	struct data data;           /* -d ... --json, -G, --url-query */
	int64_t resume_offset;
	struct netargs na;          /* -4 ... --connect-timeout, --cacert ...
	                             * --key; --pinnedpubkey is in na.tls too */
	nk_fetch_body *body;        /* -d, --json, -F ...: NULL when none */
	const char *accept;         /* --json's Accept, or NULL */
	int64_t expect100_ms;
	struct cookies ck;          /* -b, -c, -j */
	struct vars vars;           /* --variable */
	struct cond cond;           /* -r, -z, --etag-*, -R */
	struct host_sec *secs;      /* config files' [host NAME] sections */
	size_t nsecs;
	char *wo_format;            /* -w's format, or NULL */
	struct strv connopts;       /* the connection options given, as
	                             * "ID ARG": groups with the same ones
	                             * share connections */
	nk_fetch *f;                /* the fetcher of this group's URLs */
	struct cfg *next;           /* the group after --next, or NULL */
	struct cfg *cur;            /* first group: the group being read */
	nk_cookie_jar *jar;         /* first group: the run's cookie engine */
	struct trace_opt tr;        /* --trace ... --trace-ids */
	/* --proxy-user, -p, --proxy-header (the SOCKS options set proxy) */
	const char *proxy_user;
	struct strv proxy_headers;
	const char *bearer;         /* --oauth2-bearer TOKEN */
	nk_tls_config proxy_tls;    /* --proxy-cacert ... --proxy-pinnedpubkey */
	/* the flags and small numbers, together (no padding between them) */
	int globoff;
	int proxy_set, remote_all, include, head, location, fail,
	    fail_with_body, fail_early, silent, show_error, verbose,
	    no_progress, compressed, http10, auto_referer, pipeline,
	    write_out;
	int max_redirs_set;
	int http_ver;               /* NK_FETCH_HTTP_*: --http1.x, --http2,
	                               --http2-prior-knowledge */
	int retry_connrefused, retry_all;
	int resume;                 /* 0 no, 1 -C -, 2 -C OFFSET */
	int no_clobber, remove_on_error;
	int remote_header_name, create_dirs;  /* -J, --create-dirs */
	int post301, post302, post303;
	int in_section;             /* this cfg is a section's */
	int secs_borrowed;          /* secs[i].cfg is the first group's */
	int own_f;                  /* f is this group's (else an earlier
	                             * group's with the same connopts) */
	int progress_bar;           /* -# */
	/* first group: -Z, --parallel-max (0: 50), --parallel-max-host (0:
	 * no limit); par.c runs them */
	int parallel, parallel_max, parallel_max_host, parallel_immediate;
	int proxytunnel;
	unsigned proxy_auth;        /* 1 --proxy-basic, 2 --proxy-digest,
	                             * 4 --proxy-anyauth: curl's anyauth wins,
	                             * then digest, then basic */
	unsigned auth;              /* NK_FETCH_AUTH_*: --basic, --digest,
	                             * --anyauth, --oauth2-bearer */
};

/* A section's options, parsed into a cfg of their own; what is used of
 * it: headers (after the others), -u, -A, -e and the TLS options. */
struct host_sec {
	const char *name;
	struct cfg *cfg;
	struct strv headers;        /* the global ones, then the section's */
	nk_tls_config tls;          /* the global TLS settings, overlaid */
	int has_tls;
	nk_fetch *f;                /* with tls, when has_tls */
};

/* ---- args.c: the options ------------------------------------------ */

/* The tool's option table, as nk http or (https nonzero) nk https. */
const struct tool *args_tool(int https);

/* Reads the default config file (unless -q comes first), then argv, into
 * c (zeroed, with default_scheme set), and makes the plan: URLs globbed,
 * the body built, each section's settings completed. Prints what is wrong
 * and returns its exit code, or 0. */
int parse_args(struct cfg *c, int argc, char **argv, const struct tool *t);

/* ---- optvals.c: option values that need more than storing --------- */

/* Each prints what is wrong with arg and returns the exit code, or 0. */

/* -H 'Name: value' (checked), or @FILE: its lines. */
int cfg_set_header(struct cfg *c, const char *arg);

/* --proxy-header 'Name: value' (checked), or @FILE: its lines. */
int cfg_set_proxy_header(struct cfg *c, const char *arg);

/* --socks4 ... --socks5-hostname HOST[:PORT]: the proxy, of that kind
 * unless the value names a scheme. */
void cfg_set_socks(struct cfg *c, const char *scheme, const char *arg);

/* --proxy-cert-type, --proxy-key-type (name): PEM, whatever the case;
 * any other format is refused as curl refuses one its TLS library lacks
 * (58). */
int cfg_check_pem(const char *name, const char *arg);

/* -X METHOD: a token. */
int cfg_set_method(struct cfg *c, const char *arg);

/* -e URL, or URL;auto to set it on redirects too (";auto" alone: only
 * on redirects). */
void cfg_set_referer(struct cfg *c, const char *arg);

/* -u USER:PASSWORD, or USER alone for an empty password. */
int cfg_set_user(struct cfg *c, const char *arg);

/* --oauth2-bearer TOKEN: refused with a control byte, as -H values are
 * (curl would send it, breaking the head). */
int cfg_set_bearer(struct cfg *c, const char *arg);

/* -C -: at the output file's size; -C OFFSET. */
int cfg_set_continue_at(struct cfg *c, const char *arg);

/* A size with an optional fraction and unit (b, k, M, G, T: powers of
 * 1024), as curl 8 takes --max-filesize and --limit-rate: 0 with *out
 * set, or -1 (nothing printed). */
int cfg_parse_size(const char *s, int64_t *out);

/* --max-filesize BYTES (cfg_parse_size). */
int cfg_set_max_filesize(struct cfg *c, const char *arg);

/* --limit-rate SPEED (cfg_parse_size): bytes a second. */
int cfg_set_limit_rate(struct cfg *c, const char *arg);

/* Prints the error of a data option (data.h: errmsg set) and returns its
 * exit code: a usage error (2) reads as the others do. */
int cfg_data_error(nk_err e, const char *errmsg);

/* ---- plan.c: the URL list and host sections ----------------------- */

/* Once every option is read, for each group of the first, c: the global
 * options and host sections given to it, then checks that there is a
 * URL and that -C - has a file for each, globs the URLs (and -T files),
 * makes the body, picks the netrc file, completes the network settings
 * and the sections. Prints what is wrong (naming tool `name`) and
 * returns its exit code, or 0. */
int plan_finish(struct cfg *c, const char *name);

/* Frees everything c and the groups after it hold, after writing each
 * -c cookie file (a failure to is a warning, unless -s). */
void cfg_free(struct cfg *c);

/* --next: the groups' options go to a new group from here on, when the
 * current one has a URL (curl 7.88 ignores it before the first). */
void group_next(struct cfg *c);

/* --url @FILE: appends the file's URLs (to be saved as with -O, and not
 * globbed). Prints and returns the exit code of a file it cannot read. */
int urls_from_file(struct cfg *c, const char *path);

/* The cfg of host section `name`, made on first use. */
struct cfg *section_get(struct cfg *c, const char *name);

/* 1 when some section has TLS settings, so needs an nk_fetch of its own
 * (which one pipeline cannot mix in). */
int sections_tls(const struct cfg *c);

/* The section for URL i, or NULL. */
const struct host_sec *section_for(const struct cfg *c, size_t i);

/* ---- run.c: one transfer ------------------------------------------ */

/* Prints an error as curl does (nothing with -s alone). */
void report(const struct cfg *c, int code, const char *msg);

/* The request for URL i; start_size is what a file resumed with -C -
 * already has. */
void fill_request(const struct cfg *c, size_t i, int64_t start_size,
                  nk_fetch_request *rq);

/* Fetches URL i with f into its output, -D into dump (or NULL), then
 * prints -w. Reports a failure and returns its exit code, or 0. */
int run_one(nk_fetch *f, const struct cfg *c, size_t i, FILE *dump);

/* ---- main.c: a group's set-up and end ---------------------------- */

/* Everything before group c's first transfer: its cookie files read
 * into the run's jar, its fetcher (and one for each section with TLS
 * settings of its own), -D's file opened, pipelined requests sent; with
 * -Z only the cookies and -D. Reports a failure and returns its exit
 * code. */
int group_start(struct cfg *root, struct cfg *c, FILE **dump);

/* After group c's transfers: -D's file closed, the held-back output and
 * stdout flushed. A failure here is the status when no transfer failed
 * (status). */
int group_end(const struct cfg *c, FILE *dump, int status);

/* A new fetcher with group c's settings, and section s's TLS ones when
 * s is not NULL. nk_fetch_new's errors. */
int fetcher_new(const struct cfg *c, const struct host_sec *s,
                nk_fetch **f, char *errmsg);

/* ---- par.c: -Z ------------------------------------------------------ */

/* Runs every group's transfers at once, at most --parallel-max at a
 * time, their output to stdout in command-line order; returns the exit
 * status (the last failure in command-line order, or with --fail-early
 * the first seen). Prints what fails. */
int par_run(struct cfg *root, const char *name);

#endif
