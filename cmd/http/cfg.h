/* nk-http's settings for one run (struct cfg) and the files that work
 * on them: args.c reads the options into a cfg, plan.c owns its lists
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
#include "cookies.h"
#include "data.h"
#include "netrc.h"
#include "strv.h"
#include "vars.h"

/* -o FILE or -O, in the order given; each goes to the next URL. */
#define OUT_REMOTE ((const char *)1)

struct cfg {
	struct strv owned;          /* strings made here, freed at exit */
	struct netrc_opt netrc;
	const char *default_scheme;
	struct strv urls, outputs, headers, uploads;
	struct strv listed;         /* per URL: non-NULL if from --url @FILE */
	size_t *urlnum;             /* per globbed URL: its argument's index */
	int globoff;
	const char *output_dir, *dump_header, *user_agent, *referer, *user;
	const char *method, *proxy, *noproxy;
	int proxy_set, remote_all, include, head, location, fail,
	    fail_with_body, fail_early, silent, show_error, verbose,
	    no_progress, compressed, http10, auto_referer, pipeline,
	    write_out;
	long max_redirs;
	int max_redirs_set;
	int64_t max_time_ms, max_filesize;
	long retry;
	int64_t retry_delay_ms, retry_max_time_ms;
	int retry_connrefused, retry_all;
	int resume;                 /* 0 no, 1 -C -, 2 -C OFFSET */
	int no_clobber, remove_on_error;
	struct data data;           /* -d ... --json, -G, --url-query */
	int64_t resume_offset;
	struct netargs na;          /* -4 ... --connect-timeout, --cacert ...
	                             * --key; --pinnedpubkey is in na.tls too */
	nk_fetch_body *body;        /* -d, --json, -F ...: NULL when none */
	const char *accept;         /* --json's Accept, or NULL */
	int post301, post302, post303;
	int64_t expect100_ms;
	struct cookies ck;          /* -b, -c, -j */
	struct vars vars;           /* --variable */
	struct host_sec *secs;      /* config files' [host NAME] sections */
	size_t nsecs;
	int in_section;             /* this cfg is a section's */
	unsigned auth;              /* NK_FETCH_AUTH_*: --basic, --digest,
	                             * --anyauth, --oauth2-bearer */
	const char *bearer;         /* --oauth2-bearer TOKEN */
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

/* --max-filesize BYTES with an optional k, M or G (powers of 1024). */
int cfg_set_max_filesize(struct cfg *c, const char *arg);

/* Prints the error of a data option (data.h: errmsg set) and returns its
 * exit code: a usage error (2) reads as the others do. */
int cfg_data_error(nk_err e, const char *errmsg);

/* ---- plan.c: the URL list and host sections ----------------------- */

/* Once every option is read: checks that there is a URL and that -C -
 * has a file for each, globs the URLs, makes the body, picks the netrc
 * file, completes the network settings and the sections. Prints what
 * is wrong (naming tool `name`) and returns its exit code, or 0. */
int plan_finish(struct cfg *c, const char *name);

/* Frees everything c holds, after writing -c's cookie file (a failure
 * to is a warning, unless -s). */
void cfg_free(struct cfg *c);

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

#endif
