/* nk http's files and conditions: -r, -z, --etag-save, --etag-compare
 * and -R (cond.c). */
#ifndef NK_HTTP_COND_H
#define NK_HTTP_COND_H

#include <stdint.h>
#include <stdio.h>

#include "nk/fetch.h"

struct cond {
	char *range;                /* -r, as sent after "bytes=" */
	int time_cond;              /* -z: NK_FETCH_IF_MODIFIED ..., 0 none */
	int64_t time_value;
	const char *etag_save, *etag_compare;
	int remote_time;            /* -R */
};

/* -r RANGE, as curl takes it (with its warnings unless `quiet`): a lone
 * number gets its dash. k->range is then a copy the caller frees.
 * Prints and returns 2 for a number too large. */
int cond_set_range(struct cond *k, const char *arg, int quiet);

/* -z [+|-|=]DATE or FILE (its mtime): a date that is neither disables
 * the condition with curl's warning (unless `quiet`). */
void cond_set_time(struct cond *k, const char *arg, int quiet);

/* --etag-compare: the If-None-Match line for the next request, from the
 * file read now, in *line (NULL without the option; the caller frees).
 * A file that cannot be read, unless --etag-save is given too, prints
 * curl's error (unless `quiet`) and returns 26. */
int cond_etag_line(const struct cond *k, char **line, int quiet);

/* --etag-save: the file, made empty now ("-": stdout), in *f (NULL
 * without the option). One that cannot be made prints curl's warning
 * (unless `quiet`) and returns 26: the transfer is skipped. */
int cond_etag_open(const struct cond *k, FILE **f, int quiet);

/* Writes each ETag of a response head to f, one a line, as curl does. */
void cond_etag_write(FILE *f, const char *head, size_t len);

/* Closes what cond_etag_open opened. */
void cond_etag_close(FILE *f);

/* -R: gives file `path` the final response's Last-Modified as its
 * times (a warning, unless `quiet`, when that fails). */
void cond_remote_time(const struct cond *k, const char *path,
                      const nk_fetch_result *res, int quiet);

#endif
