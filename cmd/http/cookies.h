/* -b, -c and -j of nk http: the cookie engine's files. */
#ifndef NK_HTTP_COOKIES_H
#define NK_HTTP_COOKIES_H

#include "nk/cookie.h"
#include "strv.h"

/* One option group's cookie options (--next starts another); the engine
 * (the jar) is one for the whole run, as curl shares it. */
struct cookies {
	char *string;               /* every -b NAME=VALUE, joined with ';'
	                             * as curl 7.88 does (malloc'd) */
	struct strv files;          /* every -b FILE (or "" / a missing file) */
	const char *jar_path;       /* -c FILE ("-": stdout) */
	int junk;                   /* -j */
	nk_cookie_jar *jar;         /* the run's engine; NULL: not used */
};

/* -b ARG: a string with '=' is a Cookie value, else (or after a leading
 * '@') a file. Exits (27) when out of memory. */
void cookies_arg(struct cookies *ck, const char *arg);

/* When -b FILE or -c asks for the engine: makes the run's jar in
 * *shared on first use, and reads the files into it (one that does not
 * exist adds nothing, as in curl). */
nk_err cookies_open(struct cookies *ck, nk_cookie_jar **shared,
                    char *errmsg);

/* Writes -c's file (also after a failed transfer) from the jar, and
 * frees what ck holds; the jar itself is the caller's. */
nk_err cookies_close(struct cookies *ck, char *errmsg);

#endif
