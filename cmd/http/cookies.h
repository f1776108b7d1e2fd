/* -b, -c and -j of nk http: the cookie engine's files. */
#ifndef NK_HTTP_COOKIES_H
#define NK_HTTP_COOKIES_H

#include "nk/cookie.h"

struct cookies {
	const char *string;         /* -b NAME=VALUE: sent as it is */
	const char *file;           /* -b FILE (or "" / a missing file) */
	const char *jar_path;       /* -c FILE ("-": stdout) */
	int junk;                   /* -j */
	nk_cookie_jar *jar;         /* NULL: no engine */
};

/* -b ARG: a string with '=' is a Cookie value, else a file. */
void cookies_arg(struct cookies *ck, const char *arg);

/* Makes the jar when -b FILE or -c asks for one and reads the file (one
 * that does not exist is an empty jar, as in curl). */
nk_err cookies_open(struct cookies *ck, char *errmsg);

/* Writes -c's file (also after a failed transfer) and frees the jar. */
nk_err cookies_close(struct cookies *ck, char *errmsg);

#endif
