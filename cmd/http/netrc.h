/* nk http's --netrc, --netrc-optional and --netrc-file. */
#ifndef NK_HTTP_NETRC_H
#define NK_HTTP_NETRC_H

#include "nk/err.h"

struct netrc_opt {
	int use;                    /* --netrc or --netrc-file given */
	int optional;               /* --netrc-optional */
	const char *file;           /* --netrc-file, then the file in use */
	char *owned;                /* the default path, made here */
};

/* Picks the file (--netrc-file; else $NETRC, as curl 8.16; else
 * ~/.netrc) and checks its syntax, so a malformed file fails before any
 * request. n->file is NULL afterwards when netrc is not in use. */
nk_err netrc_finish(struct netrc_opt *n, char *errmsg);

void netrc_free(struct netrc_opt *n);

#endif
