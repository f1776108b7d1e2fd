/* URL globbing as curl does it: {a,b,c} sets and [1-10], [01-10:2],
 * [a-z] ranges in a URL make one URL for every combination, the rightmost
 * pattern changing fastest; #N in an output name stands for the Nth
 * pattern's value. A pure function of its strings: no I/O. */
#ifndef NK_HTTP_GLOB_H
#define NK_HTTP_GLOB_H

#include <stddef.h>

/* More URLs than this from one command line is refused before any
 * traffic: a typo such as [1-1000000] would otherwise start a million
 * transfers. */
#define GLOB_MAX_URLS 100000

struct glob;

/* Parses url. Returns 0 and *out, or NK_ERR_URL_MALFORMAT with a one-line
 * errmsg (curl's wording, the 1-based position of the bad byte), or
 * NK_ERR_OUT_OF_MEMORY. */
int glob_parse(const char *url, struct glob **out, char *errmsg,
               size_t errlen);

/* The number of URLs: at least 1, at most GLOB_MAX_URLS. */
size_t glob_count(const struct glob *g);

/* The k-th URL (0-based), malloc'd; NULL when out of memory. */
char *glob_url(const struct glob *g, size_t k);

/* name with each #N (1 <= N <= the number of patterns) replaced by the
 * Nth pattern's value in the k-th URL; any other # is kept. malloc'd. */
char *glob_name(const struct glob *g, size_t k, const char *name);

void glob_free(struct glob *g);

#endif
